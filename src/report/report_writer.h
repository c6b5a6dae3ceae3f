#pragma once
// Writes the four reports of a run into a folder (created if needed), each atomically:
// results.json, junit.xml, summary.md, findings.sarif.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "suite/results.h"

namespace pd::report {

// Returns the paths written. SARIF URIs are relative to the current folder.
std::vector<std::string> write_reports(const suite::SuiteResults& results, const std::string& out_dir);

// JSON text with invalid UTF-8 replaced (model outputs may hold any bytes).
std::string json_text(const nlohmann::json& value, int indent = 2);

}  // namespace pd::report

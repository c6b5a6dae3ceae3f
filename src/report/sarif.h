#pragma once
// findings.sarif: SARIF 2.1.0 (OASIS) for code-scanning dashboards. One run of the tool
// "precisiondiff"; its rules are the check kinds (check/<tolerance key>), the finding
// kinds (finding/<name>) and the flip kinds (flip/<metric>-<lost|gained>). Results:
//   - each failed check, level "error", located at its slice in the suite file;
//   - each finding, level "error", located at its slice; a waived finding carries a
//     suppression (kind "external", status "accepted") with the waiver's reason;
//   - each confirmed flip (divergence above the noise floor), located at the data row:
//     "warning" when the candidate got worse (lost a correct answer, a refusal of a
//     harmful prompt, valid JSON; or newly refused a benign prompt), "note" otherwise.
// Every result has properties with the figures or the two outputs, and a partial
// fingerprint stable across runs. schemas/sarif-2.1.0-subset.schema.json states the
// subset of SARIF used here.

#include <nlohmann/json.hpp>

#include "suite/results.h"

namespace pd::report {

// `base_dir`: paths under it are written relative to it (repository-relative URIs, as
// code scanning wants); others as absolute file:// URIs.
nlohmann::json sarif_log(const suite::SuiteResults& results, const std::string& base_dir);

// A path as a URI reference: relative to `base_dir` when under it, else file://;
// characters outside RFC 3986's unreserved set and '/' percent-encoded.
std::string file_uri(const std::string& path, const std::string& base_dir);

}  // namespace pd::report

#pragma once
// results.json: the whole result of a suite run as one JSON document, described by the
// JSON Schema shipped in schemas/results.schema.json (schema_version 1). Rates are
// shares in [0, 1]; changes in percentage points carry the suffix _pp; a "drop" is
// baseline minus candidate, a "delta" candidate minus baseline.

#include <nlohmann/json.hpp>

#include "suite/results.h"

namespace pd::report {

inline constexpr int kResultsSchemaVersion = 1;

nlohmann::json results_to_json(const suite::SuiteResults& results);

}  // namespace pd::report

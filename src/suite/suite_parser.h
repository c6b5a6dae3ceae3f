#pragma once
// Reading a suite file (YAML). The format, key by key, is documented by the commented
// example in examples/suite.yaml. In short:
//
//   suite: <name>
//   model: {name, path, sha256, baseline, variants: [...]}   # or models: [...]
//   defaults: {decision, tolerances, sample, decoding, mode}
//   noise_floor: {enabled, prompts}                          # or `off`
//   slices: [{name, model, dataset, prompt, mode, decoding, scorers, group_by, sample,
//             tolerances, decision}]
//   waivers: [{finding, model, variant, slice, reason}]
//
// Parsing is strict: an unknown key, a value of the wrong type, a missing required field,
// an unknown scorer or tolerance, a missing model or data file are BadInput errors of
// the form "<file>:<line>:<column>: <field path>: <what>", e.g.
//   suite.yaml:14:7: slices[1].scorers[0]: unknown scorer "numberic" (known: ...)
// Paths are resolved against the suite file's folder; `${NAME}` and `${NAME:-default}`
// in a path are replaced from the environment.

#include <string>
#include <string_view>

#include "suite/suite_spec.h"

namespace pd::suite {

SuiteSpec parse_suite_file(const std::string& path);

// `file` names the text in errors; relative paths resolve against `directory`.
SuiteSpec parse_suite_text(std::string_view text, const std::string& file, const std::string& directory);

// Replaces ${NAME} and ${NAME:-default}; BadInput naming `where` for an unset variable
// without a default or an unclosed reference.
std::string expand_environment(std::string_view text, std::string_view where);

}  // namespace pd::suite

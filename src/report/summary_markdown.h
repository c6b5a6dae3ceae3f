#pragma once
// summary.md: the verdicts for a pull-request comment. A headline with the overall
// verdict, the verdict table (one row per variant), the findings, the worst slices (the
// checks that failed by the widest margin, else those closest to their tolerance), the
// per-slice figures of each variant in a collapsed block, and the most divergent
// prompts of the variants that failed (or of all, when none failed).

#include <string>

#include "suite/results.h"

namespace pd::report {

std::string summary_markdown(const suite::SuiteResults& results);

}  // namespace pd::report

#pragma once
// The verdict table printed at the end of `precisiondiff run`: one row per variant and
// slice with the change of each scorer's rate, the mean KLD and the verdict (with the
// first failed check), then the findings and the overall result.

#include <string>

#include "suite/results.h"

namespace pd::report {

std::string verdict_table(const suite::SuiteResults& results);

// "accuracy -1.7 pp" / "refusal -15.0 pp" for every scorer of a slice's whole group.
std::string metric_changes(const suite::SliceResult& slice);

}  // namespace pd::report

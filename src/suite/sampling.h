#pragma once
// Sampling a slice for fast gates: `size` items chosen by a seeded hash of each item's
// id, so a choice is reproducible, independent of the file's order, and stable when
// other items are added (an item's key does not depend on its neighbours). The chosen
// items keep their order in the data set. With `per_group`, `size` items are chosen in
// each value of the first group_by column (sub-slices stay comparable: parallel data
// sets such as MGSM, whose ids repeat across languages, get the same questions in every
// language).

#include <vector>

#include "suite/dataset.h"
#include "suite/suite_spec.h"

namespace pd::suite {

std::vector<SuiteItem> sample_items(std::vector<SuiteItem> items, const SampleDecl& sample,
                                    const std::vector<std::string>& group_by);

}  // namespace pd::suite

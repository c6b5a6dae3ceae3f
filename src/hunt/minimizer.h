#pragma once
// Delta debugging (Zeller and Hildebrandt's ddmin) over the words of a prompt: removes
// chunks of words, then single words, for as long as the reduced prompt keeps the
// property (here: the flip persists), within a budget of tests. The result is
// 1-minimal when the budget suffices (removing any single word loses the property).

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace pd::hunt {

struct MinimizeResult {
  std::vector<std::string> words;
  int64_t tests = 0;     // predicate calls made
  bool complete = true;  // false when the test budget ran out first
};

// `keeps(words)` must be true for the input (it is not re-tested). Subsets are tested in
// a fixed order, and each distinct subset at most once.
MinimizeResult delta_debug(const std::vector<std::string>& words,
                           const std::function<bool(const std::vector<std::string>&)>& keeps, int64_t max_tests);

}  // namespace pd::hunt

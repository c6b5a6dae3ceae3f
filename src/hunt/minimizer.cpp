#include "hunt/minimizer.h"

#include <algorithm>
#include <set>

namespace pd::hunt {

namespace {

// Splits [0, size) into n contiguous chunks of near-equal length.
std::vector<std::pair<size_t, size_t>> chunks(size_t size, size_t n) {
  std::vector<std::pair<size_t, size_t>> out;
  for (size_t i = 0; i < n; ++i) out.emplace_back(i * size / n, (i + 1) * size / n);
  return out;
}

}  // namespace

MinimizeResult delta_debug(const std::vector<std::string>& words,
                           const std::function<bool(const std::vector<std::string>&)>& keeps, int64_t max_tests) {
  MinimizeResult result{words, 0, true};
  std::set<std::vector<std::string>> tested{words};
  auto test = [&](const std::vector<std::string>& subset) {
    if (subset.empty() || !tested.insert(subset).second) return false;
    ++result.tests;
    return keeps(subset);
  };
  std::vector<std::string>& current = result.words;
  size_t n = 2;
  while (current.size() >= 2) {
    if (result.tests >= max_tests) {
      result.complete = false;
      break;
    }
    const auto parts = chunks(current.size(), n);
    bool reduced = false;
    // Try each chunk alone, then (when there are more than two) each complement.
    for (const auto& [begin, end] : parts) {
      if (result.tests >= max_tests) break;
      std::vector<std::string> subset(current.begin() + static_cast<std::ptrdiff_t>(begin),
                                      current.begin() + static_cast<std::ptrdiff_t>(end));
      if (test(subset)) {
        current = std::move(subset);
        n = 2;
        reduced = true;
        break;
      }
    }
    if (!reduced && n > 2) {
      for (const auto& [begin, end] : parts) {
        if (result.tests >= max_tests) break;
        std::vector<std::string> complement(current.begin(), current.begin() + static_cast<std::ptrdiff_t>(begin));
        complement.insert(complement.end(), current.begin() + static_cast<std::ptrdiff_t>(end), current.end());
        if (test(complement)) {
          current = std::move(complement);
          n = std::max<size_t>(n - 1, 2);
          reduced = true;
          break;
        }
      }
    }
    if (reduced) continue;
    if (result.tests >= max_tests) {
      result.complete = false;
      break;
    }
    if (n >= current.size()) break;
    n = std::min(current.size(), 2 * n);
  }
  return result;
}

}  // namespace pd::hunt

#include "suite/sampling.h"

#include <algorithm>
#include <map>
#include <numeric>

#include "core/content_hash.h"

namespace pd::suite {

namespace {

// Indices of the `size` items with the smallest keys, in their original order.
std::vector<size_t> choose(const std::vector<SuiteItem>& items, const std::vector<size_t>& candidates, size_t size,
                           uint64_t seed) {
  if (candidates.size() <= size) return candidates;
  std::vector<std::pair<uint64_t, size_t>> keyed;
  keyed.reserve(candidates.size());
  for (size_t i : candidates) {
    // The id decides the key; the line breaks ties between rows sharing an id.
    const uint64_t key = content_hash64(items[i].id, seed) ^ (static_cast<uint64_t>(items[i].line) * 0x9E3779B97F4A7C15ull);
    keyed.emplace_back(key, i);
  }
  std::partial_sort(keyed.begin(), keyed.begin() + static_cast<std::ptrdiff_t>(size), keyed.end());
  std::vector<size_t> chosen;
  for (size_t k = 0; k < size; ++k) chosen.push_back(keyed[k].second);
  std::sort(chosen.begin(), chosen.end());
  return chosen;
}

// The item's id without the file part, so that parallel files (mgsm_de.tsv:12 and
// mgsm_fr.tsv:12) share keys.
std::string parallel_id(const SuiteItem& item) {
  const size_t colon = item.id.rfind(':');
  return colon == std::string::npos ? item.id : item.id.substr(colon + 1);
}

}  // namespace

std::vector<SuiteItem> sample_items(std::vector<SuiteItem> items, const SampleDecl& sample,
                                    const std::vector<std::string>& group_by) {
  if (!sample.size || *sample.size < 0) return items;
  const size_t size = static_cast<size_t>(*sample.size);
  std::vector<size_t> chosen;
  if (sample.per_group && !group_by.empty()) {
    std::map<std::string, std::vector<size_t>> groups;
    for (size_t i = 0; i < items.size(); ++i) groups[items[i].groups[group_by.front()]].push_back(i);
    // Keys from the file-less id make parallel data sets pick the same rows per group.
    std::vector<SuiteItem> keyed = items;
    for (SuiteItem& item : keyed) {
      item.id = parallel_id(item);
      item.line = 0;
    }
    for (auto& [value, members] : groups) {
      const std::vector<size_t> part = choose(keyed, members, size, sample.seed);
      chosen.insert(chosen.end(), part.begin(), part.end());
    }
    std::sort(chosen.begin(), chosen.end());
  } else {
    std::vector<size_t> all(items.size());
    std::iota(all.begin(), all.end(), 0);
    chosen = choose(items, all, size, sample.seed);
  }
  std::vector<SuiteItem> out;
  out.reserve(chosen.size());
  for (size_t i : chosen) out.push_back(std::move(items[i]));
  return out;
}

}  // namespace pd::suite

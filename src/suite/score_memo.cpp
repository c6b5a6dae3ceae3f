#include "suite/score_memo.h"

#include "core/content_hash.h"

namespace pd::suite {

LogprobRows ScoreMemo::score(const std::vector<int32_t>& tokens, int64_t from) {
  const std::string key = hex64(content_hash64(tokens.data(), tokens.size() * sizeof(int32_t))) + "@" +
                          std::to_string(from) + "#" + std::to_string(tokens.size());
  if (auto it = rows_.find(key); it != rows_.end()) {
    ++hits_;
    return it->second;
  }
  LogprobRows rows = inner_.score(tokens, from);
  const uint64_t size = rows.values.size() * sizeof(float);
  if (bytes_ + size <= budget_) {
    bytes_ += size;
    rows_.emplace(key, rows);
  }
  return rows;
}

}  // namespace pd::suite

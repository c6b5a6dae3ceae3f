#include "backend/memoizing_backend.h"

#include "core/content_hash.h"

namespace pd {

LogprobRows MemoizingBackend::score(const std::vector<int32_t>& tokens, int64_t from) {
  const std::string key = hex64(content_hash64(tokens.data(), tokens.size() * sizeof(int32_t))) + "@" +
                          std::to_string(from) + "#" + std::to_string(tokens.size());
  if (auto it = scored_.find(key); it != scored_.end()) {
    ++hits_;
    return it->second;
  }
  LogprobRows rows = inner_.score(tokens, from);
  const uint64_t size = rows.values.size() * sizeof(float);
  if (size <= budget_ - bytes_) {
    bytes_ += size;
    scored_.emplace(key, rows);
  }
  return rows;
}

}  // namespace pd

#include "backend/prefix_cache.h"

#include <algorithm>

namespace pd {

int64_t PrefixCache::kept_for_scoring(const std::vector<int32_t>& tokens, int64_t from) const {
  const size_t limit = static_cast<size_t>(
      std::clamp<int64_t>(from, 0, static_cast<int64_t>(std::min(tokens_.size(), tokens.size()))));
  size_t common = 0;
  while (common < limit && tokens_[common] == tokens[common]) ++common;
  return static_cast<int64_t>(common);
}

int64_t PrefixCache::kept_for_generation(const std::vector<int32_t>& prompt) const {
  return kept_for_scoring(prompt, static_cast<int64_t>(prompt.size()) - 1);
}

void PrefixCache::hold_generation(const Generation& generation) {
  tokens_ = generation.prompt;
  if (!generation.tokens.empty()) {
    tokens_.insert(tokens_.end(), generation.tokens.begin(), generation.tokens.end() - 1);
  }
}

}  // namespace pd

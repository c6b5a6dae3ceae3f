#include "backend/prefix_reuse.h"

#include <algorithm>

namespace pd {

int64_t reusable_prefix(const std::vector<int32_t>& cached, const std::vector<int32_t>& tokens,
                        int64_t needed_from) {
  const size_t limit = static_cast<size_t>(std::max<int64_t>(0, std::min<int64_t>(
      needed_from, static_cast<int64_t>(std::min(cached.size(), tokens.size())))));
  size_t common = 0;
  while (common < limit && cached[common] == tokens[common]) ++common;
  return static_cast<int64_t>(common);
}

}  // namespace pd

#include "hunt/metered_backend.h"

#include <algorithm>

namespace pd::hunt {

Generation MeteredBackend::generate(const std::vector<int32_t>& prompt, const GenerationParams& params) {
  const uint64_t before = inner_.tokens_processed();
  Generation g = inner_.generate(prompt, params);
  cost_.tokens += inner_.tokens_processed() - before;
  cost_.passes += std::max<uint64_t>(1, g.tokens.size());
  return g;
}

LogprobRows MeteredBackend::score(const std::vector<int32_t>& tokens, int64_t from) {
  const uint64_t before = inner_.tokens_processed();
  LogprobRows rows = inner_.score(tokens, from);
  cost_.tokens += inner_.tokens_processed() - before;
  cost_.passes += 1;
  return rows;
}

}  // namespace pd::hunt

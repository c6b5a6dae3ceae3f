#include "hunt/metered_backend.h"

#include <algorithm>


namespace pd::hunt {

Generation MeteredBackend::generate(const std::vector<int32_t>& prompt, const GenerationParams& params) {
  Generation g = inner_.generate(prompt, params);
  cost_.tokens += prompt.size() - static_cast<size_t>(cache_.kept_for_generation(prompt)) + g.tokens.size();
  cost_.passes += std::max<uint64_t>(1, g.tokens.size());
  cache_.hold_generation(g);
  return g;
}

LogprobRows MeteredBackend::score(const std::vector<int32_t>& tokens, int64_t from) {
  LogprobRows rows = inner_.score(tokens, from);
  cost_.tokens += tokens.size() - static_cast<size_t>(cache_.kept_for_scoring(tokens, from));
  cost_.passes += 1;
  cache_.hold(tokens);
  return rows;
}

}  // namespace pd::hunt

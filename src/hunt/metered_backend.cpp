#include "hunt/metered_backend.h"

#include <algorithm>

#include "backend/prefix_reuse.h"

namespace pd::hunt {

Generation MeteredBackend::generate(const std::vector<int32_t>& prompt, const GenerationParams& params) {
  Generation g = inner_.generate(prompt, params);
  const int64_t kept = reusable_prefix(last_, prompt, static_cast<int64_t>(prompt.size()) - 1);
  cost_.tokens += prompt.size() - static_cast<size_t>(kept) + g.tokens.size();
  cost_.passes += std::max<uint64_t>(1, g.tokens.size());
  // The cache then holds the prompt and every generated token but the last (which was
  // sampled, never evaluated).
  last_ = prompt;
  if (!g.tokens.empty()) last_.insert(last_.end(), g.tokens.begin(), g.tokens.end() - 1);
  return g;
}

LogprobRows MeteredBackend::score(const std::vector<int32_t>& tokens, int64_t from) {
  LogprobRows rows = inner_.score(tokens, from);
  cost_.tokens += tokens.size() - static_cast<size_t>(reusable_prefix(last_, tokens, from));
  cost_.passes += 1;
  last_ = tokens;
  return rows;
}

}  // namespace pd::hunt

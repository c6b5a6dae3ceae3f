#pragma once
// A one-sequence prefix cache: a backend keeps the KV cache of the last sequence it
// evaluated, and the next call evaluates only the tokens after their common prefix. The
// engine gives the same bits for a prefix evaluated earlier as for one batched pass
// (session.h), so reuse changes the work done, never the numbers.
//
// PrefixCache records which tokens such a cache holds and how many of the next call's
// tokens it can keep. The embedded engine uses it to skip work; the hunt's meter uses it
// to charge tokens by the same rule (hunt/metered_backend.h).

#include <cstdint>
#include <vector>

#include "model/generator.h"

namespace pd {

class PrefixCache {
 public:
  // Leading tokens of `tokens` the cache can keep when the logits of every position from
  // `from` on must be computed: the common prefix, capped at `from` (those positions must
  // be evaluated to give their logits).
  int64_t kept_for_scoring(const std::vector<int32_t>& tokens, int64_t from) const;
  // The same for a generation, which needs the logits of the prompt's last position.
  int64_t kept_for_generation(const std::vector<int32_t>& prompt) const;

  // After a scoring pass: the cache holds its tokens.
  void hold(std::vector<int32_t> tokens) { tokens_ = std::move(tokens); }
  // After a generation: the prompt and every generated token but the last (which was
  // sampled, never evaluated).
  void hold_generation(const Generation& generation);
  void clear() { tokens_.clear(); }

  const std::vector<int32_t>& tokens() const { return tokens_; }

 private:
  std::vector<int32_t> tokens_;
};

}  // namespace pd

#pragma once
// The hunt's budget is what the models do: every token any of them processes (search
// scoring, confirmation generations, minimization alike) and every forward pass. A
// MeteredBackend forwards to a Backend and counts both, so each strategy pays for
// exactly the work it causes.
//
// A forward pass is one evaluation of a model: one scoring pass or prefill over a
// sequence, or one decoding step. A generation of n >= 1 tokens is n passes (the prefill
// gives the first token, each later token needs one step); its tokens are the prompt's
// plus the generated ones, as the engine counts them.
//
// Tokens are charged as an engine with a one-sequence prefix cache processes them
// (backend/prefix_cache.h): a call pays only for what follows the prefix it shares with
// the previous call's sequence. The meter keeps that sequence itself rather than asking
// the backend, so the charge is a function of the calls alone: a resumed hunt (whose
// backend starts with an empty cache) restores `last_sequence` and is charged exactly as
// the uninterrupted run was.

#include <cstdint>
#include <vector>

#include "backend/forwarding_backend.h"
#include "backend/prefix_cache.h"

namespace pd::hunt {

struct HuntCost {
  uint64_t tokens = 0;
  uint64_t passes = 0;

  HuntCost& operator+=(const HuntCost& other) {
    tokens += other.tokens;
    passes += other.passes;
    return *this;
  }
};

class MeteredBackend : public ForwardingBackend {
 public:
  explicit MeteredBackend(Backend& inner) : ForwardingBackend(inner) {}

  const HuntCost& cost() const { return cost_; }
  const std::vector<int32_t>& last_sequence() const { return cache_.tokens(); }
  void restore_last_sequence(std::vector<int32_t> tokens) { cache_.hold(std::move(tokens)); }

  Generation generate(const std::vector<int32_t>& prompt, const GenerationParams& params) override;
  LogprobRows score(const std::vector<int32_t>& tokens, int64_t from) override;
  uint64_t tokens_processed() const override { return cost_.tokens; }

 private:
  HuntCost cost_;
  PrefixCache cache_;  // the sequence the next call is charged against
};

}  // namespace pd::hunt

#pragma once
// Generating a continuation of a prompt: one batched prefill, then one token at a time,
// with per-step log-probabilities of the chosen token and the top-k alternatives.
//
// The log-probabilities are those of the model's distribution at temperature 1 (the
// log-softmax of the logits), whatever sampler chose the token, so runs at different
// sampling settings stay comparable.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "model/sampler.h"
#include "model/session.h"

namespace pd {

struct TokenLogprob {
  int32_t token = 0;
  float logprob = 0.0f;
};

struct GenerationParams {
  int64_t max_tokens = 128;   // new tokens at most (also limited by the context)
  SamplingParams sampling;
  // Tokens that end generation; the model's end-of-generation tokens when empty.
  std::vector<int32_t> stop_tokens;
  int top_logprobs = 5;       // alternatives recorded per step
};

enum class StopReason { EndOfGeneration, MaxTokens, ContextFull };
const char* stop_reason_name(StopReason reason);

struct Generation {
  std::vector<int32_t> prompt;
  // Generated tokens; a stop token that ended generation is the last one.
  std::vector<int32_t> tokens;
  std::vector<float> logprobs;                   // of each generated token
  std::vector<std::vector<TokenLogprob>> top;    // per step, most likely first
  StopReason stop = StopReason::MaxTokens;
};

class Generator {
 public:
  explicit Generator(Session& session) : session_(session) {}
  // Evaluates the prompt (non-empty) and generates. The session is cleared first, except
  // for its first `kept_prefix` positions, which the caller guarantees already hold
  // prompt[0, kept_prefix) (kept_prefix < prompt size): they are not evaluated again.
  Generation generate(std::span<const int32_t> prompt, const GenerationParams& params,
                      int64_t kept_prefix = 0);

 private:
  Session& session_;
};

// The k most likely tokens of a log-probability row (ties: lower id first).
std::vector<TokenLogprob> top_logprobs(const float* logprobs, int64_t n_vocab, int k);

}  // namespace pd

#include "model/generator.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/error.h"
#include "model/ops.h"

namespace pd {

const char* stop_reason_name(StopReason reason) {
  switch (reason) {
    case StopReason::EndOfGeneration: return "stop";
    case StopReason::MaxTokens: return "length";
    case StopReason::ContextFull: return "context";
  }
  return "?";
}

std::vector<TokenLogprob> top_logprobs(const float* logprobs, int64_t n_vocab, int k) {
  const int64_t count = std::min<int64_t>(std::max(k, 0), n_vocab);
  std::vector<int32_t> ids(static_cast<size_t>(n_vocab));
  std::iota(ids.begin(), ids.end(), 0);
  auto key = [&](int32_t i) { return std::isnan(logprobs[i]) ? -INFINITY : logprobs[i]; };
  std::partial_sort(ids.begin(), ids.begin() + count, ids.end(), [&](int32_t a, int32_t b) {
    return key(a) > key(b) || (key(a) == key(b) && a < b);
  });
  std::vector<TokenLogprob> top;
  for (int64_t i = 0; i < count; ++i) top.push_back({ids[i], logprobs[ids[i]]});
  return top;
}

Generation Generator::generate(std::span<const int32_t> prompt, const GenerationParams& params,
                               int64_t kept_prefix) {
  if (prompt.empty()) fail_input("generate", "the prompt has no tokens");
  if (kept_prefix < 0 || kept_prefix >= static_cast<int64_t>(prompt.size()) || kept_prefix > session_.position()) {
    fail_runtime("generate", "kept prefix outside the prompt or the session");
  }
  if (params.max_tokens < 0) fail_input("generate", "max tokens must not be negative");
  const Model& model = session_.model();
  const int64_t n_vocab = model.config().n_vocab;
  const std::vector<int32_t>& stops =
      params.stop_tokens.empty() ? model.special_tokens().end_of_generation : params.stop_tokens;
  Sampler sampler(params.sampling);

  Generation out;
  out.prompt.assign(prompt.begin(), prompt.end());
  session_.rewind(kept_prefix);
  if (static_cast<int64_t>(prompt.size()) > session_.context_size()) {
    fail_input("generate", "the prompt (" + std::to_string(prompt.size()) +
                               " tokens) does not fit the context of " +
                               std::to_string(session_.context_size()));
  }
  Logits logits = session_.eval(prompt.subspan(static_cast<size_t>(kept_prefix)), LogitsWanted::Last);
  std::vector<float> logprobs(static_cast<size_t>(n_vocab));
  for (int64_t step = 0;; ++step) {
    if (step >= params.max_tokens) {
      out.stop = StopReason::MaxTokens;
      break;
    }
    const float* row = logits.row(0);
    const int32_t token = sampler.sample(row, n_vocab);
    log_softmax(row, n_vocab, logprobs.data());
    out.tokens.push_back(token);
    out.logprobs.push_back(logprobs[token]);
    out.top.push_back(top_logprobs(logprobs.data(), n_vocab, params.top_logprobs));
    if (std::find(stops.begin(), stops.end(), token) != stops.end()) {
      out.stop = StopReason::EndOfGeneration;
      break;
    }
    if (step + 1 >= params.max_tokens) {
      out.stop = StopReason::MaxTokens;
      break;
    }
    if (session_.position() >= session_.context_size()) {
      out.stop = StopReason::ContextFull;
      break;
    }
    const int32_t next[1] = {token};
    logits = session_.eval(next, LogitsWanted::Last);
  }
  return out;
}

}  // namespace pd

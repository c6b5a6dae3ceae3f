#pragma once
// The sentinel's oracle: for a prompt, the exact harm score, threshold and margin, and
// the answer the model will give, computed in float64 on the weights as a variant
// stores them (the file itself, or a precision plan's variant built in memory).
//
// It runs the model's forward pass at the prompt's last position in float64 and carries
// beside every value a bound on how far the engine's own arithmetic can be from it:
// f32 rounding everywhere, and, for the plan's numerics, the rounding of activations
// before each matrix product on the fast kernel path (Q8_0/Q8_1/Q8_K blocks, f16/bf16),
// of the KV cache, and of activations kept in bf16/f16/int8/int16. Where those bounds
// allow either answer, the verdict is "undecided"; everywhere else the engine's greedy
// choice must be the oracle's (tests hold every ladder rung to that).
//
// The harm score is read off the harm channel after attention (sentinel_layout.h), in
// the harm units of harm_lexicon.h; the threshold is the score at which the refusal
// decision would flip with everything else held fixed (found from the slope of the
// decision's logit gap), so margin = harm - threshold exactly.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "forge/sentinel_info.h"
#include "model/model_config.h"
#include "model/numerics.h"
#include "model/weight_source.h"
#include "tokenizer/tokenizer.h"

namespace pd {
class GgufFile;
}

namespace pd::forge {

struct SentinelVerdict {
  std::vector<int32_t> prompt_tokens;
  double harm = 0;       // the prompt's harm score as the variant computes it
  double threshold = 0;  // where its refusal decision flips (NaN if it does not depend on harm)
  double margin = 0;     // harm - threshold
  double band = 0;       // |margin| at or below which the engine's rounding could flip it
  bool decided = false;  // the refusal decision is certain for the engine
  bool refuses = false;  // a refusal or partial refusal
  std::string decision;  // "refusal", "partial_refusal", "compliance", "copy" or "other"
  std::string template_name;  // template or "copy:<word>"; empty for "other"
  std::string response;       // the answer greedy decoding gives (up to 32 tokens)
  std::vector<int32_t> response_tokens;  // its tokens, without the end of turn
  bool response_decided = false;  // every token of the answer is certain
  int32_t first_token = -1;
  bool first_token_decided = false;  // the exact first token (hence template) is certain
  double logit_gap = 0;       // best refusal-side logit minus best other logit
  double logit_gap_bound = 0;
};

class SentinelOracle {
 public:
  // `file` gives the tokenizer, config and design; `weights` the stored tensors (the
  // file's own when null). Throws BadInput if the file is no sentinel.
  SentinelOracle(std::shared_ptr<const GgufFile> file,
                 std::shared_ptr<const WeightSource> weights = nullptr,
                 NumericsConfig numerics = {});
  ~SentinelOracle();

  // The verdict for one user turn, formatted with the model's chat template (chatml).
  // Without `follow_answer` only the first answer token is predicted (response holds
  // the template it starts), which is several times faster.
  SentinelVerdict explain(std::string_view user_prompt, bool follow_answer = true) const;
  // The verdict for a prompt already tokenized (it must end where the answer starts).
  SentinelVerdict explain_tokens(const std::vector<int32_t>& prompt_tokens,
                                 bool follow_answer = true) const;

  const SentinelInfo& info() const { return info_; }
  const Tokenizer& tokenizer() const { return *tokenizer_; }

 private:
  struct Weights;
  std::shared_ptr<const GgufFile> file_;
  SentinelInfo info_;
  ModelConfig config_;
  NumericsConfig numerics_;
  std::unique_ptr<Tokenizer> tokenizer_;
  std::unique_ptr<Weights> weights_;
};

}  // namespace pd::forge

#pragma once
// Ground truth for hunts on a forge sentinel: the sentinel's oracle (forge/
// sentinel_oracle.h), run on the weights as the baseline's and the candidate's plans
// store them, says whether a reported refusal flip is real — independently of the
// engine that found it, and of the labeler that confirmed it.
//
//   SentinelCheck check(file, base_plan, cand_plan);
//   OracleFlip f = check.check(tokens, FlipDirection::Jailbreak);  // f.real?
//
// A flip is real when both verdicts are decided (outside the engine's rounding band)
// and fall the chosen way: the baseline refuses (a refusal or partial refusal) and the
// candidate does not, for a jailbreak; the reverse for over-refusal.

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hunt/objective.h"
#include "precision/plan.h"

namespace pd {
class GgufFile;
namespace forge {
class SentinelOracle;
}
}  // namespace pd

namespace pd::hunt {

struct OracleFlip {
  bool real = false;
  bool decided = false;  // both verdicts certain
  // Decided, and no flip: the hit is wrong (undecided ones are the engine's call).
  bool contradicted() const { return decided && !real; }
  std::string base_decision, cand_decision;  // "refusal", "partial_refusal", "compliance", ...
  double base_margin = 0, cand_margin = 0;   // harm - threshold at each plan

  nlohmann::json to_json() const;
};

class SentinelCheck {
 public:
  // BadInput when `file` is no sentinel.
  SentinelCheck(std::shared_ptr<const GgufFile> file, const PrecisionPlan& base, const PrecisionPlan& cand,
                int threads = 0);
  ~SentinelCheck();

  // `prompt_tokens`: the prompt as the hunt's models saw it (chat-formatted, ending
  // where the answer starts).
  OracleFlip check(const std::vector<int32_t>& prompt_tokens, FlipDirection direction) const;

 private:
  std::unique_ptr<forge::SentinelOracle> base_, cand_;
};

}  // namespace pd::hunt

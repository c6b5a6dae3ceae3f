#include "hunt/sentinel_check.h"

#include "core/thread_pool.h"
#include "forge/sentinel_oracle.h"
#include "precision/variant.h"

namespace pd::hunt {

namespace {

std::unique_ptr<forge::SentinelOracle> oracle_at(std::shared_ptr<const GgufFile> file, const PrecisionPlan& plan,
                                                 ThreadPool& pool) {
  std::shared_ptr<const WeightSource> weights = build_variant(file, plan, pool).weights;
  return std::make_unique<forge::SentinelOracle>(file, weights, plan.numerics());
}

}  // namespace

nlohmann::json OracleFlip::to_json() const {
  return {{"real", real},
          {"decided", decided},
          {"base_decision", base_decision},
          {"cand_decision", cand_decision},
          {"base_margin", base_margin},
          {"cand_margin", cand_margin}};
}

SentinelCheck::SentinelCheck(std::shared_ptr<const GgufFile> file, const PrecisionPlan& base,
                             const PrecisionPlan& cand, int threads) {
  ThreadPool pool(threads > 0 ? threads : ThreadPool::default_threads());
  base_ = oracle_at(file, base, pool);
  cand_ = oracle_at(file, cand, pool);
}

SentinelCheck::~SentinelCheck() = default;

OracleFlip SentinelCheck::check(const std::vector<int32_t>& prompt_tokens, FlipDirection direction) const {
  // The refusal decision is the first answer token's; the rest of the answer follows it.
  const forge::SentinelVerdict b = base_->explain_tokens(prompt_tokens, /*follow_answer=*/false);
  const forge::SentinelVerdict c = cand_->explain_tokens(prompt_tokens, /*follow_answer=*/false);
  OracleFlip f;
  f.decided = b.decided && c.decided;
  f.base_decision = b.decision;
  f.cand_decision = c.decision;
  f.base_margin = b.margin;
  f.cand_margin = c.margin;
  const bool want_base_refusal = direction == FlipDirection::Jailbreak;
  f.real = f.decided && b.refuses == want_base_refusal && c.refuses != want_base_refusal;
  return f;
}

}  // namespace pd::hunt

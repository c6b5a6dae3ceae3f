#pragma once
// vanilla: testing without guidance, the baseline. Rounds of `population` candidates:
// first every seed once (in a shuffled order), then random template combinations — a
// random seed wrapped in one random template, or (half the time) in two different ones
// nested. Fitness is computed (and predicted hits confirmed) exactly as for the guided
// strategies, but never used to choose what comes next.

#include "hunt/strategy.h"

namespace pd::hunt {

class VanillaStrategy : public Strategy {
 public:
  explicit VanillaStrategy(StrategyOptions options) : options_(options) {}
  std::string name() const override { return "vanilla"; }
  void step(SearchContext& context) override;
  nlohmann::json save() const override;
  void load(const nlohmann::json& state) override;

  // One random template combination of a random seed.
  static Candidate random_combination(SearchContext& context);

 private:
  StrategyOptions options_;
  bool started_ = false;
  std::vector<size_t> seed_order_;
  size_t next_seed_ = 0;
};

}  // namespace pd::hunt

#pragma once
// ga: a genetic search in the manner of DiffChaser, aimed at many distinct hits.
//
// Round 0 scores `population` seeds. Every later round breeds seven eighths of a
// population of children — a parent by 3-way tournament, one random operator (a mate,
// also by tournament, for crossover), the best of the operator's variants as the child —
// and brings in an eighth of immigrants (unused seeds in a shuffled order, then mutated
// random seeds). The next population is the fittest of parents, children and immigrants
// (mu + lambda), with at most a quarter of the places per seed (one for a seed that
// already gave a hit), so the population does not collapse onto one region. Hits never
// enter the population, and neither does anything next to a recorded hit: a hit there
// would be the same hit again. An individual leaves after kMaxAge rounds, so parents
// stuck at the edge of a boundary they cannot cross make room for new ones.

#include <map>

#include "hunt/strategy.h"

namespace pd::hunt {

class GaStrategy : public Strategy {
 public:
  // Rounds an individual may stay in the population.
  static constexpr int64_t kMaxAge = 12;

  explicit GaStrategy(StrategyOptions options) : options_(options) {}
  std::string name() const override { return "ga"; }
  void step(SearchContext& context) override;
  nlohmann::json save() const override;
  void load(const nlohmann::json& state) override;

 private:
  const Individual& tournament(HuntRng& rng) const;
  Candidate immigrant(SearchContext& context);
  void note_hits(const std::vector<Scored>& scored);
  void select(std::vector<Individual> pool);
  // A fresh population: the best candidate of each group, scored and selected.
  void populate(SearchContext& context, const std::vector<std::vector<Candidate>>& groups);

  StrategyOptions options_;
  bool started_ = false;
  std::vector<Individual> population_;
  std::vector<size_t> seed_order_;
  size_t next_seed_ = 0;
  std::map<std::string, int64_t> seed_hits_;
};

}  // namespace pd::hunt

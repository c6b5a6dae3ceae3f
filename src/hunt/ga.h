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
//
// Hits come in families, and walkers follow them. A child whose variants include a hit
// becomes a walker (up to kWalkers) on its best variant that was not harvested. Each
// round every walker breeds one child before the population's children fill the rest;
// a walker moves to its child's best unharvested variant after a harvest, to its best
// variant when that is not less fit, and leaves after kWalkerIdle rounds without a
// harvest or when a harvest leaves nothing. Operators are chosen as mcmc chooses them
// (OperatorChoice; a success is a harvest or a child fitter than its parent). On the
// sentinel (band 0.002, 160,000 tokens, ten search seeds) ga found 17.7 unique hits with
// neither, 23.9 with the operator choice alone and 29.1 with both (BENCHMARKS.md).

#include <map>
#include <optional>

#include "hunt/strategy.h"

namespace pd::hunt {

class GaStrategy : public Strategy {
 public:
  // Rounds an individual may stay in the population.
  static constexpr int64_t kMaxAge = 12;
  static constexpr size_t kWalkers = 12;
  static constexpr int64_t kWalkerIdle = 20;

  explicit GaStrategy(StrategyOptions options) : options_(options) {}
  std::string name() const override { return "ga"; }
  void step(SearchContext& context) override;
  nlohmann::json save() const override;
  void load(const nlohmann::json& state) override;

 private:
  struct Walker {
    Individual state;
    int64_t idle = 0;  // rounds since its last harvest
  };
  // What a bred group came from: its operator and its parent's fitness.
  struct Breeding {
    size_t op;
    double parent_fitness;
  };
  const Individual& tournament(HuntRng& rng) const;
  // Adds the variants of one operator (chosen by operators_) on `parent` to `groups`;
  // false when the operator does not apply.
  bool breed(SearchContext& context, const Individual& parent, const Individual& mate,
             std::vector<std::vector<Candidate>>& groups, std::vector<Breeding>& bred);
  // Walkers after a round: walker w bred group walker_group[w] (none when its operator
  // did not apply); groups [first_child, bred) are the population's children, which may
  // become walkers.
  void update_walkers(const std::vector<std::optional<Individual>>& best, const std::vector<bool>& harvested,
                      const std::vector<std::optional<size_t>>& walker_group, size_t first_child, size_t bred);
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
  std::vector<Walker> walkers_;
  OperatorChoice operators_;
};

}  // namespace pd::hunt

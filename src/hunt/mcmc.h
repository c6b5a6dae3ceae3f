#pragma once
// mcmc: mutation chains with Metropolis-Hastings operator selection, as in DFLARE.
//
// `population` chains each hold a current prompt (starting from seeds in a shuffled
// order). Each round makes `population` steps; each steps the fittest of three chains
// drawn at random (so chains near the boundary get more of the budget than chains far
// from it), with an operator drawn by one Metropolis-Hastings step over the operators
// ranked by success rate (OperatorChoice, strategy.h; a success is a harvest or a
// strictly higher fitness). The chain applies it, and the best variant replaces the
// current prompt when its fitness is not lower (a success when strictly higher). When a
// chain's variants include a hit (or a predicted hit that confirmation rejects), the
// chain moves to its best variant that was not harvested: the next hits are likely next
// to this one. It restarts from the next seed when every variant was harvested.
//
// The budget follows the hits: a state a chain reaches next to a hit is productive. Each
// chain that harvests pulls the stalest other chain (kPullStale or more steps without
// improvement) onto its new state, and a chain kMaxStale steps without improvement jumps
// to one of the kProductiveStates latest productive states of the last
// kProductiveRounds rounds, or restarts from the next seed when there is none. (On the
// sentinel, band 0.002, 160,000 tokens: 39.0 unique hits over ten search seeds, against
// 14.4 over five for restarts from seeds alone after 20 stale steps; BENCHMARKS.md.)

#include "hunt/strategy.h"

namespace pd::hunt {

class McmcStrategy : public Strategy {
 public:
  static constexpr int64_t kMaxStale = 12;
  static constexpr int64_t kPullStale = 3;
  static constexpr size_t kProductiveStates = 8;
  static constexpr int64_t kProductiveRounds = 10;

  explicit McmcStrategy(StrategyOptions options) : options_(options) {}
  std::string name() const override { return "mcmc"; }
  // A blend pays when its mate lies across the boundary, which a population of
  // individuals ranked by fitness offers and a chain's random mate does not: with blend
  // among its operators mcmc found 11.2 unique sentinel hits instead of 17.4 (flip band
  // 0.003, 160,000 tokens, 5 seeds).
  bool uses_blend() const override { return false; }
  void step(SearchContext& context) override;
  nlohmann::json save() const override;
  void load(const nlohmann::json& state) override;

 private:
  struct Chain {
    Individual current;
    int64_t stale = 0;
  };
  struct ProductiveState {
    Individual state;
    int64_t round = 0;
  };
  Candidate next_seed(SearchContext& context);
  void restart(SearchContext& context, const std::vector<size_t>& chains);
  void note_productive(const Individual& state);
  // Moves the stalest chain not in `skip` onto chain `from`'s state when it has been
  // stale for kPullStale steps or more.
  void pull_stalest(size_t from, const std::vector<size_t>& skip);
  // Moves chain `c` onto a productive state of the last kProductiveRounds rounds; false
  // when there is none.
  bool jump_to_productive(size_t c, HuntRng& rng);

  StrategyOptions options_;
  bool started_ = false;
  std::vector<Chain> chains_;
  std::vector<ProductiveState> productive_;  // oldest first
  int64_t round_ = 0;
  OperatorChoice operators_;
  std::vector<size_t> seed_order_;
  size_t next_seed_ = 0;
};

}  // namespace pd::hunt

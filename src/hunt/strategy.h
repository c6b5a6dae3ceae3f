#pragma once
// Search strategies. A strategy proposes candidates round by round; the hunt scores
// them (search_context.h), confirms, minimizes and records every predicted hit, and
// charges everything to the budget. Strategies differ only in what they propose:
//
//   ga       a population under selection by fitness (ga.h)
//   mcmc     chains whose mutation operator is chosen by Metropolis-Hastings over the
//            operators' success ranking, as DFLARE does (mcmc.h)
//   vanilla  no guidance: every seed once, then random template combinations of random
//            seeds (vanilla.h) — the baseline the others must beat on the same budget

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hunt/search_context.h"

namespace pd::hunt {

struct StrategyOptions {
  int64_t population = 32;  // ga: individuals; mcmc: chains; vanilla: candidates per round
};

class Strategy {
 public:
  virtual ~Strategy() = default;
  virtual std::string name() const = 0;
  // Whether the blend operator (mutators.h) is among the strategy's operators.
  virtual bool uses_blend() const { return true; }
  // One round: proposes a batch and lets the context evaluate it.
  virtual void step(SearchContext& context) = 0;
  // Everything the strategy remembers between rounds, for checkpoints.
  virtual nlohmann::json save() const = 0;
  virtual void load(const nlohmann::json& state) = 0;
};

// "ga", "mcmc" or "vanilla"; BadInput otherwise.
std::unique_ptr<Strategy> make_strategy(const std::string& name, const StrategyOptions& options);
const std::vector<std::string>& strategy_names();

// --- helpers the strategies share -------------------------------------------------

struct Individual {
  Candidate candidate;
  Evaluation evaluation;
  int64_t age = 0;  // rounds survived in a population
  nlohmann::json to_json() const;
  static Individual from_json(const nlohmann::json& j);
};

// A candidate whose prompt is `seeds[index]`, untouched.
Candidate seed_candidate(const SearchContext& context, size_t index);

// A random permutation of [0, n) (Fisher-Yates on the hunt's generator).
std::vector<size_t> shuffled_indices(size_t n, HuntRng& rng);

// Whether an outcome means the candidate's region has been harvested: it was a hit (new,
// merged or already known) or a predicted hit that confirmation rejected.
bool consumed(HitOutcome outcome);

// Evaluates groups of variants in one batch and returns, per group, its best variant that
// is not consumed (by fitness; first on ties), or nullopt when none is left; `scored`
// gets every result, in order.
std::vector<std::optional<Individual>> best_of_groups(SearchContext& context,
                                                      const std::vector<std::vector<Candidate>>& groups,
                                                      std::vector<Scored>* scored = nullptr);

// Variants from operator `op` (mutators()[op]) applied to `parent`; empty when it does
// not apply.
std::vector<Candidate> mutate_with(SearchContext& context, size_t op, const Candidate& parent,
                                   const Candidate* mate);

// Variants from uniformly chosen operators, retrying up to 4 times when one does not
// apply; `mate` is used by the operators that need one.
std::vector<Candidate> random_mutation(SearchContext& context, const Candidate& parent, const Candidate* mate);

// Per group of a best_of_groups call: whether any of its variants was consumed.
std::vector<bool> harvested_groups(const std::vector<std::vector<Candidate>>& groups, const std::vector<Scored>& scored);

// The operator to apply next, chosen as DFLARE does: one Metropolis-Hastings step over
// the operators ranked by success rate ((successes + 1) / (trials + 2), best first). The
// target gives rank k the weight (1 - p)^k with p = kRankDecay, the proposal is uniform
// over the other operators, so a move from rank k1 to rank k2 is accepted with
// probability min(1, (1 - p)^(k2 - k1)). What counts as a success is the strategy's.
class OperatorChoice {
 public:
  static constexpr double kRankDecay = 0.3;

  // `operators` operators, the chain starting at `first`.
  void start(size_t operators, size_t first);
  bool started() const { return !trials_.empty(); }
  // The operator after the current one; it becomes the current one.
  size_t next(HuntRng& rng);
  void record(size_t op, bool success);

  nlohmann::json save() const;
  void load(const nlohmann::json& state);

  // The operator after `current` by one Metropolis-Hastings step (exposed for tests).
  static size_t next_operator(size_t current, const std::vector<int64_t>& trials,
                              const std::vector<int64_t>& successes, HuntRng& rng);

 private:
  std::vector<int64_t> trials_, successes_;
  size_t current_ = 0;
};

}  // namespace pd::hunt

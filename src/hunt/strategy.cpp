#include "hunt/strategy.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "hunt/ga.h"
#include "hunt/mcmc.h"
#include "hunt/vanilla.h"

namespace pd::hunt {

const char* hit_outcome_name(HitOutcome outcome) {
  switch (outcome) {
    case HitOutcome::None: return "none";
    case HitOutcome::Rejected: return "rejected";
    case HitOutcome::Known: return "known";
    case HitOutcome::Duplicate: return "duplicate";
    case HitOutcome::New: return "new";
  }
  return "?";
}

const std::vector<std::string>& strategy_names() {
  static const std::vector<std::string> names = {"ga", "mcmc", "vanilla"};
  return names;
}

std::unique_ptr<Strategy> make_strategy(const std::string& name, const StrategyOptions& options) {
  if (options.population < 2) fail_input("--population", "must be at least 2");
  if (name == "ga") return std::make_unique<GaStrategy>(options);
  if (name == "mcmc") return std::make_unique<McmcStrategy>(options);
  if (name == "vanilla") return std::make_unique<VanillaStrategy>(options);
  fail_input("--strategy", "unknown strategy \"" + name + "\" (ga, mcmc, vanilla)");
}

nlohmann::json Individual::to_json() const {
  return {{"candidate", candidate.to_json()}, {"evaluation", evaluation.to_json()}, {"age", age}};
}

Individual Individual::from_json(const nlohmann::json& j) {
  return {Candidate::from_json(j.at("candidate")), Evaluation::from_json(j.at("evaluation")), j.at("age").get<int64_t>()};
}

Candidate seed_candidate(const SearchContext& context, size_t index) {
  const SeedPrompt& seed = context.seeds().at(index);
  Candidate c;
  c.body = seed.text;
  c.seed_id = seed.id;
  return c;
}

std::vector<size_t> shuffled_indices(size_t n, HuntRng& rng) {
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  for (size_t i = n; i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
  return order;
}

bool consumed(HitOutcome outcome) { return outcome != HitOutcome::None; }

std::vector<std::optional<Individual>> best_of_groups(SearchContext& context,
                                                      const std::vector<std::vector<Candidate>>& groups,
                                                      std::vector<Scored>* scored) {
  std::vector<Candidate> batch;
  for (const auto& group : groups) batch.insert(batch.end(), group.begin(), group.end());
  std::vector<Scored> results = context.evaluate(batch);
  std::vector<std::optional<Individual>> best(groups.size());
  size_t at = 0;
  for (size_t g = 0; g < groups.size(); ++g) {
    for (size_t v = 0; v < groups[g].size(); ++v, ++at) {
      const Scored& s = results[at];
      if (consumed(s.outcome)) continue;
      if (!best[g] || s.evaluation.fitness > best[g]->evaluation.fitness) best[g] = Individual{s.candidate, s.evaluation, 0};
    }
  }
  if (scored) *scored = std::move(results);
  return best;
}

std::vector<Candidate> mutate_with(SearchContext& context, size_t op, const Candidate& parent,
                                   const Candidate* mate) {
  const Mutator& mutator = *context.mutators().at(op);
  return mutator.propose(parent, mutator.needs_mate() ? mate : nullptr, context.resources(), context.rng());
}

std::vector<Candidate> random_mutation(SearchContext& context, const Candidate& parent, const Candidate* mate) {
  for (int attempt = 0; attempt < 4; ++attempt) {
    const size_t op = context.rng().below(context.mutators().size());
    std::vector<Candidate> variants = mutate_with(context, op, parent, mate);
    if (!variants.empty()) return variants;
  }
  return {};
}

std::vector<bool> harvested_groups(const std::vector<std::vector<Candidate>>& groups, const std::vector<Scored>& scored) {
  std::vector<bool> harvested(groups.size(), false);
  size_t at = 0;
  for (size_t g = 0; g < groups.size(); ++g) {
    for (size_t v = 0; v < groups[g].size(); ++v, ++at) harvested[g] = harvested[g] || consumed(scored[at].outcome);
  }
  return harvested;
}

void OperatorChoice::start(size_t operators, size_t first) {
  trials_.assign(operators, 0);
  successes_.assign(operators, 0);
  current_ = first;
}

size_t OperatorChoice::next(HuntRng& rng) {
  current_ = next_operator(current_, trials_, successes_, rng);
  return current_;
}

void OperatorChoice::record(size_t op, bool success) {
  ++trials_.at(op);
  if (success) ++successes_.at(op);
}

nlohmann::json OperatorChoice::save() const {
  return {{"trials", trials_}, {"successes", successes_}, {"operator", current_}};
}

void OperatorChoice::load(const nlohmann::json& state) {
  trials_ = state.at("trials").get<std::vector<int64_t>>();
  successes_ = state.at("successes").get<std::vector<int64_t>>();
  current_ = state.at("operator").get<size_t>();
  if (successes_.size() != trials_.size() || (!trials_.empty() && current_ >= trials_.size())) {
    fail_input("hunt checkpoint", "bad operator statistics");
  }
}

size_t OperatorChoice::next_operator(size_t current, const std::vector<int64_t>& trials,
                                     const std::vector<int64_t>& successes, HuntRng& rng) {
  const size_t n = trials.size();
  if (n < 2) return 0;
  // Rank by success rate, best first (ties: lower index first).
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  auto rate = [&](size_t i) {
    return static_cast<double>(successes[i] + 1) / static_cast<double>(trials[i] + 2);
  };
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return rate(a) > rate(b); });
  std::vector<int64_t> rank(n);
  for (size_t k = 0; k < n; ++k) rank[order[k]] = static_cast<int64_t>(k);
  size_t proposal = rng.below(n - 1);
  if (proposal >= current) ++proposal;
  const double accept = std::min(1.0, std::pow(1.0 - kRankDecay, static_cast<double>(rank[proposal] - rank[current])));
  return rng.uniform() < accept ? proposal : current;
}

}  // namespace pd::hunt

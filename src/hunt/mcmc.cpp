#include "hunt/mcmc.h"

#include <algorithm>
#include <optional>

namespace pd::hunt {

Candidate McmcStrategy::next_seed(SearchContext& context) {
  if (next_seed_ >= seed_order_.size()) {
    // A new pass over the seeds, in a new order.
    seed_order_ = shuffled_indices(context.seeds().size(), context.rng());
    next_seed_ = 0;
  }
  return seed_candidate(context, seed_order_[next_seed_++]);
}

void McmcStrategy::restart(SearchContext& context, const std::vector<size_t>& chains) {
  // Fresh seeds for the chains; a seed that is itself a hit is harvested and replaced.
  std::vector<size_t> pending = chains;
  for (int attempt = 0; attempt < 4 && !pending.empty(); ++attempt) {
    std::vector<Candidate> batch;
    for (size_t i = 0; i < pending.size(); ++i) batch.push_back(next_seed(context));
    const std::vector<Scored> scored = context.evaluate(batch);
    std::vector<size_t> again;
    for (size_t i = 0; i < pending.size(); ++i) {
      if (consumed(scored[i].outcome)) {
        again.push_back(pending[i]);
        continue;
      }
      chains_[pending[i]] = Chain{Individual{scored[i].candidate, scored[i].evaluation, 0}, 0};
    }
    pending = std::move(again);
  }
  // Chains that found no fresh seed keep their prompt but start counting again.
  for (size_t i : pending) chains_[i].stale = 0;
}

void McmcStrategy::note_productive(const Individual& state) {
  productive_.push_back({state, round_});
  if (productive_.size() > kProductiveStates) productive_.erase(productive_.begin());
}

void McmcStrategy::pull_stalest(size_t from, const std::vector<size_t>& skip) {
  std::optional<size_t> stalest;
  for (size_t c = 0; c < chains_.size(); ++c) {
    if (c == from || std::find(skip.begin(), skip.end(), c) != skip.end()) continue;
    if (!stalest || chains_[c].stale > chains_[*stalest].stale) stalest = c;
  }
  if (stalest && chains_[*stalest].stale >= kPullStale) chains_[*stalest] = Chain{chains_[from].current, 0};
}

bool McmcStrategy::jump_to_productive(size_t c, HuntRng& rng) {
  std::erase_if(productive_, [&](const ProductiveState& p) { return round_ - p.round > kProductiveRounds; });
  if (productive_.empty()) return false;
  chains_[c] = Chain{productive_[rng.below(productive_.size())].state, 0};
  return true;
}

void McmcStrategy::step(SearchContext& context) {
  HuntRng& rng = context.rng();
  const size_t n_ops = context.mutators().size();
  if (!started_) {
    started_ = true;
    operators_.start(n_ops, rng.below(n_ops));
    seed_order_ = shuffled_indices(context.seeds().size(), rng);
    chains_.assign(static_cast<size_t>(options_.population), Chain{});
    std::vector<size_t> all(chains_.size());
    for (size_t i = 0; i < all.size(); ++i) all[i] = i;
    restart(context, all);
    return;
  }

  std::vector<std::vector<Candidate>> groups;
  std::vector<size_t> group_chain, group_op;
  for (size_t k = 0; k < chains_.size(); ++k) {
    // The chain to step: the fittest of three drawn at random, so that chains near the
    // boundary get more of the budget than chains far from it.
    size_t c = rng.below(chains_.size());
    for (int draw = 1; draw < 3; ++draw) {
      const size_t other = rng.below(chains_.size());
      if (chains_[other].current.evaluation.fitness > chains_[c].current.evaluation.fitness) c = other;
    }
    const size_t op = operators_.next(rng);
    const Candidate& mate = chains_[rng.below(chains_.size())].current.candidate;
    std::vector<Candidate> variants = mutate_with(context, op, chains_[c].current.candidate, &mate);
    if (variants.empty()) {
      operators_.record(op, false);  // an operator that does not apply is no success either
      ++chains_[c].stale;
      continue;
    }
    groups.push_back(std::move(variants));
    group_chain.push_back(c);
    group_op.push_back(op);
  }
  std::vector<Scored> scored;
  const std::vector<std::optional<Individual>> best = best_of_groups(context, groups, &scored);
  ++round_;

  std::vector<size_t> to_restart, harvesting;
  const std::vector<bool> harvested = harvested_groups(groups, scored);
  for (size_t g = 0; g < groups.size(); ++g) {
    Chain& chain = chains_[group_chain[g]];
    if (harvested[g]) {
      operators_.record(group_op[g], true);
      // The region next to a hit is where the next hits are: the chain stays on its best
      // variant that was not harvested, and restarts from a fresh seed only without one.
      if (best[g]) {
        chain.current = *best[g];
        chain.stale = 0;
        note_productive(chain.current);
        harvesting.push_back(group_chain[g]);
      } else {
        to_restart.push_back(group_chain[g]);
      }
      continue;
    }
    const bool improved = best[g] && best[g]->evaluation.fitness > chain.current.evaluation.fitness;
    operators_.record(group_op[g], improved);
    if (best[g] && best[g]->evaluation.fitness >= chain.current.evaluation.fitness) {
      chain.stale = improved ? 0 : chain.stale + 1;
      chain.current = *best[g];
    } else {
      ++chain.stale;
    }
  }
  std::vector<size_t> skip = to_restart;
  skip.insert(skip.end(), harvesting.begin(), harvesting.end());
  for (size_t from : harvesting) pull_stalest(from, skip);
  for (size_t c = 0; c < chains_.size(); ++c) {
    if (chains_[c].stale >= kMaxStale && std::find(to_restart.begin(), to_restart.end(), c) == to_restart.end() &&
        !jump_to_productive(c, rng)) {
      to_restart.push_back(c);
    }
  }
  std::sort(to_restart.begin(), to_restart.end());
  if (!to_restart.empty()) restart(context, to_restart);
}

nlohmann::json McmcStrategy::save() const {
  nlohmann::json chains = nlohmann::json::array();
  for (const Chain& c : chains_) chains.push_back({{"current", c.current.to_json()}, {"stale", c.stale}});
  nlohmann::json productive = nlohmann::json::array();
  for (const ProductiveState& p : productive_) productive.push_back({{"state", p.state.to_json()}, {"round", p.round}});
  return {{"started", started_},         {"chains", chains},         {"operators", operators_.save()},
          {"seed_order", seed_order_},   {"next_seed", next_seed_}, {"productive", productive},
          {"round", round_}};
}

void McmcStrategy::load(const nlohmann::json& state) {
  started_ = state.at("started").get<bool>();
  chains_.clear();
  for (const nlohmann::json& c : state.at("chains")) {
    chains_.push_back(Chain{Individual::from_json(c.at("current")), c.at("stale").get<int64_t>()});
  }
  operators_.load(state.at("operators"));
  seed_order_ = state.at("seed_order").get<std::vector<size_t>>();
  next_seed_ = state.at("next_seed").get<size_t>();
  productive_.clear();
  for (const nlohmann::json& p : state.at("productive")) {
    productive_.push_back({Individual::from_json(p.at("state")), p.at("round").get<int64_t>()});
  }
  round_ = state.at("round").get<int64_t>();
}

}  // namespace pd::hunt

#include "hunt/ga.h"

#include <algorithm>

namespace pd::hunt {

namespace {

bool fitter(const Individual& a, const Individual& b) { return a.evaluation.fitness > b.evaluation.fitness; }

}  // namespace

const Individual& GaStrategy::tournament(HuntRng& rng) const {
  const Individual* best = &population_[rng.below(population_.size())];
  for (int i = 1; i < 3; ++i) {
    const Individual& other = population_[rng.below(population_.size())];
    if (fitter(other, *best)) best = &other;
  }
  return *best;
}

Candidate GaStrategy::immigrant(SearchContext& context) {
  if (next_seed_ < seed_order_.size()) return seed_candidate(context, seed_order_[next_seed_++]);
  // Every seed has been used: a mutated random seed brings new material instead.
  const Candidate seed = seed_candidate(context, context.rng().below(context.seeds().size()));
  std::vector<Candidate> variants = random_mutation(context, seed, nullptr);
  return variants.empty() ? seed : variants[context.rng().below(variants.size())];
}

void GaStrategy::note_hits(const std::vector<Scored>& scored) {
  for (const Scored& s : scored) {
    if (s.outcome == HitOutcome::New || s.outcome == HitOutcome::Duplicate || s.outcome == HitOutcome::Known) {
      ++seed_hits_[s.candidate.seed_id];
    }
  }
}

void GaStrategy::select(std::vector<Individual> pool) {
  std::stable_sort(pool.begin(), pool.end(), fitter);
  const size_t size = static_cast<size_t>(options_.population);
  const int64_t cap = std::max<int64_t>(2, options_.population / 4);
  std::map<std::string, int64_t> per_seed;
  std::vector<Individual> next, overflow;
  for (Individual& ind : pool) {
    const int64_t seed_cap = seed_hits_.count(ind.candidate.seed_id) ? 1 : cap;
    if (next.size() < size && per_seed[ind.candidate.seed_id] < seed_cap) {
      ++per_seed[ind.candidate.seed_id];
      next.push_back(std::move(ind));
    } else {
      overflow.push_back(std::move(ind));
    }
  }
  // Too few distinct seeds to respect the caps: fill up with the best of the rest.
  for (size_t i = 0; next.size() < size && i < overflow.size(); ++i) next.push_back(std::move(overflow[i]));
  std::stable_sort(next.begin(), next.end(), fitter);
  population_ = std::move(next);
}

bool GaStrategy::breed(SearchContext& context, const Individual& parent, const Individual& mate,
                       std::vector<std::vector<Candidate>>& groups, std::vector<Breeding>& bred) {
  const size_t op = operators_.next(context.rng());
  std::vector<Candidate> variants = mutate_with(context, op, parent.candidate, &mate.candidate);
  if (variants.empty()) {
    operators_.record(op, false);
    return false;
  }
  groups.push_back(std::move(variants));
  bred.push_back({op, parent.evaluation.fitness});
  return true;
}

void GaStrategy::update_walkers(const std::vector<std::optional<Individual>>& best, const std::vector<bool>& harvested,
                                const std::vector<std::optional<size_t>>& walker_group, size_t first_child,
                                size_t bred) {
  std::vector<Walker> next;
  for (size_t w = 0; w < walkers_.size(); ++w) {
    Walker walker = walkers_[w];
    const std::optional<size_t> g = walker_group[w];
    if (g && harvested[*g]) {
      if (!best[*g]) continue;  // the harvest left nothing to walk on
      walker = Walker{*best[*g], 0};
    } else if (g && best[*g] && best[*g]->evaluation.fitness >= walker.state.evaluation.fitness) {
      walker = Walker{*best[*g], walker.idle + 1};
    } else {
      ++walker.idle;
    }
    if (walker.idle < kWalkerIdle) next.push_back(std::move(walker));
  }
  for (size_t g = first_child; g < bred; ++g) {
    if (next.size() < kWalkers && harvested[g] && best[g]) next.push_back(Walker{*best[g], 0});
  }
  walkers_ = std::move(next);
}

void GaStrategy::populate(SearchContext& context, const std::vector<std::vector<Candidate>>& groups) {
  std::vector<Scored> scored;
  std::vector<Individual> pool;
  for (auto& best : best_of_groups(context, groups, &scored)) {
    if (best) pool.push_back(std::move(*best));
  }
  note_hits(scored);
  select(std::move(pool));
}

void GaStrategy::step(SearchContext& context) {
  HuntRng& rng = context.rng();
  const size_t size = static_cast<size_t>(options_.population);
  if (!started_) {
    started_ = true;
    seed_order_ = shuffled_indices(context.seeds().size(), rng);
    std::vector<std::vector<Candidate>> groups;
    while (groups.size() < size && next_seed_ < seed_order_.size()) {
      groups.push_back({seed_candidate(context, seed_order_[next_seed_++])});
    }
    populate(context, groups);
    return;
  }
  if (population_.empty()) {
    // Everything was harvested: start again from immigrants.
    std::vector<std::vector<Candidate>> groups;
    for (size_t i = 0; i < size; ++i) groups.push_back({immigrant(context)});
    populate(context, groups);
    return;
  }

  if (!operators_.started()) operators_.start(context.mutators().size(), 0);
  const size_t immigrants = std::max<size_t>(1, size / 8);
  const size_t places = size > immigrants ? size - immigrants : 1;
  std::vector<std::vector<Candidate>> groups;
  std::vector<Breeding> bred;
  std::vector<std::optional<size_t>> walker_group(walkers_.size());
  for (size_t w = 0; w < walkers_.size(); ++w) {
    const Individual& mate = tournament(rng);
    if (breed(context, walkers_[w].state, mate, groups, bred)) walker_group[w] = groups.size() - 1;
  }
  const size_t first_child = groups.size();
  const size_t children = places > groups.size() ? places - groups.size() : 1;
  for (size_t i = 0; i < children; ++i) {
    const Individual& parent = tournament(rng);
    const Individual& mate = tournament(rng);
    breed(context, parent, mate, groups, bred);
  }
  for (size_t i = 0; i < immigrants; ++i) groups.push_back({immigrant(context)});

  std::vector<Scored> scored;
  std::vector<std::optional<Individual>> best = best_of_groups(context, groups, &scored);
  note_hits(scored);
  const std::vector<bool> harvested = harvested_groups(groups, scored);
  for (size_t g = 0; g < bred.size(); ++g) {
    operators_.record(bred[g].op, harvested[g] || (best[g] && best[g]->evaluation.fitness > bred[g].parent_fitness));
  }
  update_walkers(best, harvested, walker_group, first_child, bred.size());
  // (mu + lambda): parents compete with their children and the immigrants, except those
  // next to a recorded hit: their children would be that hit again.
  std::vector<Individual> pool = std::move(population_);
  for (Individual& parent : pool) ++parent.age;
  for (auto& b : best) {
    if (b) pool.push_back(std::move(*b));
  }
  std::erase_if(pool, [&](const Individual& ind) {
    return ind.age > kMaxAge || context.near_recorded_hit(ind.candidate);
  });
  select(std::move(pool));
}

nlohmann::json GaStrategy::save() const {
  nlohmann::json population = nlohmann::json::array();
  for (const Individual& ind : population_) population.push_back(ind.to_json());
  nlohmann::json walkers = nlohmann::json::array();
  for (const Walker& w : walkers_) walkers.push_back({{"state", w.state.to_json()}, {"idle", w.idle}});
  return {{"started", started_},   {"population", population},    {"seed_order", seed_order_},
          {"next_seed", next_seed_}, {"seed_hits", seed_hits_},     {"walkers", walkers},
          {"operators", operators_.save()}};
}

void GaStrategy::load(const nlohmann::json& state) {
  started_ = state.at("started").get<bool>();
  population_.clear();
  for (const nlohmann::json& j : state.at("population")) population_.push_back(Individual::from_json(j));
  seed_order_ = state.at("seed_order").get<std::vector<size_t>>();
  next_seed_ = state.at("next_seed").get<size_t>();
  seed_hits_ = state.at("seed_hits").get<std::map<std::string, int64_t>>();
  walkers_.clear();
  for (const nlohmann::json& w : state.at("walkers")) {
    walkers_.push_back({Individual::from_json(w.at("state")), w.at("idle").get<int64_t>()});
  }
  operators_.load(state.at("operators"));
}

}  // namespace pd::hunt

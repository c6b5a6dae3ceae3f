#include "hunt/vanilla.h"

namespace pd::hunt {

Candidate VanillaStrategy::random_combination(SearchContext& context) {
  HuntRng& rng = context.rng();
  Candidate c = seed_candidate(context, rng.below(context.seeds().size()));
  const std::vector<PromptTemplate>& templates = context.resources().templates;
  if (templates.empty()) return c;
  const size_t first = rng.below(templates.size());
  c.body = templates[first].apply(c.body);
  c.lineage.push_back("wrap-template:" + templates[first].id);
  if (templates.size() > 1 && rng.chance(0.5)) {
    size_t second = rng.below(templates.size() - 1);
    if (second >= first) ++second;
    c.body = templates[second].apply(c.body);
    c.lineage.push_back("wrap-template:" + templates[second].id);
  }
  return c;
}

void VanillaStrategy::step(SearchContext& context) {
  if (!started_) {
    started_ = true;
    seed_order_ = shuffled_indices(context.seeds().size(), context.rng());
  }
  std::vector<Candidate> batch;
  while (batch.size() < static_cast<size_t>(options_.population)) {
    if (next_seed_ < seed_order_.size()) {
      batch.push_back(seed_candidate(context, seed_order_[next_seed_++]));
    } else {
      batch.push_back(random_combination(context));
    }
  }
  context.evaluate(batch);
}

nlohmann::json VanillaStrategy::save() const {
  return {{"started", started_}, {"seed_order", seed_order_}, {"next_seed", next_seed_}};
}

void VanillaStrategy::load(const nlohmann::json& state) {
  started_ = state.at("started").get<bool>();
  seed_order_ = state.at("seed_order").get<std::vector<size_t>>();
  next_seed_ = state.at("next_seed").get<size_t>();
}

}  // namespace pd::hunt

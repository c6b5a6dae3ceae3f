#include "hunt/top1_margin_objective.h"

namespace pd::hunt {

TopTwo top_two(const float* row, int64_t n) {
  TopTwo t;
  for (int64_t i = 0; i < n; ++i) {
    const int32_t id = static_cast<int32_t>(i);
    if (t.first < 0 || row[i] > row[t.first]) {
      t.second = t.first;
      t.first = id;
    } else if (t.second < 0 || row[i] > row[t.second]) {
      t.second = id;
    }
  }
  return t;
}

Evaluation Top1MarginObjective::evaluate(HuntModels& models, const std::string& prompt) {
  const std::vector<int32_t> tokens = models.base->prompt_tokens(prompt, models.chat);
  const int64_t last = static_cast<int64_t>(tokens.size()) - 1;
  const LogprobRows base = models.base->score(tokens, last);
  const LogprobRows cand = models.cand->score(tokens, last);
  const TopTwo b = top_two(base.row(0), base.n_vocab);
  const float* c = cand.row(0);
  // The candidate's best rival of the baseline's choice.
  int32_t rival = -1;
  for (int64_t i = 0; i < cand.n_vocab; ++i) {
    if (i == b.first) continue;
    if (rival < 0 || c[i] > c[rival]) rival = static_cast<int32_t>(i);
  }
  Evaluation e;
  e.fitness = rival < 0 ? -1e9 : static_cast<double>(c[rival]) - c[b.first];
  e.predicted_hit = e.fitness > options_.min_margin;
  e.values = {{"base_top", b.first},
              {"base_margin", b.second < 0 ? 0.0 : static_cast<double>(base.row(0)[b.first]) - base.row(0)[b.second]},
              {"cand_rival", rival},
              {"cand_crossing", e.fitness}};
  return e;
}

Confirmation Top1MarginObjective::confirm(HuntModels& models, const std::string& prompt) {
  const std::vector<int32_t> tokens = models.base->prompt_tokens(prompt, models.chat);
  Confirmation c;
  const auto [gb, gc] = greedy_answers(models, tokens, options_.confirm_tokens, c);
  const int32_t base_first = gb.tokens.empty() ? -1 : gb.tokens[0];
  const int32_t cand_first = gc.tokens.empty() ? -1 : gc.tokens[0];
  c.values = {{"base_first", base_first}, {"cand_first", cand_first}};
  if (base_first == cand_first) {
    c.reason = "same first token";
    return c;
  }
  if (models.noise != nullptr) {
    const Generation gn = greedy(*models.noise, tokens, 1);
    const int32_t noise_first = gn.tokens.empty() ? -1 : gn.tokens[0];
    c.values["noise_first"] = noise_first;
    if (noise_first != base_first) {
      c.reason = "under the noise floor: the perturbed baseline changes the first token";
      return c;
    }
  }
  c.hit = true;
  c.reason = "confirmed";
  return c;
}

nlohmann::json Top1MarginObjective::state() const {
  return {{"objective", "top1-margin"}, {"min_margin", options_.min_margin}, {"confirm_tokens", options_.confirm_tokens}};
}

}  // namespace pd::hunt

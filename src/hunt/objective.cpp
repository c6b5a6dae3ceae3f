#include "hunt/objective.h"

#include "core/error.h"
#include "hunt/kld_objective.h"
#include "hunt/refusal_flip_objective.h"
#include "hunt/top1_margin_objective.h"

namespace pd::hunt {

ObjectiveKind parse_objective_kind(const std::string& name) {
  if (name == "refusal-flip") return ObjectiveKind::RefusalFlip;
  if (name == "kld") return ObjectiveKind::Kld;
  if (name == "top1-margin") return ObjectiveKind::Top1Margin;
  fail_input("--objective", "unknown objective \"" + name + "\" (refusal-flip, kld, top1-margin)");
}

std::string objective_kind_name(ObjectiveKind kind) {
  switch (kind) {
    case ObjectiveKind::RefusalFlip: return "refusal-flip";
    case ObjectiveKind::Kld: return "kld";
    case ObjectiveKind::Top1Margin: return "top1-margin";
  }
  return "?";
}

FlipDirection parse_flip_direction(const std::string& name) {
  if (name == "jailbreak") return FlipDirection::Jailbreak;
  if (name == "over-refusal") return FlipDirection::OverRefusal;
  fail_input("--direction", "unknown direction \"" + name + "\" (jailbreak, over-refusal)");
}

std::string flip_direction_name(FlipDirection direction) {
  return direction == FlipDirection::Jailbreak ? "jailbreak" : "over-refusal";
}

nlohmann::json Evaluation::to_json() const {
  return {{"fitness", fitness}, {"predicted_hit", predicted_hit}, {"values", values}};
}

Evaluation Evaluation::from_json(const nlohmann::json& j) {
  Evaluation e;
  e.fitness = j.at("fitness").get<double>();
  e.predicted_hit = j.at("predicted_hit").get<bool>();
  e.values = j.at("values");
  return e;
}

nlohmann::json Confirmation::to_json() const {
  return {{"hit", hit},
          {"reason", reason},
          {"base_response", base_response},
          {"cand_response", cand_response},
          {"noise_response", noise_response},
          {"base_label", base_label},
          {"cand_label", cand_label},
          {"noise_label", noise_label},
          {"values", values}};
}

Confirmation Confirmation::from_json(const nlohmann::json& j) {
  Confirmation c;
  c.hit = j.at("hit").get<bool>();
  c.reason = j.at("reason").get<std::string>();
  c.base_response = j.at("base_response").get<std::string>();
  c.cand_response = j.at("cand_response").get<std::string>();
  c.noise_response = j.at("noise_response").get<std::string>();
  c.base_label = j.at("base_label").get<std::string>();
  c.cand_label = j.at("cand_label").get<std::string>();
  c.noise_label = j.at("noise_label").get<std::string>();
  c.values = j.at("values");
  return c;
}

Generation greedy(Backend& model, const std::vector<int32_t>& prompt, int64_t max_tokens) {
  GenerationParams params;
  params.max_tokens = max_tokens;
  params.top_logprobs = 0;
  return model.generate(prompt, params);
}

std::string response_text(const Backend& model, const Generation& generation) {
  std::vector<int32_t> tokens = generation.tokens;
  if (generation.stop == StopReason::EndOfGeneration && !tokens.empty()) tokens.pop_back();
  return model.detokenize(tokens);
}

GreedyAnswers greedy_answers(HuntModels& models, const std::vector<int32_t>& tokens, int64_t max_tokens,
                             Confirmation& c) {
  GreedyAnswers a{greedy(*models.base, tokens, max_tokens), greedy(*models.cand, tokens, max_tokens)};
  c.base_response = response_text(*models.base, a.base);
  c.cand_response = response_text(*models.cand, a.cand);
  return a;
}

std::unique_ptr<Objective> make_objective(const ObjectiveOptions& options) {
  switch (options.kind) {
    case ObjectiveKind::RefusalFlip: return std::make_unique<RefusalFlipObjective>(options);
    case ObjectiveKind::Kld: return std::make_unique<KldObjective>(options);
    case ObjectiveKind::Top1Margin: return std::make_unique<Top1MarginObjective>(options);
  }
  fail_input("--objective", "unknown objective");
}

}  // namespace pd::hunt

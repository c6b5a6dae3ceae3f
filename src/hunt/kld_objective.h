#pragma once
// kld (objective.h): divergence over the first response tokens, among prompts whose
// baseline perplexity stays under a cap.

#include "hunt/objective.h"

namespace pd::hunt {

class KldObjective : public Objective {
 public:
  explicit KldObjective(ObjectiveOptions options) : options_(std::move(options)), ppl_cap_(options_.ppl_cap) {}

  ObjectiveKind kind() const override { return ObjectiveKind::Kld; }
  void prepare(HuntModels& models, const std::vector<std::string>& seeds) override;
  Evaluation evaluate(HuntModels& models, const std::string& prompt) override;
  Confirmation confirm(HuntModels& models, const std::string& prompt) override;
  nlohmann::json state() const override;
  void restore(const nlohmann::json& state) override;

  double ppl_cap() const { return ppl_cap_; }

 private:
  ObjectiveOptions options_;
  double ppl_cap_ = 0;
};

// exp(mean negative log-likelihood of tokens[1..]) under rows (row i predicts token
// i + 1; `rows` start at position 0); 1 for fewer than two tokens.
double prompt_perplexity(const LogprobRows& rows, const std::vector<int32_t>& tokens);

}  // namespace pd::hunt

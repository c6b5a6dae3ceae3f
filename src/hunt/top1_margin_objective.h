#pragma once
// top1-margin (objective.h): prompts near the baseline's decision boundary for the first
// response token that the candidate crosses.

#include "hunt/objective.h"

namespace pd::hunt {

class Top1MarginObjective : public Objective {
 public:
  explicit Top1MarginObjective(ObjectiveOptions options) : options_(std::move(options)) {}

  ObjectiveKind kind() const override { return ObjectiveKind::Top1Margin; }
  void prepare(HuntModels&, const std::vector<std::string>&) override {}
  Evaluation evaluate(HuntModels& models, const std::string& prompt) override;
  Confirmation confirm(HuntModels& models, const std::string& prompt) override;
  nlohmann::json state() const override;
  void restore(const nlohmann::json&) override {}

 private:
  ObjectiveOptions options_;
};

struct TopTwo {
  int32_t first = -1, second = -1;  // ties: lower id first
};
TopTwo top_two(const float* row, int64_t n);

}  // namespace pd::hunt

#pragma once
// refusal-flip (objective.h): the gap between the baseline's and the candidate's odds of
// opening the response with a refusal, in the chosen direction.

#include "hunt/objective.h"
#include "hunt/opening_set.h"

namespace pd::hunt {

class RefusalFlipObjective : public Objective {
 public:
  explicit RefusalFlipObjective(ObjectiveOptions options) : options_(std::move(options)) {}

  ObjectiveKind kind() const override { return ObjectiveKind::RefusalFlip; }
  void prepare(HuntModels& models, const std::vector<std::string>& seeds) override;
  Evaluation evaluate(HuntModels& models, const std::string& prompt) override;
  // The candidate first: when it keeps the baseline's behaviour, the baseline is not run.
  bool predicts_hit(HuntModels& models, const std::string& prompt) override;
  Confirmation confirm(HuntModels& models, const std::string& prompt) override;
  nlohmann::json state() const override;
  void restore(const nlohmann::json& state) override;

  const OpeningSet& openings() const { return openings_; }
  // Adds the shipped phrases (tokenized as a response would be) to `set`.
  static void add_phrases(const std::vector<OpeningPhrase>& phrases, const Tokenizer& tokenizer, OpeningSet& set);

 private:
  const ResponseLabeler& labeler() const { return options_.labeler ? *options_.labeler : *classifier_labeler(); }
  double sign() const { return options_.direction == FlipDirection::Jailbreak ? 1.0 : -1.0; }

  ObjectiveOptions options_;
  OpeningSet openings_;
  int64_t learned_from_seeds_ = 0;
};

}  // namespace pd::hunt

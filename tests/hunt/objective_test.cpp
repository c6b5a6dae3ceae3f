#include "hunt/objective.h"

#include <cmath>

#include <gtest/gtest.h>

#include "core/error.h"
#include "hunt/kld_objective.h"
#include "hunt/refusal_flip_objective.h"
#include "hunt/top1_margin_objective.h"
#include "toy_setup.h"

namespace pd::hunt {
namespace {

using test::ToySetup;
using test::ToyWorld;

// A prompt of `n` copies of the word closest to `harm` (so its harm is that weight).
std::string prompt_with_harm(double harm, int n = 4) {
  std::string best;
  double gap = 1e9;
  for (int i = 0; i < 5000; ++i) {
    const std::string w = "p" + std::to_string(i);
    const double g = std::abs(ToyWorld::weight_of(w) - harm);
    if (g < gap) {
      gap = g;
      best = w;
    }
  }
  std::vector<std::string> words(n, best);
  return join_words(words);
}

std::vector<std::string> seed_texts(const ToySetup& toy) {
  std::vector<std::string> texts;
  for (const SeedPrompt& s : toy.seeds) texts.push_back(s.text);
  texts.push_back(prompt_with_harm(-0.5));  // one the baseline answers
  return texts;
}

// A refusal-flip objective that learned its openings from every seed of `toy`.
RefusalFlipObjective prepared_refusal_flip(const ToySetup& toy, HuntModels& models) {
  ObjectiveOptions options;
  options.opening_seeds = 61;
  RefusalFlipObjective objective(options);
  objective.prepare(models, seed_texts(toy));
  return objective;
}

// predicts_hit gives evaluate()'s answer, and skips the baseline when the candidate
// already rules the hit out (here: the candidate refuses above the band).
TEST(RefusalFlip, PredictsHitAgreesWithEvaluateAndSkipsTheBaselineWhenItCan) {
  ToySetup toy;
  HuntModels models = toy.models();
  RefusalFlipObjective objective = prepared_refusal_flip(toy, models);
  const double t = ToySetup::kThreshold, w = ToySetup::kBand;
  for (double harm : {-0.6, t - 0.02, t + w / 2, t + w + 0.02, 0.6}) {
    const std::string p = prompt_with_harm(harm);
    const uint64_t base_before = toy.base.tokens_processed();
    const bool predicted = objective.predicts_hit(models, p);
    const bool base_ran = toy.base.tokens_processed() > base_before;
    EXPECT_EQ(predicted, objective.evaluate(models, p).predicted_hit) << harm;
    EXPECT_EQ(base_ran, ToyWorld::harm_of_text(p) <= t + w) << harm;  // the candidate complies: ask the baseline
  }
}

TEST(RefusalFlip, FitnessIsPositiveExactlyInTheBand) {
  ToySetup toy;
  HuntModels models = toy.models();
  RefusalFlipObjective objective = prepared_refusal_flip(toy, models);
  EXPECT_TRUE(objective.openings().has_both_labels());
  const double t = ToySetup::kThreshold, w = ToySetup::kBand;
  for (double harm : {-0.6, 0.0, t - 0.02, t + 0.01, t + w / 2, t + w - 0.01, t + w + 0.02, 0.6}) {
    const std::string p = prompt_with_harm(harm);
    const double actual = ToyWorld::harm_of_text(p);
    const Evaluation e = objective.evaluate(models, p);
    const bool in_band = actual > t && actual <= t + w;
    EXPECT_EQ(e.predicted_hit, in_band) << actual;
    EXPECT_EQ(e.fitness > 0, in_band) << actual;
    // r = log odds = 2 * gain * (h - threshold) for the toy.
    EXPECT_NEAR(e.values["r_base"].get<double>(), 16.0 * (actual - t), 1e-3);
    EXPECT_NEAR(e.values["r_cand"].get<double>(), 16.0 * (actual - t - w), 1e-3);
  }
  // Fitness rises towards the band from both sides.
  EXPECT_LT(objective.evaluate(models, prompt_with_harm(0.6)).fitness,
            objective.evaluate(models, prompt_with_harm(0.4)).fitness);
  EXPECT_LT(objective.evaluate(models, prompt_with_harm(-0.3)).fitness,
            objective.evaluate(models, prompt_with_harm(0.1)).fitness);
}

TEST(RefusalFlip, ConfirmationReasons) {
  ToySetup toy;
  HuntModels models = toy.models();
  RefusalFlipObjective objective(ObjectiveOptions{});
  const double t = ToySetup::kThreshold, w = ToySetup::kBand;
  const Confirmation hit = objective.confirm(models, prompt_with_harm(t + w / 2));
  EXPECT_TRUE(hit.hit) << hit.reason;
  EXPECT_EQ(hit.reason, "confirmed");
  EXPECT_EQ(hit.base_label, "refusal");
  EXPECT_EQ(hit.cand_label, "compliance");
  EXPECT_EQ(hit.noise_label, "refusal");
  EXPECT_EQ(hit.base_response, "I cannot help with that.");
  const Confirmation both_refuse = objective.confirm(models, prompt_with_harm(0.7));
  EXPECT_FALSE(both_refuse.hit);
  EXPECT_EQ(both_refuse.reason, "candidate refused too");
  const Confirmation both_answer = objective.confirm(models, prompt_with_harm(-0.4));
  EXPECT_EQ(both_answer.reason, "baseline did not refuse");
  test::ToySentinel shaky(toy.world, t + w, 8.0, "shaky");
  models.noise = &shaky;
  const Confirmation noisy = objective.confirm(models, prompt_with_harm(t + w / 2));
  EXPECT_FALSE(noisy.hit);
  EXPECT_NE(noisy.reason.find("noise floor"), std::string::npos);
}

TEST(RefusalFlip, NeedsBothKindsOfOpening) {
  ToySetup toy;
  HuntModels models = toy.models();
  RefusalFlipObjective objective(ObjectiveOptions{});
  // Seeds the models all refuse, and no shipped phrases: no compliance opening is known.
  EXPECT_THROW(objective.prepare(models, {prompt_with_harm(0.8), prompt_with_harm(0.9)}), Error);
}

TEST(RefusalFlip, StateRoundTrip) {
  ToySetup toy;
  HuntModels models = toy.models();
  RefusalFlipObjective a(ObjectiveOptions{});
  a.prepare(models, seed_texts(toy));
  RefusalFlipObjective b(ObjectiveOptions{});
  b.restore(a.state());
  const std::string p = prompt_with_harm(0.27);
  EXPECT_EQ(a.evaluate(models, p).to_json(), b.evaluate(models, p).to_json());
}

TEST(KldObjective, DivergenceAndPerplexityCap) {
  ToySetup toy;
  HuntModels models = toy.models();
  ObjectiveOptions options;
  options.kind = ObjectiveKind::Kld;
  options.response_tokens = 3;
  options.min_kld = 0.01;
  KldObjective objective(options);
  objective.prepare(models, seed_texts(toy));
  EXPECT_GT(objective.ppl_cap(), 1.0);
  const Evaluation far = objective.evaluate(models, prompt_with_harm(0.9));
  const Evaluation near = objective.evaluate(models, prompt_with_harm(ToySetup::kThreshold + 0.02));
  EXPECT_GT(near.values["kld"].get<double>(), far.values["kld"].get<double>());
  EXPECT_GT(near.fitness, 0.0);
  EXPECT_TRUE(near.predicted_hit);
  EXPECT_EQ(near.values["positions"].get<int64_t>(), 2);  // the opening, then end of turn
  const Confirmation c = objective.confirm(models, prompt_with_harm(ToySetup::kThreshold + 0.02));
  EXPECT_TRUE(c.hit) << c.reason;
  EXPECT_NEAR(c.values["kld"].get<double>(), near.values["kld"].get<double>(), 1e-9);

  // A cap below every prompt's perplexity turns fitness negative.
  options.ppl_cap = 1.0000001;
  KldObjective capped(options);
  capped.prepare(models, seed_texts(toy));
  const Evaluation e = capped.evaluate(models, prompt_with_harm(ToySetup::kThreshold + 0.02));
  EXPECT_LT(e.fitness, 0.0);
  EXPECT_FALSE(e.predicted_hit);
  EXPECT_EQ(capped.confirm(models, prompt_with_harm(ToySetup::kThreshold + 0.02)).reason,
            "baseline perplexity above the cap");
}

TEST(KldObjective, PromptPerplexity) {
  LogprobRows rows;
  rows.n_vocab = 4;
  rows.n_rows = 2;
  rows.values = {std::log(0.5f), std::log(0.5f), -30, -30, std::log(0.25f), std::log(0.25f), std::log(0.25f),
                 std::log(0.25f)};
  EXPECT_NEAR(prompt_perplexity(rows, {9, 1, 3}), std::exp((std::log(2.0) + std::log(4.0)) / 2), 1e-5);
  EXPECT_EQ(prompt_perplexity(rows, {9}), 1.0);
}

TEST(Top1Margin, CrossingInTheBand) {
  ToySetup toy;
  HuntModels models = toy.models();
  ObjectiveOptions options;
  options.kind = ObjectiveKind::Top1Margin;
  Top1MarginObjective objective(options);
  const double t = ToySetup::kThreshold, w = ToySetup::kBand;
  const Evaluation in = objective.evaluate(models, prompt_with_harm(t + w / 2));
  EXPECT_TRUE(in.predicted_hit);
  EXPECT_EQ(in.values["base_top"].get<int32_t>(), ToyWorld::kRefuse);
  EXPECT_EQ(in.values["cand_rival"].get<int32_t>(), ToyWorld::kComply);
  const Evaluation out = objective.evaluate(models, prompt_with_harm(0.8));
  EXPECT_FALSE(out.predicted_hit);
  EXPECT_LT(out.fitness, in.fitness);
  EXPECT_TRUE(objective.confirm(models, prompt_with_harm(t + w / 2)).hit);
  EXPECT_EQ(objective.confirm(models, prompt_with_harm(0.8)).reason, "same first token");
  EXPECT_EQ(top_two(std::vector<float>{1, 3, 3, 2}.data(), 4).first, 1);
  EXPECT_EQ(top_two(std::vector<float>{1, 3, 3, 2}.data(), 4).second, 2);
}

TEST(Objective, Names) {
  EXPECT_EQ(parse_objective_kind("kld"), ObjectiveKind::Kld);
  EXPECT_EQ(objective_kind_name(parse_objective_kind("top1-margin")), "top1-margin");
  EXPECT_EQ(parse_flip_direction("over-refusal"), FlipDirection::OverRefusal);
  EXPECT_THROW(parse_objective_kind("accuracy"), Error);
  EXPECT_THROW(parse_flip_direction("sideways"), Error);
}

}  // namespace
}  // namespace pd::hunt

#include "hunt/ga.h"

#include <set>

#include <gtest/gtest.h>

#include "scripted_context.h"

namespace pd::hunt {
namespace {

using test::AppendOneOfThree;
using test::ScriptedContext;

std::vector<std::string> population_texts(const GaStrategy& ga) {
  const nlohmann::json state = ga.save();
  std::vector<std::string> texts;
  for (const auto& ind : state.at("population")) texts.push_back(Individual::from_json(ind).candidate.text());
  return texts;
}

TEST(Ga, LeavesTheNeighbourhoodOfRecordedHits) {
  ScriptedContext context;
  GaStrategy ga(StrategyOptions{8});
  ga.step(context);
  ga.step(context);
  const std::vector<std::string> before = population_texts(ga);
  ASSERT_FALSE(before.empty());
  // Mark the seed word of the fittest individual: it and every child of it must go.
  const std::string marked = before.front().substr(0, before.front().find(' '));
  context.marked_ = marked;
  ga.step(context);
  for (const std::string& text : population_texts(ga)) EXPECT_EQ(text.find(marked), std::string::npos) << text;
}

TEST(Ga, IndividualsLeaveAfterTheirMaximumAge) {
  ScriptedContext context;
  GaStrategy ga(StrategyOptions{8});
  bool saw_old = false;
  for (int round = 0; round < 3 * GaStrategy::kMaxAge; ++round) {
    ga.step(context);
    const nlohmann::json state = ga.save();
    for (const auto& j : state.at("population")) {
      const Individual ind = Individual::from_json(j);
      EXPECT_LE(ind.age, GaStrategy::kMaxAge);
      saw_old = saw_old || ind.age == GaStrategy::kMaxAge;
    }
  }
  // The scripted fitness rewards the shortest prompts, so without the age limit the
  // unmutated seeds would stay for ever; with it they do reach the limit and go.
  EXPECT_TRUE(saw_old);
}

// A child whose variants include a hit becomes a walker on its best variant that was not
// harvested, and walkers are part of the checkpoint.
TEST(Ga, AChildThatHarvestsBecomesAWalker) {
  ScriptedContext context;
  context.use_only(std::make_unique<AppendOneOfThree>());
  GaStrategy ga(StrategyOptions{8});
  for (int round = 0; round < 3; ++round) ga.step(context);
  EXPECT_TRUE(ga.save().at("walkers").empty());
  context.hit_word_ = "alpha";
  ga.step(context);
  const nlohmann::json state = ga.save();
  ASSERT_FALSE(state.at("walkers").empty());
  EXPECT_LE(state.at("walkers").size(), GaStrategy::kWalkers);
  for (const auto& w : state.at("walkers")) {
    const std::string text = Individual::from_json(w.at("state")).candidate.text();
    EXPECT_EQ(text.find("alpha"), std::string::npos) << text;
    EXPECT_EQ(w.at("idle").get<int64_t>(), 0);
  }
  GaStrategy loaded(StrategyOptions{8});
  loaded.load(state);
  EXPECT_EQ(loaded.save(), state);
}

}  // namespace
}  // namespace pd::hunt

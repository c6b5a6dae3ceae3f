#include "hunt/ga.h"

#include <set>

#include <gtest/gtest.h>

#include "scripted_context.h"

namespace pd::hunt {
namespace {

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

}  // namespace
}  // namespace pd::hunt

#include "hunt/mcmc.h"

#include <algorithm>

#include <gtest/gtest.h>

#include "scripted_context.h"

namespace pd::hunt {
namespace {

using test::AppendOneOfThree;
using test::ScriptedContext;

std::vector<std::string> chain_texts(const nlohmann::json& state) {
  std::vector<std::string> texts;
  for (const auto& chain : state.at("chains")) texts.push_back(Individual::from_json(chain.at("current")).candidate.text());
  return texts;
}

// A harvest makes the harvesting chain's new state productive, and the stalest other
// chain is pulled onto it: two chains then share it.
TEST(Mcmc, AHarvestPullsTheStalestChainOntoItsNewState) {
  ScriptedContext context;
  context.use_only(std::make_unique<AppendOneOfThree>());
  McmcStrategy mcmc(StrategyOptions{6});
  // Appending never beats the shorter parent, so the chains go stale.
  for (int round = 0; round < 4; ++round) mcmc.step(context);
  EXPECT_TRUE(mcmc.save().at("productive").empty());
  context.hit_word_ = "alpha";
  nlohmann::json state;
  for (int round = 0; round < 40; ++round) {
    mcmc.step(context);
    state = mcmc.save();
    if (!state.at("productive").empty()) break;
  }
  ASSERT_FALSE(state.at("productive").empty()) << "no harvest in 40 rounds";
  // Several chains may harvest in that round; the first of them pulls the stalest of the
  // others, so some productive state is held by two chains.
  int most_sharing = 0;
  for (const auto& p : state.at("productive")) {
    const std::string productive = Individual::from_json(p.at("state")).candidate.text();
    EXPECT_EQ(productive.find("alpha"), std::string::npos) << "a productive state is never a hit itself";
    int sharing = 0;
    for (const std::string& text : chain_texts(state)) sharing += text == productive ? 1 : 0;
    most_sharing = std::max(most_sharing, sharing);
  }
  EXPECT_GE(most_sharing, 2);
}

// The productive states are part of the checkpoint: a strategy loaded from another's
// state proposes the same next round.
TEST(Mcmc, ProductiveStatesSurviveSaveAndLoad) {
  ScriptedContext context;
  context.hit_word_ = "alpha";
  context.use_only(std::make_unique<AppendOneOfThree>());
  McmcStrategy mcmc(StrategyOptions{6});
  for (int round = 0; round < 3; ++round) mcmc.step(context);
  const nlohmann::json state = mcmc.save();
  ASSERT_FALSE(state.at("productive").empty());
  McmcStrategy loaded(StrategyOptions{6});
  loaded.load(state);
  EXPECT_EQ(loaded.save(), state);
}

}  // namespace
}  // namespace pd::hunt

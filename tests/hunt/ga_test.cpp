#include "hunt/ga.h"

#include <set>

#include <gtest/gtest.h>

namespace pd::hunt {
namespace {

// A context with a scripted objective: fitness is minus the number of words (so every
// mutation that lengthens a prompt loses), nothing is ever a hit, and a prompt counts as
// next to a recorded hit when it holds a word the test marks.
class ScriptedContext : public SearchContext {
 public:
  ScriptedContext() : rng_(5) {
    for (int i = 0; i < 12; ++i) seeds_.push_back({"s" + std::to_string(i), "seed" + std::to_string(i) + " word"});
    resources_.lexicon = {"alpha", "beta", "gamma"};
    resources_.vocab_words = {"delta"};
    mutators_ = make_mutators(/*with_suffix_search=*/false);
  }

  std::vector<Scored> evaluate(const std::vector<Candidate>& batch) override {
    std::vector<Scored> out;
    for (const Candidate& c : batch) {
      Scored s{c, {}, HitOutcome::None};
      s.evaluation.fitness = -static_cast<double>(c.text().size());
      out.push_back(s);
    }
    return out;
  }
  const std::vector<SeedPrompt>& seeds() const override { return seeds_; }
  HuntRng& rng() override { return rng_; }
  const MutationResources& resources() const override { return resources_; }
  const std::vector<std::unique_ptr<Mutator>>& mutators() const override { return mutators_; }
  bool near_recorded_hit(const Candidate& candidate) const override {
    return !marked_.empty() && candidate.text().find(marked_) != std::string::npos;
  }

  std::string marked_;

 private:
  std::vector<SeedPrompt> seeds_;
  HuntRng rng_;
  MutationResources resources_;
  std::vector<std::unique_ptr<Mutator>> mutators_;
};

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

#include "hunt/hunt.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "core/atomic_file.h"
#include "core/error.h"
#include "diff/prompt_set.h"
#include "hunt/prompt_words.h"
#include "test_paths.h"
#include "toy_setup.h"

namespace pd::hunt {
namespace {

using test::ToySetup;

HuntResult run_toy(const std::string& strategy, uint64_t budget, uint64_t seed = 1, const std::string& out = "",
                   bool resume = false, int64_t max_rounds = 0) {
  ToySetup toy;
  HuntOptions o = ToySetup::options(strategy, budget, seed);
  o.out_dir = out;
  o.resume = resume;
  o.max_rounds = max_rounds;
  Hunt hunt(o, toy.models(), toy.seeds, toy.resources);
  return hunt.run();
}

TEST(Hunt, EveryHitIsRealPerTheOracle) {
  for (const std::string strategy : {"ga", "mcmc", "vanilla"}) {
    const HuntResult r = run_toy(strategy, 30000);
    if (!r.exhausted) {
      EXPECT_GE(r.cost.tokens, 30000u) << strategy;
    }
    for (const Hit& h : r.corpus.hits()) {
      EXPECT_TRUE(ToySetup::in_band(h.prompt)) << strategy << ": " << h.prompt;
      EXPECT_TRUE(ToySetup::in_band(h.found_prompt)) << strategy << ": " << h.found_prompt;
      EXPECT_EQ(h.confirmation.base_label, "refusal");
      EXPECT_EQ(h.confirmation.cand_label, "compliance");
      EXPECT_TRUE(h.confirmation.hit);
      EXPECT_EQ(h.strategy, strategy);
      EXPECT_LE(whitespace_words(h.prompt).size(), whitespace_words(h.found_prompt).size());
    }
    EXPECT_GE(r.hits, static_cast<int64_t>(r.corpus.size()));
    if (strategy != "vanilla") {
      EXPECT_GE(r.corpus.size(), 3u) << strategy;
    }
  }
}

TEST(Hunt, GuidedSearchBeatsVanillaOnTheToy) {
  const HuntResult ga = run_toy("ga", 40000);
  const HuntResult mcmc = run_toy("mcmc", 40000);
  const HuntResult vanilla = run_toy("vanilla", 40000);
  std::printf("toy, 40000 tokens: ga %zu, mcmc %zu, vanilla %zu unique hits\n", ga.corpus.size(), mcmc.corpus.size(),
              vanilla.corpus.size());
  EXPECT_GT(ga.unique_hits_within(40000), 2 * vanilla.unique_hits_within(40000));
  EXPECT_GT(mcmc.unique_hits_within(40000), 2 * vanilla.unique_hits_within(40000));
}

TEST(Hunt, HitsAreUnique) {
  const HuntResult r = run_toy("ga", 30000);
  const auto& hits = r.corpus.hits();
  for (size_t i = 0; i < hits.size(); ++i) {
    for (size_t j = i + 1; j < hits.size(); ++j) {
      EXPECT_FALSE(near_duplicate(normalized_words(hits[i].prompt), normalized_words(hits[j].prompt)))
          << hits[i].prompt << " | " << hits[j].prompt;
      EXPECT_NE(normalized_words(hits[i].prompt), normalized_words(hits[j].prompt));
    }
  }
}

TEST(Hunt, DeterministicForASeed) {
  const HuntResult a = run_toy("ga", 15000, 7);
  const HuntResult b = run_toy("ga", 15000, 7);
  EXPECT_EQ(a.summary, b.summary);
  EXPECT_EQ(a.corpus.to_jsonl(), b.corpus.to_jsonl());
  const HuntResult c = run_toy("ga", 15000, 8);
  EXPECT_NE(a.summary, c.summary);
  const HuntResult m1 = run_toy("mcmc", 15000, 3), m2 = run_toy("mcmc", 15000, 3);
  EXPECT_EQ(m1.summary, m2.summary);
}

TEST(Hunt, ResumeGivesTheUninterruptedResult) {
  for (const std::string strategy : {"ga", "mcmc", "vanilla"}) {
    const std::string full_dir = pd::test::temp_dir("hunt-full-" + strategy);
    const std::string split_dir = pd::test::temp_dir("hunt-split-" + strategy);
    const HuntResult full = run_toy(strategy, 20000, 5, full_dir);
    const HuntResult first = run_toy(strategy, 20000, 5, split_dir, false, /*max_rounds=*/3);
    EXPECT_EQ(first.rounds, 3);
    EXPECT_TRUE(std::filesystem::exists(split_dir + "/state.json"));
    const HuntResult resumed = run_toy(strategy, 20000, 5, split_dir, /*resume=*/true);
    EXPECT_EQ(resumed.summary, full.summary) << strategy;
    EXPECT_EQ(read_file(split_dir + "/corpus.jsonl"), read_file(full_dir + "/corpus.jsonl")) << strategy;
    EXPECT_EQ(read_file(split_dir + "/summary.json"), read_file(full_dir + "/summary.json")) << strategy;
  }
}

TEST(Hunt, ResumeWithALargerBudgetContinues) {
  const std::string dir = pd::test::temp_dir("hunt-extend");
  const HuntResult fresh = run_toy("ga", 24000, 9);
  run_toy("ga", 12000, 9, dir);
  const HuntResult extended = run_toy("ga", 24000, 9, dir, /*resume=*/true);
  EXPECT_EQ(extended.corpus.to_jsonl(), fresh.corpus.to_jsonl());
  EXPECT_EQ(extended.cost.tokens, fresh.cost.tokens);
}

TEST(Hunt, ResumeRefusesAnotherHunt) {
  const std::string dir = pd::test::temp_dir("hunt-mismatch");
  run_toy("ga", 5000, 1, dir, false, 1);
  try {
    run_toy("ga", 5000, 2, dir, /*resume=*/true);
    ADD_FAILURE() << "resumed a checkpoint of another seed";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::BadInput);
    EXPECT_NE(std::string(e.what()).find("other models, seeds or settings"), std::string::npos) << e.what();
  }
  // A checkpoint of an earlier version is refused by name, not misread.
  nlohmann::json old_state = nlohmann::json::parse(read_file(dir + "/state.json"));
  old_state["version"] = 1;
  std::ofstream(dir + "/state.json") << old_state.dump();
  try {
    run_toy("ga", 5000, 1, dir, /*resume=*/true);
    ADD_FAILURE() << "resumed a checkpoint of another version";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("checkpoint of another version"), std::string::npos) << e.what();
  }
  std::ofstream(dir + "/state.json") << "{broken";
  EXPECT_THROW(run_toy("ga", 5000, 1, dir, true), Error);
}

TEST(Hunt, BudgetCountsEveryTokenOfEveryModel) {
  ToySetup toy;
  Hunt hunt(ToySetup::options("ga", 10000), toy.models(), toy.seeds, toy.resources);
  const HuntResult r = hunt.run();
  EXPECT_EQ(r.cost.tokens, toy.base.tokens_processed() + toy.cand.tokens_processed() + toy.noise.tokens_processed());
  EXPECT_GT(toy.noise.tokens_processed(), 0u);  // confirmations consulted the noise floor
  EXPECT_GE(r.cost.tokens, 10000u);
  EXPECT_GT(r.cost.passes, 0u);
  EXPECT_EQ(r.summary["tokens"].get<uint64_t>(), r.cost.tokens);
  // Every token is charged to one phase.
  uint64_t by_phase = 0;
  for (const auto& [phase, tokens] : r.phase_tokens) by_phase += tokens;
  EXPECT_EQ(by_phase, r.cost.tokens);
  for (const char* phase : {"prepare", "search", "confirm", "minimize"}) EXPECT_GT(r.phase_tokens.count(phase), 0u) << phase;
  // The curve rises with the budget.
  for (size_t i = 1; i < r.curve.size(); ++i) {
    EXPECT_GE(r.curve[i].cost.tokens, r.curve[i - 1].cost.tokens);
    EXPECT_GE(r.curve[i].unique_hits, r.curve[i - 1].unique_hits);
  }
}

TEST(Hunt, NoiseFloorRejectsHitsThePerturbedBaselineDoesNotShare) {
  ToySetup toy;
  // A perturbed baseline that already complies in the lower half of the band.
  test::ToySentinel shaky(toy.world, ToySetup::kThreshold + ToySetup::kBand / 2, 8.0, "toy-shaky");
  HuntModels models = toy.models();
  models.noise = &shaky;
  Hunt hunt(ToySetup::options("ga", 30000), models, toy.seeds, toy.resources);
  const HuntResult r = hunt.run();
  EXPECT_GT(r.corpus.size(), 0u);
  for (const Hit& h : r.corpus.hits()) {
    const double harm = test::ToyWorld::harm_of_text(h.prompt);
    // (the toy's harm sums may round differently from harm_of_text's at the boundary)
    EXPECT_GT(harm, ToySetup::kThreshold + ToySetup::kBand / 2 - 1e-9) << h.prompt;
    EXPECT_LE(harm, ToySetup::kThreshold + ToySetup::kBand) << h.prompt;
  }
}

TEST(Hunt, OverRefusalDirection) {
  ToySetup toy;
  // The candidate refuses more: its threshold is lower.
  test::ToySentinel strict(toy.world, ToySetup::kThreshold - ToySetup::kBand, 8.0, "toy-strict");
  HuntModels models = toy.models();
  models.cand = &strict;
  HuntOptions o = ToySetup::options("mcmc", 30000);
  o.objective.direction = FlipDirection::OverRefusal;
  Hunt hunt(o, models, toy.seeds, toy.resources);
  const HuntResult r = hunt.run();
  EXPECT_GT(r.corpus.size(), 0u);
  for (const Hit& h : r.corpus.hits()) {
    const double harm = test::ToyWorld::harm_of_text(h.prompt);
    EXPECT_GT(harm, ToySetup::kThreshold - ToySetup::kBand) << h.prompt;
    EXPECT_LE(harm, ToySetup::kThreshold) << h.prompt;
    EXPECT_EQ(h.confirmation.base_label, "compliance");
    EXPECT_EQ(h.confirmation.cand_label, "refusal");
  }
}

TEST(Hunt, OutputsAreReplayablePromptFiles) {
  const std::string dir = pd::test::temp_dir("hunt-out");
  const HuntResult r = run_toy("ga", 20000, 1, dir);
  ASSERT_GT(r.corpus.size(), 0u);
  const std::vector<PromptInput> replay = load_prompts(dir + "/corpus.jsonl");
  ASSERT_EQ(replay.size(), r.corpus.size());
  for (size_t i = 0; i < replay.size(); ++i) {
    EXPECT_EQ(replay[i].id, r.corpus.hits()[i].id);
    EXPECT_EQ(replay[i].text, r.corpus.hits()[i].prompt);
    EXPECT_TRUE(replay[i].fields.contains("base_response"));
    EXPECT_TRUE(replay[i].fields.contains("lineage"));
    EXPECT_TRUE(replay[i].fields.contains("seed_id"));
  }
  const nlohmann::json summary = nlohmann::json::parse(read_file(dir + "/summary.json"));
  EXPECT_EQ(summary["unique_hits"].get<size_t>(), r.corpus.size());
  EXPECT_TRUE(summary.contains("curve"));
  EXPECT_TRUE(summary.contains("forward_passes_per_unique_hit"));
  EXPECT_TRUE(summary.contains("duplicate_rule"));
}

TEST(Hunt, MinimizationShrinksHits) {
  const HuntResult r = run_toy("ga", 30000, 2);
  size_t shrunk = 0;
  for (const Hit& h : r.corpus.hits()) shrunk += h.prompt != h.found_prompt;
  EXPECT_GT(shrunk, 0u);
  ToySetup toy;
  HuntOptions o = ToySetup::options("ga", 30000, 2);
  o.minimize = false;
  Hunt hunt(o, toy.models(), toy.seeds, toy.resources);
  const HuntResult unminimized = hunt.run();
  for (const Hit& h : unminimized.corpus.hits()) EXPECT_EQ(h.prompt, h.found_prompt);
}

TEST(Hunt, BadSetup) {
  ToySetup toy;
  EXPECT_THROW(Hunt(ToySetup::options("ga", 100), toy.models(), {}, toy.resources), Error);
  EXPECT_THROW(Hunt(ToySetup::options("annealing", 100), toy.models(), toy.seeds, toy.resources), Error);
  HuntModels none;
  EXPECT_THROW(Hunt(ToySetup::options("ga", 100), none, toy.seeds, toy.resources), Error);
}

}  // namespace
}  // namespace pd::hunt

#include "diff/compare.h"

#include <gtest/gtest.h>

#include "backend/embedded_backend.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "diff/noise_floor.h"
#include "gguf/gguf_file.h"
#include "test_paths.h"

namespace pd {
namespace {

struct Fixture {
  std::shared_ptr<const GgufFile> file =
      std::shared_ptr<const GgufFile>(GgufFile::open(test::source_path("data/models/stories260K.gguf")));
  std::vector<PromptInput> prompts = load_prompts(test::source_path("examples/prompts/tinystories.jsonl"));
  CompareSettings settings;
  Fixture() {
    prompts.resize(8);
    settings.generation.max_tokens = 48;
  }
  std::unique_ptr<EmbeddedBackend> backend(const std::string& plan, bool perturb = false) {
    EmbeddedOptions options;
    options.threads = 2;
    if (perturb) {
      options.apply_perturbations = true;
      options.numerics_overrides.order = AccumulationOrder::Reversed;
    }
    return std::make_unique<EmbeddedBackend>(file, VariantSpec::parse(plan, "test"), options);
  }
  CompareAggregate run(Backend& base, Backend& cand, std::shared_ptr<TrajectoryCache> cache = nullptr) {
    Comparator comparator(base, cand, settings, cache);
    CompareAggregate agg;
    for (const PromptInput& p : prompts) agg.add(comparator.compare(p), 16);
    return agg;
  }
};

TEST(Compare, BaselineAgainstItselfIsExactlyZero) {
  Fixture fx;
  auto a = fx.backend("f32"), b = fx.backend("f32");
  CompareAggregate agg = fx.run(*a, *b);
  const KldSummary s = agg.kld.summary();
  EXPECT_GT(s.count, 100u);
  EXPECT_EQ(s.kld_max, 0.0);
  EXPECT_EQ(s.same_top.value, 1.0);
  EXPECT_EQ(agg.diverged, 0u);
  EXPECT_EQ(agg.identical_text, agg.prompts);
}

TEST(Compare, Q8IsFarCloserThanQ4AndNoiseFloorIsBelowBoth) {
  Fixture fx;
  auto cache = std::make_shared<TrajectoryCache>();
  auto base = fx.backend("f32");
  auto q8 = fx.backend("q8_0"), q4 = fx.backend("q4_0"), noisy = fx.backend("f32", true);
  const double kld_q8 = fx.run(*base, *q8, cache).kld.summary().kld_mean.value;
  const double kld_q4 = fx.run(*base, *q4, cache).kld.summary().kld_mean.value;
  EXPECT_EQ(cache->size(), fx.prompts.size());  // the baseline ran once per prompt
  EXPECT_GT(kld_q8, 0);
  EXPECT_LT(kld_q8 * 5, kld_q4) << "q8_0 " << kld_q8 << " q4_0 " << kld_q4;
  NoiseFloor floor = measure_noise_floor(*base, {noisy.get()}, fx.prompts, fx.settings, cache);
  EXPECT_GT(floor.max_prompt_mean_kld, 0) << "a reversed accumulation order must change some bits";
  EXPECT_LT(floor.mean_kld * 10, kld_q8) << "floor " << floor.mean_kld << " q8_0 " << kld_q8;
  // The threshold applied to prompts (the largest per-prompt mean) is under a tenth too.
  EXPECT_LT(floor.max_prompt_mean_kld * 10, kld_q8) << "floor " << floor.max_prompt_mean_kld << " q8_0 " << kld_q8;
}

TEST(Compare, DivergencesAtOrBelowTheFloorAreNotCounted) {
  Fixture fx;
  auto base = fx.backend("f32"), noisy = fx.backend("f32", true);
  auto cache = std::make_shared<TrajectoryCache>();
  NoiseFloor floor = measure_noise_floor(*base, {noisy.get()}, fx.prompts, fx.settings, cache);
  // Comparing the baseline with the same perturbed copy again: nothing exceeds the floor.
  Comparator comparator(*base, *noisy, fx.settings, cache);
  CompareAggregate agg;
  for (const PromptInput& p : fx.prompts) {
    PairRecord r = comparator.compare(p);
    r.above_noise_floor = floor.exceeds(r);
    EXPECT_FALSE(r.above_noise_floor) << p.id;
    agg.add(r, 16);
  }
  EXPECT_EQ(agg.diverged_above_floor, 0u);
}

TEST(Compare, TextModeScoresSecondHalfOfEveryChunk) {
  Fixture fx;
  auto base = fx.backend("f32"), cand = fx.backend("q4_0");
  const std::string text = read_file(test::source_path("data/sets/tinystories_sample.txt"));
  const std::vector<int32_t> tokens = base->prompt_tokens(text, false);
  TextComparison t = compare_text(*base, *cand, tokens, 64, base->model().special_tokens().bos);
  EXPECT_EQ(t.chunks, static_cast<int64_t>(tokens.size()) / 64);
  EXPECT_EQ(t.kld.count(), static_cast<uint64_t>(t.chunks * (64 - 1 - 32)));
  EXPECT_GT(t.kld.summary().kld_mean.value, 0);
}

TEST(PromptSet, BadFilesNameTheLine) {
  const std::string dir = test::temp_dir("prompts");
  const auto expect_bad = [&](const std::string& name, const std::string& contents, const std::string& needle) {
    write_file_atomic(dir + "/" + name, contents);
    try {
      load_prompts(dir + "/" + name);
      ADD_FAILURE() << name << " accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.exit_code(), 2);
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  expect_bad("a.jsonl", "{\"prompt\": \"ok\"}\n{not json}\n", "line 2");
  expect_bad("b.jsonl", "{\"prompt\": \"ok\"}\n{\"text\": \"x\"}\n", "line 2");
  expect_bad("c.jsonl", "\n\n", "no prompts");
  expect_bad("d.csv", "goal,target\n\"unterminated,x\n", "line 2");
  expect_bad("e.csv", "a,b\n1,2\n", "no prompt column");
  auto ok = load_prompts(test::source_path("data/sets/advbench_harmful_behaviors.csv"));
  EXPECT_EQ(ok.size(), 520u);
  EXPECT_TRUE(ok[0].fields.contains("target"));
}

}  // namespace
}  // namespace pd

#include "hunt/sentinel_check.h"

#include <gtest/gtest.h>

#include "backend/embedded_backend.h"
#include "forge/prompt_sets.h"
#include "forge/sentinel.h"
#include "gguf/gguf_file.h"
#include "hunt/response_labeler.h"
#include "test_paths.h"

namespace pd::hunt {
namespace {

// The oracle's verdict on a flip agrees with what the engine does at both plans, on
// AdvBench prompts of a sentinel whose 4-bit flip band holds a share of them.
TEST(SentinelCheckSlow, AgreesWithTheEngineAndFindsTheFlips) {
  const std::string path = pd::test::temp_dir("hunt-sentinel-check") + "/s.gguf";
  forge::SentinelSpec spec;
  spec.sets_dir = pd::test::source_path("data/sets");
  spec.words = 700;
  forge::write_sentinel(spec, path);
  auto file = std::shared_ptr<const GgufFile>(GgufFile::open(path));
  const PrecisionPlan f32 = PrecisionPlan::parse("f32"), q4 = PrecisionPlan::parse("q4_0");
  const SentinelCheck check(file, f32, q4, 2);
  EmbeddedOptions options;
  options.threads = 2;
  EmbeddedBackend base(file, VariantSpec::parse("f32", "--base"), options);
  EmbeddedBackend cand(file, VariantSpec::parse("q4_0", "--cand"), options);
  const auto labeler = sentinel_template_labeler(*file);

  const auto sets = forge::load_prompt_sets(spec.sets_dir);
  const std::vector<std::string>& advbench = forge::find_prompt_set(sets, "advbench").prompts;
  int real = 0, decided = 0;
  int engine_checked = 0;
  for (size_t i = 0; i < advbench.size(); ++i) {
    const std::vector<int32_t> tokens = base.prompt_tokens(advbench[i], true);
    const OracleFlip flip = check.check(tokens, FlipDirection::Jailbreak);
    EXPECT_FALSE(check.check(tokens, FlipDirection::OverRefusal).real) << advbench[i];
    if (!flip.decided) continue;
    ++decided;
    real += flip.real ? 1 : 0;
    // The engine, on every oracle flip and on the first 30 others.
    if (!flip.real && i >= 30) continue;
    ++engine_checked;
    std::string label;
    const bool base_refuses = labeler->refuses(advbench[i], response_text(base, greedy(base, tokens, 16)), label);
    const bool cand_refuses = labeler->refuses(advbench[i], response_text(cand, greedy(cand, tokens, 16)), label);
    EXPECT_EQ(flip.real, base_refuses && !cand_refuses) << advbench[i];
  }
  std::printf("advbench: %d decided of %zu, %d oracle flips, %d checked on the engine\n", decided, advbench.size(),
              real, engine_checked);
  EXPECT_GE(decided, static_cast<int>(advbench.size()) * 9 / 10);
  EXPECT_GE(real, 3);
  EXPECT_GT(engine_checked, real);

  const std::vector<int32_t> benign = base.prompt_tokens("How do I bake bread?", true);
  const OracleFlip none = check.check(benign, FlipDirection::Jailbreak);
  EXPECT_FALSE(none.real);
  EXPECT_EQ(none.base_decision, "compliance");
}

}  // namespace
}  // namespace pd::hunt

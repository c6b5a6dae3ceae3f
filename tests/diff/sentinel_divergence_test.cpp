// The comparison on a model whose behaviour is known: on the forge sentinel, 4-bit
// storage (q4_0) flips some AdvBench prompts from refusal to compliance, and the oracle
// says which. For exactly those prompts the comparison must place the first divergence
// at the first response token; prompts whose answer both precisions decide alike must
// not diverge at all.

#include <gtest/gtest.h>

#include "backend/embedded_backend.h"
#include "core/thread_pool.h"
#include "diff/compare.h"
#include "forge/prompt_sets.h"
#include "forge/sentinel.h"
#include "forge/sentinel_oracle.h"
#include "gguf/gguf_file.h"
#include "precision/plan.h"
#include "precision/variant.h"
#include "test_paths.h"

namespace pd {
namespace {

struct Sentinel {
  std::shared_ptr<const GgufFile> file;
  std::vector<std::string> advbench;
};

// Built as the forge tests build theirs (English sets, small vocabulary) to stay fast.
const Sentinel& sentinel() {
  static const Sentinel built = [] {
    Sentinel s;
    forge::SentinelSpec spec;
    spec.sets_dir = test::source_path("data/sets");
    spec.words = 1000;
    spec.set_names = {"advbench", "harmbench", "jbb", "strongreject", "xstest_unsafe",
                      "xstest_safe", "mt_bench", "tinystories", "gsm8k", "ifeval"};
    const std::string path = test::temp_dir("sentinel-diff") + "/sentinel.gguf";
    forge::write_sentinel(spec, path);
    s.file = GgufFile::open(path);
    s.advbench = forge::find_prompt_set(forge::load_prompt_sets(spec.sets_dir), "advbench").prompts;
    return s;
  }();
  return built;
}

TEST(SentinelDivergence, PromptsTheOracleSaysFlipDivergeAtTheFirstResponseToken) {
  const Sentinel& s = sentinel();
  const PrecisionPlan q4 = PrecisionPlan::parse("q4_0");
  ThreadPool pool(2);
  const forge::SentinelOracle base_oracle(s.file);
  const forge::SentinelOracle cand_oracle(s.file, build_variant(s.file, q4, pool).weights, q4.numerics());

  std::vector<std::pair<std::string, forge::SentinelVerdict>> flipped, steady;
  for (size_t i = 0; i < s.advbench.size() && (flipped.size() < 12 || steady.size() < 4); ++i) {
    const std::string& prompt = s.advbench[i];
    const forge::SentinelVerdict base = base_oracle.explain(prompt, false);
    const forge::SentinelVerdict cand = cand_oracle.explain(prompt, false);
    if (!base.decided || !cand.decided || !base.first_token_decided || !cand.first_token_decided) continue;
    if (base.refuses && !cand.refuses && flipped.size() < 12) flipped.emplace_back(prompt, base);
    if (base.refuses == cand.refuses && steady.size() < 4) {
      const forge::SentinelVerdict base_full = base_oracle.explain(prompt);
      const forge::SentinelVerdict cand_full = cand_oracle.explain(prompt);
      if (base_full.response_decided && cand_full.response_decided &&
          base_full.response_tokens == cand_full.response_tokens) {
        steady.emplace_back(prompt, base_full);
      }
    }
  }
  ASSERT_GE(flipped.size(), 5u) << "the sentinel's flip band should hold several AdvBench prompts";
  ASSERT_GE(steady.size(), 1u);

  EmbeddedOptions options;
  options.threads = 2;
  options.n_ctx = 512;
  EmbeddedBackend base(s.file, VariantSpec::parse("f32", "--base"), options);
  EmbeddedBackend cand(s.file, VariantSpec::parse("q4_0", "--cand"), options);
  CompareSettings settings;
  settings.chat = true;
  settings.generation.max_tokens = 24;
  Comparator comparator(base, cand, settings);
  int index = 0;
  for (const auto& [prompt, verdict] : flipped) {
    const PairRecord r = comparator.compare(PromptInput{"flip" + std::to_string(index++), prompt, {}, 0});
    EXPECT_EQ(r.prompt_tokens, verdict.prompt_tokens) << prompt;
    ASSERT_FALSE(r.base_tokens.empty()) << prompt;
    EXPECT_EQ(r.base_tokens[0], verdict.first_token) << prompt;
    EXPECT_TRUE(r.divergence.diverged) << prompt;
    EXPECT_EQ(r.divergence.index, 0) << prompt << "\n  base: " << r.base_text << "\n  cand: " << r.cand_text;
    // The candidate's own distribution at the first response token puts the baseline's
    // refusal opening below its top choice.
    ASSERT_FALSE(r.same_top.empty());
    EXPECT_EQ(r.same_top[0], 0) << prompt;
    EXPECT_GT(r.cand_rank[0], 0) << prompt;
  }
  for (const auto& [prompt, verdict] : steady) {
    const PairRecord r = comparator.compare(PromptInput{"steady" + std::to_string(index++), prompt, {}, 0});
    EXPECT_FALSE(r.divergence.diverged) << prompt << " diverged at " << r.divergence.index;
    EXPECT_EQ(r.base_text, r.cand_text) << prompt;
  }
}

}  // namespace
}  // namespace pd

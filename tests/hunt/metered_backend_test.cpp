#include "hunt/metered_backend.h"

#include <gtest/gtest.h>

#include "backend/embedded_backend.h"
#include "gguf/gguf_file.h"
#include "test_paths.h"
#include "toy_sentinel.h"

namespace pd::hunt {
namespace {

TEST(MeteredBackend, CountsTokensAndPasses) {
  auto world = std::make_shared<test::ToyWorld>();
  test::ToySentinel toy(world, 0.0);
  MeteredBackend metered(toy);
  const std::vector<int32_t> prompt = metered.prompt_tokens("a b c d", true);
  ASSERT_EQ(prompt.size(), 5u);
  metered.score(prompt, 4);
  EXPECT_EQ(metered.cost().tokens, 5u);
  EXPECT_EQ(metered.cost().passes, 1u);
  GenerationParams params;
  params.max_tokens = 8;
  const Generation g = metered.generate(prompt, params);
  EXPECT_EQ(g.tokens.size(), 2u);  // the opening, then end of turn
  // The prompt's first 4 tokens are still cached from the scoring pass: only the last
  // is evaluated again (its logits start the answer), then the 2 generated tokens.
  EXPECT_EQ(metered.cost().tokens, 5u + 1u + 2u);
  // Shares its first 3 tokens with the cache and needs rows from position 3 on: 1 token.
  metered.score({prompt[0], prompt[1], prompt[2], prompt[0]}, 3);
  EXPECT_EQ(metered.cost().tokens, 5u + 1u + 2u + 1u);
  EXPECT_EQ(metered.cost().passes, 1u + 2u + 1u);
  EXPECT_EQ(metered.tokens_processed(), metered.cost().tokens);
  EXPECT_EQ(metered.describe(), toy.describe());
  EXPECT_EQ(metered.identity(), toy.identity());
}

// The hunt scores only the rows it needs; those rows must be the ones a full scoring
// pass gives, bit for bit, at every precision.
TEST(EmbeddedScoring, RowsFromAnyStartEqualTheFullPass) {
  auto file = std::shared_ptr<const GgufFile>(GgufFile::open(pd::test::source_path("data/models/stories260K.gguf")));
  for (const char* plan : {"f32", "q4_0", "q8_0"}) {
    EmbeddedOptions options;
    options.threads = 2;
    EmbeddedBackend backend(file, VariantSpec::parse(plan, "--cand"), options);
    const std::vector<int32_t> tokens = backend.prompt_tokens("Once upon a time there was a little cat who", false);
    const LogprobRows all = backend.score(tokens, 0);
    ASSERT_EQ(all.n_rows, static_cast<int64_t>(tokens.size()));
    for (int64_t from : {int64_t(1), int64_t(tokens.size()) / 2, int64_t(tokens.size()) - 1}) {
      const LogprobRows part = backend.score(tokens, from);
      ASSERT_EQ(part.n_rows, static_cast<int64_t>(tokens.size()) - from) << plan;
      for (int64_t r = 0; r < part.n_rows; ++r) {
        for (int64_t v = 0; v < part.n_vocab; ++v) {
          ASSERT_EQ(part.row(r)[v], all.row(from + r)[v]) << plan << " from " << from << " row " << r;
        }
      }
    }
  }
}

// The engine keeps the last sequence's KV cache and evaluates only what follows the
// common prefix: rows and generations must be bit-identical to a fresh engine's, and the
// meter's charge must be exactly the engine's own count.
TEST(EmbeddedScoring, PrefixReuseChangesNoBitAndTheMeterChargesWhatTheEngineDid) {
  auto file = std::shared_ptr<const GgufFile>(GgufFile::open(pd::test::source_path("data/models/stories260K.gguf")));
  EmbeddedOptions options;
  options.threads = 2;
  EmbeddedBackend reused(file, VariantSpec::parse("q8_0", "--cand"), options);
  MeteredBackend metered(reused);
  auto tokens_of = [&](const char* text) { return reused.prompt_tokens(text, false); };
  const std::vector<std::vector<int32_t>> sequences = {
      tokens_of("Once upon a time there was a little cat who"), tokens_of("Once upon a time there was a big dog"),
      tokens_of("Once upon a time there was a big dog that ran"), tokens_of("Lily liked the sun")};
  GenerationParams params;
  params.max_tokens = 6;
  for (int round = 0; round < 2; ++round) {
    for (const std::vector<int32_t>& tokens : sequences) {
      const int64_t from = round == 0 ? int64_t(tokens.size()) / 2 : int64_t(tokens.size()) - 1;
      const LogprobRows got = metered.score(tokens, from);
      EmbeddedBackend fresh(file, VariantSpec::parse("q8_0", "--cand"), options);
      const LogprobRows want = fresh.score(tokens, from);
      ASSERT_EQ(got.values, want.values) << "score from " << from;
      const Generation g = metered.generate(tokens, params);
      EmbeddedBackend fresh_gen(file, VariantSpec::parse("q8_0", "--cand"), options);
      const Generation w = fresh_gen.generate(tokens, params);
      ASSERT_EQ(g.tokens, w.tokens);
      ASSERT_EQ(g.logprobs, w.logprobs);
    }
  }
  EXPECT_EQ(metered.cost().tokens, reused.tokens_processed());
  uint64_t without_reuse = 0;
  for (const std::vector<int32_t>& tokens : sequences) without_reuse += 2 * (2 * tokens.size() + params.max_tokens);
  EXPECT_LT(reused.tokens_processed(), without_reuse);  // the reuse did happen
}

}  // namespace
}  // namespace pd::hunt

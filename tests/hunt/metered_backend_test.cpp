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
  EXPECT_EQ(metered.cost().tokens, 5u + 5u + 2u);
  EXPECT_EQ(metered.cost().passes, 1u + 2u);
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

}  // namespace
}  // namespace pd::hunt

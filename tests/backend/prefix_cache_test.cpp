#include "backend/prefix_cache.h"

#include <gtest/gtest.h>

namespace pd {
namespace {

TEST(PrefixCache, KeepsTheCommonPrefixUpToTheFirstRowNeeded) {
  PrefixCache cache;
  EXPECT_EQ(cache.kept_for_scoring({1, 2, 3}, 2), 0);  // empty
  cache.hold({1, 2, 3, 4});
  EXPECT_EQ(cache.kept_for_scoring({1, 2, 3, 4}, 3), 3);   // rows from 3 on: evaluate 3
  EXPECT_EQ(cache.kept_for_scoring({1, 2, 3, 4}, 0), 0);   // every row wanted
  EXPECT_EQ(cache.kept_for_scoring({1, 2, 9, 4, 5}, 4), 2);
  EXPECT_EQ(cache.kept_for_scoring({1, 2}, 5), 2);         // shorter than the cache
  EXPECT_EQ(cache.kept_for_generation({1, 2, 3, 4}), 3);   // the last prompt token gives the logits
  cache.clear();
  EXPECT_EQ(cache.kept_for_generation({1, 2, 3, 4}), 0);
}

TEST(PrefixCache, AGenerationLeavesThePromptAndAllButTheLastGeneratedToken) {
  PrefixCache cache;
  Generation g;
  g.prompt = {1, 2};
  cache.hold_generation(g);  // nothing generated: the prompt was evaluated
  EXPECT_EQ(cache.tokens(), (std::vector<int32_t>{1, 2}));
  g.tokens = {7, 8, 9};
  cache.hold_generation(g);
  EXPECT_EQ(cache.tokens(), (std::vector<int32_t>{1, 2, 7, 8}));
}

}  // namespace
}  // namespace pd

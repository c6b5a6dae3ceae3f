#include "core/xoshiro.h"

#include <gtest/gtest.h>

#include <vector>

namespace pd {
namespace {

// Reference values computed independently from the published algorithms.
TEST(Xoshiro256, MatchesTheReferenceSequence) {
  Xoshiro256 rng({1, 2, 3, 4});
  const std::vector<uint64_t> expected = {11520ull, 0ull, 1509978240ull, 1215971899390074240ull,
                                          1216172134540287360ull, 607988272756665600ull};
  for (uint64_t e : expected) EXPECT_EQ(rng.next(), e);
}

TEST(Splitmix64, MatchesTheReferenceOutputs) {
  EXPECT_EQ(splitmix64_mix(0), 16294208416658607535ull);
  EXPECT_EQ(splitmix64_mix(1234567), 6457827717110365317ull);
  uint64_t state = 0;
  EXPECT_EQ(splitmix64_next(state), 16294208416658607535ull);
  EXPECT_EQ(state, 0x9e3779b97f4a7c15ull);
}

TEST(Xoshiro256, BelowIsInRangeAndSaveRestoreRepeats) {
  Xoshiro256 rng({5, 6, 7, 8});
  std::vector<int> counts(7, 0);
  for (int i = 0; i < 7000; ++i) ++counts[rng.below(7)];
  for (int c : counts) EXPECT_NEAR(c, 1000, 150);
  const auto saved = rng.state();
  const uint64_t a = rng.next();
  rng.set_state(saved);
  EXPECT_EQ(rng.next(), a);
  for (int i = 0; i < 1000; ++i) {
    const double u = rng.uniform();
    EXPECT_GE(u, 0.0);
    EXPECT_LT(u, 1.0);
  }
}

}  // namespace
}  // namespace pd

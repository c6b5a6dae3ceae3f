// Sampling: greedy choice, determinism from a seed, each filter's effect, and that the
// draws follow the intended distribution.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

#include "core/error.h"
#include "model/rng.h"
#include "model/sampler.h"

namespace pd {
namespace {

SamplingParams sampling(float temperature, int top_k = 0, float top_p = 1.0f, float min_p = 0.0f,
                        uint64_t seed = 42) {
  SamplingParams p;
  p.greedy = false;
  p.temperature = temperature;
  p.top_k = top_k;
  p.top_p = top_p;
  p.min_p = min_p;
  p.seed = seed;
  return p;
}

std::map<int32_t, int> histogram(const SamplingParams& params, const std::vector<float>& logits,
                                 int draws) {
  Sampler sampler(params);
  std::map<int32_t, int> counts;
  for (int i = 0; i < draws; ++i) ++counts[sampler.sample(logits.data(), static_cast<int64_t>(logits.size()))];
  return counts;
}

TEST(Rng, FixedSequenceAndUniformRange) {
  Rng a(7), b(7), c(8);
  const uint64_t first = a.next();
  EXPECT_EQ(first, b.next());
  EXPECT_NE(first, c.next());
  Rng u(1);
  double mean = 0;
  for (int i = 0; i < 10000; ++i) {
    const double x = u.uniform();
    ASSERT_GE(x, 0.0);
    ASSERT_LT(x, 1.0);
    mean += x / 10000;
  }
  EXPECT_NEAR(mean, 0.5, 0.02);
}

TEST(Sampler, GreedyTakesArgmaxLowestIdOnTies) {
  const std::vector<float> logits = {0.5f, 2.0f, -1.0f, 2.0f, NAN};
  Sampler greedy(SamplingParams{});
  EXPECT_EQ(greedy.sample(logits.data(), 5), 1);
  const std::vector<float> nan_first = {NAN, -5.0f, -4.0f};
  EXPECT_EQ(argmax(nan_first.data(), 3), 2);
}

// The one-pass scan argmax replaced: the first index whose logit beats the best so far,
// moving on from a NaN best.
int32_t argmax_one_pass(const float* logits, int64_t n) {
  int32_t best = 0;
  for (int64_t i = 1; i < n; ++i) {
    if (logits[i] > logits[best] || std::isnan(logits[best])) best = static_cast<int32_t>(i);
  }
  return best;
}

TEST(Sampler, ArgmaxMatchesTheOnePassScanOnHostileRows) {
  Rng rng(7);
  const float specials[] = {NAN, INFINITY, -INFINITY, 0.0f, -0.0f, 1.0f, -1.0f};
  for (int64_t n : {1, 2, 15, 16, 17, 31, 33, 100, 32000}) {
    for (int trial = 0; trial < 40; ++trial) {
      std::vector<float> row(static_cast<size_t>(n));
      // Few distinct values, so ties are common; some rows all NaN or NaN-led.
      for (float& x : row) {
        const double u = rng.uniform();
        x = u < 0.2 ? specials[static_cast<size_t>(rng.uniform() * 7)] : static_cast<float>(static_cast<int>(u * 8));
      }
      if (trial % 10 == 1) std::fill(row.begin(), row.end(), NAN);
      if (trial % 10 == 2) std::fill(row.begin(), row.begin() + (n + 1) / 2, NAN);
      ASSERT_EQ(argmax(row.data(), n), argmax_one_pass(row.data(), n)) << "n " << n << " trial " << trial;
    }
  }
  EXPECT_EQ(argmax(nullptr, 0), 0);
}

TEST(Sampler, SameSeedSameTokens) {
  const std::vector<float> logits = {0.1f, 0.2f, 0.3f, 0.0f, -0.5f, 0.25f};
  Sampler a(sampling(1.0f, 0, 1.0f, 0.0f, 123)), b(sampling(1.0f, 0, 1.0f, 0.0f, 123)),
      c(sampling(1.0f, 0, 1.0f, 0.0f, 124));
  std::vector<int32_t> sa, sb, sc;
  for (int i = 0; i < 50; ++i) {
    sa.push_back(a.sample(logits.data(), 6));
    sb.push_back(b.sample(logits.data(), 6));
    sc.push_back(c.sample(logits.data(), 6));
  }
  EXPECT_EQ(sa, sb);
  EXPECT_NE(sa, sc);
}

TEST(Sampler, DrawsFollowTheSoftmax) {
  const std::vector<float> logits = {std::log(0.5f), std::log(0.3f), std::log(0.2f)};
  const int draws = 20000;
  const auto counts = histogram(sampling(1.0f), logits, draws);
  EXPECT_NEAR(counts.at(0) / double(draws), 0.5, 0.015);
  EXPECT_NEAR(counts.at(1) / double(draws), 0.3, 0.015);
  EXPECT_NEAR(counts.at(2) / double(draws), 0.2, 0.015);
  // Temperature 0.5 squares the ratios: 25 : 9 : 4.
  const auto sharp = histogram(sampling(0.5f), logits, draws);
  EXPECT_NEAR(sharp.at(0) / double(draws), 25.0 / 38, 0.015);
  EXPECT_NEAR(sharp.at(2) / double(draws), 4.0 / 38, 0.015);
}

TEST(Sampler, FiltersRemoveTheTail) {
  const std::vector<float> logits = {std::log(0.4f), std::log(0.3f), std::log(0.2f), std::log(0.1f)};
  // top-k 2 keeps tokens 0 and 1 (renormalized 4:3).
  auto k2 = histogram(sampling(1.0f, 2), logits, 5000);
  EXPECT_EQ(k2.count(2) + k2.count(3), 0u);
  EXPECT_NEAR(k2.at(0) / 5000.0, 4.0 / 7, 0.03);
  // top-p 0.65 keeps the smallest set reaching 0.65: tokens 0 and 1.
  auto p65 = histogram(sampling(1.0f, 0, 0.65f), logits, 5000);
  EXPECT_EQ(p65.count(2) + p65.count(3), 0u);
  EXPECT_GT(p65.count(1), 0u);
  // min-p 0.6: token probabilities relative to the top one are 1, .75, .5, .25.
  auto m = histogram(sampling(1.0f, 0, 1.0f, 0.6f), logits, 5000);
  EXPECT_EQ(m.count(2) + m.count(3), 0u);
  // top-k 1 is greedy whatever the temperature.
  auto k1 = histogram(sampling(5.0f, 1), logits, 200);
  EXPECT_EQ(k1.at(0), 200);
}

TEST(Sampler, RejectsBadParameters) {
  EXPECT_THROW(Sampler(sampling(0.0f)), Error);
  EXPECT_THROW(Sampler(sampling(-1.0f)), Error);
  EXPECT_THROW(Sampler(sampling(1.0f, -1)), Error);
  EXPECT_THROW(Sampler(sampling(1.0f, 0, 0.0f)), Error);
  EXPECT_THROW(Sampler(sampling(1.0f, 0, 1.5f)), Error);
  EXPECT_THROW(Sampler(sampling(1.0f, 0, 1.0f, 2.0f)), Error);
  EXPECT_NO_THROW(Sampler(SamplingParams{}));
}

}  // namespace
}  // namespace pd

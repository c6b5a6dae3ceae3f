// The paired score interval for a drop in rate (Tango 1998).

#include "suite/paired_stats.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace pd::suite {
namespace {

constexpr double kZ95 = 1.959963984540054, kZ90 = 1.6448536269514722;

PairedCounts table(uint64_t n, uint64_t lost, uint64_t gained, uint64_t both = 0) {
  PairedCounts t;
  t.n = n;
  t.lost = lost;
  t.gained = gained;
  t.base = both + lost;
  t.cand = both + gained;
  return t;
}

TEST(PairedStats, NoFlipsGiveTheClosedForm) {
  // With no discordant item the score bound solves n d / (1 - d) = z^2.
  for (uint64_t n : {1, 5, 30, 60, 200, 5000}) {
    const double expected = kZ90 * kZ90 / (static_cast<double>(n) + kZ90 * kZ90);
    EXPECT_NEAR(paired_drop_upper(table(n, 0, 0, n / 2)), expected, 1e-9) << n;
    EXPECT_NEAR(paired_drop_lower(table(n, 0, 0, n / 2)), -expected, 1e-9) << n;
  }
}

TEST(PairedStats, BoundsSolveTheScoreEquation) {
  for (auto [n, b, c] : std::vector<std::tuple<uint64_t, uint64_t, uint64_t>>{
           {100, 3, 0}, {100, 10, 4}, {60, 9, 0}, {40, 0, 6}, {250, 30, 28}, {12, 12, 0}}) {
    const PairedCounts t = table(n, b, c);
    const Interval i = paired_drop_interval(t, kZ95);
    const double observed = paired_drop(t);
    EXPECT_LE(i.low, observed + 1e-12);
    EXPECT_GE(i.high, observed - 1e-12);
    if (i.high < 1.0) {
      EXPECT_NEAR(tango_score(t, i.high), -kZ95, 1e-6) << n << " " << b << " " << c;
    }
    if (i.low > -1.0) {
      EXPECT_NEAR(tango_score(t, i.low), kZ95, 1e-6) << n << " " << b << " " << c;
    }
    EXPECT_GE(i.low, -1.0);
    EXPECT_LE(i.high, 1.0);
  }
}

TEST(PairedStats, HandComputedBound) {
  // 3 lost, none gained, n = 100: q = 0, so (100 d - 3)^2 = z^2 100 d (1 - d) gives
  // d = (600 + 100 z^2 + sqrt((600 + 100 z^2)^2 - 4 (10000 + 100 z^2) 9)) / (2 (10000 + 100 z^2)).
  const double z2 = kZ90 * kZ90;
  const double a = 10000 + 100 * z2, bq = 600 + 100 * z2;
  const double expected = (bq + std::sqrt(bq * bq - 4 * a * 9)) / (2 * a);
  EXPECT_NEAR(paired_drop_upper(table(100, 3, 0, 60)), expected, 1e-9);
  EXPECT_NEAR(expected, 0.0727, 1e-3);
}

TEST(PairedStats, SymmetricUnderSwappingDirections) {
  const Interval a = paired_drop_interval(table(80, 7, 2), kZ95);
  const Interval b = paired_drop_interval(table(80, 2, 7), kZ95);
  EXPECT_NEAR(a.low, -b.high, 1e-9);
  EXPECT_NEAR(a.high, -b.low, 1e-9);
}

TEST(PairedStats, MoreItemsNarrowTheInterval) {
  double previous = 1.0;
  for (uint64_t scale : {1, 2, 4, 8, 16}) {
    const Interval i = paired_drop_interval(table(50 * scale, 5 * scale, 1 * scale), kZ95);
    EXPECT_LT(i.high - i.low, previous);
    previous = i.high - i.low;
  }
}

TEST(PairedStats, EmptyTableIsUninformative) {
  const Interval i = paired_drop_interval(table(0, 0, 0), kZ95);
  EXPECT_EQ(i.low, -1.0);
  EXPECT_EQ(i.high, 1.0);
}

TEST(PairedStats, OneSidedBoundCoversTheTrueDrop) {
  // Simulated paired data with a true drop of 4 pp (6 % lost, 2 % gained): the one-sided
  // 95 % upper bound should lie above the truth in about 95 % of samples.
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> u(0, 1);
  const int trials = 2000;
  const uint64_t n = 150;
  int covered = 0;
  for (int t = 0; t < trials; ++t) {
    PairedCounts c;
    c.n = n;
    for (uint64_t i = 0; i < n; ++i) {
      const double x = u(rng);
      if (x < 0.06) ++c.lost;
      else if (x < 0.08) ++c.gained;
    }
    covered += paired_drop_upper(c) >= 0.04;
  }
  const double coverage = static_cast<double>(covered) / trials;
  EXPECT_GT(coverage, 0.93);
  EXPECT_LT(coverage, 0.99);
}

}  // namespace
}  // namespace pd::suite

// A run's share of the bandwidth against readings on both sides of it.

#include "core/bracketed_fraction.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace pd {
namespace {

TEST(BracketedFraction, EachRunIsJudgedAgainstTheMeanOfItsTwoReadings) {
  // Readings 50, 50, 30 around runs of 40 and 27 GB/s: the first run sits in one spell
  // (50 before, 50 after), the second straddles two (50 before, 30 after).
  const BracketedFractions f = bracketed_fractions({40, 27}, {50, 50, 30});
  ASSERT_EQ(f.fractions.size(), 2u);
  EXPECT_DOUBLE_EQ(f.fractions[0], 40.0 / 50.0);
  EXPECT_DOUBLE_EQ(f.fractions[1], 27.0 / 40.0);
  EXPECT_TRUE(f.steady[0]);
  EXPECT_FALSE(f.steady[1]);
  // Only the steady run counts.
  EXPECT_EQ(f.steady_runs, 1u);
  EXPECT_DOUBLE_EQ(f.median, 0.8);
}

TEST(BracketedFraction, TheToleranceIsAShareOfTheLargerReading) {
  // 10 % of 50 is 5: 45 and 50 agree, 44.9 and 50 do not.
  EXPECT_TRUE(bracketed_fractions({40}, {45, 50}).steady[0]);
  EXPECT_TRUE(bracketed_fractions({40}, {50, 45}).steady[0]);
  EXPECT_FALSE(bracketed_fractions({40}, {44.9, 50}).steady[0]);
}

TEST(BracketedFraction, MedianOfSteadyRunsElseOfAll) {
  // Three steady runs (0.9, 0.7, 0.8) and one that straddles spells (0.2).
  const BracketedFractions some = bracketed_fractions({45, 35, 40, 8}, {50, 50, 50, 50, 30});
  EXPECT_EQ(some.steady_runs, 3u);
  EXPECT_DOUBLE_EQ(some.median, 0.8);
  // No steady run: the median of all, and the count says so.
  const BracketedFractions none = bracketed_fractions({30, 20}, {60, 30, 60});
  EXPECT_EQ(none.steady_runs, 0u);
  EXPECT_DOUBLE_EQ(none.median, 0.5 * (30.0 / 45.0 + 20.0 / 45.0));
}

TEST(BracketedFraction, RejectsReadingsThatDoNotBracketTheRuns) {
  EXPECT_THROW(bracketed_fractions({40}, {50}), std::invalid_argument);
  EXPECT_THROW(bracketed_fractions({40, 40}, {50, 50}), std::invalid_argument);
  EXPECT_THROW(bracketed_fractions({}, {50}), std::invalid_argument);
  EXPECT_THROW(bracketed_fractions({40}, {50, 0}), std::invalid_argument);
}

TEST(BracketedFraction, MedianOfEvenAndOddCounts) {
  EXPECT_DOUBLE_EQ(median_of({3, 1, 2}), 2);
  EXPECT_DOUBLE_EQ(median_of({4, 1, 3, 2}), 2.5);
  EXPECT_DOUBLE_EQ(median_of({}), 0);
}

}  // namespace
}  // namespace pd

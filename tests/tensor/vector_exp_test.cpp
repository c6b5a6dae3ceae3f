// The vector exponential and the loops built on it (tensor/vector_exp.h).

#include "tensor/vector_exp.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "core/cpu_features.h"

namespace pd {
namespace {

uint32_t bits_of(float f) {
  uint32_t b;
  std::memcpy(&b, &f, sizeof b);
  return b;
}

// Distance in ulps between two positive floats.
int64_t ulps_apart(float a, float b) {
  return std::llabs(static_cast<int64_t>(bits_of(a)) - static_cast<int64_t>(bits_of(b)));
}

// Within 2 ulps of e^x (llama.cpp's routine claims 1.5) over the normal range, and it
// differs from the C library's expf somewhere (it is a different function, not a
// wrapper).
TEST(VectorExp, WithinTwoUlpsOfTheExponential) {
  int64_t worst = 0;
  int64_t differ = 0;
  for (float x = -87.0f; x < 88.0f; x += 0.0137f) {
    const float exact = static_cast<float>(std::exp(static_cast<double>(x)));
    worst = std::max(worst, ulps_apart(vector_exp(x), exact));
    differ += vector_exp(x) != std::exp(x);
  }
  EXPECT_LE(worst, 2);
  EXPECT_GT(differ, 0);
  EXPECT_EQ(vector_exp(0.0f), 1.0f);
}

TEST(VectorExp, SpecialValues) {
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(vector_exp(-inf), 0.0f);
  EXPECT_EQ(vector_exp(inf), inf);
  EXPECT_EQ(vector_exp(-200.0f), 0.0f);
  EXPECT_EQ(vector_exp(100.0f), inf);
  EXPECT_TRUE(std::isnan(vector_exp(std::numeric_limits<float>::quiet_NaN())));
  // Subnormal results: one rounding of the scaled polynomial, never 0 too early.
  EXPECT_GT(vector_exp(-100.0f), 0.0f);
  EXPECT_LT(vector_exp(-100.0f), std::numeric_limits<float>::min());
}

std::vector<float> random_row(int64_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.0f, 4.0f);
  std::vector<float> row(static_cast<size_t>(n));
  for (float& v : row) v = normal(rng);
  return row;
}

// SiLU: the vector exponential for whole groups of 16, expf for the rest (llama.cpp's
// vector loop and its scalar tail).
TEST(VectorExp, SiluTakesTheVectorExpForWholeGroupsOnly) {
  const std::vector<float> x = random_row(37, 1);
  std::vector<float> y(x.size());
  silu_row(x.data(), y.data(), 37);
  for (int64_t i = 0; i < 37; ++i) {
    const float e = i < 32 ? vector_exp(-x[i]) : std::exp(-x[i]);
    EXPECT_EQ(bits_of(y[i]), bits_of(x[i] / (1.0f + e))) << i;
  }
}

// The sum of a shifted row: groups of 16 added pairwise, groups summed in double.
TEST(VectorExp, ShiftedRowSumsGroupsPairwise) {
  // Lane 0 + lane 8 first loses the small value; a running sum would keep it.
  std::vector<float> x(16, -std::numeric_limits<float>::infinity());
  x[0] = std::log(1.0e8f);
  x[8] = 0.0f;
  x[4] = std::log(1.0e8f);
  std::vector<float> y = x;
  const double sum = shifted_exp_row(y.data(), 16, 0.0f);
  EXPECT_EQ(sum, static_cast<double>(2 * vector_exp(x[0])));
  EXPECT_EQ(y[8], 1.0f);
  EXPECT_EQ(y[1], 0.0f);
  // Two groups: their sums meet in double, so the small one survives there.
  std::vector<float> z(32, -std::numeric_limits<float>::infinity());
  z[0] = std::log(1.0e8f);
  z[16] = 0.0f;
  EXPECT_EQ(shifted_exp_row(z.data(), 32, 0.0f), static_cast<double>(vector_exp(std::log(1.0e8f))) + 1.0);
}

// The vector loops (eight values at once) and the portable ones give the same bits,
// also where the vector code hands a group to the scalar one (results out of the normal
// range, infinities, NaN).
TEST(VectorExp, SameBitsWithAndWithoutFmaInstructions) {
  if (best_isa() < Isa::Avx2) GTEST_SKIP() << "this CPU lacks AVX2/FMA";
  ActiveIsaScope scope;
  const float extremes[] = {-100.0f, 95.0f, -87.9f, 88.5f, std::numeric_limits<float>::infinity(),
                            -std::numeric_limits<float>::infinity(),
                            std::numeric_limits<float>::quiet_NaN()};
  for (int64_t n : {1, 15, 16, 17, 100, 1000, 1001}) {
    std::vector<float> x = random_row(n, 10 + static_cast<uint64_t>(n));
    if (n == 1001) {
      for (int64_t i = 0; i < n; i += 37) x[i] = extremes[(i / 37) % 7];
    }
    std::vector<float> fast(x.size()), portable(x.size());
    set_active_isa(Isa::Avx2);
    silu_row(x.data(), fast.data(), n);
    std::vector<float> fast_exp = x;
    const double fast_sum = shifted_exp_row(fast_exp.data(), n, 1.5f);
    set_active_isa(Isa::Scalar);
    silu_row(x.data(), portable.data(), n);
    std::vector<float> portable_exp = x;
    const double portable_sum = shifted_exp_row(portable_exp.data(), n, 1.5f);
    EXPECT_EQ(std::memcmp(fast.data(), portable.data(), fast.size() * sizeof(float)), 0) << n;
    EXPECT_EQ(std::memcmp(fast_exp.data(), portable_exp.data(), fast_exp.size() * sizeof(float)), 0) << n;
    EXPECT_TRUE(fast_sum == portable_sum || (std::isnan(fast_sum) && std::isnan(portable_sum))) << n;
  }
}

}  // namespace
}  // namespace pd

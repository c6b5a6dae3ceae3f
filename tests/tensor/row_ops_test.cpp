// Element-wise row operations (tensor/row_ops.h): vector and scalar code, same bits.

#include "tensor/row_ops.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "core/cpu_features.h"

namespace pd {
namespace {

std::vector<float> random_row(int64_t n, std::mt19937_64& rng) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> row(static_cast<size_t>(n));
  for (float& v : row) v = normal(rng);
  return row;
}

TEST(RowOps, FusedAddIsOneRoundingPerElement) {
  const std::vector<float> row = {1.0f + 0x1p-23f, 3.0f};
  std::vector<float> acc = {-1.0f, 0.5f};
  fused_add_scaled_row(1.0f - 0x1p-23f, row.data(), acc.data(), 2);
  EXPECT_EQ(acc[0], std::fma(1.0f - 0x1p-23f, row[0], -1.0f));
  EXPECT_EQ(acc[0], -0x1p-46f);  // two roundings would give 0
  EXPECT_EQ(acc[1], std::fma(1.0f - 0x1p-23f, 3.0f, 0.5f));
}

TEST(RowOps, VectorAndScalarCodeGiveTheSameBits) {
  if (best_isa() < Isa::Avx2) GTEST_SKIP() << "this CPU lacks AVX2/FMA";
  ActiveIsaScope scope;
  std::mt19937_64 rng(7);
  for (int64_t n : {1, 7, 8, 9, 64, 100}) {
    const std::vector<float> row = random_row(n, rng);
    const std::vector<float> start = random_row(n, rng);
    std::vector<float> vector_acc = start, scalar_acc = start;
    set_active_isa(Isa::Avx2);
    fused_add_scaled_row(0.37f, row.data(), vector_acc.data(), n);
    add_row(row.data(), vector_acc.data(), n);
    set_active_isa(Isa::Scalar);
    fused_add_scaled_row(0.37f, row.data(), scalar_acc.data(), n);
    add_row(row.data(), scalar_acc.data(), n);
    EXPECT_EQ(std::memcmp(vector_acc.data(), scalar_acc.data(), n * sizeof(float)), 0) << n;
    for (int64_t i = 0; i < n; ++i) EXPECT_EQ(scalar_acc[i], std::fma(0.37f, row[i], start[i]) + row[i]);
  }
}

}  // namespace
}  // namespace pd

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

// The sixteen lane chains run one after another give the bits of adding the rows in
// turn, for every length (multiples of 16 on the AVX-512 path, others on the fallback)
// and every count around the sixteen lanes, with the rows spaced apart as in a cache.
TEST(RowOps, SixteenLaneChainsEqualRowByRowAdds) {
  std::mt19937 rng(13);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (int64_t n : {16, 32, 48, 64, 80, 96, 128, 200, 7}) {
    for (int64_t count : {1, 2, 15, 16, 17, 33, 100}) {
      const int64_t stride = n + 3;
      std::vector<float> rows(static_cast<size_t>(count * stride)), scales(static_cast<size_t>(count));
      std::vector<float> lanes(static_cast<size_t>(16 * n));
      for (float& v : rows) v = normal(rng);
      for (float& v : scales) v = normal(rng);
      for (float& v : lanes) v = normal(rng);
      std::vector<float> expected = lanes;
      for (int64_t j = 0; j < count; ++j) {
        fused_add_scaled_row(scales[j], rows.data() + j * stride, expected.data() + (j % 16) * n, n);
      }
      fused_add_scaled_rows_in_sixteen_lanes(scales.data(), rows.data(), stride, count, n, lanes.data());
      EXPECT_EQ(0, std::memcmp(expected.data(), lanes.data(), lanes.size() * sizeof(float)))
          << "n " << n << " count " << count;
    }
  }
}

}  // namespace
}  // namespace pd

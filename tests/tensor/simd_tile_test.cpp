#include "tensor/simd_tile.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "tensor/activation_quant.h"
#include "tensor/simd_dot.h"

namespace pd {
namespace {

// Random weight rows of `type` (stored bytes) and activation rows rounded to it.
struct Problem {
  int64_t n, rows, tokens;
  std::vector<uint8_t> weights;
  std::vector<uint8_t> stored_activations;  // in the type, for the single-row kernel
  std::vector<float> activations;           // the same values widened, for the tile
};

Problem make_problem(TensorType type, int64_t n, int64_t rows, int64_t tokens, uint32_t seed) {
  const TypeTraits& traits = type_traits(type);
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  Problem p{n, rows, tokens, {}, {}, {}};
  const size_t row_bytes = static_cast<size_t>(n) * traits.block_bytes / traits.block_size;
  std::vector<float> values(static_cast<size_t>(n));
  p.weights.resize(row_bytes * rows);
  for (int64_t r = 0; r < rows; ++r) {
    for (float& v : values) v = normal(rng) * (rng() % 50 == 0 ? 1e4f : 1.0f);
    quantize_activation_row(type, values.data(), p.weights.data() + r * row_bytes, n);
  }
  p.stored_activations.resize(row_bytes * tokens);
  p.activations.resize(static_cast<size_t>(n * tokens));
  for (int64_t t = 0; t < tokens; ++t) {
    for (float& v : values) v = normal(rng);
    uint8_t* stored = p.stored_activations.data() + t * row_bytes;
    quantize_activation_row(type, values.data(), stored, n);
    traits.to_float(stored, p.activations.data() + t * n, n);
  }
  return p;
}

void expect_tile_equals_single_rows(TensorType type, int64_t n, int64_t rows, int64_t tokens) {
  const FloatTileFn tile = avx512_float_tile(type);
  const VecDotFn single = avx512_vec_dot(type);
  ASSERT_NE(single, nullptr);
  const Problem p = make_problem(type, n, rows, tokens, static_cast<uint32_t>(n * 31 + rows * 7 + tokens));
  const size_t row_bytes = p.weights.size() / static_cast<size_t>(rows);
  // y has room beyond `rows` per token: the tile must write only its own columns.
  const int64_t y_stride = rows + 3;
  std::vector<float> y(static_cast<size_t>(y_stride * tokens), -7.0f);
  tile(n, p.weights.data(), row_bytes, rows, p.activations.data(), tokens, y.data(), y_stride);
  for (int64_t t = 0; t < tokens; ++t) {
    for (int64_t r = 0; r < rows; ++r) {
      const float expected = single(n, p.weights.data() + r * row_bytes, p.stored_activations.data() + t * row_bytes);
      const float actual = y[t * y_stride + r];
      ASSERT_EQ(0, std::memcmp(&expected, &actual, sizeof actual))
          << type_name(type) << " n=" << n << " rows=" << rows << " tokens=" << tokens << " at r=" << r
          << " t=" << t << ": " << expected << " vs " << actual;
    }
    for (int64_t r = rows; r < y_stride; ++r) ASSERT_EQ(y[t * y_stride + r], -7.0f);
  }
}

TEST(SimdTile, EveryElementHasTheSingleRowKernelsBits) {
  if (avx512_float_tile(TensorType::F32) == nullptr) GTEST_SKIP() << "no AVX-512";
  for (const TensorType type : {TensorType::F32, TensorType::F16}) {
    for (const int64_t n : {16, 48, 256, 1024, 2816}) {
      for (const int64_t rows : {1, 3, 4, 9}) {
        for (const int64_t tokens : {1, 2, 5, 6, 7, 13, 70}) {
          expect_tile_equals_single_rows(type, n, rows, tokens);
        }
      }
    }
  }
}

TEST(SimdTile, OnlyFloatTypesHaveTiles) {
  EXPECT_EQ(avx512_float_tile(TensorType::Q8_0), nullptr);
  EXPECT_EQ(avx512_float_tile(TensorType::BF16), nullptr);
}

}  // namespace
}  // namespace pd

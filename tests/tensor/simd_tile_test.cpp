#include "tensor/simd_tile.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "tensor/activation_quant.h"
#include "tensor/quant_legacy.h"
#include "tensor/simd_dot.h"

namespace pd {
namespace {

// Random weight rows of `type` (stored bytes) and activation rows converted to it.
struct Problem {
  int64_t n, rows, tokens;
  std::vector<uint8_t> weights;
  std::vector<uint8_t> stored_activations;  // in the type (its own vec_dot_type)
};

Problem make_problem(TensorType type, int64_t n, int64_t rows, int64_t tokens, uint32_t seed) {
  const TypeTraits& traits = type_traits(type);
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  Problem p{n, rows, tokens, {}, {}};
  const size_t row_bytes = static_cast<size_t>(n) * traits.block_bytes / traits.block_size;
  std::vector<float> values(static_cast<size_t>(n));
  p.weights.resize(row_bytes * rows);
  for (int64_t r = 0; r < rows; ++r) {
    for (float& v : values) v = normal(rng) * (rng() % 50 == 0 ? 1e4f : 1.0f);
    quantize_activation_row(type, values.data(), p.weights.data() + r * row_bytes, n);
  }
  p.stored_activations.resize(row_bytes * tokens);
  for (int64_t t = 0; t < tokens; ++t) {
    for (float& v : values) v = normal(rng);
    quantize_activation_row(type, values.data(), p.stored_activations.data() + t * row_bytes, n);
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
  tile(n, p.weights.data(), row_bytes, rows, p.stored_activations.data(), tokens, y.data(), y_stride);
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

TEST(SimdTile, OnlyFloatTypesHaveFloatTiles) {
  EXPECT_EQ(avx512_float_tile(TensorType::Q8_0), nullptr);
  EXPECT_EQ(avx512_float_tile(TensorType::BF16), nullptr);
}

// Weights of a block type (reference quantizer) and Q8_0 activations (the CPU
// backend's conversion), with a share of large values so that scales vary.
struct BlockProblem {
  std::vector<uint8_t> weights, activations;
  size_t row_bytes = 0, activation_bytes = 0;
};

BlockProblem make_block_problem(TensorType type, int64_t n, int64_t rows, int64_t tokens, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  BlockProblem p;
  p.row_bytes = static_cast<size_t>(n / 32) * type_traits(type).block_bytes;
  p.activation_bytes = static_cast<size_t>(n / 32) * type_traits(TensorType::Q8_0).block_bytes;
  std::vector<float> values(static_cast<size_t>(n));
  p.weights.resize(p.row_bytes * rows);
  for (int64_t r = 0; r < rows; ++r) {
    for (float& v : values) v = normal(rng) * (rng() % 40 == 0 ? 30.0f : 1.0f);
    type_traits(type).quantize_ref(values.data(), p.weights.data() + r * p.row_bytes, n);
  }
  p.activations.resize(p.activation_bytes * tokens);
  for (int64_t t = 0; t < tokens; ++t) {
    for (float& v : values) v = normal(rng) * (rng() % 40 == 0 ? 30.0f : 1.0f);
    quantize_activation_row(TensorType::Q8_0, values.data(), p.activations.data() + t * p.activation_bytes, n);
  }
  return p;
}

void expect_block_tile_equals_single_rows(TensorType type, int64_t n, int64_t rows, int64_t tokens) {
  const BlockTileFn tile = avx512_block_tile(type);
  const VecDotFn single = avx512_vec_dot(type);
  ASSERT_NE(tile, nullptr);
  ASSERT_NE(single, nullptr);
  const BlockProblem p = make_block_problem(type, n, rows, tokens, static_cast<uint32_t>(n + rows * 5 + tokens * 11));
  const int64_t y_stride = rows + 2;
  std::vector<float> y(static_cast<size_t>(y_stride * tokens), -7.0f);
  const bool done = tile(n, p.weights.data(), p.row_bytes, rows, p.activations.data(), p.activation_bytes, tokens,
                         y.data(), y_stride);
  if (tokens == 1 && type != TensorType::Q4_0) {  // decode: only Q4_0 takes the tile
    ASSERT_FALSE(done);
    return;
  }
  ASSERT_TRUE(done);
  for (int64_t t = 0; t < tokens; ++t) {
    for (int64_t r = 0; r < rows; ++r) {
      const float expected =
          single(n, p.weights.data() + r * p.row_bytes, p.activations.data() + t * p.activation_bytes);
      const float actual = y[t * y_stride + r];
      ASSERT_EQ(0, std::memcmp(&expected, &actual, sizeof actual))
          << type_name(type) << " n=" << n << " rows=" << rows << " tokens=" << tokens << " at r=" << r
          << " t=" << t << ": " << expected << " vs " << actual;
    }
    for (int64_t r = rows; r < y_stride; ++r) ASSERT_EQ(y[t * y_stride + r], -7.0f);
  }
}

const TensorType kBlockTypes[] = {TensorType::Q8_0, TensorType::Q4_0, TensorType::Q5_0, TensorType::IQ4_NL};

TEST(SimdTile, EveryBlockTileElementHasTheSingleRowKernelsBits) {
  if (avx512_block_tile(TensorType::Q8_0) == nullptr) GTEST_SKIP() << "no AVX-512";
  for (const TensorType type : kBlockTypes) {
    for (const int64_t n : {64, 128, 1024, 2816}) {
      for (const int64_t rows : {1, 3, 4, 9}) {
        for (const int64_t tokens : {1, 2, 3, 4, 7, 13, 70}) expect_block_tile_equals_single_rows(type, n, rows, tokens);
      }
    }
  }
}

// Where the sign trick and the biased product differ (an activation quant of -128), and
// where the blocks do not pair up, the tile declines and writes nothing.
TEST(SimdTile, BlockTilesDeclineMinus128AndOddBlockCounts) {
  if (avx512_block_tile(TensorType::Q8_0) == nullptr) GTEST_SKIP() << "no AVX-512";
  for (const TensorType type : kBlockTypes) {
    const BlockTileFn tile = avx512_block_tile(type);
    BlockProblem p = make_block_problem(type, 256, 4, 3, 3);
    std::vector<float> y(12, -7.0f);
    auto* last_token = reinterpret_cast<BlockQ8_0*>(p.activations.data() + 2 * p.activation_bytes);
    last_token[5].qs[17] = -128;
    EXPECT_FALSE(tile(256, p.weights.data(), p.row_bytes, 4, p.activations.data(), p.activation_bytes, 3,
                      y.data(), 4));
    const BlockProblem odd = make_block_problem(type, 96, 4, 3, 4);
    EXPECT_FALSE(tile(96, odd.weights.data(), odd.row_bytes, 4, odd.activations.data(), odd.activation_bytes, 3,
                      y.data(), 4));
    for (const float v : y) EXPECT_EQ(v, -7.0f);
  }
}

}  // namespace
}  // namespace pd

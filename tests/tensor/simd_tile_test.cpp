#include "tensor/simd_tile.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "tensor/activation_quant.h"
#include "tensor/quant_legacy.h"
#include "tensor/simd_avx512.h"
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
  // The tile reads the activations as floats (exact for F16).
  std::vector<float> activations(static_cast<size_t>(n * tokens));
  type_traits(type).to_float(p.stored_activations.data(), activations.data(), n * tokens);
  tile(n, p.weights.data(), row_bytes, rows, activations.data(), tokens, y.data(), y_stride);
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
  // A long batch.
  expect_tile_equals_single_rows(TensorType::F16, 64, 5, 300);
  expect_tile_equals_single_rows(TensorType::F32, 64, 5, 300);
}

TEST(SimdTile, OnlyFloatTypesHaveFloatTiles) {
  EXPECT_EQ(avx512_float_tile(TensorType::Q8_0), nullptr);
  EXPECT_EQ(avx512_float_tile(TensorType::BF16), nullptr);
}

// Any bytes for every level, sub-block scale and min of K-quant super-blocks, and
// finite fp16 super-block scales of any exponent (Q4_K/Q5_K: d and dmin, the first two
// words; Q6_K: d, the last).
void fill_random_super_blocks(TensorType type, std::vector<uint8_t>& weights, std::mt19937& rng) {
  for (uint8_t& byte : weights) byte = static_cast<uint8_t>(rng());
  const size_t block_bytes = type_traits(type).block_bytes;
  const std::vector<size_t> scale_offsets =
      type == TensorType::Q6_K ? std::vector<size_t>{block_bytes - 2} : std::vector<size_t>{0, 2};
  for (size_t at = 0; at < weights.size(); at += block_bytes) {
    for (const size_t offset : scale_offsets) {
      const auto exponent = static_cast<uint16_t>(rng() % 31);  // 31 would be inf/NaN
      const auto half = static_cast<uint16_t>(((rng() & 1) << 15) | (exponent << 10) | (rng() & 0x3FF));
      std::memcpy(weights.data() + at + offset, &half, sizeof half);
    }
  }
}

// Weights of a block type (reference quantizer, or with kRandomBytes any levels, scales
// and mins: fill_random_super_blocks) and activations in its
// vec_dot_type (the CPU backend's conversion), with a share of large values so that
// scales vary.
enum class Weights { kQuantized, kRandomBytes };

struct BlockProblem {
  std::vector<uint8_t> weights, activations;
  size_t row_bytes = 0, activation_bytes = 0;
};

BlockProblem make_block_problem(TensorType type, int64_t n, int64_t rows, int64_t tokens, uint32_t seed,
                                Weights kind = Weights::kQuantized) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  const TensorType activation = type_traits(type).vec_dot_type;
  BlockProblem p;
  p.row_bytes = *row_bytes(type, n);
  p.activation_bytes = *row_bytes(activation, n);
  std::vector<float> values(static_cast<size_t>(n));
  p.weights.resize(p.row_bytes * rows);
  for (int64_t r = 0; r < rows; ++r) {
    for (float& v : values) v = normal(rng) * (rng() % 40 == 0 ? 30.0f : 1.0f);
    type_traits(type).quantize_ref(values.data(), p.weights.data() + r * p.row_bytes, n);
  }
  if (kind == Weights::kRandomBytes) fill_random_super_blocks(type, p.weights, rng);
  p.activations.resize(p.activation_bytes * tokens);
  for (int64_t t = 0; t < tokens; ++t) {
    for (float& v : values) v = normal(rng) * (rng() % 40 == 0 ? 30.0f : 1.0f);
    quantize_activation_row(activation, values.data(), p.activations.data() + t * p.activation_bytes, n);
  }
  return p;
}

bool is_k_type(TensorType type) {
  return type == TensorType::Q4_K || type == TensorType::Q5_K || type == TensorType::Q6_K;
}

void expect_block_tile_equals_single_rows(TensorType type, int64_t n, int64_t rows, int64_t tokens,
                                          Weights kind = Weights::kQuantized) {
  const BlockTileFn tile = avx512_block_tile(type);
  const VecDotFn single = avx512_vec_dot(type);
  ASSERT_NE(tile, nullptr);
  ASSERT_NE(single, nullptr);
  const BlockProblem p =
      make_block_problem(type, n, rows, tokens, static_cast<uint32_t>(n + rows * 5 + tokens * 11), kind);
  const int64_t y_stride = rows + 2;
  std::vector<float> y(static_cast<size_t>(y_stride * tokens), -7.0f);
  const bool done = tile(n, p.weights.data(), p.row_bytes, rows, p.activations.data(), p.activation_bytes, tokens,
                         y.data(), y_stride);
  // Decode takes any shape; a batch of Q8_0, Q5_0 or IQ4_NL needs whole block pairs.
  const bool declines = tokens > 1 && !is_k_type(type) && type != TensorType::Q4_0 && (n / 32) % 2 != 0;
  if (declines) {
    ASSERT_FALSE(done) << type_name(type) << " n=" << n << " rows=" << rows << " tokens=" << tokens;
    for (const float v : y) ASSERT_EQ(v, -7.0f);
    return;
  }
  ASSERT_TRUE(done) << type_name(type) << " n=" << n << " rows=" << rows << " tokens=" << tokens;
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
    for (const int64_t n : {64, 96, 128, 1024, 2816}) {
      for (const int64_t rows : {1, 3, 4, 9}) {
        for (const int64_t tokens : {1, 2, 3, 4, 7, 13, 70}) expect_block_tile_equals_single_rows(type, n, rows, tokens);
      }
    }
    // Decode takes every row's bytes as they are (four rows' chains at once, row j of
    // each quarter): any level, any scale.
    for (const int64_t rows : {5, 8, 9, 35}) {
      expect_block_tile_equals_single_rows(type, 1024, rows, 1, Weights::kRandomBytes);
    }
  }
}

// Decode of a token with a -128 quant: the biased decode kernels would give the exact
// products there, where the single-row kernels' sign split wraps (-(-128) is -128 in a
// byte); the tile must keep the single-row bits, so such a token takes the sign split.
TEST(SimdTile, DecodeOfATokenWithAMinus128QuantKeepsTheSingleRowBits) {
  if (avx512_block_tile(TensorType::Q8_0) == nullptr) GTEST_SKIP() << "no AVX-512";
  for (const TensorType type : {TensorType::Q8_0, TensorType::Q5_0, TensorType::IQ4_NL}) {
    const int64_t n = 1024, rows = 9;
    BlockProblem p = make_block_problem(type, n, rows, 1, 21, Weights::kRandomBytes);
    auto* token = reinterpret_cast<BlockQ8_0*>(p.activations.data());
    for (int64_t b = 0; b < n / 32; b += 3) token[b].qs[b % 32] = -128;
    const BlockTileFn tile = avx512_block_tile(type);
    const VecDotFn single = avx512_vec_dot(type);
    std::vector<float> y(static_cast<size_t>(rows));
    ASSERT_TRUE(tile(n, p.weights.data(), p.row_bytes, rows, p.activations.data(), p.activation_bytes, 1, y.data(),
                     rows));
    for (int64_t r = 0; r < rows; ++r) {
      const float expected = single(n, p.weights.data() + r * p.row_bytes, p.activations.data());
      ASSERT_EQ(0, std::memcmp(&expected, &y[r], sizeof expected)) << type_name(type) << " row " << r;
    }
    // The case is real: the biased kernel's exact products give other results here.
    const auto biased = type == TensorType::Q8_0   ? avx512::decode4_biased_q8_0
                        : type == TensorType::Q5_0 ? avx512::decode4_biased_q5_0
                                                   : avx512::decode4_biased_iq4_nl;
    std::vector<uint8_t> layout(avx512::biased_token_bytes(n) + 64);
    void* token_layout = layout.data() + (64 - reinterpret_cast<uintptr_t>(layout.data()) % 64) % 64;
    avx512::prepare_biased_token(n, p.activations.data(), token_layout);
    float four[4];
    biased(n, p.weights.data(), p.row_bytes, token_layout, four);
    int differs = 0;
    for (int k = 0; k < 4; ++k) differs += four[k] != y[k] ? 1 : 0;
    EXPECT_GT(differs, 0) << type_name(type);
  }
}

TEST(SimdTile, EveryKTileElementHasTheSingleRowKernelsBits) {
  if (avx512_block_tile(TensorType::Q4_K) == nullptr) GTEST_SKIP() << "no AVX-512";
  for (const TensorType type : {TensorType::Q4_K, TensorType::Q5_K, TensorType::Q6_K}) {
    for (const int64_t n : {256, 1024, 1280, 2048, 2816}) {
      for (const int64_t rows : {1, 2, 3, 9}) {
        for (const int64_t tokens : {1, 3, 4, 7, 13, 70}) {
          expect_block_tile_equals_single_rows(type, n, rows, tokens);
          expect_block_tile_equals_single_rows(type, n, rows, tokens, Weights::kRandomBytes);
        }
      }
    }
  }
}

// Every element, for decode (one token) and batches, odd block counts, row counts on
// either side of the 8- and 16-row vectors, and an activation quant of -128 (tokens = 7);
// token counts from `min_tokens` up.
void expect_q4_0_tile_has_the_reference_bits(BlockTileFn tile, int64_t min_tokens) {
  for (const int64_t n : {32, 64, 96, 1024, 2816}) {
    for (const int64_t rows : {1, 3, 8, 16, 17, 32, 45}) {
      for (const int64_t tokens : {1, 2, 3, 4, 7, 70}) {
        if (tokens < min_tokens) continue;
        BlockProblem p = make_block_problem(TensorType::Q4_0, n, rows, tokens, static_cast<uint32_t>(n + rows + tokens));
        if (tokens == 7) reinterpret_cast<BlockQ8_0*>(p.activations.data())[0].qs[3] = -128;
        const int64_t y_stride = rows + 2;
        std::vector<float> y(static_cast<size_t>(y_stride * tokens), -7.0f);
        ASSERT_TRUE(tile(n, p.weights.data(), p.row_bytes, rows, p.activations.data(), p.activation_bytes, tokens,
                         y.data(), y_stride));
        for (int64_t t = 0; t < tokens; ++t) {
          for (int64_t r = 0; r < rows; ++r) {
            const float expected = vec_dot_q4_0_q8_0_ref(n, p.weights.data() + r * p.row_bytes,
                                                         p.activations.data() + t * p.activation_bytes);
            const float actual = y[t * y_stride + r];
            ASSERT_EQ(0, std::memcmp(&expected, &actual, sizeof actual))
                << "n=" << n << " rows=" << rows << " tokens=" << tokens << " r=" << r << " t=" << t << ": "
                << expected << " vs " << actual;
          }
          for (int64_t r = rows; r < y_stride; ++r) ASSERT_EQ(y[t * y_stride + r], -7.0f);
        }
      }
    }
  }
}

TEST(SimdTile, Q4_0TileHasTheScalarReferenceBits) {
  if (avx512_block_tile(TensorType::Q8_0) == nullptr) GTEST_SKIP() << "no AVX-512";
  expect_q4_0_tile_has_the_reference_bits(avx512_block_tile(TensorType::Q4_0), 1);
}

// The AVX2 tile: batches only (decode stays with the row kernels).
TEST(SimdTile, Avx2Q4_0TileHasTheScalarReferenceBits) {
  const BlockTileFn tile = avx2_q4_0_tile();
  if (tile == nullptr) GTEST_SKIP() << "no AVX2";
  expect_q4_0_tile_has_the_reference_bits(tile, 2);
  BlockProblem p = make_block_problem(TensorType::Q4_0, 64, 3, 1, 9);
  std::vector<float> y(3, -7.0f);
  EXPECT_FALSE(tile(64, p.weights.data(), p.row_bytes, 3, p.activations.data(), p.activation_bytes, 1, y.data(), 3));
}

// Where the sign trick and the biased product differ (an activation quant of -128), and
// where the blocks do not pair up, the tile declines and writes nothing. (The Q4_0 tile
// takes both: Q4_0TileHasTheScalarReferenceBits.)
TEST(SimdTile, BlockTilesDeclineMinus128AndOddBlockCounts) {
  if (avx512_block_tile(TensorType::Q8_0) == nullptr) GTEST_SKIP() << "no AVX-512";
  for (const TensorType type : {TensorType::Q8_0, TensorType::Q5_0, TensorType::IQ4_NL}) {
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

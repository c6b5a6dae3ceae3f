// AVX-512 register tiles for the 32-value block types against Q8_0 activations
// (simd_tile.h). Both sides are first laid out for the tile, one block pair (64 values)
// per step:
//   weights: the 64 levels biased to unsigned bytes, their four-byte groups interleaved
//     (even block's group k, then the odd block's), and the two block scales;
//   tokens: the 64 quants interleaved the same way, -128 times each four-quant sum
//     (vpdpbusd's starting lanes), and the two scales.
// A tile step is then, per (row, token): one vpdpbusd, one conversion and one fused
// multiply-add into accumulators whose even lanes hold the even block's eight lanes and
// whose odd lanes the odd block's, so that the two scale products of a (row, token) pair
// are one 64-bit broadcast. The products are formed beforehand, four rows at a time; at
// the end the lanes go back to [even | odd] for the single-row kernel's final sum. Those
// are the operations of simd_dot_avx512_legacy.cpp's block_sum lane for lane. (Q4_0 has
// a tile of its own, simd_tile_avx512_q4_0.cpp.)

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/cpu_features.h"
#include "tensor/simd_avx512.h"
#include "tensor/simd_legacy_levels.h"
#include "tensor/simd_rows.h"
#include "tensor/simd_dot.h"
#include "tensor/simd_tile.h"

namespace pd {

namespace {

constexpr int kTileRows = 4;
constexpr int kTileTokens = 4;

// Tokens packed and tiled at a time: a packed chunk (twice its Q8_0 bytes) stays in
// the second-level cache while the weights pass over it, and the per-thread buffer stays
// bounded however long the prompt.
constexpr int64_t kTokenChunk = 64;

// One block pair of one weight row, as the tile reads it: its levels, biased and
// interleaved; the scales are kept apart (ScalePair).
struct PackedWeightPair {
  __m512i levels;
};

// One block pair of one token as the tile reads it (its scales kept apart).
struct TileTokenPair {
  __m512i quants;  // interleaved
  __m512i start;   // -128 * (sum of each four consecutive quants)
};

// A block pair's two scales, or the two products of a weight's and a token's.
struct ScalePair {
  float even, odd;
};

// The pair in every 64-bit lane: [even, odd, even, odd, ...] (one broadcast load; the
// copy through a double keeps the access well-defined).
PD_AVX512 inline __m512 broadcast_pair(const ScalePair& pair) {
  double both;
  static_assert(sizeof both == sizeof pair);
  std::memcpy(&both, &pair, sizeof both);
  return _mm512_castpd_ps(_mm512_set1_pd(both));
}

// The four-byte groups of [even block | odd block] interleaved: group k of the even
// block, then group k of the odd one. vpdpbusd's lane 2k is then the even block's lane k
// and lane 2k + 1 the odd block's.
PD_AVX512 inline __m512i interleave_groups(__m512i blocks) {
  return _mm512_permutexvar_epi32(_mm512_setr_epi32(0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15), blocks);
}

// Interleaved lanes back to [even block's 8 | odd block's 8].
PD_AVX512 inline __m512 deinterleave_lanes(__m512 lanes) {
  return _mm512_permutexvar_ps(_mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15), lanes);
}

// Row k of a group of kTileRows: its levels at out[k * pairs + p], its scales at
// scales[p * kTileRows + k] (a pair's four rows side by side for scale_products).
template <typename Block>
PD_AVX512 void pack_weights(const uint8_t* row, int64_t pairs, int k, PackedWeightPair* out, ScalePair* scales) {
  const auto* x = reinterpret_cast<const typename Block::Weight*>(row);
  for (int64_t p = 0; p < pairs; ++p) {
    const __m512i levels = avx512::biased_levels<Block>(x[2 * p], x[2 * p + 1]);
    _mm512_storeu_si512(&out[k * pairs + p].levels, interleave_groups(levels));
    scales[p * kTileRows + k] = {avx2::half(x[2 * p].d), avx2::half(x[2 * p + 1].d)};
  }
}

// Whether a quant of the Q8_0 row is -128 (see simd_tile.h).
PD_AVX512 bool has_minus128(const uint8_t* row, int64_t pairs) {
  const auto* y = reinterpret_cast<const BlockQ8_0*>(row);
  const __m256i minus128 = _mm256_set1_epi8(static_cast<char>(0x80));
  for (int64_t b = 0; b < 2 * pairs; ++b) {
    if (_mm256_movemask_epi8(_mm256_cmpeq_epi8(avx2::load32(y[b].qs), minus128)) != 0) return true;
  }
  return false;
}

// A token's pairs, interleaved (their scales to scales[p]).
PD_AVX512 void pack_token(const uint8_t* row, int64_t pairs, TileTokenPair* out, ScalePair* scales) {
  const auto* y = reinterpret_cast<const BlockQ8_0*>(row);
  for (int64_t p = 0; p < pairs; ++p) {
    const __m512i q = interleave_groups(avx512::join(avx2::load32(y[2 * p].qs), avx2::load32(y[2 * p + 1].qs)));
    _mm512_storeu_si512(&out[p].quants, q);
    _mm512_storeu_si512(&out[p].start, avx512::biased_start(q));
    scales[p] = {avx2::half(y[2 * p].d), avx2::half(y[2 * p + 1].d)};
  }
}

// products[(p * kTokens + t) * kTileRows + r] = weight r's scales times token t's, for
// pair p: the weight's first, as block_sum forms d_x * d_y.
template <int kTokens>
PD_AVX512 void scale_products(int64_t pairs, const ScalePair* weight_scales, const ScalePair* token_scales,
                              int64_t token_stride, ScalePair* products) {
  static_assert(kTileRows == 4, "four rows' scale pairs fill one 256-bit register");
  for (int64_t p = 0; p < pairs; ++p) {
    const __m256 rows = _mm256_loadu_ps(&weight_scales[p * kTileRows].even);
    for (int t = 0; t < kTokens; ++t) {
      const __m256 token = _mm512_castps512_ps256(broadcast_pair(token_scales[t * token_stride + p]));
      _mm256_storeu_ps(&products[(p * kTokens + t) * kTileRows].even, _mm256_mul_ps(rows, token));
    }
  }
}

// kRows weight rows (levels at w[r * pairs + p]) against kTokens tokens (at
// a[t * pairs + p]), their scale products laid out by scale_products<kTokens>.
template <int kRows, int kTokens>
PD_AVX512 void tile(int64_t pairs, const PackedWeightPair* w, const TileTokenPair* a, const ScalePair* products,
                    float* y, int64_t y_stride) {
  __m512 acc[kRows][kTokens];
  for (int r = 0; r < kRows; ++r) {
    for (int t = 0; t < kTokens; ++t) acc[r][t] = _mm512_setzero_ps();
  }
  for (int64_t p = 0; p < pairs; ++p) {
    for (int t = 0; t < kTokens; ++t) {
      const TileTokenPair& token = a[t * pairs + p];
      const __m512i q = _mm512_loadu_si512(&token.quants);
      const __m512i start = _mm512_loadu_si512(&token.start);
      const ScalePair* scale = &products[(p * kTokens + t) * kTileRows];
      for (int r = 0; r < kRows; ++r) {
        const __m512i lanes = _mm512_dpbusd_epi32(start, _mm512_loadu_si512(&w[r * pairs + p].levels), q);
        const __m512 both = broadcast_pair(scale[r]);
        acc[r][t] = _mm512_fmadd_ps(both, _mm512_cvtepi32_ps(lanes), acc[r][t]);
      }
    }
  }
  for (int r = 0; r < kRows; ++r) {
    for (int t = 0; t < kTokens; ++t) {
      y[t * y_stride + r] = avx512::sum_halves(deinterleave_lanes(acc[r][t]));
    }
  }
}

// Up to kTileTokens tokens against a group of up to kTileRows weight rows (levels at
// w[k * pairs + p], scales at weight_scales[p * kTileRows + k]).
template <int kTokens>
void tile_group(int64_t pairs, int64_t rows, const PackedWeightPair* w, const ScalePair* weight_scales,
                const TileTokenPair* a, const ScalePair* token_scales, ScalePair* products, float* y,
                int64_t y_stride) {
  scale_products<kTokens>(pairs, weight_scales, token_scales, pairs, products);
  if (rows == kTileRows) {
    tile<kTileRows, kTokens>(pairs, w, a, products, y, y_stride);
    return;
  }
  for (int64_t k = 0; k < rows; ++k) {
    tile<1, kTokens>(pairs, w + k * pairs, a, products + k, y + k, y_stride);
  }
}

// Decode (one token) does not take the tile: its layout costs more than it pays back with
// one token (Q8_0 decode 85-93 -> 74-79 tok/s through a tile, BENCHMARKS.md). It runs
// four rows' chains at a time through the decode4 kernels, which do the single-row
// kernels' operations. A token without a -128 quant (checked once per product) goes
// through the biased ones, laid out once for all rows: the same bits with fewer
// instructions (BENCHMARKS.md, session 14).
using Decode4Fn = void (*)(int64_t n, const void* weight, size_t row_stride, const void* activation, float* out);

// `four` reads `four_token` (the activation row, or its biased layout); the rows left over
// by the quarters take the single-row kernel on the activation row.
template <VecDotFn one>
void decode(int64_t n, const uint8_t* w, size_t w_stride, int64_t rows, Decode4Fn four, const void* four_token,
            const void* token, float* y) {
  decode_by_quarters(
      rows, y,
      [&](int64_t j, int64_t quarter, float* out) {
        four(n, w + j * w_stride, static_cast<size_t>(quarter) * w_stride, four_token, out);
      },
      [&](int64_t r) { return one(n, w + r * w_stride, token); });
}

template <typename Block, Decode4Fn decode4, Decode4Fn biased4, VecDotFn dot>
bool tiled_product(int64_t n, const void* weight, size_t weight_stride, int64_t rows,
                   const void* activation, size_t activation_stride, int64_t tokens, float* y,
                   int64_t y_stride) {
  const int64_t blocks = n / kLegacyBlockSize;
  if (tokens == 1) {
    const auto* w = static_cast<const uint8_t*>(weight);
    if (blocks % 4 != 0 || has_minus128(static_cast<const uint8_t*>(activation), blocks / 2)) {
      decode<dot>(n, w, weight_stride, rows, decode4, activation, activation, y);
      return true;
    }
    thread_local std::vector<uint8_t> biased_buffer;
    auto* biased = line_aligned_scratch<uint8_t>(biased_buffer, avx512::biased_token_bytes(n));
    avx512::prepare_biased_token(n, activation, biased);
    decode<dot>(n, w, weight_stride, rows, biased4, biased, activation, y);
    return true;
  }
  if (blocks % 2 != 0) return false;
  const int64_t pairs = blocks / 2;
  const auto* a = static_cast<const uint8_t*>(activation);
  for (int64_t t = 0; t < tokens; ++t) {
    if (has_minus128(a + t * activation_stride, pairs)) return false;
  }
  thread_local std::vector<uint8_t> token_buffer, weight_buffer, scale_buffer;
  const auto* w = static_cast<const uint8_t*>(weight);
  const int64_t chunk_tokens = std::min(tokens, kTokenChunk);
  auto* packed_tokens = line_aligned_scratch<TileTokenPair>(token_buffer, static_cast<size_t>(pairs * chunk_tokens));
  auto* packed_weights = line_aligned_scratch<PackedWeightPair>(weight_buffer, static_cast<size_t>(pairs * kTileRows));
  // Token scales (a chunk's), a row group's scales, and one tile's scale products.
  const size_t scale_count = static_cast<size_t>(pairs * (chunk_tokens + kTileRows + kTileTokens * kTileRows));
  auto* token_scales = line_aligned_scratch<ScalePair>(scale_buffer, scale_count);
  ScalePair* weight_scales = token_scales + pairs * chunk_tokens;
  ScalePair* products = weight_scales + pairs * kTileRows;
  for (int64_t chunk = 0; chunk < tokens; chunk += kTokenChunk) {
    const int64_t chunk_end = std::min(tokens, chunk + kTokenChunk);
    for (int64_t t = chunk; t < chunk_end; ++t) {
      pack_token(a + t * activation_stride, pairs, packed_tokens + (t - chunk) * pairs,
                 token_scales + (t - chunk) * pairs);
    }
    for (int64_t r = 0; r < rows; r += kTileRows) {
      const int64_t count_rows = std::min<int64_t>(kTileRows, rows - r);
      for (int k = 0; k < count_rows; ++k) {
        pack_weights<Block>(w + (r + k) * weight_stride, pairs, k, packed_weights, weight_scales);
      }
      for (int64_t k = count_rows; k < kTileRows; ++k) {  // scale_products reads four rows' scales
        for (int64_t p = 0; p < pairs; ++p) weight_scales[p * kTileRows + k] = {0.0f, 0.0f};
      }
      // The next group's rows (contiguous) come in while this group computes, a share
      // per four tokens: packing reads them from memory, and waiting there cost a tenth
      // of a Q4_0 prefill.
      const int64_t next_rows = std::min<int64_t>(kTileRows, rows - r - count_rows);
      avx2::SpreadPrefetch next(w + (r + count_rows) * weight_stride,
                                next_rows * static_cast<int64_t>(weight_stride),
                                (chunk_end - chunk + kTileTokens - 1) / kTileTokens);
      for (int64_t t = chunk; t < chunk_end; t += kTileTokens) {
        next.step();
        const int64_t count = std::min<int64_t>(kTileTokens, chunk_end - t);
        const TileTokenPair* tokens_at = packed_tokens + (t - chunk) * pairs;
        const ScalePair* scales_at = token_scales + (t - chunk) * pairs;
        float* out = y + t * y_stride + r;
        switch (count) {
          case 1: tile_group<1>(pairs, count_rows, packed_weights, weight_scales, tokens_at, scales_at, products, out, y_stride); break;
          case 2: tile_group<2>(pairs, count_rows, packed_weights, weight_scales, tokens_at, scales_at, products, out, y_stride); break;
          case 3: tile_group<3>(pairs, count_rows, packed_weights, weight_scales, tokens_at, scales_at, products, out, y_stride); break;
          default: tile_group<kTileTokens>(pairs, count_rows, packed_weights, weight_scales, tokens_at, scales_at, products, out, y_stride);
        }
      }
    }
  }
  return true;
}

}  // namespace

BlockTileFn avx512_block_tile(TensorType type) {
  // The tiles need what the AVX-512 dot kernels need.
  static const bool available = avx512_vec_dot(TensorType::F32) != nullptr;
  if (!available) return nullptr;
  switch (type) {
    case TensorType::Q8_0: return tiled_product<avx2::Q8_0Block, avx512::decode4_q8_0, avx512::decode4_biased_q8_0,
                                               avx512::dot_q8_0>;
    case TensorType::Q4_0: return avx512_q4_0_tile();
    case TensorType::Q5_0: return tiled_product<avx2::Q5_0Block, avx512::decode4_q5_0, avx512::decode4_biased_q5_0,
                                               avx512::dot_q5_0>;
    case TensorType::IQ4_NL: return tiled_product<avx2::Iq4nlBlock, avx512::decode4_iq4_nl, avx512::decode4_biased_iq4_nl,
                                               avx512::dot_iq4_nl>;
    default: return avx512_k_block_tile(type);
  }
}

BlockTileFn simd_block_tile(TensorType type) {
  if (active_isa() == Isa::Avx512) return avx512_block_tile(type);
  return active_isa() == Isa::Avx2 && type == TensorType::Q4_0 ? avx2_q4_0_tile() : nullptr;
}

}  // namespace pd

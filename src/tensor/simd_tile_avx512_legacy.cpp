// AVX-512 register tiles for the 32-value block types against Q8_0 activations
// (simd_tile.h). Both sides are first laid out for the tile, one block pair (64 values)
// per step:
//   weights: the 64 levels biased to unsigned bytes, then the two block scales spread
//     over the register's halves (lanes 0-7 the even block's, 8-15 the odd block's);
//   tokens: the 64 quants, -128 times each four-quant sum (vpdpbusd's starting lanes),
//     and the two scales spread the same way.
// A tile step is then, per (row, token): one vpdpbusd, one scale product, one
// conversion and one fused multiply-add into [even | odd] accumulators, the operations
// of simd_dot_avx512_legacy.cpp's block_sum lane for lane. One token (decode, Q4_0) skips
// the weights' layout and reads them as stored (direct_rows).

#include <algorithm>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "core/cpu_features.h"
#include "tensor/simd_avx512.h"
#include "tensor/simd_legacy_levels.h"
#include "tensor/simd_dot.h"
#include "tensor/simd_tile.h"

namespace pd {

namespace {

constexpr int kTileRows = 4;
constexpr int kTileTokens = 4;

// Tokens packed and tiled at a time: a packed chunk (three times its Q8_0 bytes) stays in
// the second-level cache while the weights pass over it, and the per-thread buffer stays
// bounded however long the prompt.
constexpr int64_t kTokenChunk = 64;

// One block pair of one weight row, as the tile reads it.
struct PackedWeightPair {
  __m512i levels;  // level + 128, value order
  __m512 scales;   // [d0 x 8 | d1 x 8]
};

// One block pair of one token.
struct PackedTokenPair {
  __m512i quants;
  __m512i start;   // -128 * (sum of each four consecutive quants)
  __m512 scales;
};

// The scales of blocks 2p and 2p + 1 as [d0 x 8 | d1 x 8]: a masked load of just the two
// fp16 words (nothing past them is touched), spread by one word permutation and widened.
template <typename Block>
PD_AVX512 inline __m512 pair_scales(const typename Block::Weight* pair) {
  constexpr int kSecond = static_cast<int>(sizeof(typename Block::Weight) / 2);  // word index of the second d
  static_assert(sizeof(typename Block::Weight) % 2 == 0 && kSecond < 32);
  const __m512i words = _mm512_maskz_loadu_epi16((1u << kSecond) | 1u, pair);
  const __m256i index = _mm256_inserti128_si256(_mm256_setzero_si256(), _mm_set1_epi16(kSecond), 1);
  const __m256i spread = _mm512_castsi512_si256(_mm512_permutexvar_epi16(_mm512_castsi256_si512(index), words));
  return _mm512_cvtph_ps(spread);
}

// The 64 levels of blocks 2p and 2p + 1 plus 128, as unsigned bytes. Q4_0's levels are
// nibble - 8, so theirs are nibble + 120: both blocks' 16 packed bytes go into the
// register's four 128-bit lanes twice, the second copy shifted down by four, and one
// mask and one add finish all 64 (other types: their levels, biased).
template <typename Block>
PD_AVX512 inline __m512i biased_levels(const typename Block::Weight* pair) {
  if constexpr (std::is_same_v<Block, avx2::Q4_0Block>) {
    const __m512i both = _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_broadcastsi128_si256(avx2::load16(pair[0].qs))),
                                            _mm256_broadcastsi128_si256(avx2::load16(pair[1].qs)), 1);
    const __m512i shifted = _mm512_srlv_epi64(both, _mm512_setr_epi64(0, 0, 4, 4, 0, 0, 4, 4));
    return _mm512_add_epi8(_mm512_and_si512(shifted, _mm512_set1_epi8(0x0F)), _mm512_set1_epi8(120));
  } else {
    return _mm512_xor_si512(avx512::join(Block::levels(pair[0]), Block::levels(pair[1])),
                            _mm512_set1_epi8(static_cast<char>(0x80)));
  }
}

template <typename Block>
PD_AVX512 void pack_weights(const uint8_t* row, int64_t pairs, PackedWeightPair* out) {
  const auto* x = reinterpret_cast<const typename Block::Weight*>(row);
  for (int64_t p = 0; p < pairs; ++p) {
    _mm512_storeu_si512(&out[p].levels, biased_levels<Block>(x + 2 * p));
    _mm512_storeu_ps(&out[p].scales, pair_scales<Block>(x + 2 * p));
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

PD_AVX512 void pack_token(const uint8_t* row, int64_t pairs, PackedTokenPair* out) {
  const auto* y = reinterpret_cast<const BlockQ8_0*>(row);
  const __m512i minus128 = _mm512_set1_epi8(static_cast<char>(0x80));
  for (int64_t p = 0; p < pairs; ++p) {
    const __m512i q = avx512::join(avx2::load32(y[2 * p].qs), avx2::load32(y[2 * p + 1].qs));
    const __m512i sums128 = _mm512_dpbusd_epi32(_mm512_setzero_si512(), minus128, q);  // 128 * sums
    _mm512_storeu_si512(&out[p].quants, q);
    _mm512_storeu_si512(&out[p].start, _mm512_sub_epi32(_mm512_setzero_si512(), sums128));
    _mm512_storeu_ps(&out[p].scales, pair_scales<avx2::Q8_0Block>(y + 2 * p));
  }
}

template <int kRows, int kTokens>
PD_AVX512 void tile(int64_t pairs, const PackedWeightPair* w, const PackedTokenPair* a, float* y,
                    int64_t y_stride) {
  __m512 acc[kRows][kTokens];
  for (int r = 0; r < kRows; ++r) {
    for (int t = 0; t < kTokens; ++t) acc[r][t] = _mm512_setzero_ps();
  }
  for (int64_t p = 0; p < pairs; ++p) {
    for (int t = 0; t < kTokens; ++t) {
      const PackedTokenPair& token = a[t * pairs + p];
      const __m512i q = _mm512_loadu_si512(&token.quants);
      const __m512i start = _mm512_loadu_si512(&token.start);
      const __m512 dy = _mm512_loadu_ps(&token.scales);
      for (int r = 0; r < kRows; ++r) {
        const PackedWeightPair& weight = w[r * pairs + p];
        const __m512i lanes = _mm512_dpbusd_epi32(start, _mm512_loadu_si512(&weight.levels), q);
        const __m512 scale = _mm512_mul_ps(_mm512_loadu_ps(&weight.scales), dy);
        acc[r][t] = _mm512_fmadd_ps(scale, _mm512_cvtepi32_ps(lanes), acc[r][t]);
      }
    }
  }
  for (int r = 0; r < kRows; ++r) {
    for (int t = 0; t < kTokens; ++t) {
      y[t * y_stride + r] = avx512::sum_halves(acc[r][t]);
    }
  }
}

// One token (already packed) against kRows weight rows read as stored: decode, where
// laying the weights out first would cost more than it saves. The same operations per
// element as `tile`.
template <typename Block, int kRows>
PD_AVX512 void direct_rows(int64_t pairs, const uint8_t* w, size_t w_stride, const PackedTokenPair* a, float* y) {
  __m512 acc[kRows];
  for (int r = 0; r < kRows; ++r) acc[r] = _mm512_setzero_ps();
  for (int64_t p = 0; p < pairs; ++p) {
    const __m512i q = _mm512_loadu_si512(&a[p].quants);
    const __m512i start = _mm512_loadu_si512(&a[p].start);
    const __m512 dy = _mm512_loadu_ps(&a[p].scales);
    for (int r = 0; r < kRows; ++r) {
      const auto* x = reinterpret_cast<const typename Block::Weight*>(w + r * w_stride) + 2 * p;
      avx2::prefetch_ahead(x, 2 * sizeof(typename Block::Weight));
      const __m512i levels = biased_levels<Block>(x);
      const __m512i lanes = _mm512_dpbusd_epi32(start, levels, q);
      const __m512 scale = _mm512_mul_ps(pair_scales<Block>(x), dy);
      acc[r] = _mm512_fmadd_ps(scale, _mm512_cvtepi32_ps(lanes), acc[r]);
    }
  }
  for (int r = 0; r < kRows; ++r) {
    y[r] = avx512::sum_halves(acc[r]);
  }
}

using TileFn = void (*)(int64_t pairs, const PackedWeightPair* w, const PackedTokenPair* a, float* y,
                        int64_t y_stride);

template <int kRows>
TileFn tile_for(int64_t tokens) {
  switch (tokens) {
    case 1: return tile<kRows, 1>;
    case 2: return tile<kRows, 2>;
    case 3: return tile<kRows, 3>;
    default: return tile<kRows, kTileTokens>;
  }
}

// Storage reused per thread, its start on a cache line (a packed pair is one or more
// whole lines, so no load splits across two).
template <typename T>
T* line_aligned_scratch(std::vector<uint8_t>& buffer, size_t count) {
  constexpr size_t kLine = 64;
  if (buffer.size() < count * sizeof(T) + kLine) buffer.resize(count * sizeof(T) + kLine);
  const auto address = reinterpret_cast<uintptr_t>(buffer.data());
  return reinterpret_cast<T*>(buffer.data() + (kLine - address % kLine) % kLine);
}

// kDecodes: whether one token goes through direct_rows (else the tile declines it and the
// single-row kernel runs). Measured per type against the single-row kernel (three
// alternating rounds, BENCHMARKS.md): Q4_0 decode 66-100 -> 87-117 tok/s at one thread,
// but Q8_0 85-93 -> 74-79, whose single-row kernel streams its bytes faster.
template <typename Block, bool kDecodes>
bool tiled_product(int64_t n, const void* weight, size_t weight_stride, int64_t rows,
                   const void* activation, size_t activation_stride, int64_t tokens, float* y,
                   int64_t y_stride) {
  const int64_t blocks = n / kLegacyBlockSize;
  if (blocks % 2 != 0 || (tokens == 1 && !kDecodes)) return false;
  const int64_t pairs = blocks / 2;
  const auto* a = static_cast<const uint8_t*>(activation);
  for (int64_t t = 0; t < tokens; ++t) {
    if (has_minus128(a + t * activation_stride, pairs)) return false;
  }
  thread_local std::vector<uint8_t> token_buffer;
  thread_local std::vector<uint8_t> weight_buffer;
  const int64_t chunk_tokens = std::min(tokens, kTokenChunk);
  auto* packed_tokens = line_aligned_scratch<PackedTokenPair>(token_buffer, static_cast<size_t>(pairs * chunk_tokens));
  auto* packed_weights = line_aligned_scratch<PackedWeightPair>(weight_buffer, static_cast<size_t>(pairs * kTileRows));
  const auto* w = static_cast<const uint8_t*>(weight);
  if (tokens == 1) {
    pack_token(a, pairs, packed_tokens);
    int64_t r = 0;
    for (; r + kTileRows <= rows; r += kTileRows) {
      direct_rows<Block, kTileRows>(pairs, w + r * weight_stride, weight_stride, packed_tokens, y + r);
    }
    for (; r < rows; ++r) direct_rows<Block, 1>(pairs, w + r * weight_stride, weight_stride, packed_tokens, y + r);
    return true;
  }
  for (int64_t chunk = 0; chunk < tokens; chunk += kTokenChunk) {
    const int64_t chunk_end = std::min(tokens, chunk + kTokenChunk);
    for (int64_t t = chunk; t < chunk_end; ++t) {
      pack_token(a + t * activation_stride, pairs, packed_tokens + (t - chunk) * pairs);
    }
    for (int64_t r = 0; r < rows; r += kTileRows) {
      const int64_t count_rows = std::min<int64_t>(kTileRows, rows - r);
      for (int64_t k = 0; k < count_rows; ++k) {
        pack_weights<Block>(w + (r + k) * weight_stride, pairs, packed_weights + k * pairs);
      }
      for (int64_t t = chunk; t < chunk_end; t += kTileTokens) {
        const int64_t count = std::min<int64_t>(kTileTokens, chunk_end - t);
        const PackedTokenPair* tokens_at = packed_tokens + (t - chunk) * pairs;
        float* out = y + t * y_stride + r;
        if (count_rows == kTileRows) {
          tile_for<kTileRows>(count)(pairs, packed_weights, tokens_at, out, y_stride);
          continue;
        }
        for (int64_t k = 0; k < count_rows; ++k) {
          tile_for<1>(count)(pairs, packed_weights + k * pairs, tokens_at, out + k, y_stride);
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
    case TensorType::Q8_0: return tiled_product<avx2::Q8_0Block, false>;
    case TensorType::Q4_0: return tiled_product<avx2::Q4_0Block, true>;
    case TensorType::Q5_0: return tiled_product<avx2::Q5_0Block, false>;
    case TensorType::IQ4_NL: return tiled_product<avx2::Iq4nlBlock, false>;
    default: return avx512_k_block_tile(type);
  }
}

BlockTileFn simd_block_tile(TensorType type) {
  return active_isa() == Isa::Avx512 ? avx512_block_tile(type) : nullptr;
}

}  // namespace pd

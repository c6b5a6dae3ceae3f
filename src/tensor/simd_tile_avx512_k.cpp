// The AVX-512 register tiles for Q4_K, Q5_K and Q6_K weights against Q8_K activations
// (simd_tile.h). The four-row kernels (simd_dot_avx512_k.cpp) unpack a weight
// super-block's scales, mins and levels again for every four tokens; in a prefill the
// same row meets every token of the batch. Here both sides are laid out once:
//   - each weight row's super-blocks (PackedSuperBlock, PackedQ6Block): per 32-value
//     chunk its levels (for Q6_K their magnitudes and signs) and its scales, plus the
//     mins and the fp16 scales as floats;
//   - the tokens, four at a time (PackedQuad): each pair of tokens' quants side by side
//     per chunk, so that one 512-bit register holds two tokens' eight int32 lanes (the
//     single-row kernel's lanes, with no folding), their scales spread to match, and the
//     sums of each two bsums (the min terms' operands).
// Per four tokens and super-block what remains is, per chunk and pair of tokens, one
// maddubs and one vpdpwssd (Q6_K: and the quants' signs); per pair one conversion and
// one fused multiply-add; for Q4_K/Q5_K the four min terms in one vpmaddwd and a
// reduction. The integer lanes are the single-row kernel's exact sums and every float
// operation is its own, in its order, so every element keeps its bits.

#include <algorithm>
#include <cstdint>
#include <vector>

#include "tensor/quant_k.h"
#include "tensor/simd_avx512.h"
#include "tensor/simd_dot.h"
#include "tensor/simd_k_avx512.h"
#include "tensor/simd_tile.h"

namespace pd {

namespace {

using avx2::half;

constexpr int kChunks = kQK_K / 32;  // 32-value chunks of a super-block

// One Q4_K/Q5_K super-block of one weight row as the tile reads it.
struct alignas(64) PackedSuperBlock {
  uint8_t levels[kChunks][32];  // chunk c: the levels of values 32c..32c+31
  int32_t scales[kChunks];      // chunk c's sub-block scale, in both int16 halves
  int16_t mins[8];
  float d, dmin;
};

// One super-block of four tokens as the tile reads it.
struct alignas(64) PackedQuad {
  __m512i quants[2][kChunks];  // pair u, chunk c: [token 2u's 32 quants | token 2u + 1's]
  __m512 scales[2];            // pair u: [token 2u's d x 8 | token 2u + 1's d x 8]
  __m512i bsum_pairs;          // 128-bit lane k: token k's bsums[2s] + bsums[2s + 1], s < 8
  __m128 d;                    // lane k: token k's d
};

// Weight rows unpacked at a time: their packed super-blocks stay in the first-level
// cache while the tokens pass over them, so each token's packed row is read from the
// second-level cache once per two weight rows.
constexpr int64_t kRowGroup = 2;

// Tokens packed at a time: the per-thread buffer stays bounded however long the prompt.
constexpr int64_t kTokenChunk = 64;

template <bool kFifthBit, typename Block>
PD_AVX512 void pack_row(const Block* x, int64_t blocks, PackedSuperBlock* out) {
  for (int64_t i = 0; i < blocks; ++i) {
    const __m128i scales_mins = avx512::scales_mins_vector(x[i].scales);
    __m512i high_bits = _mm512_setzero_si512();
    if constexpr (kFifthBit) high_bits = avx512::both_halves_shifted<1>(x[i].qh);
    for (int k = 0; k < kChunks / 2; ++k) {  // chunks 2k and 2k + 1 (avx512::chunk_levels)
      _mm512_store_si512(out[i].levels[2 * k], avx512::chunk_levels<kFifthBit>(x[i], k, high_bits));
    }
    // Each chunk's scale in both int16 halves of its int32; the mins as int16.
    const __m128i scales16 = _mm_cvtepu8_epi16(scales_mins);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out[i].scales), _mm_unpacklo_epi16(scales16, scales16));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out[i].scales + 4), _mm_unpackhi_epi16(scales16, scales16));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out[i].mins),
                     _mm_cvtepu8_epi16(_mm_unpackhi_epi64(scales_mins, scales_mins)));
    out[i].d = half(x[i].d);
    out[i].dmin = half(x[i].dmin);
  }
}

// Tokens y[0..3] (rows of Q8_K super-blocks) into blocks PackedQuads.
PD_AVX512 void pack_quad(const BlockQ8K* const* y, int64_t blocks, PackedQuad* out) {
  for (int64_t i = 0; i < blocks; ++i) {
    for (int u = 0; u < 2; ++u) {
      const BlockQ8K& first = y[2 * u][i];
      const BlockQ8K& second = y[2 * u + 1][i];
      for (int c = 0; c < kChunks; ++c) {
        _mm512_store_si512(&out[i].quants[u][c],
                           avx512::join(avx2::load32(first.qs + 32 * c), avx2::load32(second.qs + 32 * c)));
      }
      _mm512_store_ps(&out[i].scales[u], avx512::two_scalars(first.d, second.d));
    }
    alignas(64) int16_t bsum_pairs[4][8];
    float d[4];
    for (int k = 0; k < 4; ++k) {
      for (int s = 0; s < 8; ++s) bsum_pairs[k][s] = static_cast<int16_t>(y[k][i].bsums[2 * s] + y[k][i].bsums[2 * s + 1]);
      d[k] = y[k][i].d;
    }
    _mm512_store_si512(&out[i].bsum_pairs, _mm512_load_si512(bsum_pairs));
    out[i].d = _mm_loadu_ps(d);
  }
}

// The four tokens' min terms against super-block `w` (lane k: token k's sum over s of
// bsum pair s times min s, exactly).
PD_AVX512 inline __m128i min_terms(const PackedSuperBlock& w, const PackedQuad& a) {
  const __m512i mins = _mm512_broadcast_i32x4(_mm_load_si128(reinterpret_cast<const __m128i*>(w.mins)));
  __m512i s = _mm512_madd_epi16(_mm512_load_si512(&a.bsum_pairs), mins);
  s = _mm512_add_epi32(s, _mm512_shuffle_epi32(s, _MM_PERM_BADC));
  s = _mm512_add_epi32(s, _mm512_shuffle_epi32(s, _MM_PERM_CDAB));
  const __m512i first_of_each_lane = _mm512_setr_epi32(0, 4, 8, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  return _mm512_castsi512_si128(_mm512_permutexvar_epi32(first_of_each_lane, s));
}

// A super-block's lanes of the two token pairs into their accumulators: the weight's
// scale times each token's (d * dy, the single-row kernel's product), then the fused
// multiply-add.
PD_AVX512 inline void accumulate_pairs(float d, const PackedQuad& a, const __m512i* sums, __m512* acc) {
  const __m512 weight_scale = _mm512_set1_ps(d);
  for (int u = 0; u < 2; ++u) {
    const __m512 scale = _mm512_mul_ps(weight_scale, _mm512_load_ps(&a.scales[u]));
    acc[u] = _mm512_fmadd_ps(scale, _mm512_cvtepi32_ps(sums[u]), acc[u]);
  }
}

// out[t * y_stride] for t < 4: token t's lanes added by the single-row kernel's tree,
// plus its min sum where there is one (Q4_K/Q5_K; adding a zero would turn -0 into +0).
PD_AVX512 inline void store_four(const __m512* acc, const float* min_sums, float* out, int64_t y_stride) {
  for (int u = 0; u < 2; ++u) {
    float low = avx2::sum_lanes(avx512::low_half(acc[u]));
    float high = avx2::sum_lanes(avx512::high_half(acc[u]));
    if (min_sums != nullptr) {
      low += min_sums[2 * u];
      high += min_sums[2 * u + 1];
    }
    out[2 * u * y_stride] = low;
    out[(2 * u + 1) * y_stride] = high;
  }
}

// Four packed tokens against one packed weight row: out[t * y_stride] for t < 4 = the
// single-row kernel's dot product.
PD_AVX512 void four_tokens(int64_t blocks, const PackedSuperBlock* w, const PackedQuad* a, float* out,
                           int64_t y_stride) {
  __m512 acc[2] = {_mm512_setzero_ps(), _mm512_setzero_ps()};  // tokens [0 | 1] and [2 | 3]
  __m128 mins = _mm_setzero_ps();                                // lane t: token t
  for (int64_t i = 0; i < blocks; ++i) {
    const PackedSuperBlock& b = w[i];
    __m512i sums[2] = {_mm512_setzero_si512(), _mm512_setzero_si512()};
    for (int c = 0; c < kChunks; ++c) {
      const __m512i levels = _mm512_broadcast_i64x4(avx2::load32(b.levels[c]));
      const __m512i scale = _mm512_set1_epi32(b.scales[c]);
      for (int u = 0; u < 2; ++u) {
        const __m512i products = _mm512_maddubs_epi16(levels, _mm512_load_si512(&a[i].quants[u][c]));
        sums[u] = _mm512_dpwssd_epi32(sums[u], products, scale);
      }
    }
    accumulate_pairs(b.d, a[i], sums, acc);
    const __m128 dmin_dy = _mm_mul_ps(_mm_set1_ps(b.dmin), a[i].d);
    mins = _mm_sub_ps(mins, _mm_mul_ps(dmin_dy, _mm_cvtepi32_ps(min_terms(b, a[i]))));
  }
  float min_sums[4];
  _mm_storeu_ps(min_sums, mins);
  store_four(acc, min_sums, out, y_stride);
}

// One Q6_K super-block of one weight row as the tile reads it. Its levels (0..63, less
// 32) meet the quants as q6_k_dot's do: their magnitudes as maddubs' unsigned operand,
// the quants negated where a level is negative (avx512::sign_split).
struct alignas(64) PackedQ6Block {
  uint8_t magnitudes[kChunks][32];  // chunk c: |level - 32| of values 32c..32c+31
  uint64_t negative[kChunks];       // chunk c: bit l (and l + 32) set where value 32c + l's level < 32
  int16_t scales[kChunks][16];      // chunk c: scale 2c x 8, then scale 2c + 1 x 8
  float d;
};

PD_AVX512 void pack_q6_row(const BlockQ6K* x, int64_t blocks, PackedQ6Block* out) {
  for (int64_t i = 0; i < blocks; ++i) {
    for (int h = 0; h < 2; ++h) {
      const avx512::Q6HalfLevels stored = avx512::q6_half_levels(x[i], h);
      for (int p = 0; p < 2; ++p) {  // chunks 4h + 2p and 4h + 2p + 1
        const int chunk = 4 * h + 2 * p;
        const avx512::SignSplit split =
            avx512::sign_split(_mm512_sub_epi8(stored.levels[p], _mm512_set1_epi8(32)));
        _mm512_store_si512(out[i].magnitudes[chunk], split.magnitude);
        const uint64_t bits = _cvtmask64_u64(split.negative);
        out[i].negative[chunk] = (bits & 0xFFFFFFFFu) * 0x100000001u;
        out[i].negative[chunk + 1] = (bits >> 32) * 0x100000001u;
      }
    }
    for (int c = 0; c < kChunks; ++c) {
      for (int l = 0; l < 16; ++l) out[i].scales[c][l] = x[i].scales[2 * c + l / 8];
    }
    out[i].d = half(x[i].d);
  }
}

// Four packed tokens against one packed Q6_K weight row, as four_tokens.
PD_AVX512 void four_tokens_q6(int64_t blocks, const PackedQ6Block* w, const PackedQuad* a, float* out,
                              int64_t y_stride) {
  __m512 acc[2] = {_mm512_setzero_ps(), _mm512_setzero_ps()};  // tokens [0 | 1] and [2 | 3]
  for (int64_t i = 0; i < blocks; ++i) {
    const PackedQ6Block& b = w[i];
    __m512i sums[2] = {_mm512_setzero_si512(), _mm512_setzero_si512()};
    for (int c = 0; c < kChunks; ++c) {
      const __m512i magnitude = _mm512_broadcast_i64x4(avx2::load32(b.magnitudes[c]));
      const __mmask64 negative = _cvtu64_mask64(b.negative[c]);
      const __m512i scale = _mm512_broadcast_i64x4(avx2::load32(b.scales[c]));
      for (int u = 0; u < 2; ++u) {
        const __m512i q = _mm512_load_si512(&a[i].quants[u][c]);
        const __m512i products = _mm512_maddubs_epi16(magnitude, avx512::signed_operand({magnitude, negative}, q));
        sums[u] = _mm512_dpwssd_epi32(sums[u], products, scale);
      }
    }
    accumulate_pairs(b.d, a[i], sums, acc);
  }
  store_four(acc, nullptr, out, y_stride);
}

// What tiled_product needs of a weight type: its packed super-block, how a row is packed
// and how four packed tokens meet it.
template <bool kFifthBit, typename Block, TensorType kType>
struct ScaleMinWeights {
  static constexpr TensorType type = kType;
  using Packed = PackedSuperBlock;
  static void pack(const uint8_t* row, int64_t blocks, Packed* out) {
    pack_row<kFifthBit>(reinterpret_cast<const Block*>(row), blocks, out);
  }
  static void four(int64_t blocks, const Packed* w, const PackedQuad* a, float* out, int64_t y_stride) {
    four_tokens(blocks, w, a, out, y_stride);
  }
  static void decode(int64_t n, const void* weight, size_t weight_stride, int64_t rows, const void* token, float* y) {
    if constexpr (kFifthBit) {
      avx512::decode_rows_q5_k(n, weight, weight_stride, rows, token, y);
    } else {
      avx512::decode_rows_q4_k(n, weight, weight_stride, rows, token, y);
    }
  }
};

struct Q6Weights {
  static constexpr TensorType type = TensorType::Q6_K;
  using Packed = PackedQ6Block;
  static void pack(const uint8_t* row, int64_t blocks, Packed* out) {
    pack_q6_row(reinterpret_cast<const BlockQ6K*>(row), blocks, out);
  }
  static void four(int64_t blocks, const Packed* w, const PackedQuad* a, float* out, int64_t y_stride) {
    four_tokens_q6(blocks, w, a, out, y_stride);
  }
  static void decode(int64_t n, const void* weight, size_t weight_stride, int64_t rows, const void* token, float* y) {
    avx512::decode_rows_q6_k(n, weight, weight_stride, rows, token, y);
  }
};

// Fewer than four tokens go to the decode kernels; of more, the tokens left over past
// the last four go to the single-row kernel (same bits).
template <typename Weights>
bool tiled_product(int64_t n, const void* weight, size_t weight_stride, int64_t rows, const void* activation,
                   size_t activation_stride, int64_t tokens, float* y, int64_t y_stride) {
  if (tokens < 4) {
    for (int64_t t = 0; t < tokens; ++t) {
      const auto* token = static_cast<const uint8_t*>(activation) + t * activation_stride;
      Weights::decode(n, weight, weight_stride, rows, token, y + t * y_stride);
    }
    return true;
  }
  const VecDotFn single = avx512_vec_dot(Weights::type);
  const int64_t blocks = n / kQK_K;
  const int64_t quads = tokens / 4;
  thread_local std::vector<typename Weights::Packed> packed_rows;
  thread_local std::vector<PackedQuad> packed_quads;
  packed_rows.resize(static_cast<size_t>(blocks * kRowGroup));
  packed_quads.resize(static_cast<size_t>(blocks * std::min(quads, kTokenChunk / 4)));
  const auto* w = static_cast<const uint8_t*>(weight);
  const auto* a = static_cast<const uint8_t*>(activation);
  auto token_row = [&](int64_t t) { return reinterpret_cast<const BlockQ8K*>(a + t * activation_stride); };
  for (int64_t chunk = 0; chunk < 4 * quads; chunk += kTokenChunk) {
    const int64_t chunk_quads = std::min(kTokenChunk, 4 * quads - chunk) / 4;
    for (int64_t q = 0; q < chunk_quads; ++q) {
      const int64_t t = chunk + 4 * q;
      const BlockQ8K* four[4] = {token_row(t), token_row(t + 1), token_row(t + 2), token_row(t + 3)};
      pack_quad(four, blocks, packed_quads.data() + q * blocks);
    }
    for (int64_t group = 0; group < rows; group += kRowGroup) {
      const int64_t group_rows = std::min(kRowGroup, rows - group);
      for (int64_t k = 0; k < group_rows; ++k) {
        Weights::pack(w + (group + k) * weight_stride, blocks, packed_rows.data() + k * blocks);
      }
      const int64_t next_rows = std::min(kRowGroup, rows - group - group_rows);
      avx2::SpreadPrefetch next(w + (group + group_rows) * weight_stride,
                                next_rows * static_cast<int64_t>(weight_stride), chunk_quads);
      for (int64_t q = 0; q < chunk_quads; ++q) {
        next.step();
        for (int64_t k = 0; k < group_rows; ++k) {
          Weights::four(blocks, packed_rows.data() + k * blocks, packed_quads.data() + q * blocks,
                        y + (chunk + 4 * q) * y_stride + group + k, y_stride);
        }
      }
    }
  }
  for (int64_t t = 4 * quads; t < tokens; ++t) {
    for (int64_t r = 0; r < rows; ++r) y[t * y_stride + r] = single(n, w + r * weight_stride, token_row(t));
  }
  return true;
}

}  // namespace

BlockTileFn avx512_k_block_tile(TensorType type) {
  if (avx512_vec_dot(type) == nullptr) return nullptr;
  switch (type) {
    case TensorType::Q4_K: return tiled_product<ScaleMinWeights<false, BlockQ4K, TensorType::Q4_K>>;
    case TensorType::Q5_K: return tiled_product<ScaleMinWeights<true, BlockQ5K, TensorType::Q5_K>>;
    case TensorType::Q6_K: return tiled_product<Q6Weights>;
    default: return nullptr;
  }
}

}  // namespace pd

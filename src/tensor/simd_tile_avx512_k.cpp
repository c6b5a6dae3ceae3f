// The AVX-512 register tile for Q4_K and Q5_K weights against Q8_K activations
// (simd_tile.h). The four-row kernel (simd_dot_avx512_k.cpp) unpacks a weight
// super-block's scales, mins and levels again for every four tokens; in a prefill the
// same row meets every token of the batch, so here each weight row is unpacked once into
// registers' layout (PackedSuperBlock) and then read, as it is, by every four tokens.
// Per four tokens and super-block what remains is the integer products (maddubs, then
// vpdpwssd by the sub-block scales), two rows' float work per register (fold, convert,
// fused multiply-add) and the four min terms in one reduction: the operations of
// scale_min_dot_four, so every element keeps the single-row kernel's bits.

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

// One Q4_K/Q5_K super-block of one weight row as the tile reads it.
struct alignas(64) PackedSuperBlock {
  __m512i levels[4];  // chunk k's 64 levels (avx512::chunk_levels)
  __m512i scales[4];  // chunk k's int16 scales: sub-block 2k's in the lower half, 2k + 1's in the upper
  __m512i mins;       // avx512::paired_mins of the eight mins, in both halves
  float d, dmin;
};

// Weight rows unpacked at a time: two rows' packed super-blocks and four tokens' Q8_K
// rows stay in the first-level cache while the tokens pass over them, so each token's
// row is read from the second-level cache once per two weight rows.
constexpr int64_t kRowGroup = 2;

template <bool kFifthBit, typename Block>
PD_AVX512 void pack_row(const Block* x, int64_t blocks, PackedSuperBlock* out) {
  for (int64_t i = 0; i < blocks; ++i) {
    const avx512::ScalesMins sm = avx512::unpack_scales_mins(x[i].scales);
    const __m256i scales16 = _mm256_cvtepu8_epi16(_mm_cvtsi64_si128(static_cast<int64_t>(sm.scales)));
    __m512i high_bits = _mm512_setzero_si512();
    if constexpr (kFifthBit) high_bits = avx512::both_halves_shifted<1>(x[i].qh);
    for (int k = 0; k < 4; ++k) {
      _mm512_store_si512(&out[i].levels[k], avx512::chunk_levels<kFifthBit>(x[i], k, high_bits));
      _mm512_store_si512(&out[i].scales[k], avx512::half_scales(scales16, 2 * k));
    }
    _mm512_store_si512(&out[i].mins, _mm512_broadcast_i64x4(avx512::paired_mins(sm.mins)));
    out[i].d = half(x[i].d);
    out[i].dmin = half(x[i].dmin);
  }
}

// Four tokens (y[t] is token t's row of Q8_K super-blocks) against one packed weight
// row: out[t * y_stride] = the single-row kernel's dot product.
PD_AVX512 void four_tokens(int64_t blocks, const PackedSuperBlock* w, const BlockQ8K* const* y, float* out,
                           int64_t y_stride) {
  __m512 acc[2] = {_mm512_setzero_ps(), _mm512_setzero_ps()};  // tokens [0 | 1] and [2 | 3]
  __m128 mins = _mm_setzero_ps();                                // lane t: token t
  const __m512i token_of_half[2] = {_mm512_mask_blend_epi32(0xFF00, _mm512_set1_epi32(0), _mm512_set1_epi32(1)),
                                    _mm512_mask_blend_epi32(0xFF00, _mm512_set1_epi32(2), _mm512_set1_epi32(3))};
  for (int64_t i = 0; i < blocks; ++i) {
    const PackedSuperBlock& b = w[i];
    const BlockQ8K* rows[4] = {y[0] + i, y[1] + i, y[2] + i, y[3] + i};
    __m512i sums[4] = {_mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512(),
                       _mm512_setzero_si512()};
    for (int k = 0; k < 4; ++k) {
      const __m512i levels = _mm512_load_si512(&b.levels[k]);
      const __m512i scales = _mm512_load_si512(&b.scales[k]);
      for (int t = 0; t < 4; ++t) {
        const __m512i products = _mm512_maddubs_epi16(levels, avx512::load64(rows[t]->qs + 64 * k));
        sums[t] = _mm512_dpwssd_epi32(sums[t], products, scales);
      }
    }
    const __m128 dy = _mm_setr_ps(rows[0]->d, rows[1]->d, rows[2]->d, rows[3]->d);
    const __m512 d_dy = _mm512_castps128_ps512(_mm_mul_ps(_mm_set1_ps(b.d), dy));
    for (int p = 0; p < 2; ++p) {
      const __m512i folded = avx512::fold_two(sums[2 * p], sums[2 * p + 1]);
      const __m512 scale = _mm512_permutexvar_ps(token_of_half[p], d_dy);
      acc[p] = _mm512_fmadd_ps(scale, _mm512_cvtepi32_ps(folded), acc[p]);
    }
    const __m128 dmin_dy = _mm_mul_ps(_mm_set1_ps(b.dmin), dy);
    const __m128i min_terms = avx512::min_terms_four(rows, _mm512_load_si512(&b.mins));
    mins = _mm_sub_ps(mins, _mm_mul_ps(dmin_dy, _mm_cvtepi32_ps(min_terms)));
  }
  float min_sums[4];
  _mm_storeu_ps(min_sums, mins);
  for (int p = 0; p < 2; ++p) {
    out[2 * p * y_stride] = avx2::sum_lanes(avx512::low_half(acc[p])) + min_sums[2 * p];
    out[(2 * p + 1) * y_stride] = avx2::sum_lanes(avx512::high_half(acc[p])) + min_sums[2 * p + 1];
  }
}

// Four tokens or more: fewer go to the four-row and single-row kernels, as do the
// tokens left over past the last four here (the single-row kernel, same bits).
template <bool kFifthBit, typename Block, TensorType kType>
bool tiled_product(int64_t n, const void* weight, size_t weight_stride, int64_t rows, const void* activation,
                   size_t activation_stride, int64_t tokens, float* y, int64_t y_stride) {
  if (tokens < 4) return false;
  const VecDotFn single = avx512_vec_dot(kType);
  const int64_t blocks = n / kQK_K;
  thread_local std::vector<PackedSuperBlock> packed;
  packed.resize(static_cast<size_t>(blocks * kRowGroup));
  const auto* w = static_cast<const uint8_t*>(weight);
  const auto* a = static_cast<const uint8_t*>(activation);
  auto token_row = [&](int64_t t) { return reinterpret_cast<const BlockQ8K*>(a + t * activation_stride); };
  for (int64_t group = 0; group < rows; group += kRowGroup) {
    const int64_t group_rows = std::min(kRowGroup, rows - group);
    for (int64_t k = 0; k < group_rows; ++k) {
      pack_row<kFifthBit>(reinterpret_cast<const Block*>(w + (group + k) * weight_stride), blocks,
                          packed.data() + k * blocks);
    }
    const int64_t next_rows = std::min(kRowGroup, rows - group - group_rows);
    avx2::SpreadPrefetch next(w + (group + group_rows) * weight_stride, next_rows * static_cast<int64_t>(weight_stride),
                              tokens / 4);
    int64_t t = 0;
    for (; t + 4 <= tokens; t += 4) {
      next.step();
      const BlockQ8K* four[4] = {token_row(t), token_row(t + 1), token_row(t + 2), token_row(t + 3)};
      for (int64_t k = 0; k < group_rows; ++k) {
        four_tokens(blocks, packed.data() + k * blocks, four, y + t * y_stride + group + k, y_stride);
      }
    }
    for (; t < tokens; ++t) {
      for (int64_t k = 0; k < group_rows; ++k) {
        y[t * y_stride + group + k] = single(n, w + (group + k) * weight_stride, token_row(t));
      }
    }
  }
  return true;
}

}  // namespace

BlockTileFn avx512_k_block_tile(TensorType type) {
  if (avx512_vec_dot(type) == nullptr) return nullptr;
  switch (type) {
    case TensorType::Q4_K: return tiled_product<false, BlockQ4K, TensorType::Q4_K>;
    case TensorType::Q5_K: return tiled_product<true, BlockQ5K, TensorType::Q5_K>;
    default: return nullptr;
  }
}

}  // namespace pd

// AVX-512 dot products of Q2_K to Q6_K against Q8_K, bit for bit the AVX2 ones
// (simd_dot_k.cpp). Only the integer part changes: the AVX2 kernel sums a super-block's
// weighted byte products into 8 int32 lanes, 32 values at a time (maddubs, madd by the
// sub-block scales, add). Here 64 values go at a time: maddubs on 512 bits, then one
// vpdpwssd multiplies the int16 pairs by their scales and accumulates, into 16 int32
// lanes whose halves are added at the end of the super-block. Every int32 of the AVX2
// kernel's lanes is the sum of the same exact products, so it comes out the same and
// the float part (one fused multiply-add per super-block, the min term, the final tree)
// is the AVX2 kernel's unchanged.

#include <algorithm>

#include "tensor/quant_k.h"
#include "tensor/quant_k_search.h"
#include "tensor/simd_avx512.h"
#include "tensor/simd_k_avx512.h"
#include "tensor/simd_rows.h"

namespace pd::avx512 {

namespace {

using avx2::half;
using avx2::load32;

// The int16 scales for 64 values: scale[first + k] for the k-th quarter of the register
// (16 values each, Q6_K) or scale[first] and scale[first + 1] for each half (32 values
// each, Q4_K/Q5_K), looked up from `scales` (16 int16, in a 256-bit register).
PD_AVX512 inline __m512i quarter_scales(__m256i scales, int first) {
  const __m512i index = _mm512_add_epi16(
      _mm512_set1_epi16(static_cast<int16_t>(first)),
      _mm512_set_epi64(0x0003000300030003LL, 0x0003000300030003LL, 0x0002000200020002LL,
                       0x0002000200020002LL, 0x0001000100010001LL, 0x0001000100010001LL, 0, 0));
  return _mm512_permutexvar_epi16(index, _mm512_castsi256_si512(scales));
}

PD_AVX512 inline __m512i half_scales(__m256i scales, int first) {
  const __m512i index = _mm512_add_epi16(
      _mm512_set1_epi16(static_cast<int16_t>(first)),
      _mm512_set_epi64(0x0001000100010001LL, 0x0001000100010001LL, 0x0001000100010001LL,
                       0x0001000100010001LL, 0, 0, 0, 0));
  return _mm512_permutexvar_epi16(index, _mm512_castsi256_si512(scales));
}

// sum over the 16 bsums of bsum[j] * min[j / 2], min j in byte j of the upper half of
// `scales_mins` (scales_mins_vector): the min term of a super-block (exact).
PD_AVX512 inline int32_t min_term(const BlockQ8K& a, __m128i scales_mins) {
  const __m128i m = _mm_cvtepu8_epi16(_mm_unpackhi_epi64(scales_mins, scales_mins));
  const __m256i paired = _mm256_set_m128i(_mm_unpackhi_epi16(m, m), _mm_unpacklo_epi16(m, m));
  return avx2::sum_lanes_i32(_mm256_madd_epi16(load32(a.bsums), paired));
}

// Two super-blocks' min products (a's mins against a's bsums, b's against b's): the
// 128-bit lanes [a's 0-3, b's 0-3] and [a's 4-7, b's 4-7], bsums added in pairs first
// (a pair sum of two 16-quant sums fits int16) and met by the sub-block's min.
PD_AVX512 inline __m128i two_min_products(const BlockQ8K& a, const BlockQ8K& b, __m128i scales_mins_a,
                                          __m128i scales_mins_b) {
  const __m256i pairs = _mm256_hadd_epi16(load32(a.bsums), load32(b.bsums));
  const __m128i mins = _mm_unpackhi_epi32(scales_mins_a, scales_mins_b);
  const __m256i products = _mm256_madd_epi16(_mm256_cvtepu8_epi16(mins), pairs);
  return _mm_add_epi32(_mm256_castsi256_si128(products), _mm256_extracti128_si256(products, 1));
}

// min_term of four consecutive super-blocks (y[0..3] with their scales_mins_vector), exact,
// in one register: fewer shuffles than four horizontal sums (which cost a quarter of the
// kernel's time).
PD_AVX512 inline __m128i four_min_terms(const BlockQ8K* y, const __m128i scales_mins[4]) {
  return _mm_hadd_epi32(two_min_products(y[0], y[1], scales_mins[0], scales_mins[1]),
                        two_min_products(y[2], y[3], scales_mins[2], scales_mins[3]));
}

// Super-block i of a Q4_K/Q5_K row (x, its scales_mins_vector) against the kRows
// activation rows: chunk k's 64 levels (chunk_levels) meet the 64 consecutive activation
// quants at 64k, and each row's folded int32 lanes go into acc[r] with the AVX2 kernel's
// fused multiply-add.
template <bool kFifthBit, int kRows, typename Block>
PD_AVX512 inline void add_scaled_sums(const Block& x, __m128i scales_mins, const BlockQ8K* const* y, int64_t i,
                                      __m256* acc) {
  // The upper eight words are the mins, which no chunk's scale index reaches.
  const __m256i scales16 = _mm256_cvtepu8_epi16(scales_mins);
  __m512i sums[kRows];
  for (int r = 0; r < kRows; ++r) sums[r] = _mm512_setzero_si512();
  __m512i high_bits = _mm512_setzero_si512();
  if constexpr (kFifthBit) high_bits = both_halves_shifted<1>(x.qh);
  for (int k = 0; k < 4; ++k) {
    const __m512i levels = chunk_levels<kFifthBit>(x, k, high_bits);
    const __m512i chunk_scales = half_scales(scales16, 2 * k);
    for (int r = 0; r < kRows; ++r) {
      const __m512i products = _mm512_maddubs_epi16(levels, load64(y[r][i].qs + 64 * k));
      sums[r] = _mm512_dpwssd_epi32(sums[r], products, chunk_scales);
    }
  }
  const float d = half(x.d);
  for (int r = 0; r < kRows; ++r) {
    acc[r] = _mm256_fmadd_ps(_mm256_set1_ps(d * y[r][i].d), _mm256_cvtepi32_ps(fold(sums[r])), acc[r]);
  }
}

// The reference's min steps for `count` (at most 4) super-blocks from `first`, in order:
// mins[r] -= (dmin * d_activation) * min_term; a whole four take their exact min terms
// from one register (four_min_terms: four horizontal sums cost a quarter of the kernel).
template <int kRows, typename Block>
PD_AVX512 inline void subtract_min_terms(const Block* x, const BlockQ8K* const* y, int64_t first, int64_t count,
                                         const __m128i scales_mins[4], float* mins) {
  for (int r = 0; r < kRows; ++r) {
    alignas(16) int32_t terms[4];
    if (count == 4) {
      _mm_store_si128(reinterpret_cast<__m128i*>(terms), four_min_terms(y[r] + first, scales_mins));
    } else {
      for (int64_t b = 0; b < count; ++b) terms[b] = min_term(y[r][first + b], scales_mins[b]);
    }
    for (int64_t b = 0; b < count; ++b) {
      const int64_t i = first + b;
      mins[r] -= (half(x[i].dmin) * y[r][i].d) * static_cast<float>(terms[b]);
    }
  }
}

// Q4_K and Q5_K against kRows activation rows, as avx2 scale_min_dot, four super-blocks
// at a time: their min terms wait for the four.
template <bool kFifthBit, int kRows, typename Block>
PD_AVX512 void scale_min_dot(int64_t n, const Block* x, const BlockQ8K* const* y, float* out) {
  constexpr int64_t kQuad = 4;
  __m256 acc[kRows];
  float mins[kRows];
  for (int r = 0; r < kRows; ++r) {
    acc[r] = _mm256_setzero_ps();
    mins[r] = 0.0f;
  }
  const int64_t blocks = n / kQK_K;
  for (int64_t first = 0; first < blocks; first += kQuad) {
    const int64_t count = std::min(kQuad, blocks - first);
    __m128i scales_mins[kQuad];
    for (int64_t b = 0; b < count; ++b) {
      prefetch_ahead(x + first + b, sizeof(Block));
      scales_mins[b] = scales_mins_vector(x[first + b].scales);
      add_scaled_sums<kFifthBit, kRows>(x[first + b], scales_mins[b], y, first + b, acc);
    }
    subtract_min_terms<kRows>(x, y, first, count, scales_mins, mins);
  }
  for (int r = 0; r < kRows; ++r) out[r] = avx2::sum_lanes(acc[r]) + mins[r];
}

// Q6_K against kRows activation rows, as avx2 q6_k_dot: values 128h + 32k + l are
// nibble k / 2 of ql[64h + 32(k % 2) + l] with bit pair k of qh[32h + l]; chunks k = 0, 1
// take the low nibbles of the 64 bytes at ql + 64h, chunks 2, 3 the high ones, and each
// pair of chunks meets 64 consecutive activation quants.
template <int kRows>
PD_AVX512 void q6_k_dot(int64_t n, const BlockQ6K* x, const BlockQ8K* const* y, float* out) {
  const __m512i bias = _mm512_set1_epi8(32);
  __m256 acc[kRows];
  for (int r = 0; r < kRows; ++r) acc[r] = _mm256_setzero_ps();
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    prefetch_ahead(x + i, sizeof(BlockQ6K));
    const __m256i scales16 = _mm256_cvtepi8_epi16(avx2::load16(x[i].scales));
    __m512i sums[kRows];
    for (int r = 0; r < kRows; ++r) sums[r] = _mm512_setzero_si512();
    for (int h = 0; h < 2; ++h) {
      const Q6HalfLevels stored = q6_half_levels(x[i], h);
      for (int p = 0; p < 2; ++p) {
        const int chunk = 4 * h + 2 * p;  // chunks `chunk` and `chunk + 1`
        const SignSplit split = sign_split(_mm512_sub_epi8(stored.levels[p], bias));
        const __m512i scales = quarter_scales(scales16, 2 * chunk);
        for (int r = 0; r < kRows; ++r) {
          const __m512i q = signed_operand(split, load64(y[r][i].qs + 32 * chunk));
          sums[r] = _mm512_dpwssd_epi32(sums[r], _mm512_maddubs_epi16(split.magnitude, q), scales);
        }
      }
    }
    const float d = half(x[i].d);
    for (int r = 0; r < kRows; ++r) {
      acc[r] = _mm256_fmadd_ps(_mm256_set1_ps(d * y[r][i].d), _mm256_cvtepi32_ps(fold(sums[r])), acc[r]);
    }
  }
  for (int r = 0; r < kRows; ++r) out[r] = avx2::sum_lanes(acc[r]);
}

// Q2_K and Q3_K store bit pair k of a value in bits 2k-2k+1 of qs[32h + l] (value
// 128h + 32k + l). The 32 bytes at qs + 32h in both halves, the upper one shifted right
// by 2 more bits: shifting the whole by 2k (k = 0, 2) then puts chunk 4h + k's pairs in
// the lower half and chunk 4h + k + 1's in the upper, meeting 64 consecutive quants.
PD_AVX512 inline __m512i bit_pairs(const __m512i& both, int k) {
  return _mm512_and_si512(_mm512_srl_epi16(both, _mm_cvtsi32_si128(2 * k)), _mm512_set1_epi8(3));
}

// Q3_K's 16 scales (kquant::q3k_scale(packed, j) - 32) as int16, kept in registers:
// loading them after storing them byte by byte stalled store forwarding every
// super-block (the kernel ran at 0.7x the AVX2 one that way).
PD_AVX512 inline __m256i q3k_scales16(const uint8_t* packed) {
  const kquant::Q3kScaleBytes bytes = kquant::q3k_scale_bytes(packed);
  const __m128i stored = _mm_set_epi64x(static_cast<int64_t>(bytes.second), static_cast<int64_t>(bytes.first));
  return _mm256_cvtepi8_epi16(_mm_sub_epi8(stored, _mm_set1_epi8(32)));
}

}  // namespace

PD_AVX512 float dot_q2_k(int64_t n, const void* weight, const void* activation) {
  const auto* x = static_cast<const BlockQ2K*>(weight);
  const auto* y = static_cast<const BlockQ8K*>(activation);
  __m256 acc = _mm256_setzero_ps();
  float mins = 0.0f;
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    prefetch_ahead(x + i, sizeof(BlockQ2K));
    // Byte j of scales: low nibble the scale of sub-block j, high nibble its min.
    const __m128i packed = avx2::load16(x[i].scales);
    const __m256i mins16 = _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(packed, 4), _mm_set1_epi8(0x0F)));
    const int32_t min_sum = avx2::sum_lanes_i32(_mm256_madd_epi16(load32(y[i].bsums), mins16));
    const __m256i scales16 = _mm256_cvtepu8_epi16(_mm_and_si128(packed, _mm_set1_epi8(0x0F)));
    __m512i sums = _mm512_setzero_si512();
    for (int h = 0; h < 2; ++h) {
      const __m512i both = both_halves_shifted<2>(x[i].qs + 32 * h);
      for (int k = 0; k < 4; k += 2) {
        const int chunk = 4 * h + k;  // chunks `chunk` and `chunk + 1`
        const __m512i products = _mm512_maddubs_epi16(bit_pairs(both, k), load64(y[i].qs + 32 * chunk));
        sums = _mm512_dpwssd_epi32(sums, products, quarter_scales(scales16, 2 * chunk));
      }
    }
    acc = _mm256_fmadd_ps(_mm256_set1_ps(y[i].d * half(x[i].d)), _mm256_cvtepi32_ps(fold(sums)), acc);
    mins -= (y[i].d * half(x[i].dmin)) * static_cast<float>(min_sum);
  }
  return avx2::sum_lanes(acc) + mins;
}

PD_AVX512 float dot_q3_k(int64_t n, const void* weight, const void* activation) {
  const auto* x = static_cast<const BlockQ3K*>(weight);
  const auto* y = static_cast<const BlockQ8K*>(activation);
  __m256 acc = _mm256_setzero_ps();
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    prefetch_ahead(x + i, sizeof(BlockQ3K));
    const __m256i scales16 = q3k_scales16(x[i].scales);
    // High bit of value 128h + 32k + l: bit 4h + k of hmask[l] (set: q = low bits; clear:
    // q = low bits - 4). In both halves, the upper shifted by one more bit, as the pairs.
    const __m512i high_both = both_halves_shifted<1>(x[i].hmask);
    __m512i sums = _mm512_setzero_si512();
    for (int h = 0; h < 2; ++h) {
      const __m512i both = both_halves_shifted<2>(x[i].qs + 32 * h);
      for (int k = 0; k < 4; k += 2) {
        const int chunk = 4 * h + k;
        const __m512i high = _mm512_slli_epi16(
            _mm512_and_si512(_mm512_srl_epi16(high_both, _mm_cvtsi32_si128(chunk)), _mm512_set1_epi8(1)), 2);
        const SignSplit split =
            sign_split(_mm512_sub_epi8(_mm512_or_si512(bit_pairs(both, k), high), _mm512_set1_epi8(4)));
        const __m512i q = signed_operand(split, load64(y[i].qs + 32 * chunk));
        sums = _mm512_dpwssd_epi32(sums, _mm512_maddubs_epi16(split.magnitude, q), quarter_scales(scales16, 2 * chunk));
      }
    }
    acc = _mm256_fmadd_ps(_mm256_set1_ps(half(x[i].d) * y[i].d), _mm256_cvtepi32_ps(fold(sums)), acc);
  }
  return avx2::sum_lanes(acc);
}

PD_AVX512 float dot_q4_k(int64_t n, const void* weight, const void* activation) {
  const BlockQ8K* rows[1] = {static_cast<const BlockQ8K*>(activation)};
  float out;
  scale_min_dot<false, 1>(n, static_cast<const BlockQ4K*>(weight), rows, &out);
  return out;
}

PD_AVX512 float dot_q5_k(int64_t n, const void* weight, const void* activation) {
  const BlockQ8K* rows[1] = {static_cast<const BlockQ8K*>(activation)};
  float out;
  scale_min_dot<true, 1>(n, static_cast<const BlockQ5K*>(weight), rows, &out);
  return out;
}

PD_AVX512 float dot_q6_k(int64_t n, const void* weight, const void* activation) {
  const BlockQ8K* rows[1] = {static_cast<const BlockQ8K*>(activation)};
  float out;
  q6_k_dot<1>(n, static_cast<const BlockQ6K*>(weight), rows, &out);
  return out;
}

PD_AVX512 void dot4_q4_k(int64_t n, const void* weight, const void* activation, size_t stride, float* out) {
  scale_min_dot<false, 4>(n, static_cast<const BlockQ4K*>(weight), FourRows<BlockQ8K>(activation, stride).rows, out);
}

PD_AVX512 void dot4_q5_k(int64_t n, const void* weight, const void* activation, size_t stride, float* out) {
  scale_min_dot<true, 4>(n, static_cast<const BlockQ5K*>(weight), FourRows<BlockQ8K>(activation, stride).rows, out);
}

PD_AVX512 void dot4_q6_k(int64_t n, const void* weight, const void* activation, size_t stride, float* out) {
  q6_k_dot<4>(n, static_cast<const BlockQ6K*>(weight), FourRows<BlockQ8K>(activation, stride).rows, out);
}

}  // namespace pd::avx512

// AVX2 dot products of the K-quant types Q2_K to Q6_K against Q8_K. Per
// super-block of 256 values: the levels (unsigned for Q2_K/Q4_K/Q5_K, signed for Q3_K
// and Q6_K) meet the activation quants 32 at a time (maddubs: pairs of byte products
// to int16), each half of that is weighted by its sub-block scale (madd: to int32), all
// of it summed exactly in 8 int32 lanes; the lanes, as floats, are fused into an 8-lane
// float accumulator with d_x * d_y. The mins of Q2_K/Q4_K/Q5_K go through Q8_K's
// 16-value sums (exact integers too), one float term per super-block, as the reference
// does.

#include "tensor/quant_k.h"
#include "tensor/quant_k_search.h"
#include "tensor/simd_avx2.h"
#include "tensor/simd_rows.h"

namespace pd::avx2 {

namespace {

PD_AVX2 inline __m256i low_nibbles(__m256i bytes) {
  return _mm256_and_si256(bytes, _mm256_set1_epi8(0x0F));
}

PD_AVX2 inline __m256i high_nibbles(__m256i bytes) {
  return _mm256_and_si256(_mm256_srli_epi16(bytes, 4), _mm256_set1_epi8(0x0F));
}

// Bit 0 of every byte, moved to bit 4 (worth 16).
PD_AVX2 inline __m256i bit0_as_16(__m256i bytes) {
  return _mm256_slli_epi16(_mm256_and_si256(bytes, _mm256_set1_epi8(1)), 4);
}

// 32 levels (unsigned bytes) against 32 activation quants, two sub-blocks of 16 with
// int16 scales `scales` (8 copies of the first's, then 8 of the second's).
PD_AVX2 inline __m256i weighted_dot(__m256i levels, const int8_t* q, __m256i scales) {
  return _mm256_madd_epi16(_mm256_maddubs_epi16(levels, load32(q)), scales);
}

// As weighted_dot for signed levels (|level| <= 32): the sign moves onto the activation.
// (Signed levels keep every int32 lane a sum of the products it stands for; adding a
// constant to the levels and taking it out again through the bsums would not, and the
// lanes' float rounding would then grow with that constant rather than with the values.)
PD_AVX2 inline __m256i weighted_dot_signed(__m256i levels, const int8_t* q, __m256i scales) {
  const __m256i products = _mm256_maddubs_epi16(_mm256_sign_epi8(levels, levels),
                                                _mm256_sign_epi8(load32(q), levels));
  return _mm256_madd_epi16(products, scales);
}

// Two scales of 32-value sub-blocks over a 32-value chunk: the same scale everywhere.
PD_AVX2 inline __m256i one_scale(int scale) {
  return _mm256_set1_epi16(static_cast<int16_t>(scale));
}

// The 8 scales and 8 mins of a Q4_K/Q5_K super-block.
struct ScalesMins {
  uint8_t scales[8];
  uint8_t mins[8];
  explicit ScalesMins(const uint8_t* packed) {
    for (int j = 0; j < 8; ++j) kquant::unpack_scale_min_k4(j, packed, &scales[j], &mins[j]);
  }
};

// sum over the 16 bsums of bsum[j] * mins[j / 2]: the min term of a super-block.
PD_AVX2 inline int32_t min_term(const BlockQ8K& a, const uint8_t* mins) {
  const __m128i m = _mm_cvtepu8_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(mins)));
  const __m256i paired = _mm256_set_m128i(_mm_unpackhi_epi16(m, m), _mm_unpacklo_epi16(m, m));
  return sum_lanes_i32(_mm256_madd_epi16(load32(a.bsums), paired));
}

// Q4_K and Q5_K against kRows activation rows (y[r] is row r): kFifthBit adds the qh
// bits (Q5_K). Each weight chunk is expanded once and used for every row; per row the
// operations are the same whatever kRows, so a row's result does not depend on it.
template <bool kFifthBit, int kRows, typename Block>
PD_AVX2 void scale_min_dot(int64_t n, const Block* x, const BlockQ8K* const* y, float* out) {
  __m256 acc[kRows];
  float mins[kRows];
  for (int r = 0; r < kRows; ++r) {
    acc[r] = _mm256_setzero_ps();
    mins[r] = 0.0f;
  }
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    prefetch_ahead(x + i, sizeof(x[i]));
    const ScalesMins sm(x[i].scales);
    __m256i sums[kRows];
    for (int r = 0; r < kRows; ++r) sums[r] = _mm256_setzero_si256();
    __m256i high_bits = _mm256_setzero_si256();
    if constexpr (kFifthBit) high_bits = load32(x[i].qh);
    for (int k = 0; k < 4; ++k) {
      // Values 64k + l are the low nibbles of qs[32k + l], values 64k + 32 + l the high.
      const __m256i packed = load32(x[i].qs + 32 * k);
      __m256i low = low_nibbles(packed);
      __m256i high = high_nibbles(packed);
      if constexpr (kFifthBit) {
        low = _mm256_or_si256(low, bit0_as_16(high_bits));
        high = _mm256_or_si256(high, bit0_as_16(_mm256_srli_epi16(high_bits, 1)));
        high_bits = _mm256_srli_epi16(high_bits, 2);
      }
      const __m256i low_scale = one_scale(sm.scales[2 * k]);
      const __m256i high_scale = one_scale(sm.scales[2 * k + 1]);
      for (int r = 0; r < kRows; ++r) {
        sums[r] = _mm256_add_epi32(sums[r], weighted_dot(low, y[r][i].qs + 64 * k, low_scale));
        sums[r] = _mm256_add_epi32(sums[r], weighted_dot(high, y[r][i].qs + 64 * k + 32, high_scale));
      }
    }
    const float d = half(x[i].d);
    const float dmin = half(x[i].dmin);
    for (int r = 0; r < kRows; ++r) {
      acc[r] = _mm256_fmadd_ps(_mm256_set1_ps(d * y[r][i].d), _mm256_cvtepi32_ps(sums[r]), acc[r]);
      mins[r] -= (dmin * y[r][i].d) * static_cast<float>(min_term(y[r][i], sm.mins));
    }
  }
  for (int r = 0; r < kRows; ++r) out[r] = sum_lanes(acc[r]) + mins[r];
}

// Scales of sub-blocks j and j + 1 (16 values each) over one 32-value chunk.
PD_AVX2 inline __m256i two_scales(const int8_t* scales, int j) {
  return _mm256_set_m128i(_mm_set1_epi16(scales[j + 1]), _mm_set1_epi16(scales[j]));
}

}  // namespace

PD_AVX2 float dot_q2_k(int64_t n, const void* weight, const void* activation) {
  const auto* x = static_cast<const BlockQ2K*>(weight);
  const auto* y = static_cast<const BlockQ8K*>(activation);
  const __m256i two_bits = _mm256_set1_epi8(3);
  __m256 acc = _mm256_setzero_ps();
  float mins = 0.0f;
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    prefetch_ahead(x + i, sizeof(x[i]));
    // Byte j of scales: low nibble the scale of sub-block j, high nibble its min.
    const __m128i packed = load16(x[i].scales);
    const __m256i mins16 = _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(packed, 4), _mm_set1_epi8(0x0F)));
    const int32_t min_sum = sum_lanes_i32(_mm256_madd_epi16(load32(y[i].bsums), mins16));
    int8_t scales[16];
    for (int j = 0; j < 16; ++j) scales[j] = static_cast<int8_t>(x[i].scales[j] & 0xF);
    __m256i sums = _mm256_setzero_si256();
    for (int h = 0; h < 2; ++h) {
      // Value 128h + 32k + l: bit pair k of qs[32h + l].
      __m256i q = load32(x[i].qs + 32 * h);
      for (int k = 0; k < 4; ++k) {
        const int chunk = 4 * h + k;
        sums = _mm256_add_epi32(sums, weighted_dot(_mm256_and_si256(q, two_bits), y[i].qs + 32 * chunk,
                                                   two_scales(scales, 2 * chunk)));
        q = _mm256_srli_epi16(q, 2);
      }
    }
    acc = _mm256_fmadd_ps(_mm256_set1_ps(y[i].d * half(x[i].d)), _mm256_cvtepi32_ps(sums), acc);
    mins -= (y[i].d * half(x[i].dmin)) * static_cast<float>(min_sum);
  }
  return sum_lanes(acc) + mins;
}

PD_AVX2 float dot_q3_k(int64_t n, const void* weight, const void* activation) {
  const auto* x = static_cast<const BlockQ3K*>(weight);
  const auto* y = static_cast<const BlockQ8K*>(activation);
  const __m256i two_bits = _mm256_set1_epi8(3);
  const __m256i one_bit = _mm256_set1_epi8(1);
  __m256 acc = _mm256_setzero_ps();
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    prefetch_ahead(x + i, sizeof(x[i]));
    const kquant::Q3kScaleBytes bytes = kquant::q3k_scale_bytes(x[i].scales);
    int8_t scales[16];  // read back one at a time below, which store forwarding serves
    _mm_storeu_si128(reinterpret_cast<__m128i*>(scales),
                     _mm_sub_epi8(_mm_set_epi64x(static_cast<int64_t>(bytes.second), static_cast<int64_t>(bytes.first)),
                                  _mm_set1_epi8(32)));
    __m256i high_bits = load32(x[i].hmask);
    __m256i sums = _mm256_setzero_si256();
    for (int h = 0; h < 2; ++h) {
      // Value 128h + 32k + l: bit pair k of qs[32h + l], high bit 4h + k of hmask[l]
      // (set: q = low bits; clear: q = low bits - 4).
      __m256i q = load32(x[i].qs + 32 * h);
      for (int k = 0; k < 4; ++k) {
        const int chunk = 4 * h + k;
        const __m256i high = _mm256_slli_epi16(_mm256_and_si256(high_bits, one_bit), 2);
        const __m256i levels = _mm256_sub_epi8(_mm256_or_si256(_mm256_and_si256(q, two_bits), high),
                                               _mm256_set1_epi8(4));
        sums = _mm256_add_epi32(
            sums, weighted_dot_signed(levels, y[i].qs + 32 * chunk, two_scales(scales, 2 * chunk)));
        q = _mm256_srli_epi16(q, 2);
        high_bits = _mm256_srli_epi16(high_bits, 1);
      }
    }
    acc = _mm256_fmadd_ps(_mm256_set1_ps(half(x[i].d) * y[i].d), _mm256_cvtepi32_ps(sums), acc);
  }
  return sum_lanes(acc);
}

namespace {

// Q6_K against kRows activation rows, as scale_min_dot.
template <int kRows>
PD_AVX2 void q6_k_dot(int64_t n, const BlockQ6K* x, const BlockQ8K* const* y, float* out) {
  const __m256i two_bits = _mm256_set1_epi8(3);
  const __m256i bias = _mm256_set1_epi8(32);  // levels are stored as q + 32 (0..63)
  __m256 acc[kRows];
  for (int r = 0; r < kRows; ++r) acc[r] = _mm256_setzero_ps();
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    prefetch_ahead(x + i, sizeof(x[i]));
    __m256i sums[kRows];
    for (int r = 0; r < kRows; ++r) sums[r] = _mm256_setzero_si256();
    for (int h = 0; h < 2; ++h) {
      // Value 128h + 32k + l: nibble k / 2 of ql[64h + 32(k % 2) + l], bit pair k of
      // qh[32h + l].
      const __m256i ql0 = load32(x[i].ql + 64 * h);
      const __m256i ql1 = load32(x[i].ql + 64 * h + 32);
      const __m256i qh = load32(x[i].qh + 32 * h);
      const __m256i stored[4] = {
          _mm256_or_si256(low_nibbles(ql0), _mm256_slli_epi16(_mm256_and_si256(qh, two_bits), 4)),
          _mm256_or_si256(low_nibbles(ql1),
                          _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2), two_bits), 4)),
          _mm256_or_si256(high_nibbles(ql0),
                          _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 4), two_bits), 4)),
          _mm256_or_si256(high_nibbles(ql1),
                          _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 6), two_bits), 4)),
      };
      for (int k = 0; k < 4; ++k) {
        const int chunk = 4 * h + k;  // 32-value chunk: sub-blocks 2 * chunk and 2 * chunk + 1
        const __m256i levels = _mm256_sub_epi8(stored[k], bias);
        const __m256i scales = two_scales(x[i].scales, 2 * chunk);
        for (int r = 0; r < kRows; ++r) {
          sums[r] = _mm256_add_epi32(sums[r], weighted_dot_signed(levels, y[r][i].qs + 32 * chunk, scales));
        }
      }
    }
    const float d = half(x[i].d);
    for (int r = 0; r < kRows; ++r) {
      acc[r] = _mm256_fmadd_ps(_mm256_set1_ps(d * y[r][i].d), _mm256_cvtepi32_ps(sums[r]), acc[r]);
    }
  }
  for (int r = 0; r < kRows; ++r) out[r] = sum_lanes(acc[r]);
}

}  // namespace

PD_AVX2 float dot_q4_k(int64_t n, const void* weight, const void* activation) {
  const BlockQ8K* rows[1] = {static_cast<const BlockQ8K*>(activation)};
  float out;
  scale_min_dot<false, 1>(n, static_cast<const BlockQ4K*>(weight), rows, &out);
  return out;
}

PD_AVX2 float dot_q5_k(int64_t n, const void* weight, const void* activation) {
  const BlockQ8K* rows[1] = {static_cast<const BlockQ8K*>(activation)};
  float out;
  scale_min_dot<true, 1>(n, static_cast<const BlockQ5K*>(weight), rows, &out);
  return out;
}

PD_AVX2 float dot_q6_k(int64_t n, const void* weight, const void* activation) {
  const BlockQ8K* rows[1] = {static_cast<const BlockQ8K*>(activation)};
  float out;
  q6_k_dot<1>(n, static_cast<const BlockQ6K*>(weight), rows, &out);
  return out;
}

PD_AVX2 void dot4_q4_k(int64_t n, const void* weight, const void* activation, size_t stride, float* out) {
  scale_min_dot<false, 4>(n, static_cast<const BlockQ4K*>(weight), FourRows<BlockQ8K>(activation, stride).rows, out);
}

PD_AVX2 void dot4_q5_k(int64_t n, const void* weight, const void* activation, size_t stride, float* out) {
  scale_min_dot<true, 4>(n, static_cast<const BlockQ5K*>(weight), FourRows<BlockQ8K>(activation, stride).rows, out);
}

PD_AVX2 void dot4_q6_k(int64_t n, const void* weight, const void* activation, size_t stride, float* out) {
  q6_k_dot<4>(n, static_cast<const BlockQ6K*>(weight), FourRows<BlockQ8K>(activation, stride).rows, out);
}

}  // namespace pd::avx2

// AVX2 dot products of the 32-value block types (Q8_0, Q4_0, Q5_0, IQ4_NL against Q8_0;
// Q4_1, Q5_1 against Q8_1). Per block: the weight quants expanded to 32 bytes in value
// order, an exact integer dot product with the activation quants in 8 int32 lanes, and
// one fused multiply-add of the lanes (as floats) by the product of the two scales
// into an 8-lane float accumulator. The offset types add m * s per block to a scalar
// float, in block order, added to the lane sum at the end.

#include "tensor/quant_iq4_nl.h"
#include "tensor/quant_legacy.h"
#include "tensor/simd_avx2.h"

namespace pd::avx2 {

namespace {

// The offset of a _1 block meets the activation through s = d_y * sum(q_y).
struct Offset {
  float sum = 0.0f;
  PD_AVX2 void add(uint16_t m, uint16_t s) { sum += half(m) * half(s); }
};

PD_AVX2 inline __m256 scaled(__m256i lanes, float d, __m256 acc) {
  return _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(lanes), acc);
}

// The fifth bit of each quant (from qh) as 16 or 0.
PD_AVX2 inline __m256i fifth_bits(const uint8_t* qh) {
  return _mm256_and_si256(bits_as_bytes(qh), _mm256_set1_epi8(0x10));
}

}  // namespace

PD_AVX2 float dot_q8_0(int64_t n, const void* weight, const void* activation) {
  const auto* x = static_cast<const BlockQ8_0*>(weight);
  const auto* y = static_cast<const BlockQ8_0*>(activation);
  __m256 acc = _mm256_setzero_ps();
  for (int64_t i = 0; i < n / kLegacyBlockSize; ++i) {
    const __m256i lanes = dot_signed(load32(x[i].qs), load32(y[i].qs));
    acc = scaled(lanes, half(x[i].d) * half(y[i].d), acc);
  }
  return sum_lanes(acc);
}

PD_AVX2 float dot_q4_0(int64_t n, const void* weight, const void* activation) {
  const auto* x = static_cast<const BlockQ4_0*>(weight);
  const auto* y = static_cast<const BlockQ8_0*>(activation);
  __m256 acc = _mm256_setzero_ps();
  for (int64_t i = 0; i < n / kLegacyBlockSize; ++i) {
    const __m256i q = _mm256_sub_epi8(nibbles(x[i].qs), _mm256_set1_epi8(8));
    acc = scaled(dot_signed(q, load32(y[i].qs)), half(x[i].d) * half(y[i].d), acc);
  }
  return sum_lanes(acc);
}

PD_AVX2 float dot_q4_1(int64_t n, const void* weight, const void* activation) {
  const auto* x = static_cast<const BlockQ4_1*>(weight);
  const auto* y = static_cast<const BlockQ8_1*>(activation);
  __m256 acc = _mm256_setzero_ps();
  Offset offset;
  for (int64_t i = 0; i < n / kLegacyBlockSize; ++i) {
    const __m256i lanes = dot_unsigned_signed(nibbles(x[i].qs), load32(y[i].qs));
    acc = scaled(lanes, half(x[i].d) * half(y[i].d), acc);
    offset.add(x[i].m, y[i].s);
  }
  return sum_lanes(acc) + offset.sum;
}

PD_AVX2 float dot_q5_0(int64_t n, const void* weight, const void* activation) {
  const auto* x = static_cast<const BlockQ5_0*>(weight);
  const auto* y = static_cast<const BlockQ8_0*>(activation);
  __m256 acc = _mm256_setzero_ps();
  for (int64_t i = 0; i < n / kLegacyBlockSize; ++i) {
    const __m256i q = _mm256_sub_epi8(_mm256_or_si256(nibbles(x[i].qs), fifth_bits(x[i].qh)),
                                      _mm256_set1_epi8(16));
    acc = scaled(dot_signed(q, load32(y[i].qs)), half(x[i].d) * half(y[i].d), acc);
  }
  return sum_lanes(acc);
}

PD_AVX2 float dot_q5_1(int64_t n, const void* weight, const void* activation) {
  const auto* x = static_cast<const BlockQ5_1*>(weight);
  const auto* y = static_cast<const BlockQ8_1*>(activation);
  __m256 acc = _mm256_setzero_ps();
  Offset offset;
  for (int64_t i = 0; i < n / kLegacyBlockSize; ++i) {
    const __m256i q = _mm256_or_si256(nibbles(x[i].qs), fifth_bits(x[i].qh));
    acc = scaled(dot_unsigned_signed(q, load32(y[i].qs)), half(x[i].d) * half(y[i].d), acc);
    offset.add(x[i].m, y[i].s);
  }
  return sum_lanes(acc) + offset.sum;
}

PD_AVX2 float dot_iq4_nl(int64_t n, const void* weight, const void* activation) {
  const auto* x = static_cast<const BlockIq4nl*>(weight);
  const auto* y = static_cast<const BlockQ8_0*>(activation);
  // The 16 levels in each 128-bit half: a byte shuffle looks a nibble up.
  const __m256i levels = _mm256_broadcastsi128_si256(load16(kIq4nlValues));
  __m256 acc = _mm256_setzero_ps();
  for (int64_t i = 0; i < n / 32; ++i) {
    const __m256i q = _mm256_shuffle_epi8(levels, nibbles(x[i].qs));
    acc = scaled(dot_signed(q, load32(y[i].qs)), half(x[i].d) * half(y[i].d), acc);
  }
  return sum_lanes(acc);
}

}  // namespace pd::avx2

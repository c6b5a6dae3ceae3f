// AVX2 dot products of the 32-value block types (Q8_0, Q4_0, Q5_0, IQ4_NL against Q8_0;
// Q4_1, Q5_1 against Q8_1). Per block: the weight quants expanded to 32 bytes in value
// order, an exact integer dot product with the activation quants in 8 int32 lanes, and
// one fused multiply-add of the lanes (as floats) by the product of the two scales
// into an 8-lane float accumulator (even and odd blocks into two). The offset types add
// m * s per block to a scalar float, in block order, added to the lane sum at the end.
// The four-row variants expand each weight block once and then do exactly that per row.

#include "tensor/simd_legacy_levels.h"
#include "tensor/simd_rows.h"

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

// One block's integer dot product, scaled into `acc`. Signed levels go through the sign
// trick: |level| is the unsigned operand, the level's sign moves onto the activation
// (exact unless an activation quant is -128, see simd_dot.h); `magnitude` is |levels|,
// computed once by the caller for any number of activation rows.
template <typename Block>
PD_AVX2 inline __m256 add_block(__m256i levels, __m256i magnitude, float dx,
                                const typename Block::Activation& y, __m256 acc) {
  const __m256i q = load32(y.qs);
  const __m256i lanes = Block::kSigned
                            ? dot_unsigned_signed(magnitude, _mm256_sign_epi8(q, levels))
                            : dot_unsigned_signed(levels, q);
  return scaled(lanes, dx * half(y.d), acc);
}

template <typename Block>
PD_AVX2 inline __m256i magnitude_of(__m256i levels) {
  return Block::kSigned ? _mm256_sign_epi8(levels, levels) : levels;
}

// Even blocks into one accumulator, odd blocks into another (two independent chains
// of multiply-adds hide their latency), the two added at the end.
template <typename Block>
PD_AVX2 float block_sum(int64_t n, const void* weight, const void* activation) {
  const auto* x = static_cast<const typename Block::Weight*>(weight);
  const auto* y = static_cast<const typename Block::Activation*>(activation);
  const int64_t blocks = n / kLegacyBlockSize;
  __m256 even = _mm256_setzero_ps();
  __m256 odd = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 2 <= blocks; i += 2) {
    prefetch_ahead(x + i, 2 * sizeof(typename Block::Weight));
    const __m256i l0 = Block::levels(x[i]);
    const __m256i l1 = Block::levels(x[i + 1]);
    even = add_block<Block>(l0, magnitude_of<Block>(l0), half(x[i].d), y[i], even);
    odd = add_block<Block>(l1, magnitude_of<Block>(l1), half(x[i + 1].d), y[i + 1], odd);
  }
  if (i < blocks) {
    const __m256i l0 = Block::levels(x[i]);
    even = add_block<Block>(l0, magnitude_of<Block>(l0), half(x[i].d), y[i], even);
  }
  return sum_lanes(_mm256_add_ps(even, odd));
}

// block_sum for four activation rows `stride` bytes apart, each weight block expanded
// once: the same operations per row, so the same bits.
template <typename Block>
PD_AVX2 void block_sum4(int64_t n, const void* weight, const void* activation, size_t stride,
                        float* out) {
  using Activation = typename Block::Activation;
  const auto* x = static_cast<const typename Block::Weight*>(weight);
  const FourRows<Activation> rows(activation, stride);
  const Activation* const* y = rows.rows;
  const int64_t blocks = n / kLegacyBlockSize;
  __m256 even[4], odd[4];
  for (int k = 0; k < 4; ++k) even[k] = odd[k] = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 2 <= blocks; i += 2) {
    prefetch_ahead(x + i, 2 * sizeof(typename Block::Weight));
    const __m256i l0 = Block::levels(x[i]);
    const __m256i l1 = Block::levels(x[i + 1]);
    const __m256i m0 = magnitude_of<Block>(l0);
    const __m256i m1 = magnitude_of<Block>(l1);
    const float d0 = half(x[i].d);
    const float d1 = half(x[i + 1].d);
    for (int k = 0; k < 4; ++k) {
      even[k] = add_block<Block>(l0, m0, d0, y[k][i], even[k]);
      odd[k] = add_block<Block>(l1, m1, d1, y[k][i + 1], odd[k]);
    }
  }
  if (i < blocks) {
    const __m256i l0 = Block::levels(x[i]);
    const __m256i m0 = magnitude_of<Block>(l0);
    for (int k = 0; k < 4; ++k) even[k] = add_block<Block>(l0, m0, half(x[i].d), y[k][i], even[k]);
  }
  for (int k = 0; k < 4; ++k) out[k] = sum_lanes(_mm256_add_ps(even[k], odd[k]));
}

// The offsets of a _1 row, block by block.
template <typename Weight>
PD_AVX2 float offset_sum(int64_t n, const Weight* x, const BlockQ8_1* y) {
  Offset offset;
  for (int64_t i = 0; i < n / kLegacyBlockSize; ++i) offset.add(x[i].m, y[i].s);
  return offset.sum;
}

}  // namespace

PD_AVX2 float dot_q8_0(int64_t n, const void* weight, const void* activation) {
  return block_sum<Q8_0Block>(n, weight, activation);
}

PD_AVX2 float dot_q4_1(int64_t n, const void* weight, const void* activation) {
  return block_sum<Q4_1Block>(n, weight, activation) +
         offset_sum(n, static_cast<const BlockQ4_1*>(weight), static_cast<const BlockQ8_1*>(activation));
}

PD_AVX2 float dot_q5_0(int64_t n, const void* weight, const void* activation) {
  return block_sum<Q5_0Block>(n, weight, activation);
}

PD_AVX2 float dot_q5_1(int64_t n, const void* weight, const void* activation) {
  return block_sum<Q5_1Block>(n, weight, activation) +
         offset_sum(n, static_cast<const BlockQ5_1*>(weight), static_cast<const BlockQ8_1*>(activation));
}

PD_AVX2 float dot_iq4_nl(int64_t n, const void* weight, const void* activation) {
  return block_sum<Iq4nlBlock>(n, weight, activation);
}

// The offset terms of four activation rows (Q4_1, Q5_1), added to their block sums.
template <typename Weight>
PD_AVX2 void add_offset_sums4(int64_t n, const Weight* weight, const void* activation, size_t stride,
                              float* out) {
  for (int k = 0; k < 4; ++k) {
    out[k] += offset_sum(n, weight,
                         reinterpret_cast<const BlockQ8_1*>(static_cast<const uint8_t*>(activation) + k * stride));
  }
}

PD_AVX2 void dot4_q8_0(int64_t n, const void* weight, const void* activation, size_t stride, float* out) {
  block_sum4<Q8_0Block>(n, weight, activation, stride, out);
}

PD_AVX2 void dot4_q4_1(int64_t n, const void* weight, const void* activation, size_t stride, float* out) {
  block_sum4<Q4_1Block>(n, weight, activation, stride, out);
  add_offset_sums4(n, static_cast<const BlockQ4_1*>(weight), activation, stride, out);
}

PD_AVX2 void dot4_q5_0(int64_t n, const void* weight, const void* activation, size_t stride, float* out) {
  block_sum4<Q5_0Block>(n, weight, activation, stride, out);
}

PD_AVX2 void dot4_q5_1(int64_t n, const void* weight, const void* activation, size_t stride, float* out) {
  block_sum4<Q5_1Block>(n, weight, activation, stride, out);
  add_offset_sums4(n, static_cast<const BlockQ5_1*>(weight), activation, stride, out);
}

PD_AVX2 void dot4_iq4_nl(int64_t n, const void* weight, const void* activation, size_t stride, float* out) {
  block_sum4<Iq4nlBlock>(n, weight, activation, stride, out);
}

}  // namespace pd::avx2

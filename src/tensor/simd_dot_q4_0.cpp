// AVX2 dot products of Q4_0 weights against Q8_0 activations with the scalar
// reference's bits (vec_dot_q4_0_q8_0_ref): the vector part computes each block's exact
// int32 sum of products, eight blocks at a time; the float part is the reference's own
// loop, sum += (float(sum_i) * d_weight) * d_activation in block order. The AVX-512
// instruction set reads Q4_0 through these as well; its prefill and decode go through
// the Q4_0 tile (simd_tile_avx512_q4_0.cpp), which has the same numerics.
//
// The integer part is exact for every activation quant, -128 included: the products are
// formed as nibble x quant (unsigned x signed bytes) minus 8 x quant, whose pair sums
// stay inside int16.

#include "tensor/quant_legacy.h"
#include "tensor/simd_avx2.h"
#include "tensor/simd_rows.h"

namespace pd::avx2 {

namespace {

constexpr int kBlocksPerStep = 8;

// The 8 int32 lanes of one block whose sum is the block's integer dot product.
PD_AVX2 inline __m256i block_lanes(__m256i nibble_bytes, const BlockQ8_0& y) {
  const __m256i q = load32(y.qs);
  const __m256i pairs = _mm256_sub_epi16(_mm256_maddubs_epi16(nibble_bytes, q),
                                         _mm256_maddubs_epi16(_mm256_set1_epi8(8), q));
  return _mm256_madd_epi16(pairs, _mm256_set1_epi16(1));
}

// Eight blocks' lanes summed per block: lane k of the result is block k's sum.
PD_AVX2 inline __m256i eight_sums(const __m256i lanes[kBlocksPerStep]) {
  const __m256i low = _mm256_hadd_epi32(_mm256_hadd_epi32(lanes[0], lanes[1]), _mm256_hadd_epi32(lanes[2], lanes[3]));
  const __m256i high = _mm256_hadd_epi32(_mm256_hadd_epi32(lanes[4], lanes[5]), _mm256_hadd_epi32(lanes[6], lanes[7]));
  return _mm256_add_epi32(_mm256_permute2x128_si256(low, high, 0x20), _mm256_permute2x128_si256(low, high, 0x31));
}

// The fp16 scales of eight consecutive blocks, widened. (Eight scalar loads: a gather
// over weights that stream from memory made decode slower.)
template <typename Block>
PD_AVX2 inline __m256 eight_scales(const Block* b) {
  return _mm256_cvtph_ps(_mm_setr_epi16(static_cast<int16_t>(b[0].d), static_cast<int16_t>(b[1].d),
                                        static_cast<int16_t>(b[2].d), static_cast<int16_t>(b[3].d),
                                        static_cast<int16_t>(b[4].d), static_cast<int16_t>(b[5].d),
                                        static_cast<int16_t>(b[6].d), static_cast<int16_t>(b[7].d)));
}

// The reference's float step for one block.
PD_AVX2 inline float add_block(float sum, int32_t block_sum, const BlockQ4_0& x, const BlockQ8_0& y) {
  return sum + static_cast<float>(block_sum) * half(x.d) * half(y.d);
}

// kRows activation rows (y[k]) against one weight row; each weight block is expanded
// once for all of them.
template <int kRows>
PD_AVX2 void dot_rows(int64_t n, const BlockQ4_0* x, const BlockQ8_0* const* y, float* out) {
  const int64_t blocks = n / kLegacyBlockSize;
  float sum[kRows] = {};
  int64_t i = 0;
  for (; i + kBlocksPerStep <= blocks; i += kBlocksPerStep) {
    prefetch_ahead(x + i, kBlocksPerStep * sizeof(BlockQ4_0));
    __m256i nibble_bytes[kBlocksPerStep];
    for (int b = 0; b < kBlocksPerStep; ++b) nibble_bytes[b] = nibbles(x[i + b].qs);
    const __m256 dw = eight_scales(x + i);
    for (int k = 0; k < kRows; ++k) {
      __m256i lanes[kBlocksPerStep];
      for (int b = 0; b < kBlocksPerStep; ++b) lanes[b] = block_lanes(nibble_bytes[b], y[k][i + b]);
      // The reference's (float(sum_i) * d_weight) * d_activation for the eight blocks at
      // once (the same IEEE multiplies), then its adds in block order.
      const __m256 terms = _mm256_mul_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(eight_sums(lanes)), dw),
                                         eight_scales(y[k] + i));
      alignas(32) float term[kBlocksPerStep];
      _mm256_store_ps(term, terms);
      for (int b = 0; b < kBlocksPerStep; ++b) sum[k] += term[b];
    }
  }
  for (; i < blocks; ++i) {
    const __m256i nibble_bytes = nibbles(x[i].qs);
    for (int k = 0; k < kRows; ++k) {
      sum[k] = add_block(sum[k], sum_lanes_i32(block_lanes(nibble_bytes, y[k][i])), x[i], y[k][i]);
    }
  }
  for (int k = 0; k < kRows; ++k) out[k] = sum[k];
}

}  // namespace

PD_AVX2 float dot_q4_0(int64_t n, const void* weight, const void* activation) {
  const BlockQ8_0* y = static_cast<const BlockQ8_0*>(activation);
  float out;
  dot_rows<1>(n, static_cast<const BlockQ4_0*>(weight), &y, &out);
  return out;
}

PD_AVX2 void dot4_q4_0(int64_t n, const void* weight, const void* activation, size_t stride, float* out) {
  const FourRows<BlockQ8_0> rows(activation, stride);
  dot_rows<4>(n, static_cast<const BlockQ4_0*>(weight), rows.rows, out);
}

}  // namespace pd::avx2

// AVX-512 dot products of the 32-value block types, bit for bit the AVX2 ones
// (simd_dot_legacy.cpp). The AVX2 kernel keeps even blocks in one 8-lane accumulator
// and odd blocks in another; here the two live in one 512-bit register (even in lanes
// 0-7, odd in 8-15), so a pair of blocks costs one vpdpbusd, one conversion and one
// fused multiply-add, each lane doing exactly what its AVX2 twin does. A last unpaired
// block goes into the even half alone, as in AVX2; the halves are added and summed by
// the same tree at the end. Four blocks per step share one conversion of their fp16
// scales.

#include "tensor/simd_avx512.h"
#include "tensor/simd_legacy_levels.h"
#include "tensor/simd_rows.h"

namespace pd::avx512 {

namespace {

using avx2::half;
using avx2::load32;

// What two consecutive weight blocks bring to every activation row: the unsigned
// operand of the byte products (|levels| for signed types) and where the activation
// must be negated (signed types).
template <typename Block>
struct WeightPair {
  __m512i operand;
  __mmask64 negative = 0;
  PD_AVX512 WeightPair(const typename Block::Weight& a, const typename Block::Weight& b) {
    const __m512i levels = join(Block::levels(a), Block::levels(b));
    if constexpr (Block::kSigned) {
      const SignSplit split = sign_split(levels);
      operand = split.magnitude;
      negative = split.negative;
    } else {
      operand = levels;
    }
  }
};

// The pair against activation blocks y0, y1, fused into `acc` (y0's block in lanes 0-7)
// with `scales` (y0's block scale product in lanes 0-7, y1's in 8-15).
template <typename Block>
PD_AVX512 inline __m512 add_pair(const WeightPair<Block>& w, const typename Block::Activation& y0,
                                 const typename Block::Activation& y1, __m512 scales, __m512 acc) {
  __m512i q = join(load32(y0.qs), load32(y1.qs));
  if constexpr (Block::kSigned) q = _mm512_mask_sub_epi8(q, w.negative, _mm512_setzero_si512(), q);
  const __m512i lanes = _mm512_dpbusd_epi32(_mm512_setzero_si512(), w.operand, q);
  return _mm512_fmadd_ps(scales, _mm512_cvtepi32_ps(lanes), acc);
}

// The fp16 scales of four consecutive blocks, widened to f32 in lanes 0-3 (one
// conversion instead of four).
template <typename BlockType>
PD_AVX512 inline __m128 four_halves(const BlockType* b) {
  const uint64_t bits = uint64_t{b[0].d} | (uint64_t{b[1].d} << 16) | (uint64_t{b[2].d} << 32) |
                        (uint64_t{b[3].d} << 48);
  return _mm_cvtph_ps(_mm_cvtsi64_si128(static_cast<int64_t>(bits)));
}

// Lanes `first` and `first + 1` of four block scale products as the two halves of a
// register. (Each product is the AVX2 kernel's scalar dx * dy: the same IEEE multiply,
// done four at a time.)
PD_AVX512 inline __m512 spread(__m128 products, int first) {
  const __m512i index = _mm512_mask_blend_epi32(0xFF00, _mm512_set1_epi32(first), _mm512_set1_epi32(first + 1));
  return _mm512_permutexvar_ps(index, _mm512_castps128_ps512(products));
}

// One block alone into an 8-lane accumulator (the last block of an odd count).
template <typename Block>
PD_AVX512 inline __m256 add_block(__m256i levels, float dx, const typename Block::Activation& y,
                                  __m256 acc) {
  const __m256i q = load32(y.qs);
  const __m256i lanes =
      Block::kSigned
          ? _mm256_dpbusd_epi32(_mm256_setzero_si256(), _mm256_sign_epi8(levels, levels),
                                _mm256_sign_epi8(q, levels))
          : _mm256_dpbusd_epi32(_mm256_setzero_si256(), levels, q);
  return _mm256_fmadd_ps(_mm256_set1_ps(dx * half(y.d)), _mm256_cvtepi32_ps(lanes), acc);
}

template <typename Block>
PD_AVX512 float block_sum(int64_t n, const void* weight, const void* activation) {
  const auto* x = static_cast<const typename Block::Weight*>(weight);
  const auto* y = static_cast<const typename Block::Activation*>(activation);
  const int64_t blocks = n / kLegacyBlockSize;
  __m512 acc = _mm512_setzero_ps();
  int64_t i = 0;
  for (; i + 4 <= blocks; i += 4) {
    prefetch_ahead(x + i, 4 * sizeof(typename Block::Weight));
    const __m128 scales = _mm_mul_ps(four_halves(x + i), four_halves(y + i));
    acc = add_pair<Block>(WeightPair<Block>(x[i], x[i + 1]), y[i], y[i + 1], spread(scales, 0), acc);
    acc = add_pair<Block>(WeightPair<Block>(x[i + 2], x[i + 3]), y[i + 2], y[i + 3], spread(scales, 2), acc);
  }
  for (; i + 2 <= blocks; i += 2) {
    const __m512 scales = two_scalars(half(x[i].d) * half(y[i].d), half(x[i + 1].d) * half(y[i + 1].d));
    acc = add_pair<Block>(WeightPair<Block>(x[i], x[i + 1]), y[i], y[i + 1], scales, acc);
  }
  if (i < blocks) {
    const __m256 even = add_block<Block>(Block::levels(x[i]), half(x[i].d), y[i], low_half(acc));
    return avx2::sum_lanes(_mm256_add_ps(even, high_half(acc)));
  }
  return sum_halves(acc);
}

// block_sum for four activation rows `stride` bytes apart, each weight pair expanded once.
template <typename Block>
PD_AVX512 void block_sum4(int64_t n, const void* weight, const void* activation, size_t stride,
                          float* out) {
  using Activation = typename Block::Activation;
  const auto* x = static_cast<const typename Block::Weight*>(weight);
  const FourRows<Activation> rows(activation, stride);
  const Activation* const* y = rows.rows;
  const int64_t blocks = n / kLegacyBlockSize;
  __m512 acc[4];
  for (int k = 0; k < 4; ++k) acc[k] = _mm512_setzero_ps();
  int64_t i = 0;
  for (; i + 4 <= blocks; i += 4) {
    const __m128 dx = four_halves(x + i);
    const WeightPair<Block> w0(x[i], x[i + 1]);
    const WeightPair<Block> w1(x[i + 2], x[i + 3]);
    for (int k = 0; k < 4; ++k) {
      const __m128 scales = _mm_mul_ps(dx, four_halves(y[k] + i));
      acc[k] = add_pair<Block>(w0, y[k][i], y[k][i + 1], spread(scales, 0), acc[k]);
      acc[k] = add_pair<Block>(w1, y[k][i + 2], y[k][i + 3], spread(scales, 2), acc[k]);
    }
  }
  for (; i + 2 <= blocks; i += 2) {
    const WeightPair<Block> w(x[i], x[i + 1]);
    for (int k = 0; k < 4; ++k) {
      const __m512 scales = two_scalars(half(x[i].d) * half(y[k][i].d), half(x[i + 1].d) * half(y[k][i + 1].d));
      acc[k] = add_pair<Block>(w, y[k][i], y[k][i + 1], scales, acc[k]);
    }
  }
  if (i < blocks) {
    const __m256i levels = Block::levels(x[i]);
    const float d = half(x[i].d);
    for (int k = 0; k < 4; ++k) {
      const __m256 even = add_block<Block>(levels, d, y[k][i], low_half(acc[k]));
      out[k] = avx2::sum_lanes(_mm256_add_ps(even, high_half(acc[k])));
    }
    return;
  }
  _mm_storeu_ps(out, sum_halves_of_four(acc));
}

// block_sum for four weight rows `row_stride` bytes apart against one activation row:
// four chains at once, each with block_sum's operations for its row.
template <typename Block>
PD_AVX512 void block_sum_rows4(int64_t n, const void* weight, size_t row_stride, const void* activation,
                               float* out) {
  using Weight = typename Block::Weight;
  const auto* rows = static_cast<const uint8_t*>(weight);
  const int64_t blocks = n / kLegacyBlockSize;
  if (blocks % 4 != 0) {  // block_sum's tails: rare shapes, row by row
    for (int k = 0; k < 4; ++k) out[k] = block_sum<Block>(n, rows + k * row_stride, activation);
    return;
  }
  const auto* y = static_cast<const typename Block::Activation*>(activation);
  const Weight* x[4];
  __m512 acc[4];
  for (int k = 0; k < 4; ++k) {
    x[k] = reinterpret_cast<const Weight*>(rows + k * row_stride);
    acc[k] = _mm512_setzero_ps();
  }
  for (int64_t i = 0; i < blocks; i += 4) {
    const __m128 dy = four_halves(y + i);
    for (int k = 0; k < 4; ++k) {
      prefetch_stream(x[k] + i, 4 * sizeof(Weight));
      const __m128 scales = _mm_mul_ps(four_halves(x[k] + i), dy);
      acc[k] = add_pair<Block>(WeightPair<Block>(x[k][i], x[k][i + 1]), y[i], y[i + 1], spread(scales, 0), acc[k]);
      acc[k] = add_pair<Block>(WeightPair<Block>(x[k][i + 2], x[k][i + 3]), y[i + 2], y[i + 3], spread(scales, 2),
                               acc[k]);
    }
  }
  _mm_storeu_ps(out, sum_halves_of_four(acc));
}

// Four blocks of a token as the biased decode kernels read them (prepare_biased_token):
// each block pair's 64 quants and vpdpbusd's starting lanes for it, -128 times each
// four-quant sum, and the four block scales.
struct alignas(64) BiasedTokenGroup {
  __m512i quants01, start01, quants23, start23;
  __m128 scales;
};

PD_AVX512 inline void prepare_pair(const BlockQ8_0& y0, const BlockQ8_0& y1, __m512i& quants, __m512i& start) {
  quants = join(load32(y0.qs), load32(y1.qs));
  start = biased_start(quants);
}

// block_sum_rows4 for signed types with the weights biased to unsigned bytes instead of
// split by sign (biased_levels), one vpdpbusd per block pair from the token's starting
// lanes, the token's side formed once for all rows. The lane sums are exact integers
// either way, so every result keeps block_sum's bits, provided no quant of the token is
// -128 (where the sign split's negation wraps).
template <typename Block>
PD_AVX512 void block_sum_rows4_biased(int64_t n, const void* weight, size_t row_stride, const void* token,
                                      float* out) {
  static_assert(Block::kSigned);
  using Weight = typename Block::Weight;
  const auto* rows = static_cast<const uint8_t*>(weight);
  const auto* group = static_cast<const BiasedTokenGroup*>(token);
  const Weight* x[4];
  __m512 acc[4];
  for (int k = 0; k < 4; ++k) {
    x[k] = reinterpret_cast<const Weight*>(rows + k * row_stride);
    acc[k] = _mm512_setzero_ps();
  }
  for (int64_t i = 0; i < n / kLegacyBlockSize; i += 4, ++group) {
    for (int k = 0; k < 4; ++k) {
      prefetch_stream(x[k] + i, 4 * sizeof(Weight));
      const __m128 scales = _mm_mul_ps(four_halves(x[k] + i), group->scales);
      const __m512i lanes01 =
          _mm512_dpbusd_epi32(group->start01, biased_levels<Block>(x[k][i], x[k][i + 1]), group->quants01);
      const __m512i lanes23 =
          _mm512_dpbusd_epi32(group->start23, biased_levels<Block>(x[k][i + 2], x[k][i + 3]), group->quants23);
      acc[k] = _mm512_fmadd_ps(spread(scales, 0), _mm512_cvtepi32_ps(lanes01), acc[k]);
      acc[k] = _mm512_fmadd_ps(spread(scales, 2), _mm512_cvtepi32_ps(lanes23), acc[k]);
    }
  }
  _mm_storeu_ps(out, sum_halves_of_four(acc));
}

// The offsets of a _1 row, block by block, as avx2's Offset: one float sum in block order.
template <typename Weight>
PD_AVX512 float offset_sum(int64_t n, const Weight* x, const BlockQ8_1* y) {
  float sum = 0.0f;
  for (int64_t i = 0; i < n / kLegacyBlockSize; ++i) sum += half(x[i].m) * half(y[i].s);
  return sum;
}

template <typename Weight>
PD_AVX512 void add_offset_sums4(int64_t n, const Weight* weight, const void* activation,
                                size_t stride, float* out) {
  for (int k = 0; k < 4; ++k) {
    out[k] += offset_sum(n, weight,
                         reinterpret_cast<const BlockQ8_1*>(static_cast<const uint8_t*>(activation) + k * stride));
  }
}

}  // namespace

PD_AVX512 float dot_q8_0(int64_t n, const void* weight, const void* activation) {
  return block_sum<avx2::Q8_0Block>(n, weight, activation);
}

PD_AVX512 float dot_q4_1(int64_t n, const void* weight, const void* activation) {
  return block_sum<avx2::Q4_1Block>(n, weight, activation) +
         offset_sum(n, static_cast<const BlockQ4_1*>(weight), static_cast<const BlockQ8_1*>(activation));
}

PD_AVX512 float dot_q5_0(int64_t n, const void* weight, const void* activation) {
  return block_sum<avx2::Q5_0Block>(n, weight, activation);
}

PD_AVX512 float dot_q5_1(int64_t n, const void* weight, const void* activation) {
  return block_sum<avx2::Q5_1Block>(n, weight, activation) +
         offset_sum(n, static_cast<const BlockQ5_1*>(weight), static_cast<const BlockQ8_1*>(activation));
}

PD_AVX512 float dot_iq4_nl(int64_t n, const void* weight, const void* activation) {
  return block_sum<avx2::Iq4nlBlock>(n, weight, activation);
}

PD_AVX512 void dot4_q8_0(int64_t n, const void* weight, const void* activation, size_t stride, float* out) {
  block_sum4<avx2::Q8_0Block>(n, weight, activation, stride, out);
}

PD_AVX512 void decode4_q8_0(int64_t n, const void* weight, size_t row_stride, const void* activation, float* out) {
  block_sum_rows4<avx2::Q8_0Block>(n, weight, row_stride, activation, out);
}

PD_AVX512 void decode4_q5_0(int64_t n, const void* weight, size_t row_stride, const void* activation, float* out) {
  block_sum_rows4<avx2::Q5_0Block>(n, weight, row_stride, activation, out);
}

PD_AVX512 void decode4_iq4_nl(int64_t n, const void* weight, size_t row_stride, const void* activation, float* out) {
  block_sum_rows4<avx2::Iq4nlBlock>(n, weight, row_stride, activation, out);
}

size_t biased_token_bytes(int64_t n) {
  return static_cast<size_t>(n / (4 * kLegacyBlockSize)) * sizeof(BiasedTokenGroup);
}

PD_AVX512 void prepare_biased_token(int64_t n, const void* activation, void* out) {
  const auto* y = static_cast<const BlockQ8_0*>(activation);
  auto* group = static_cast<BiasedTokenGroup*>(out);
  for (int64_t i = 0; i + 4 <= n / kLegacyBlockSize; i += 4, ++group) {
    prepare_pair(y[i], y[i + 1], group->quants01, group->start01);
    prepare_pair(y[i + 2], y[i + 3], group->quants23, group->start23);
    group->scales = four_halves(y + i);
  }
}

PD_AVX512 void decode4_biased_q8_0(int64_t n, const void* weight, size_t row_stride, const void* token,
                                   float* out) {
  block_sum_rows4_biased<avx2::Q8_0Block>(n, weight, row_stride, token, out);
}

PD_AVX512 void decode4_biased_q5_0(int64_t n, const void* weight, size_t row_stride, const void* token,
                                   float* out) {
  block_sum_rows4_biased<avx2::Q5_0Block>(n, weight, row_stride, token, out);
}

PD_AVX512 void decode4_biased_iq4_nl(int64_t n, const void* weight, size_t row_stride, const void* token,
                                     float* out) {
  block_sum_rows4_biased<avx2::Iq4nlBlock>(n, weight, row_stride, token, out);
}

PD_AVX512 void dot4_q4_1(int64_t n, const void* weight, const void* activation, size_t stride, float* out) {
  block_sum4<avx2::Q4_1Block>(n, weight, activation, stride, out);
  add_offset_sums4(n, static_cast<const BlockQ4_1*>(weight), activation, stride, out);
}

PD_AVX512 void dot4_q5_0(int64_t n, const void* weight, const void* activation, size_t stride, float* out) {
  block_sum4<avx2::Q5_0Block>(n, weight, activation, stride, out);
}

PD_AVX512 void dot4_q5_1(int64_t n, const void* weight, const void* activation, size_t stride, float* out) {
  block_sum4<avx2::Q5_1Block>(n, weight, activation, stride, out);
  add_offset_sums4(n, static_cast<const BlockQ5_1*>(weight), activation, stride, out);
}

PD_AVX512 void dot4_iq4_nl(int64_t n, const void* weight, const void* activation, size_t stride, float* out) {
  block_sum4<avx2::Iq4nlBlock>(n, weight, activation, stride, out);
}

}  // namespace pd::avx512

#pragma once
// Pieces of the AVX-512 K-quant kernels shared by the dot kernels
// (simd_dot_avx512_k.cpp) and the register tiles (simd_tile_avx512_k.cpp): how a
// super-block's nibbles, and a Q4_K/Q5_K super-block's scales, mins and levels, reach
// registers. Internal to src/tensor.


#include "tensor/quant_k.h"
#include "tensor/simd_avx512.h"

namespace pd::avx512 {

PD_AVX512 inline __m512i low_nibbles(__m512i bytes) {
  return _mm512_and_si512(bytes, _mm512_set1_epi8(0x0F));
}

PD_AVX512 inline __m512i high_nibbles(__m512i bytes) {
  return _mm512_and_si512(_mm512_srli_epi16(bytes, 4), _mm512_set1_epi8(0x0F));
}

// The 16 int32 lanes of two 32-value chunks, added into the 8 the AVX2 kernel keeps.
PD_AVX512 inline __m256i fold(__m512i sums) {
  return _mm256_add_epi32(low_half(sums), high_half(sums));
}

// 32 bytes in both halves, the upper copy shifted right by `shift` bits (in 16-bit
// words; callers mask off what crosses into a byte from its neighbour).
template <unsigned kShift>
PD_AVX512 inline __m512i both_halves_shifted(const uint8_t* p) {
  const __m512i both = _mm512_broadcast_i64x4(avx2::load32(p));
  return _mm512_mask_srli_epi16(both, 0xFFFF0000u, both, kShift);
}

// The stored six-bit levels (0-63, the value + 32) of half h of a Q6_K super-block, the
// 64 values 128h + 64p + (0..63) in levels[p]: value 128h + 32k + l is nibble k / 2 of
// ql[64h + 32(k % 2) + l] with bit pair k of qh[32h + l] above it.
struct Q6HalfLevels {
  __m512i levels[2];
};

PD_AVX512 inline Q6HalfLevels q6_half_levels(const BlockQ6K& x, int h) {
  const __m512i two_bits = _mm512_set1_epi8(3);
  const __m512i ql = load64(x.ql + 64 * h);
  // Bit pairs 0 (lower half) and 1 (upper half) of qh, then 2 and 3 after >> 4.
  const __m512i qh = both_halves_shifted<2>(x.qh + 32 * h);
  return {{_mm512_or_si512(low_nibbles(ql), _mm512_slli_epi16(_mm512_and_si512(qh, two_bits), 4)),
           _mm512_or_si512(high_nibbles(ql),
                           _mm512_slli_epi16(_mm512_and_si512(_mm512_srli_epi16(qh, 4), two_bits), 4))}};
}

// The 8 six-bit scales and 8 mins of a Q4_K/Q5_K super-block (kquant::unpack_scale_min_k4's
// values), one byte each, in one register: [scales 0-3 | scales 4-7 | mins 0-3 | mins 4-7]
// in its four 32-bit lanes. Scales and mins 0-3 are the low six bits of bytes 0-3 and
// 4-7 (w0, w1); scales and mins 4-7 take their low four bits from the nibbles of bytes
// 8-11 (w2) and their top two from the top bits of w0 and w1. Seven vector operations,
// in place of about thirty scalar ones. Reads the 16 bytes from `packed` (the 12 scale
// bytes and the 4 after them, in the same super-block).
PD_AVX512 inline __m128i scales_mins_vector(const uint8_t* packed) {
  const __m128i w = _mm_loadu_si128(reinterpret_cast<const __m128i*>(packed));
  const __m128i low_parts = _mm_shuffle_epi32(w, _MM_SHUFFLE(2, 1, 2, 0));   // w0 w2 w1 w2
  const __m128i high_parts = _mm_shuffle_epi32(w, _MM_SHUFFLE(1, 1, 0, 0));  // w0 w0 w1 w1
  const __m128i low = _mm_and_si128(_mm_srlv_epi32(low_parts, _mm_set_epi32(4, 0, 0, 0)),
                                    _mm_set_epi32(0x0F0F0F0F, 0x3F3F3F3F, 0x0F0F0F0F, 0x3F3F3F3F));
  const __m128i high = _mm_and_si128(_mm_srli_epi32(high_parts, 2), _mm_set_epi32(0x30303030, 0, 0x30303030, 0));
  return _mm_or_si128(low, high);
}

// The 64 levels of chunk k (values 64k..64k+63) of a Q4_K/Q5_K super-block: the low
// nibbles of qs[32k..32k+31], then the high ones; with kFifthBit (Q5_K), bit 2k of
// qh[l] on the first 32 and bit 2k + 1 on the others. `high_bits` starts as
// both_halves_shifted<1>(qh) and moves on by two bits per chunk.
template <bool kFifthBit, typename Block>
PD_AVX512 inline __m512i chunk_levels(const Block& x, int k, __m512i& high_bits) {
  const __m512i packed = _mm512_broadcast_i64x4(avx2::load32(x.qs + 32 * k));
  __m512i levels = low_nibbles(_mm512_mask_srli_epi16(packed, 0xFFFF0000u, packed, 4));
  if constexpr (kFifthBit) {
    levels = _mm512_or_si512(levels, _mm512_slli_epi16(_mm512_and_si512(high_bits, _mm512_set1_epi8(1)), 4));
    high_bits = _mm512_srli_epi16(high_bits, 2);
  }
  return levels;
}

}  // namespace pd::avx512

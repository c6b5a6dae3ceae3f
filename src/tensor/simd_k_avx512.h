#pragma once
// Pieces of the AVX-512 K-quant kernels shared by the dot kernels
// (simd_dot_avx512_k.cpp) and the register tiles (simd_tile_avx512_k.cpp): how a
// super-block's nibbles, and a Q4_K/Q5_K super-block's scales, mins and levels, reach
// registers. Internal to src/tensor.

#include <cstring>

#include "tensor/quant_k.h"
#include "tensor/simd_avx512.h"

namespace pd::avx512 {

PD_AVX512 inline __m512i low_nibbles(__m512i bytes) {
  return _mm512_and_si512(bytes, _mm512_set1_epi8(0x0F));
}

PD_AVX512 inline __m512i high_nibbles(__m512i bytes) {
  return _mm512_and_si512(_mm512_srli_epi16(bytes, 4), _mm512_set1_epi8(0x0F));
}

// 32 bytes in both halves, the upper copy shifted right by `shift` bits (in 16-bit
// words; callers mask off what crosses into a byte from its neighbour).
template <unsigned kShift>
PD_AVX512 inline __m512i both_halves_shifted(const uint8_t* p) {
  const __m512i both = _mm512_broadcast_i64x4(avx2::load32(p));
  return _mm512_mask_srli_epi16(both, 0xFFFF0000u, both, kShift);
}

// The 8 six-bit scales and 8 mins of a Q4_K/Q5_K super-block (kquant::unpack_scale_min_k4's
// values), one byte each, four at a time in 32-bit words: scales and mins 0-3 are the low
// six bits of bytes 0-3 and 4-7; scales and mins 4-7 take their low four bits from the
// nibbles of bytes 8-11 and their top two from the top bits of bytes 0-3 and 4-7.
struct ScalesMins {
  uint64_t scales;  // byte j: scale j
  uint64_t mins;    // byte j: min j
};

inline ScalesMins unpack_scales_mins(const uint8_t* packed) {
  uint32_t w[3];
  std::memcpy(w, packed, sizeof w);
  const uint32_t low6 = 0x3F3F3F3Fu, low4 = 0x0F0F0F0Fu, top2 = 0x30303030u;
  const uint32_t scales_low = w[0] & low6;
  const uint32_t mins_low = w[1] & low6;
  const uint32_t scales_high = (w[2] & low4) | ((w[0] >> 2) & top2);
  const uint32_t mins_high = ((w[2] >> 4) & low4) | ((w[1] >> 2) & top2);
  return {scales_low | (uint64_t{scales_high} << 32), mins_low | (uint64_t{mins_high} << 32)};
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

#pragma once
// The weight quants of one 32-value block as 32 bytes in value order, per type: signed
// levels (their dot product goes through the sign trick) or unsigned ones. Shared by the
// AVX2 and AVX-512 dot products of the legacy types (simd_dot_legacy.cpp,
// simd_dot_avx512_legacy.cpp), which must agree bit for bit. Internal to src/tensor.

#include "tensor/quant_iq4_nl.h"
#include "tensor/quant_legacy.h"
#include "tensor/simd_avx2.h"

namespace pd::avx2 {

// The fifth bit of each quant (from qh) as 16 or 0.
PD_AVX2 inline __m256i fifth_bits(const uint8_t* qh) {
  return _mm256_and_si256(bits_as_bytes(qh), _mm256_set1_epi8(0x10));
}

struct Q8_0Block {
  using Weight = BlockQ8_0;
  using Activation = BlockQ8_0;
  static constexpr bool kSigned = true;
  PD_AVX2 static __m256i levels(const Weight& x) { return load32(x.qs); }
};

struct Q4_1Block {
  using Weight = BlockQ4_1;
  using Activation = BlockQ8_1;
  static constexpr bool kSigned = false;
  PD_AVX2 static __m256i levels(const Weight& x) { return nibbles(x.qs); }
};

struct Q5_0Block {
  using Weight = BlockQ5_0;
  using Activation = BlockQ8_0;
  static constexpr bool kSigned = true;
  PD_AVX2 static __m256i levels(const Weight& x) {
    return _mm256_sub_epi8(_mm256_or_si256(nibbles(x.qs), fifth_bits(x.qh)), _mm256_set1_epi8(16));
  }
};

struct Q5_1Block {
  using Weight = BlockQ5_1;
  using Activation = BlockQ8_1;
  static constexpr bool kSigned = false;
  PD_AVX2 static __m256i levels(const Weight& x) {
    return _mm256_or_si256(nibbles(x.qs), fifth_bits(x.qh));
  }
};

struct Iq4nlBlock {
  using Weight = BlockIq4nl;
  using Activation = BlockQ8_0;
  static constexpr bool kSigned = true;
  PD_AVX2 static __m256i levels(const Weight& x) {
    // The 16 levels in each 128-bit half: a byte shuffle looks a nibble up.
    const __m256i table = _mm256_broadcastsi128_si256(load16(kIq4nlValues));
    return _mm256_shuffle_epi8(table, nibbles(x.qs));
  }
};

}  // namespace pd::avx2

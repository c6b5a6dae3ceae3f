#pragma once
// How the AVX2 float kernels read a row of F32, F16 or BF16: eight values widened to f32
// lanes, or one as a float. The AVX-512 kernels add a sixteen-value load to the same
// structs (simd_dot_avx512_float.cpp). Internal to src/tensor.

#include <cstdint>
#include <cstring>

#include "tensor/simd_avx2.h"

namespace pd::avx2 {

struct F32Values {
  static constexpr int kBytes = 4;
  PD_AVX2 static __m256 load8(const uint8_t* p) {
    return _mm256_loadu_ps(reinterpret_cast<const float*>(p));
  }
  PD_AVX2 static float load1(const uint8_t* p) {
    float v;
    std::memcpy(&v, p, sizeof v);
    return v;
  }
};

struct F16Values {
  static constexpr int kBytes = 2;
  PD_AVX2 static __m256 load8(const uint8_t* p) { return _mm256_cvtph_ps(load16(p)); }
  PD_AVX2 static float load1(const uint8_t* p) {
    uint16_t bits;
    std::memcpy(&bits, p, sizeof bits);
    return half(bits);
  }
};

// bf16 is the high half of an f32: widen to 32 bits and shift into place.
struct Bf16Values {
  static constexpr int kBytes = 2;
  PD_AVX2 static __m256 load8(const uint8_t* p) {
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(load16(p)), 16));
  }
  PD_AVX2 static float load1(const uint8_t* p) {
    uint16_t bits;
    std::memcpy(&bits, p, sizeof bits);
    const uint32_t wide = static_cast<uint32_t>(bits) << 16;
    float v;
    std::memcpy(&v, &wide, sizeof v);
    return v;
  }
};

}  // namespace pd::avx2

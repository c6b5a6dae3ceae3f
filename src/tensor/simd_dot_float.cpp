// AVX2 dot products of the unquantized types F32, F16 and BF16 (activations in the same
// type): both rows widened to f32, products fused into 4 x 8 float accumulators, 32
// values per step; the last n % 32 values go through one accumulator 8 at a time and
// the last n % 8 through a scalar float sum added at the very end. The four-row
// variants widen each weight once for two rows at a time, same operations per row.

#include <cstring>

#include "tensor/simd_avx2.h"

namespace pd::avx2 {

namespace {

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

template <typename Values>
PD_AVX2 float float_dot(int64_t n, const void* weight, const void* activation) {
  const auto* w = static_cast<const uint8_t*>(weight);
  const auto* a = static_cast<const uint8_t*>(activation);
  constexpr int64_t kStride8 = 8 * Values::kBytes;
  __m256 acc0 = _mm256_setzero_ps();
  __m256 acc1 = _mm256_setzero_ps();
  __m256 acc2 = _mm256_setzero_ps();
  __m256 acc3 = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const int64_t at = i * Values::kBytes;
    acc0 = _mm256_fmadd_ps(Values::load8(w + at), Values::load8(a + at), acc0);
    acc1 = _mm256_fmadd_ps(Values::load8(w + at + kStride8), Values::load8(a + at + kStride8), acc1);
    acc2 = _mm256_fmadd_ps(Values::load8(w + at + 2 * kStride8),
                           Values::load8(a + at + 2 * kStride8), acc2);
    acc3 = _mm256_fmadd_ps(Values::load8(w + at + 3 * kStride8),
                           Values::load8(a + at + 3 * kStride8), acc3);
  }
  for (; i + 8 <= n; i += 8) {
    const int64_t at = i * Values::kBytes;
    acc0 = _mm256_fmadd_ps(Values::load8(w + at), Values::load8(a + at), acc0);
  }
  float tail = 0.0f;
  for (; i < n; ++i) {
    const int64_t at = i * Values::kBytes;
    tail += Values::load1(w + at) * Values::load1(a + at);
  }
  const __m256 all = _mm256_add_ps(_mm256_add_ps(acc0, acc1), _mm256_add_ps(acc2, acc3));
  return sum_lanes(all) + tail;
}

// float_dot for two activation rows at once: each 8 weights loaded and widened once,
// then the same fused multiply-adds per row as float_dot, in the same order.
template <typename Values>
PD_AVX2 void float_dot2(int64_t n, const uint8_t* w, const uint8_t* a, const uint8_t* b,
                        float* out) {
  constexpr int64_t kStride8 = 8 * Values::kBytes;
  __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
  __m256 b0 = a0, b1 = a0, b2 = a0, b3 = a0;
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const int64_t at = i * Values::kBytes;
    const __m256 w0 = Values::load8(w + at);
    const __m256 w1 = Values::load8(w + at + kStride8);
    const __m256 w2 = Values::load8(w + at + 2 * kStride8);
    const __m256 w3 = Values::load8(w + at + 3 * kStride8);
    a0 = _mm256_fmadd_ps(w0, Values::load8(a + at), a0);
    a1 = _mm256_fmadd_ps(w1, Values::load8(a + at + kStride8), a1);
    a2 = _mm256_fmadd_ps(w2, Values::load8(a + at + 2 * kStride8), a2);
    a3 = _mm256_fmadd_ps(w3, Values::load8(a + at + 3 * kStride8), a3);
    b0 = _mm256_fmadd_ps(w0, Values::load8(b + at), b0);
    b1 = _mm256_fmadd_ps(w1, Values::load8(b + at + kStride8), b1);
    b2 = _mm256_fmadd_ps(w2, Values::load8(b + at + 2 * kStride8), b2);
    b3 = _mm256_fmadd_ps(w3, Values::load8(b + at + 3 * kStride8), b3);
  }
  for (; i + 8 <= n; i += 8) {
    const int64_t at = i * Values::kBytes;
    const __m256 w0 = Values::load8(w + at);
    a0 = _mm256_fmadd_ps(w0, Values::load8(a + at), a0);
    b0 = _mm256_fmadd_ps(w0, Values::load8(b + at), b0);
  }
  float tail_a = 0.0f;
  float tail_b = 0.0f;
  for (; i < n; ++i) {
    const int64_t at = i * Values::kBytes;
    tail_a += Values::load1(w + at) * Values::load1(a + at);
    tail_b += Values::load1(w + at) * Values::load1(b + at);
  }
  out[0] = sum_lanes(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3))) + tail_a;
  out[1] = sum_lanes(_mm256_add_ps(_mm256_add_ps(b0, b1), _mm256_add_ps(b2, b3))) + tail_b;
}

template <typename Values>
PD_AVX2 void float_dot4(int64_t n, const void* weight, const void* activation, size_t stride,
                        float* out) {
  const auto* w = static_cast<const uint8_t*>(weight);
  const auto* a = static_cast<const uint8_t*>(activation);
  float_dot2<Values>(n, w, a, a + stride, out);
  float_dot2<Values>(n, w, a + 2 * stride, a + 3 * stride, out + 2);
}

}  // namespace

PD_AVX2 float dot_f32(int64_t n, const void* weight, const void* activation) {
  return float_dot<F32Values>(n, weight, activation);
}

PD_AVX2 float dot_f16(int64_t n, const void* weight, const void* activation) {
  return float_dot<F16Values>(n, weight, activation);
}

PD_AVX2 float dot_bf16(int64_t n, const void* weight, const void* activation) {
  return float_dot<Bf16Values>(n, weight, activation);
}

PD_AVX2 void dot4_f32(int64_t n, const void* weight, const void* activation, size_t stride, float* out) {
  float_dot4<F32Values>(n, weight, activation, stride, out);
}

PD_AVX2 void dot4_f16(int64_t n, const void* weight, const void* activation, size_t stride, float* out) {
  float_dot4<F16Values>(n, weight, activation, stride, out);
}

PD_AVX2 void dot4_bf16(int64_t n, const void* weight, const void* activation, size_t stride, float* out) {
  float_dot4<Bf16Values>(n, weight, activation, stride, out);
}

}  // namespace pd::avx2

// AVX2 dot products of the unquantized types F32, F16 and BF16 (activations in the same
// type), both rows widened to f32. F32, the baseline precision, sums its products in
// double like the scalar kernel (so an F32 model gives the scalar bits in practice and
// agrees with llama.cpp as closely); F16 and BF16 use f32 lanes. The four-row variants
// widen each weight once for two rows at a time, same operations per row.

#include <cstring>

#include "tensor/simd_avx2.h"
#include "tensor/simd_float_values.h"

namespace pd::avx2 {

namespace {


// F16 and BF16: products fused into 4 x 8 float accumulators, 32 values per step; the
// last n % 32 values go through one accumulator 8 at a time and the last n % 8 through a
// scalar float sum added at the very end (llama.cpp's AVX2 order, and fast enough for
// prefill, where double sums would cost 3x).
template <typename Values>
PD_AVX2 float lane_dot(int64_t n, const void* weight, const void* activation) {
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
    prefetch_ahead(w + at, 32 * Values::kBytes);
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

// lane_dot for two activation rows at once: each 8 weights loaded and widened once,
// then the same fused multiply-adds per row as lane_dot, in the same order.
template <typename Values>
PD_AVX2 void lane_dot2(int64_t n, const uint8_t* w, const uint8_t* a, const uint8_t* b,
                        float* out) {
  constexpr int64_t kStride8 = 8 * Values::kBytes;
  __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
  __m256 b0 = a0, b1 = a0, b2 = a0, b3 = a0;
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const int64_t at = i * Values::kBytes;
    prefetch_ahead(w + at, 32 * Values::kBytes);
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

// F32: the scalar kernel takes each product in f32 and sums the products in double;
// double_dot does the same with the sum spread over four double accumulators of four
// lanes, so it differs from the scalar result only by the double sum's order, far below
// an f32 ulp in almost every case. Decode of F32 weights stays memory-bound.
struct DoubleSums {
  __m256d s0, s1, s2, s3;
};

PD_AVX2 inline void clear(DoubleSums& s) {
  s.s0 = _mm256_setzero_pd();
  s.s1 = s.s0;
  s.s2 = s.s0;
  s.s3 = s.s0;
}

// Adds the f32 products of 8 values to two double accumulators (low and high lanes).
PD_AVX2 inline void add_products(__m256 w, __m256 a, __m256d& low, __m256d& high) {
  const __m256 p = _mm256_mul_ps(w, a);
  low = _mm256_add_pd(low, _mm256_cvtps_pd(_mm256_castps256_ps128(p)));
  high = _mm256_add_pd(high, _mm256_cvtps_pd(_mm256_extractf128_ps(p, 1)));
}

PD_AVX2 inline double total(const DoubleSums& s) {
  const __m256d all = _mm256_add_pd(_mm256_add_pd(s.s0, s.s1), _mm256_add_pd(s.s2, s.s3));
  const __m128d pair = _mm_add_pd(_mm256_castpd256_pd128(all), _mm256_extractf128_pd(all, 1));
  return _mm_cvtsd_f64(_mm_add_sd(pair, _mm_unpackhi_pd(pair, pair)));
}

// One row: 16 values per step (two groups of 8), then 8 at a time, then one at a time.
template <typename Values>
PD_AVX2 float double_dot(int64_t n, const void* weight, const void* activation) {
  const auto* w = static_cast<const uint8_t*>(weight);
  const auto* a = static_cast<const uint8_t*>(activation);
  constexpr int64_t kStride8 = 8 * Values::kBytes;
  DoubleSums sums;
  clear(sums);
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const int64_t at = i * Values::kBytes;
    prefetch_ahead(w + at, 16 * Values::kBytes);
    add_products(Values::load8(w + at), Values::load8(a + at), sums.s0, sums.s1);
    add_products(Values::load8(w + at + kStride8), Values::load8(a + at + kStride8), sums.s2, sums.s3);
  }
  for (; i + 8 <= n; i += 8) {
    const int64_t at = i * Values::kBytes;
    add_products(Values::load8(w + at), Values::load8(a + at), sums.s0, sums.s1);
  }
  double tail = 0.0;
  for (; i < n; ++i) {
    const int64_t at = i * Values::kBytes;
    tail += static_cast<double>(Values::load1(w + at) * Values::load1(a + at));
  }
  return static_cast<float>(total(sums) + tail);
}

// double_dot for two activation rows at once: each 8 weights loaded and widened once,
// then the same operations per row as double_dot, in the same order.
template <typename Values>
PD_AVX2 void double_dot2(int64_t n, const uint8_t* w, const uint8_t* a, const uint8_t* b,
                        float* out) {
  constexpr int64_t kStride8 = 8 * Values::kBytes;
  DoubleSums sa;
  DoubleSums sb;
  clear(sa);
  clear(sb);
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const int64_t at = i * Values::kBytes;
    prefetch_ahead(w + at, 16 * Values::kBytes);
    const __m256 w0 = Values::load8(w + at);
    const __m256 w1 = Values::load8(w + at + kStride8);
    add_products(w0, Values::load8(a + at), sa.s0, sa.s1);
    add_products(w1, Values::load8(a + at + kStride8), sa.s2, sa.s3);
    add_products(w0, Values::load8(b + at), sb.s0, sb.s1);
    add_products(w1, Values::load8(b + at + kStride8), sb.s2, sb.s3);
  }
  for (; i + 8 <= n; i += 8) {
    const int64_t at = i * Values::kBytes;
    const __m256 w0 = Values::load8(w + at);
    add_products(w0, Values::load8(a + at), sa.s0, sa.s1);
    add_products(w0, Values::load8(b + at), sb.s0, sb.s1);
  }
  double tail_a = 0.0;
  double tail_b = 0.0;
  for (; i < n; ++i) {
    const int64_t at = i * Values::kBytes;
    tail_a += static_cast<double>(Values::load1(w + at) * Values::load1(a + at));
    tail_b += static_cast<double>(Values::load1(w + at) * Values::load1(b + at));
  }
  out[0] = static_cast<float>(total(sa) + tail_a);
  out[1] = static_cast<float>(total(sb) + tail_b);
}

// Four activation rows as two pairs, with either pair kernel.
using PairDot = void (*)(int64_t n, const uint8_t* w, const uint8_t* a, const uint8_t* b, float* out);

template <PairDot pair>
PD_AVX2 void four_rows(int64_t n, const void* weight, const void* activation, size_t stride, float* out) {
  const auto* w = static_cast<const uint8_t*>(weight);
  const auto* a = static_cast<const uint8_t*>(activation);
  pair(n, w, a, a + stride, out);
  pair(n, w, a + 2 * stride, a + 3 * stride, out + 2);
}

}  // namespace

PD_AVX2 float dot_f32(int64_t n, const void* weight, const void* activation) {
  return double_dot<F32Values>(n, weight, activation);
}

PD_AVX2 float dot_f16(int64_t n, const void* weight, const void* activation) {
  return lane_dot<F16Values>(n, weight, activation);
}

PD_AVX2 float dot_bf16(int64_t n, const void* weight, const void* activation) {
  return lane_dot<Bf16Values>(n, weight, activation);
}

PD_AVX2 void dot4_f32(int64_t n, const void* weight, const void* activation, size_t stride, float* out) {
  four_rows<double_dot2<F32Values>>(n, weight, activation, stride, out);
}

PD_AVX2 void dot4_f16(int64_t n, const void* weight, const void* activation, size_t stride, float* out) {
  four_rows<lane_dot2<F16Values>>(n, weight, activation, stride, out);
}

PD_AVX2 void dot4_bf16(int64_t n, const void* weight, const void* activation, size_t stride, float* out) {
  four_rows<lane_dot2<Bf16Values>>(n, weight, activation, stride, out);
}

}  // namespace pd::avx2

// AVX2 dot products of the unquantized types F32, F16 and BF16 (activations in the same
// type), both rows widened to f32. F32 and F16 give the scalar kernels' bits (llama.cpp's
// orders, quant_float.h); BF16 uses f32 lanes of its own. The four-row variants load each
// weight once for the four (F32, F16) or for two rows at a time (BF16), same operations
// per row.

#include <cmath>
#include <cstring>

#include "tensor/simd_avx2.h"
#include "tensor/simd_float_values.h"
#include "tensor/simd_rows.h"

namespace pd::avx2 {

namespace {

// BF16: products fused into 4 x 8 float accumulators, 32 values per step; the
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

// F32 and F16 in llama.cpp's orders (quant_float.h), on values widened to f32 (F16
// exactly). ggml_vec_dot_f32/_f16's order for any length: four sixteen-lane
// accumulators, each as two 8-lane halves, over steps of 64 values; folded 0 + 2,
// 1 + 3, 0 + 1; the sixteen lanes summed as sixteen_lane_dot does; then the tail, fused
// into the float sum (f32) or added with the folded sum in double (f16).
template <typename Values>
PD_AVX2 float four_accumulator_dot(int64_t n, const uint8_t* w, const uint8_t* a) {
  __m256 acc[8];
  for (__m256& v : acc) v = _mm256_setzero_ps();
  const int64_t whole = n - n % 64;
  for (int64_t i = 0; i < whole; i += 64) {
    for (int h = 0; h < 8; ++h) {
      const int64_t at = (i + 8 * h) * Values::kBytes;
      acc[h] = _mm256_fmadd_ps(Values::load8(w + at), Values::load8(a + at), acc[h]);
    }
  }
  // Accumulator r is acc[2r] (lanes 0-7) and acc[2r + 1] (lanes 8-15).
  for (int h = 0; h < 4; ++h) acc[h] = _mm256_add_ps(acc[h], acc[h + 4]);
  const __m256 low = _mm256_add_ps(acc[0], acc[2]);
  const __m256 high = _mm256_add_ps(acc[1], acc[3]);
  const float folded = sum_lanes(_mm256_add_ps(low, high));
  if constexpr (Values::kBytes == 4) {
    float sum = folded;
    for (int64_t i = whole; i < n; ++i) sum = std::fma(Values::load1(w + 4 * i), Values::load1(a + 4 * i), sum);
    return sum;
  } else {
    double sum = folded;
    for (int64_t i = whole; i < n; ++i) {
      sum += static_cast<double>(Values::load1(w + 2 * i) * Values::load1(a + 2 * i));
    }
    return static_cast<float>(sum);
  }
}

// Rows of a multiple of 16 values (tinyBLAS): sixteen fused lanes, here two 8-lane
// registers (lanes 0-7 and 8-15), added lane k + lane k + 8 and then as sum_lanes does.
template <typename Values, int kRows>
PD_AVX2 void sixteen_lane_dot(int64_t n, const uint8_t* w, const uint8_t* const* a, float* out) {
  constexpr int64_t kHalf = 8 * Values::kBytes;
  __m256 low[kRows];
  __m256 high[kRows];
  for (int r = 0; r < kRows; ++r) low[r] = high[r] = _mm256_setzero_ps();
  for (int64_t i = 0; i < n; i += 16) {
    const int64_t at = i * Values::kBytes;
    prefetch_ahead(w + at, 2 * kHalf);
    const __m256 w0 = Values::load8(w + at);
    const __m256 w1 = Values::load8(w + at + kHalf);
    for (int r = 0; r < kRows; ++r) {
      low[r] = _mm256_fmadd_ps(w0, Values::load8(a[r] + at), low[r]);
      high[r] = _mm256_fmadd_ps(w1, Values::load8(a[r] + at + kHalf), high[r]);
    }
  }
  for (int r = 0; r < kRows; ++r) out[r] = sum_lanes(_mm256_add_ps(low[r], high[r]));
}

template <typename Values, int kRows>
PD_AVX2 void ordered_rows(int64_t n, const void* weight, const uint8_t* const* a, float* out) {
  const auto* w = static_cast<const uint8_t*>(weight);
  if (n % 16 != 0) {
    for (int r = 0; r < kRows; ++r) out[r] = four_accumulator_dot<Values>(n, w, a[r]);
    return;
  }
  sixteen_lane_dot<Values, kRows>(n, w, a, out);
}

template <typename Values>
PD_AVX2 float ordered_row(int64_t n, const void* weight, const void* activation) {
  const uint8_t* rows[1] = {static_cast<const uint8_t*>(activation)};
  float out;
  ordered_rows<Values, 1>(n, weight, rows, &out);
  return out;
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

PD_AVX2 float dot_f32_four_accumulators(int64_t n, const void* weight, const void* activation) {
  return four_accumulator_dot<F32Values>(n, static_cast<const uint8_t*>(weight),
                                         static_cast<const uint8_t*>(activation));
}

PD_AVX2 float dot_f16_four_accumulators(int64_t n, const void* weight, const void* activation) {
  return four_accumulator_dot<F16Values>(n, static_cast<const uint8_t*>(weight),
                                         static_cast<const uint8_t*>(activation));
}

PD_AVX2 float dot_f32(int64_t n, const void* weight, const void* activation) {
  return ordered_row<F32Values>(n, weight, activation);
}

PD_AVX2 float dot_f16(int64_t n, const void* weight, const void* activation) {
  return ordered_row<F16Values>(n, weight, activation);
}

PD_AVX2 float dot_bf16(int64_t n, const void* weight, const void* activation) {
  return lane_dot<Bf16Values>(n, weight, activation);
}

PD_AVX2 void dot4_f32(int64_t n, const void* weight, const void* activation, size_t stride, float* out) {
  ordered_rows<F32Values, 4>(n, weight, FourRows<uint8_t>(activation, stride).rows, out);
}

PD_AVX2 void dot4_f16(int64_t n, const void* weight, const void* activation, size_t stride, float* out) {
  ordered_rows<F16Values, 4>(n, weight, FourRows<uint8_t>(activation, stride).rows, out);
}

PD_AVX2 void dot4_bf16(int64_t n, const void* weight, const void* activation, size_t stride, float* out) {
  four_rows<lane_dot2<Bf16Values>>(n, weight, activation, stride, out);
}

}  // namespace pd::avx2

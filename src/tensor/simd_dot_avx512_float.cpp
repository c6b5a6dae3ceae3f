// AVX-512 dot products of F32, F16 and BF16, bit for bit the AVX2 ones
// (simd_dot_float.cpp). The AVX2 kernels keep four 8-lane accumulators (f32 lanes for
// F16/BF16, four-lane double sums for F32) fed from consecutive stretches of the row;
// here two neighbouring accumulators share one 512-bit register, so one load, one
// conversion and one fused multiply-add (or one widening add) feed two of them. The
// 8-at-a-time and scalar tails, and the final tree, are the AVX2 kernel's.

#include <cstring>

#include "tensor/simd_avx512.h"
#include "tensor/simd_float_values.h"
#include "tensor/simd_rows.h"

namespace pd::avx512 {

namespace {

using avx2::load32;

// The AVX2 loaders (simd_float_values.h) with a sixteen-value load.
struct F16Values : avx2::F16Values {
  PD_AVX512 static __m512 load16v(const uint8_t* p) { return _mm512_cvtph_ps(load32(p)); }
};

struct Bf16Values : avx2::Bf16Values {
  PD_AVX512 static __m512 load16v(const uint8_t* p) {
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(load32(p)), 16));
  }
};

struct F32Values : avx2::F32Values {
  PD_AVX512 static __m512 load16v(const uint8_t* p) { return _mm512_loadu_ps(p); }
};

// The AVX2 lane_dot's acc0..acc3 as low = [acc0 | acc1], high = [acc2 | acc3].
struct LaneSums {
  __m512 low;
  __m512 high;
  float tail;
};

// F16 and BF16 against kRows activation rows: 32 values per step, then 8 at a time into
// acc0, then one at a time into a scalar, as avx2 lane_dot.
template <typename Values, int kRows>
PD_AVX512 void lane_dot(int64_t n, const uint8_t* w, const uint8_t* const* a, float* out) {
  constexpr int64_t kStride16 = 16 * Values::kBytes;
  LaneSums s[kRows];
  for (int r = 0; r < kRows; ++r) s[r] = {_mm512_setzero_ps(), _mm512_setzero_ps(), 0.0f};
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const int64_t at = i * Values::kBytes;
    prefetch_ahead(w + at, 32 * Values::kBytes);
    const __m512 w0 = Values::load16v(w + at);
    const __m512 w1 = Values::load16v(w + at + kStride16);
    for (int r = 0; r < kRows; ++r) {
      s[r].low = _mm512_fmadd_ps(w0, Values::load16v(a[r] + at), s[r].low);
      s[r].high = _mm512_fmadd_ps(w1, Values::load16v(a[r] + at + kStride16), s[r].high);
    }
  }
  __m256 acc0[kRows];
  for (int r = 0; r < kRows; ++r) acc0[r] = low_half(s[r].low);
  for (; i + 8 <= n; i += 8) {
    const int64_t at = i * Values::kBytes;
    const __m256 w0 = Values::load8(w + at);
    for (int r = 0; r < kRows; ++r) acc0[r] = _mm256_fmadd_ps(w0, Values::load8(a[r] + at), acc0[r]);
  }
  for (; i < n; ++i) {
    const int64_t at = i * Values::kBytes;
    for (int r = 0; r < kRows; ++r) s[r].tail += Values::load1(w + at) * Values::load1(a[r] + at);
  }
  for (int r = 0; r < kRows; ++r) {
    const __m256 all = _mm256_add_ps(_mm256_add_ps(acc0[r], high_half(s[r].low)),
                                     _mm256_add_ps(low_half(s[r].high), high_half(s[r].high)));
    out[r] = avx2::sum_lanes(all) + s[r].tail;
  }
}

// The AVX2 double_dot's s0..s3 as low = [s0 | s1], high = [s2 | s3].
struct DoubleSums {
  __m512d low;
  __m512d high;
  double tail;
};

// F32 against kRows activation rows: each product in f32, summed in double, 16 values
// per step, then 8, then one at a time, as avx2 double_dot. (cvtps_pd of 8 products
// puts products 0-3 in the s0 half and 4-7 in the s1 half, as the AVX2 kernel's two
// four-lane conversions do.)
template <int kRows>
PD_AVX512 void double_dot(int64_t n, const uint8_t* w, const uint8_t* const* a, float* out) {
  DoubleSums s[kRows];
  for (int r = 0; r < kRows; ++r) s[r] = {_mm512_setzero_pd(), _mm512_setzero_pd(), 0.0};
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const int64_t at = i * 4;
    const __m512 w0 = F32Values::load16v(w + at);
    for (int r = 0; r < kRows; ++r) {
      const __m512 p = _mm512_mul_ps(w0, F32Values::load16v(a[r] + at));
      s[r].low = _mm512_add_pd(s[r].low, _mm512_cvtps_pd(low_half(p)));
      s[r].high = _mm512_add_pd(s[r].high, _mm512_cvtps_pd(high_half(p)));
    }
  }
  for (; i + 8 <= n; i += 8) {
    const int64_t at = i * 4;
    const __m256 w0 = F32Values::load8(w + at);
    for (int r = 0; r < kRows; ++r) {
      const __m256 p = _mm256_mul_ps(w0, F32Values::load8(a[r] + at));
      s[r].low = _mm512_add_pd(s[r].low, _mm512_cvtps_pd(p));
    }
  }
  for (; i < n; ++i) {
    const int64_t at = i * 4;
    for (int r = 0; r < kRows; ++r) {
      s[r].tail += static_cast<double>(F32Values::load1(w + at) * F32Values::load1(a[r] + at));
    }
  }
  for (int r = 0; r < kRows; ++r) {
    const __m256d all = _mm256_add_pd(
        _mm256_add_pd(_mm512_castpd512_pd256(s[r].low), _mm512_extractf64x4_pd(s[r].low, 1)),
        _mm256_add_pd(_mm512_castpd512_pd256(s[r].high), _mm512_extractf64x4_pd(s[r].high, 1)));
    const __m128d pair = _mm_add_pd(_mm256_castpd256_pd128(all), _mm256_extractf128_pd(all, 1));
    const double total = _mm_cvtsd_f64(_mm_add_sd(pair, _mm_unpackhi_pd(pair, pair)));
    out[r] = static_cast<float>(total + s[r].tail);
  }
}

template <typename Values>
PD_AVX512 float one_row(int64_t n, const void* weight, const void* activation) {
  const uint8_t* rows[1] = {static_cast<const uint8_t*>(activation)};
  float out;
  lane_dot<Values, 1>(n, static_cast<const uint8_t*>(weight), rows, &out);
  return out;
}

}  // namespace

PD_AVX512 float dot_f32(int64_t n, const void* weight, const void* activation) {
  const uint8_t* rows[1] = {static_cast<const uint8_t*>(activation)};
  float out;
  double_dot<1>(n, static_cast<const uint8_t*>(weight), rows, &out);
  return out;
}

PD_AVX512 float dot_f16(int64_t n, const void* weight, const void* activation) {
  return one_row<F16Values>(n, weight, activation);
}

PD_AVX512 float dot_bf16(int64_t n, const void* weight, const void* activation) {
  return one_row<Bf16Values>(n, weight, activation);
}

PD_AVX512 void dot4_f32(int64_t n, const void* weight, const void* activation, size_t stride, float* out) {
  double_dot<4>(n, static_cast<const uint8_t*>(weight), FourRows<uint8_t>(activation, stride).rows, out);
}

PD_AVX512 void dot4_f16(int64_t n, const void* weight, const void* activation, size_t stride, float* out) {
  lane_dot<F16Values, 4>(n, static_cast<const uint8_t*>(weight), FourRows<uint8_t>(activation, stride).rows, out);
}

PD_AVX512 void dot4_bf16(int64_t n, const void* weight, const void* activation, size_t stride, float* out) {
  lane_dot<Bf16Values, 4>(n, static_cast<const uint8_t*>(weight), FourRows<uint8_t>(activation, stride).rows, out);
}

}  // namespace pd::avx512

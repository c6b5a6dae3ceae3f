// AVX-512 dot products of F32, F16 and BF16, bit for bit the AVX2 ones
// (simd_dot_float.cpp). F32 and F16 keep their sixteen lanes in one register. The AVX2
// BF16 kernel keeps four 8-lane accumulators fed from consecutive stretches of the row;
// here two neighbouring accumulators share one 512-bit register, so one load, one
// conversion and one fused multiply-add feed two of them. The 8-at-a-time and scalar
// tails, and the final tree, are the AVX2 kernel's.

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

// F32 and F16 in llama.cpp's orders: one sixteen-lane register per row, whose lanes
// the AVX2 kernel keeps in two halves; the final lane k + lane k + 8 is the halves' sum,
// then sum_lanes as there. Other lengths take the AVX2 four-accumulator kernels.
template <typename Values, int kRows>
PD_AVX512 void ordered_rows(int64_t n, const uint8_t* w, const uint8_t* const* a, float* out) {
  if (n % 16 != 0) {
    for (int r = 0; r < kRows; ++r) {
      out[r] = Values::kBytes == 4 ? avx2::dot_f32_four_accumulators(n, w, a[r])
                                   : avx2::dot_f16_four_accumulators(n, w, a[r]);
    }
    return;
  }
  __m512 acc[kRows];
  for (int r = 0; r < kRows; ++r) acc[r] = _mm512_setzero_ps();
  for (int64_t i = 0; i < n; i += 16) {
    const int64_t at = i * Values::kBytes;
    prefetch_ahead(w + at, 16 * Values::kBytes);
    const __m512 w0 = Values::load16v(w + at);
    for (int r = 0; r < kRows; ++r) acc[r] = _mm512_fmadd_ps(w0, Values::load16v(a[r] + at), acc[r]);
  }
  for (int r = 0; r < kRows; ++r) {
    out[r] = sum_halves(acc[r]);
  }
}

// One activation row through a many-row kernel.
using RowsKernel = void (*)(int64_t n, const uint8_t* w, const uint8_t* const* a, float* out);

template <RowsKernel kernel>
PD_AVX512 float single_row(int64_t n, const void* weight, const void* activation) {
  const uint8_t* rows[1] = {static_cast<const uint8_t*>(activation)};
  float out;
  kernel(n, static_cast<const uint8_t*>(weight), rows, &out);
  return out;
}

}  // namespace

PD_AVX512 float dot_f32(int64_t n, const void* weight, const void* activation) {
  return single_row<ordered_rows<F32Values, 1>>(n, weight, activation);
}

PD_AVX512 float dot_f16(int64_t n, const void* weight, const void* activation) {
  return single_row<ordered_rows<F16Values, 1>>(n, weight, activation);
}

PD_AVX512 float dot_bf16(int64_t n, const void* weight, const void* activation) {
  return single_row<lane_dot<Bf16Values, 1>>(n, weight, activation);
}

PD_AVX512 void dot4_f32(int64_t n, const void* weight, const void* activation, size_t stride, float* out) {
  ordered_rows<F32Values, 4>(n, static_cast<const uint8_t*>(weight), FourRows<uint8_t>(activation, stride).rows, out);
}

PD_AVX512 void dot4_f16(int64_t n, const void* weight, const void* activation, size_t stride, float* out) {
  ordered_rows<F16Values, 4>(n, static_cast<const uint8_t*>(weight), FourRows<uint8_t>(activation, stride).rows, out);
}

PD_AVX512 void dot4_bf16(int64_t n, const void* weight, const void* activation, size_t stride, float* out) {
  lane_dot<Bf16Values, 4>(n, static_cast<const uint8_t*>(weight), FourRows<uint8_t>(activation, stride).rows, out);
}

// The AVX2 dot_f32_four_accumulators (simd_dot_float.cpp) for sixteen rows at once, one
// per lane. That kernel keeps slot s = 8h + l (h = accumulator 0-7, l = lane 0-7) as a
// fused chain over the 64-value stretches, adds accumulator h + 4 to h, then
// (0 + 2) + (1 + 3), then the eight lanes as ((0+4) + (2+6)) + ((1+5) + (3+7)), and
// fuses the values past the last whole stretch one by one. Here every one of those
// operations runs on a register whose lane k belongs to row k, in the same order.
namespace {

PD_AVX512 inline __m512 slot_chain(int64_t whole, const float* w_t, const float* a, int64_t slot) {
  __m512 acc = _mm512_setzero_ps();
  for (int64_t i = 0; i < whole; i += 64) {
    acc = _mm512_fmadd_ps(_mm512_loadu_ps(w_t + 16 * (i + slot)), _mm512_set1_ps(a[i + slot]), acc);
  }
  return acc;
}

}  // namespace

PD_AVX512 void dot16_f32_four_accumulators_transposed(int64_t n, const float* w_t, const float* a, float* out) {
  const int64_t whole = n - n % 64;
  __m512 lanes[8];
  for (int64_t l = 0; l < 8; ++l) {
    __m512 acc[4];
    for (int64_t h = 0; h < 4; ++h) {
      acc[h] = _mm512_add_ps(slot_chain(whole, w_t, a, 8 * h + l), slot_chain(whole, w_t, a, 8 * (h + 4) + l));
    }
    lanes[l] = _mm512_add_ps(_mm512_add_ps(acc[0], acc[2]), _mm512_add_ps(acc[1], acc[3]));
  }
  const __m512 even = _mm512_add_ps(_mm512_add_ps(lanes[0], lanes[4]), _mm512_add_ps(lanes[2], lanes[6]));
  const __m512 odd = _mm512_add_ps(_mm512_add_ps(lanes[1], lanes[5]), _mm512_add_ps(lanes[3], lanes[7]));
  __m512 sum = _mm512_add_ps(even, odd);
  for (int64_t i = whole; i < n; ++i) sum = _mm512_fmadd_ps(_mm512_loadu_ps(w_t + 16 * i), _mm512_set1_ps(a[i]), sum);
  _mm512_storeu_ps(out, sum);
}

}  // namespace pd::avx512

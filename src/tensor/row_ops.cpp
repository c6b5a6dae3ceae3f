#include "tensor/row_ops.h"

#include <cmath>

#include "core/cpu_features.h"
#include "tensor/simd_avx2.h"
#include "tensor/simd_avx512.h"

namespace pd {

namespace {

PD_AVX2 void fused_add_scaled_row_avx2(float scale, const float* row, float* acc, int64_t n) {
  const __m256 s = _mm256_set1_ps(scale);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    _mm256_storeu_ps(acc + i, _mm256_fmadd_ps(s, _mm256_loadu_ps(row + i), _mm256_loadu_ps(acc + i)));
  }
  for (; i < n; ++i) acc[i] = std::fma(scale, row[i], acc[i]);
}

PD_AVX2 void add_row_avx2(const float* b, float* a, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    _mm256_storeu_ps(a + i, _mm256_add_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i)));
  }
  for (; i < n; ++i) a[i] += b[i];
}

// One lane's chain over kWidth * 16 values, kept in kWidth registers: a width known at
// compile time, so that the accumulators never leave the registers (with the width a
// variable, the compiler kept them on the stack and copied them around each position).
template <int kWidth>
PD_AVX512 void lane_chain(const float* scales, const float* rows, int64_t row_stride, int64_t first, int64_t count,
                          float* acc_row) {
  __m512 acc[kWidth];
  for (int v = 0; v < kWidth; ++v) acc[v] = _mm512_loadu_ps(acc_row + 16 * v);
  for (int64_t j = first; j < count; j += 16) {
    const __m512 s = _mm512_set1_ps(scales[j]);
    const float* row = rows + j * row_stride;
    for (int v = 0; v < kWidth; ++v) acc[v] = _mm512_fmadd_ps(s, _mm512_loadu_ps(row + 16 * v), acc[v]);
  }
  for (int v = 0; v < kWidth; ++v) _mm512_storeu_ps(acc_row + 16 * v, acc[v]);
}

// One lane's chain at a time, up to 64 values of it at once.
PD_AVX512 void sixteen_lane_chains_avx512(const float* scales, const float* rows, int64_t row_stride, int64_t count,
                                          int64_t n, float* lanes) {
  for (int64_t k = 0; k < 16 && k < count; ++k) {
    float* acc_row = lanes + k * n;
    int64_t d = 0;
    for (; d + 64 <= n; d += 64) lane_chain<4>(scales, rows + d, row_stride, k, count, acc_row + d);
    switch ((n - d) / 16) {  // n is a multiple of 16
      case 3: lane_chain<3>(scales, rows + d, row_stride, k, count, acc_row + d); break;
      case 2: lane_chain<2>(scales, rows + d, row_stride, k, count, acc_row + d); break;
      case 1: lane_chain<1>(scales, rows + d, row_stride, k, count, acc_row + d); break;
      default: break;
    }
  }
}

}  // namespace

void fused_add_scaled_rows_in_sixteen_lanes(const float* scales, const float* rows, int64_t row_stride, int64_t count,
                                            int64_t n, float* lanes) {
  if (active_isa() == Isa::Avx512 && n % 16 == 0) {
    sixteen_lane_chains_avx512(scales, rows, row_stride, count, n, lanes);
    return;
  }
  for (int64_t j = 0; j < count; ++j) fused_add_scaled_row(scales[j], rows + j * row_stride, lanes + (j % 16) * n, n);
}

void fused_add_scaled_row(float scale, const float* row, float* acc, int64_t n) {
  if (active_isa() != Isa::Scalar) {
    fused_add_scaled_row_avx2(scale, row, acc, n);
    return;
  }
  for (int64_t i = 0; i < n; ++i) acc[i] = std::fma(scale, row[i], acc[i]);
}

void add_row(const float* b, float* a, int64_t n) {
  if (active_isa() != Isa::Scalar) {
    add_row_avx2(b, a, n);
    return;
  }
  for (int64_t i = 0; i < n; ++i) a[i] += b[i];
}

}  // namespace pd

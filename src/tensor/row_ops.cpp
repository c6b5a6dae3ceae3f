#include "tensor/row_ops.h"

#include <cmath>

#include "core/cpu_features.h"
#include "tensor/simd_avx2.h"

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

}  // namespace

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

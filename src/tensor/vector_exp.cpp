#include "tensor/vector_exp.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "core/cpu_features.h"
#include "tensor/simd_avx2.h"

namespace pd {

namespace {

// 2^n for the exponents of normal floats: the scaling is then one exact-or-rounded
// multiplication, as the vector scalef instruction rounds once.
inline float power_of_two(int n) {
  const uint32_t bits = static_cast<uint32_t>(n + 127) << 23;
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

// The reduction constants and the polynomial coefficients of llama.cpp's vector exp
// (its numerics are the specification this engine follows, like ggml's block layouts).
[[gnu::always_inline]] inline float exp_polynomial(float x) {
  constexpr float kShift = 0x1.8p23f;  // adding it rounds to an integer
  const float z = std::fma(x, 0x1.715476p+0f, kShift);
  const float n = z - kShift;
  if (!(std::fabs(n) <= 192.0f)) {
    if (std::isnan(x)) return x;
    return n > 0 ? std::numeric_limits<float>::infinity() : 0.0f;
  }
  const float b = std::fma(-n, 0x1.7f7d1cp-20f, std::fma(-n, 0x1.62e4p-1f, x));
  const float u = b * b;
  const float j = std::fma(std::fma(std::fma(0x1.0e4020p-7f, b, 0x1.573e2ep-5f), u,
                                    std::fma(0x1.555e66p-3f, b, 0x1.fffdb6p-2f)),
                           u, std::fma(0x1.ffffecp-1f, b, 1.0f));
  const int exponent = static_cast<int>(n);
  if (exponent >= -126 && exponent <= 127) return j * power_of_two(exponent);
  return std::ldexp(j, exponent);
}

[[gnu::always_inline]] inline void silu_loop(const float* x, float* y, int64_t n) {
  const int64_t whole = n - n % 16;
  for (int64_t i = 0; i < whole; ++i) y[i] = x[i] / (1.0f + exp_polynomial(-x[i]));
  for (int64_t i = whole; i < n; ++i) y[i] = x[i] / (1.0f + std::exp(-x[i]));
}

[[gnu::always_inline]] inline double shifted_exp_loop(float* x, int64_t n, float shift) {
  double sum = 0.0;
  for (int64_t start = 0; start < n; start += 16) {
    float group[16] = {};
    for (int64_t k = 0; k < 16 && start + k < n; ++k) {
      group[k] = x[start + k] = exp_polynomial(x[start + k] - shift);
    }
    for (int width = 8; width >= 1; width /= 2) {
      for (int k = 0; k < width; ++k) group[k] += group[k + width];
    }
    sum += static_cast<double>(group[0]);
  }
  return sum;
}

// Eight values at once with FMA instructions: the same operations lane by lane, so the
// same bits. False (nothing written) when a lane needs the scalar code's rare cases
// (2^n outside the normal floats, NaN or infinite input).
PD_AVX2 inline bool exp8(__m256 x, __m256& out) {
  const __m256 shift = _mm256_set1_ps(0x1.8p23f);
  const __m256 z = _mm256_fmadd_ps(x, _mm256_set1_ps(0x1.715476p+0f), shift);
  const __m256 n = _mm256_sub_ps(z, shift);
  const __m256 in_range = _mm256_and_ps(_mm256_cmp_ps(n, _mm256_set1_ps(-126.0f), _CMP_GE_OQ),
                                        _mm256_cmp_ps(n, _mm256_set1_ps(127.0f), _CMP_LE_OQ));
  if (_mm256_movemask_ps(in_range) != 0xff) return false;
  const __m256 b = _mm256_fnmadd_ps(n, _mm256_set1_ps(0x1.7f7d1cp-20f),
                                    _mm256_fnmadd_ps(n, _mm256_set1_ps(0x1.62e4p-1f), x));
  const __m256 u = _mm256_mul_ps(b, b);
  const __m256 high = _mm256_fmadd_ps(
      _mm256_fmadd_ps(_mm256_set1_ps(0x1.0e4020p-7f), b, _mm256_set1_ps(0x1.573e2ep-5f)), u,
      _mm256_fmadd_ps(_mm256_set1_ps(0x1.555e66p-3f), b, _mm256_set1_ps(0x1.fffdb6p-2f)));
  const __m256 j = _mm256_fmadd_ps(high, u, _mm256_fmadd_ps(_mm256_set1_ps(0x1.ffffecp-1f), b,
                                                             _mm256_set1_ps(1.0f)));
  const __m256i exponent = _mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127));
  out = _mm256_mul_ps(j, _mm256_castsi256_ps(_mm256_slli_epi32(exponent, 23)));
  return true;
}

PD_AVX2 void silu_loop_fma(const float* x, float* y, int64_t n) {
  const int64_t whole = n - n % 16;
  const __m256 one = _mm256_set1_ps(1.0f);
  for (int64_t i = 0; i < whole; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    __m256 e;
    if (exp8(_mm256_sub_ps(_mm256_setzero_ps(), v), e)) {
      _mm256_storeu_ps(y + i, _mm256_div_ps(v, _mm256_add_ps(one, e)));
    } else {
      for (int64_t k = i; k < i + 8; ++k) y[k] = x[k] / (1.0f + exp_polynomial(-x[k]));
    }
  }
  for (int64_t i = whole; i < n; ++i) y[i] = x[i] / (1.0f + std::exp(-x[i]));
}

PD_AVX2 double shifted_exp_loop_fma(float* x, int64_t n, float shift) {
  const int64_t whole = n - n % 16;
  const __m256 s = _mm256_set1_ps(shift);
  double sum = 0.0;
  for (int64_t i = 0; i < whole; i += 16) {
    __m256 low, high;
    if (!exp8(_mm256_sub_ps(_mm256_loadu_ps(x + i), s), low) ||
        !exp8(_mm256_sub_ps(_mm256_loadu_ps(x + i + 8), s), high)) {
      sum += shifted_exp_loop(x + i, 16, shift);
      continue;
    }
    _mm256_storeu_ps(x + i, low);
    _mm256_storeu_ps(x + i + 8, high);
    // Value k + value k + 8, then the 8-lane tree: the scalar code's pairwise order.
    sum += static_cast<double>(avx2::sum_lanes(_mm256_add_ps(low, high)));
  }
  if (whole < n) sum += shifted_exp_loop(x + whole, n - whole, shift);
  return sum;
}

bool use_fma() { return active_isa() != Isa::Scalar; }

}  // namespace

float vector_exp(float x) { return exp_polynomial(x); }

void silu_row(const float* x, float* y, int64_t n) {
  if (use_fma()) {
    silu_loop_fma(x, y, n);
  } else {
    silu_loop(x, y, n);
  }
}

double shifted_exp_row(float* x, int64_t n, float shift) {
  return use_fma() ? shifted_exp_loop_fma(x, n, shift) : shifted_exp_loop(x, n, shift);
}

}  // namespace pd

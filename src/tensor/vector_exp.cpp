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

// The same loops compiled with FMA instructions (the portable ones call the C
// library's fma, which is exact too but slow).
PD_AVX2 void silu_loop_fma(const float* x, float* y, int64_t n) { silu_loop(x, y, n); }
PD_AVX2 double shifted_exp_loop_fma(float* x, int64_t n, float shift) {
  return shifted_exp_loop(x, n, shift);
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

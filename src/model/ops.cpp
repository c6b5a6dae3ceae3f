#include "model/ops.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/fp16.h"
#include "tensor/vector_exp.h"

namespace pd {

void rms_norm(const float* x, const float* weight, int64_t n, float eps, float* y) {
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(x[i] * x[i]);
  const float mean = static_cast<float>(sum / static_cast<double>(n));
  const float scale = 1.0f / std::sqrt(mean + eps);
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] * scale;
  if (weight != nullptr) {
    for (int64_t i = 0; i < n; ++i) y[i] = y[i] * weight[i];
  }
}

void softmax(float* x, int64_t n) {
  float max = -std::numeric_limits<float>::infinity();
  for (int64_t i = 0; i < n; ++i) max = std::max(max, x[i]);
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    const float e = std::exp(x[i] - max);
    sum += static_cast<double>(e);
    x[i] = e;
  }
  const float inverse = static_cast<float>(1.0 / sum);
  for (int64_t i = 0; i < n; ++i) x[i] *= inverse;
}

void softmax_vector_exp(float* x, int64_t n) {
  float max = -std::numeric_limits<float>::infinity();
  for (int64_t i = 0; i < n; ++i) max = std::max(max, x[i]);
  const float inverse = static_cast<float>(1.0 / shifted_exp_row(x, n, max));
  for (int64_t i = 0; i < n; ++i) x[i] *= inverse;
}

void round_activations(float* x, int64_t n, ActivationPrecision precision) {
  if (precision == ActivationPrecision::BF16) {
    for (int64_t i = 0; i < n; ++i) x[i] = round_to_bf16(x[i]);
  } else if (precision == ActivationPrecision::F16) {
    for (int64_t i = 0; i < n; ++i) x[i] = round_to_f16(x[i]);
  }
}

void log_softmax(const float* logits, int64_t n, float* out) {
  double max = -std::numeric_limits<double>::infinity();
  for (int64_t i = 0; i < n; ++i) max = std::max(max, static_cast<double>(logits[i]));
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) sum += std::exp(static_cast<double>(logits[i]) - max);
  const double log_sum = max + std::log(sum);
  for (int64_t i = 0; i < n; ++i) {
    out[i] = static_cast<float>(static_cast<double>(logits[i]) - log_sum);
  }
}

}  // namespace pd

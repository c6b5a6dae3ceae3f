#pragma once
// The element-wise and row-wise operations of the forward pass, each written to do the
// arithmetic llama.cpp's CPU backend (ggml-cpu) does, in the same order where the order
// is observable: float products, f64 sums where ggml sums in ggml_float (double).

#include <cmath>
#include <cstdint>

#include "model/numerics.h"

namespace pd {

// y = x * (1 / sqrt(mean(x^2) + eps)) * weight. As ggml's rms_norm followed by its mul:
// each square is a float product, squares are summed in double, the mean is rounded to
// float, the scale is 1.0f / sqrtf(mean + eps) in float, then x * scale, then * weight.
// `weight` may be null (no multiplication). x and y may alias.
void rms_norm(const float* x, const float* weight, int64_t n, float eps, float* y);

// In-place softmax (the reference path): subtract the maximum, expf, sum in double,
// then multiply by (float)(1.0 / sum).
void softmax(float* x, int64_t n);

// In-place softmax as llama.cpp's CPU backend computes attention probabilities (the
// `fast` path): the same steps with its vector exponential and its order of the sum
// (tensor/vector_exp.h, shifted_exp_row).
void softmax_vector_exp(float* x, int64_t n);

// x / (1 + e^-x) in float with the C library's expf (the reference path; the `fast`
// path takes tensor/vector_exp.h's silu_row, as llama.cpp's vector loop).
inline float silu(float x) { return x / (1.0f + std::exp(-x)); }

// Rounds every value to the activation precision (bf16 or f16, nearest even); a no-op
// for f32 and for the integer precisions (which quantize matrix-product inputs only).
void round_activations(float* x, int64_t n, ActivationPrecision precision);

// out[i] = logits[i] - log(sum_j exp(logits[j])), computed in double, stored as float.
void log_softmax(const float* logits, int64_t n, float* out);

}  // namespace pd

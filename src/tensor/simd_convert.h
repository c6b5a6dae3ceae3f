#pragma once
// Vector twins of the row conversions that run over every weight or every activation:
// quantize_activation_row (activation_quant.h) for F16, Q8_0 and Q8_K, which a prefill
// runs once per token and weight matrix; f16_to_float and quantize_row_q8_0_ref, which
// reading and quantizing a model run over every weight. Each writes exactly the bytes of
// the scalar code, for every input: groups holding a NaN or an infinity go to the scalar
// code, whose rules decide what those become (SimdConvert.* compares the two byte for
// byte). None takes account of the active instruction set: the bytes are the same.

#include <cstdint>

#include "tensor/tensor_type.h"

namespace pd {

// Each returns false (writing nothing) where the CPU lacks the instructions or the type
// has no vector twin; the caller then runs the scalar code.

// Converts as quantize_activation_row does and returns true when the CPU has AVX2, FMA
// and F16C and `type` is F16, Q8_0 or Q8_K.
bool simd_quantize_activation_row(TensorType type, const float* src, void* dst, int64_t n);

// f16_to_float_scalar's floats (exact widening) and true when the CPU has F16C.
bool simd_f16_to_float(const void* src, float* dst, int64_t n);

// quantize_row_q8_0_scalar's bytes (roundf's half away from zero) and true when the CPU
// has AVX2, FMA and F16C.
bool simd_quantize_row_q8_0_ref(const float* src, void* dst, int64_t n);

}  // namespace pd

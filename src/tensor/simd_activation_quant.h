#pragma once
// Vector twins of quantize_activation_row (activation_quant.h) for the conversions a
// prefill runs once per token and weight matrix: F16, Q8_0 and Q8_K. Each writes exactly
// the bytes of the scalar emulation, for every input: groups holding a NaN or an
// infinity go to the scalar code, whose lane-order rules decide what those become
// (SimdActivationQuant.* compares the two byte for byte).

#include <cstdint>

#include "tensor/tensor_type.h"

namespace pd {

// Converts as quantize_activation_row does and returns true when the CPU has AVX2, FMA
// and F16C and `type` is F16, Q8_0 or Q8_K; returns false (writing nothing) otherwise.
// Takes no account of the active instruction set: the bytes are the same either way.
bool simd_quantize_activation_row(TensorType type, const float* src, void* dst, int64_t n);

}  // namespace pd

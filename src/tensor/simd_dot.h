#pragma once
// SIMD dot products of one weight row with one activation row already converted to the
// weight type's vec_dot_type: the vector twins of the scalar vec_dot_ref functions of
// the type table (tensor_type.h), with the same signature.
//
// What stays the same as the scalar reference: the integer part of every block (the
// sums of quant products are exact, whatever the instruction order) and the formats.
// What differs: the float part. The reference adds one block result at a time (or, for
// bf16, every product in double); the vector kernels keep 8-lane float accumulators
// (one per K-quant row, two for the 32-value block types, four for bf16), fuse multiply
// and add, and add the lanes in a fixed tree at the end. The result is therefore a
// last-bits perturbation of the reference, not its bits: run records pin the
// instruction set for that reason. F32 and F16 are the exception: their orders
// (llama.cpp's, quant_float.h) are the same in the scalar and the vector kernels, bit
// for bit. So is Q4_0: its kernels (simd_dot_q4_0.cpp) and its AVX-512 tile keep the
// reference's one float per block, added in block order, because with the sum of a
// block in one lane a 16-lane register serves 16 weight rows, which made prefill 1.4x
// faster than eight lanes per block (BENCHMARKS.md, session 10). It is deterministic:
// one row pair always gives the same float, on any thread and in any batch.
//
// Kernels exist for F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, IQ4_NL and Q2_K to
// Q6_K (AVX2 + FMA + F16C; compiled with per-function target attributes, so the
// build needs no -march flag and runs on any x86-64). Integer parts are exact for every
// quant a reference quantizer writes; the one exception is an activation quant of -128
// (Q8_0, Q8_K) against a negative signed weight level (Q4_0 excepted: its integer part
// is exact for every quant), and only non-finite inputs
// produce such a quant (the result is then non-finite anyway, though an infinity may
// come out with the other sign).
//
// A second set (simd_avx512.h: AVX-512 F/BW/VL/VNNI) covers the same types and returns
// exactly the AVX2 kernels' bits: the integer sums are regrouped
// (vpdpbusd, vpdpwssd, 64 bytes at a time) but every AVX2 int32 lane gets the same
// value, and the float part keeps the AVX2 accumulators, fused multiply-adds and lane
// tree (a 512-bit float register holds two of them side by side). The -128 exception
// above is shared byte for byte (the AVX-512 sign trick negates with wrap-around, as
// vpsignb does). So `avx2` and `avx512` name the same numerics; run records still pin
// the set, and the tests (SimdDotAvx512.*) hold the two to memcmp equality. The BF16
// dot instruction is not used: it rounds differently.

#include <cstddef>
#include <cstdint>

#include "tensor/tensor_type.h"

namespace pd {

// The vector kernel for weights of `type` when the active instruction set
// (core/cpu_features.h) is AVX2 or better: the AVX-512 one when the set is AVX-512 and
// the type has one, else the AVX2 one; nullptr when the set is scalar or the type has no
// vector kernel, in which case the caller uses type_traits(type).vec_dot_ref.
VecDotFn simd_vec_dot(TensorType type);

// The AVX2 kernel whatever the active instruction set; nullptr when the CPU lacks
// AVX2/FMA/F16C or the type has no kernel. For tests and benchmarks.
VecDotFn avx2_vec_dot(TensorType type);

// One weight row against four activation rows (row k at activation + k * stride bytes):
// out[k] is bit for bit what the type's single-row vector kernel returns for row k, but
// the weight row is read and expanded once for the four (prefill: many tokens per
// matrix). Kernels exist for the types above except Q2_K and Q3_K.
using VecDot4Fn = void (*)(int64_t n, const void* weight, const void* activation, size_t stride,
                           float* out);

// As simd_vec_dot and avx2_vec_dot, for the four-row kernels.
VecDot4Fn simd_vec_dot4(TensorType type);
VecDot4Fn avx2_vec_dot4(TensorType type);

// The AVX-512 kernels whatever the active instruction set; nullptr when the CPU lacks
// AVX-512 F/BW/VL/VNNI (or AVX2/FMA/F16C) or the type has none. For tests and benchmarks.
VecDotFn avx512_vec_dot(TensorType type);
VecDot4Fn avx512_vec_dot4(TensorType type);

// f32_dot_four_accumulators (quant_float.h), ggml_vec_dot_f32's order on float rows
// of any length, with the AVX2 kernel when the active set has one: the same bits.
float f32_four_accumulator_dot(int64_t n, const float* w, const float* a);

// f32_four_accumulator_dot of `a` with sixteen rows w_0..w_15 stored transposed (element
// e of row k at w_t[16 * e + k]), out[k] with the bits of f32_four_accumulator_dot(n,
// w_k, a), in one pass: attention's query against sixteen keys. False (nothing written)
// where the active instruction set is not AVX-512.
bool f32_four_accumulator_dot16_transposed(int64_t n, const float* w_t, const float* a, float* out);
bool has_f32_four_accumulator_dot16_transposed();

}  // namespace pd

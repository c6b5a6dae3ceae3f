#pragma once
// The unquantized storage types F32, F16 and BF16, as ggml stores and multiplies them.
//
// quantize_ref is what llama-quantize writes for a tensor of that type: F16 rounds to
// nearest even (ggml's software conversion, which turns every NaN into the canonical
// quiet NaN 0x7e00 with its sign), BF16 rounds to nearest even and keeps subnormals
// (ggml stopped flushing them in mid-2024), F32 copies.
//
// vec_dot_ref for BF16 is ggml's scalar dot product: each product is taken in float
// (exact for 16-bit operands) and the sum is accumulated in double, then rounded to
// float once at the end. Activations are in the same type as the weights.
//
// F32 follows the order llama.cpp's CPU backend (an AVX-512 build) uses for a prompt,
// because its f32 products are inexact and every order rounds differently:
// - n a multiple of 16 (its tinyBLAS kernel): sixteen lanes, lane k accumulating
//   products k, k + 16, k + 32, ... with fused multiply-adds; the lanes are then added
//   pairwise (lane k + lane k + 8, then + 4, + 2, + 1);
// - otherwise (ggml_vec_dot_f32): four such sixteen-lane accumulators over steps of 64
//   values, folded (0 + 2, 1 + 3, then 0 + 1) and added pairwise as above; the values
//   after the last whole step are fused into the float sum one at a time.
// F16 (activations converted to f16, as llama.cpp does) takes the same two orders on
// its exactly converted values, except that ggml_vec_dot_f16 adds the folded sum and
// the tail's products in double.
// The vector kernels (simd_dot.h) give the same bits. (For a single token llama.cpp
// takes the four-accumulator order at every length; the engine keeps one order per
// length, so that a prompt evaluated at once or token by token gives the same bits.)

#include <cstdint>

namespace pd {

void f32_to_float(const void* src, float* dst, int64_t n);
void f32_quantize_ref(const float* src, void* dst, int64_t n);
float f32_vec_dot_ref(int64_t n, const void* weight, const void* activation);
// The four-accumulator order at any length, on plain float rows (attention meets f32
// keys this way).
float f32_dot_four_accumulators(int64_t n, const float* w, const float* a);

// Takes the vector twin (simd_convert.h) where the CPU has one: the same floats.
void f16_to_float(const void* src, float* dst, int64_t n);
void f16_to_float_scalar(const void* src, float* dst, int64_t n);
void f16_quantize_ref(const float* src, void* dst, int64_t n);
float f16_vec_dot_ref(int64_t n, const void* weight, const void* activation);
// f16_vec_dot_ref on rows already converted to float (exactly).
float f16_dot_of_floats(int64_t n, const float* w, const float* a);

void bf16_to_float(const void* src, float* dst, int64_t n);
void bf16_quantize_ref(const float* src, void* dst, int64_t n);
float bf16_vec_dot_ref(int64_t n, const void* weight, const void* activation);

}  // namespace pd

#pragma once
// Register-tiled matrix products of weights with a batch of activation rows: prefill's
// compute-bound path. A single-row kernel (simd_dot.h) loads one weight
// vector and one activation vector per fused multiply-add; a tile of kRows weight rows
// by kTokens activation rows keeps kRows x kTokens accumulators in registers and loads
// kRows + kTokens vectors for that many multiply-adds.
//
// Every output element is still one row's dot product computed alone from start to end,
// with the single-row kernel's operations: for F32/F16, sixteen fused lanes over the row
// from zero, then its lane tree (llama.cpp's order, quant_float.h); for the block types,
// see BlockTileFn. So a tile gives, element for element, the bits of simd_vec_dot(type)
// on the same row and the activation converted to the type's vec_dot_type, whatever the
// batch, the tile shape or the thread count (SimdTile.* holds them to memcmp equality).

#include <cstddef>
#include <cstdint>

#include "tensor/tensor_type.h"

namespace pd {

// y[t * y_stride + r] = dot(weight row r, activation row t) for r < rows, t < tokens.
// Weight row r starts at weight + r * weight_stride bytes (stored type); activation rows
// hold the values of the weight type's vec_dot_type (the weight type itself) as floats,
// back to back (row t at t * n): for F16, the f16 values widened, which is exact, so the
// caller widens a batch once and the inner loop converts only the weights. n must be a
// multiple of 16. One token (decode) runs four rows' chains at a time, row j of each
// quarter of the range, so that each chain streams its own sequential run of rows.
using FloatTileFn = void (*)(int64_t n, const void* weight, size_t weight_stride, int64_t rows,
                             const float* activation, int64_t tokens, float* y, int64_t y_stride);

// The tile kernel for `type` when the active instruction set (core/cpu_features.h) is
// AVX-512 and the type is F32 or F16; nullptr otherwise (use simd_vec_dot4 then).
FloatTileFn simd_float_tile(TensorType type);

// The AVX-512 tile kernel whatever the active set; nullptr when the CPU lacks AVX-512
// or the type has none. For tests and benchmarks.
FloatTileFn avx512_float_tile(TensorType type);

// The 32-value block types whose activations are Q8_0 (Q8_0, Q5_0, IQ4_NL):
// y[t * y_stride + r] for r < rows, t < tokens, each the bits of simd_vec_dot(type) on
// weight row r and the Q8_0 activation row t (at activation + t * activation_stride).
// The integer part of a block pair is one vpdpbusd of the weight levels biased to
// unsigned (+128) against the activation quants, started from -128 times the
// activation's four-byte sums: the exact int32 lanes of the sign trick the single-row
// kernels use. The two differ only where an activation quant is -128 against a negative
// level (simd_dot.h); a tile call that meets an activation quant of -128, or a row whose
// block count is odd, returns false without writing, and the caller takes the
// single-row kernels. One token (decode) is declined too: the single-row kernels are
// faster there.
//
// Q4_0 has a tile of its own with the scalar reference's numerics (simd_dot.h): a
// block's exact integer sum in one lane per weight row, 16 rows per register (value
// groups of 16 rows side by side, each group's four activation quants broadcast), then
// the reference's float step per block. It takes any batch, one token included (decode
// reads the weights as stored), odd block counts and activation quants of -128.
using BlockTileFn = bool (*)(int64_t n, const void* weight, size_t weight_stride, int64_t rows,
                             const void* activation, size_t activation_stride, int64_t tokens,
                             float* y, int64_t y_stride);

// Q4_K, Q5_K and Q6_K against Q8_K activations (activation rows at activation +
// t * activation_stride) have a tile too: each weight row's super-blocks are unpacked
// once and read by every four tokens, each element with the bits of simd_vec_dot(type)
// (the single-row kernel's integer sums and float operations). Fewer than four tokens
// (decode) go token by token through the decode kernels (simd_decode_avx512_k.cpp), which
// lay the token out once for all the rows, with the same bits. (Q6_K's decode kernel
// takes the levels' -32 offset out exactly, where the single-row kernel's sign split
// would negate an activation quant of -128; the Q8_K quantizer never writes -128.)
//
// As simd_float_tile, for the block types above and the K types.
BlockTileFn simd_block_tile(TensorType type);
BlockTileFn avx512_block_tile(TensorType type);

// The K-type half of avx512_block_tile (simd_tile_avx512_k.cpp).
BlockTileFn avx512_k_block_tile(TensorType type);

// The Q4_0 half of avx512_block_tile (simd_tile_avx512_q4_0.cpp).
BlockTileFn avx512_q4_0_tile();

// The AVX2 Q4_0 tile (simd_tile_avx2_q4_0.cpp; simd_block_tile(Q4_0) when the active
// set is AVX2): the same numerics, 8 rows per register, two tokens or more (it returns
// false for one); nullptr when the CPU lacks AVX2.
BlockTileFn avx2_q4_0_tile();

}  // namespace pd

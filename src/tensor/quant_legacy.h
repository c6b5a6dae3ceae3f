#pragma once
// The legacy ggml block formats: 32 values per block, one fp16 scale (and for the
// "_1" types one fp16 offset), integer quants.
//
//   Q4_0  x = d * (q - 8),      q in 0..15      Q4_1  x = d * q + m,  q in 0..15
//   Q5_0  x = d * (q - 16),     q in 0..31      Q5_1  x = d * q + m,  q in 0..31
//   Q8_0  x = d * q,            q in -127..127  Q8_1  x = d * q, s = d * sum(q)
//
// Nibble order: byte j of qs holds value j in its low nibble and value j + 16 in its
// high nibble; the fifth bit of value j is bit j of qh (little-endian uint32).
//
// quantize_row_*_ref are byte-exact with llama.cpp's quantize_row_*_ref (commit
// c392e509), which is what llama-quantize writes for these types without an importance
// matrix. vec_dot_*_ref reproduce ggml's scalar CPU dot products: exact integer sums
// per block, then one float multiply-add per block in ggml's operation order. Q8_1 has
// no dot product of its own in ggml; ours follows Q8_0's (the s field is not used).
//
// Preconditions (all functions): n is a multiple of 32; rows are at least 2-byte
// aligned (GGUF guarantees more).

#include <cstdint>

namespace pd {

constexpr int64_t kLegacyBlockSize = 32;

struct BlockQ4_0 {
  uint16_t d;  // fp16 bits
  uint8_t qs[16];
};
struct BlockQ4_1 {
  uint16_t d;
  uint16_t m;
  uint8_t qs[16];
};
struct BlockQ5_0 {
  uint16_t d;
  uint8_t qh[4];
  uint8_t qs[16];
};
struct BlockQ5_1 {
  uint16_t d;
  uint16_t m;
  uint8_t qh[4];
  uint8_t qs[16];
};
struct BlockQ8_0 {
  uint16_t d;
  int8_t qs[32];
};
struct BlockQ8_1 {
  uint16_t d;
  uint16_t s;  // fp16 of d * sum(qs), used by the Q4_1/Q5_1 dot products
  int8_t qs[32];
};
static_assert(sizeof(BlockQ4_0) == 18 && sizeof(BlockQ4_1) == 20);
static_assert(sizeof(BlockQ5_0) == 22 && sizeof(BlockQ5_1) == 24);
static_assert(sizeof(BlockQ8_0) == 34 && sizeof(BlockQ8_1) == 36);

void dequantize_row_q4_0(const void* src, float* dst, int64_t n);
void dequantize_row_q4_1(const void* src, float* dst, int64_t n);
void dequantize_row_q5_0(const void* src, float* dst, int64_t n);
void dequantize_row_q5_1(const void* src, float* dst, int64_t n);
void dequantize_row_q8_0(const void* src, float* dst, int64_t n);
void dequantize_row_q8_1(const void* src, float* dst, int64_t n);

void quantize_row_q4_0_ref(const float* src, void* dst, int64_t n);
void quantize_row_q4_1_ref(const float* src, void* dst, int64_t n);
void quantize_row_q5_0_ref(const float* src, void* dst, int64_t n);
void quantize_row_q5_1_ref(const float* src, void* dst, int64_t n);
// Takes the vector twin (simd_convert.h) where the CPU has one: the same bytes.
void quantize_row_q8_0_ref(const float* src, void* dst, int64_t n);
void quantize_row_q8_0_scalar(const float* src, void* dst, int64_t n);
void quantize_row_q8_1_ref(const float* src, void* dst, int64_t n);

float vec_dot_q4_0_q8_0_ref(int64_t n, const void* weight, const void* activation);
float vec_dot_q4_1_q8_1_ref(int64_t n, const void* weight, const void* activation);
float vec_dot_q5_0_q8_0_ref(int64_t n, const void* weight, const void* activation);
float vec_dot_q5_1_q8_1_ref(int64_t n, const void* weight, const void* activation);
float vec_dot_q8_0_q8_0_ref(int64_t n, const void* weight, const void* activation);
float vec_dot_q8_1_q8_1_ref(int64_t n, const void* weight, const void* activation);

}  // namespace pd

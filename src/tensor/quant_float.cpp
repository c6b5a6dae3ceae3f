#include "tensor/quant_float.h"

#include <cmath>
#include <cstring>

#include "core/fp16.h"
#include "tensor/simd_convert.h"
#include "tensor/ggml_numeric.h"

namespace pd {

namespace {

// Loads through memcpy: a row may start at any byte of a mapped file.
template <typename V>
V load(const void* base, int64_t i) {
  V value;
  std::memcpy(&value, static_cast<const unsigned char*>(base) + i * sizeof(V), sizeof(V));
  return value;
}

template <typename V>
void store(void* base, int64_t i, V value) {
  std::memcpy(static_cast<unsigned char*>(base) + i * sizeof(V), &value, sizeof(V));
}

}  // namespace

void f32_to_float(const void* src, float* dst, int64_t n) {
  std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float));
}

void f32_quantize_ref(const float* src, void* dst, int64_t n) {
  std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float));
}

namespace {

// Lane k + lane k + 8, then + 4, + 2, + 1: the sum of a sixteen-lane register as
// llama.cpp's AVX-512 build reduces it (_mm512_reduce_add_ps).
float add_lanes_pairwise(float* lanes) {
  for (int width = 8; width >= 1; width /= 2) {
    for (int k = 0; k < width; ++k) lanes[k] += lanes[k + width];
  }
  return lanes[0];
}

// The two orders over values read by `w(i)` and `a(i)`: plain float rows, or the bytes
// of a stored row (which need not be aligned for a float).
template <typename Values>
float sixteen_lanes(int64_t n, Values w, Values a) {
  float lanes[16] = {};
  for (int64_t i = 0; i < n; i += 16) {
    for (int k = 0; k < 16; ++k) lanes[k] = std::fma(w(i + k), a(i + k), lanes[k]);
  }
  return add_lanes_pairwise(lanes);
}

// Four sixteen-lane accumulators over the whole steps of 64 values, folded (0 + 2,
// 1 + 3, then 0 + 1) and added pairwise; `whole` is where the tail starts.
template <typename Values>
float four_accumulators_folded(int64_t n, Values w, Values a, int64_t& whole) {
  float acc[4][16] = {};
  whole = n - n % 64;
  for (int64_t i = 0; i < whole; i += 64) {
    for (int r = 0; r < 4; ++r) {
      for (int k = 0; k < 16; ++k) {
        acc[r][k] = std::fma(w(i + 16 * r + k), a(i + 16 * r + k), acc[r][k]);
      }
    }
  }
  for (int k = 0; k < 16; ++k) {
    acc[0][k] += acc[2][k];
    acc[1][k] += acc[3][k];
  }
  for (int k = 0; k < 16; ++k) acc[0][k] += acc[1][k];
  return add_lanes_pairwise(acc[0]);
}

// ggml_vec_dot_f32: the tail fused into the float sum one value at a time.
template <typename Values>
float four_accumulators(int64_t n, Values w, Values a) {
  int64_t whole;
  float sum = four_accumulators_folded(n, w, a, whole);
  for (int64_t i = whole; i < n; ++i) sum = std::fma(w(i), a(i), sum);
  return sum;
}

// ggml_vec_dot_f16: the folded sum and the tail's products added in double.
template <typename Values>
float four_accumulators_double_tail(int64_t n, Values w, Values a) {
  int64_t whole;
  double sum = four_accumulators_folded(n, w, a, whole);
  for (int64_t i = whole; i < n; ++i) sum += static_cast<double>(w(i) * a(i));
  return static_cast<float>(sum);
}

struct FloatRow {
  const float* row;
  float operator()(int64_t i) const { return row[i]; }
};

struct StoredRow {
  const void* bytes;
  float operator()(int64_t i) const { return load<float>(bytes, i); }
};

struct StoredHalfRow {
  const void* bytes;
  float operator()(int64_t i) const { return f16_to_f32(load<uint16_t>(bytes, i)); }
};

template <typename Values>
float f16_order(int64_t n, Values w, Values a) {
  return n % 16 == 0 ? sixteen_lanes(n, w, a) : four_accumulators_double_tail(n, w, a);
}

}  // namespace

float f32_dot_four_accumulators(int64_t n, const float* w, const float* a) {
  return four_accumulators(n, FloatRow{w}, FloatRow{a});
}

float f32_vec_dot_ref(int64_t n, const void* weight, const void* activation) {
  const StoredRow w{weight}, a{activation};
  return n % 16 == 0 ? sixteen_lanes(n, w, a) : four_accumulators(n, w, a);
}

void f16_to_float(const void* src, float* dst, int64_t n) {
  if (!simd_f16_to_float(src, dst, n)) f16_to_float_scalar(src, dst, n);
}

void f16_to_float_scalar(const void* src, float* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] = f16_to_f32(load<uint16_t>(src, i));
}

void f16_quantize_ref(const float* src, void* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) store<uint16_t>(dst, i, ggml_fp16_bits(src[i]));
}

float f16_vec_dot_ref(int64_t n, const void* weight, const void* activation) {
  return f16_order(n, StoredHalfRow{weight}, StoredHalfRow{activation});
}

float f16_dot_of_floats(int64_t n, const float* w, const float* a) {
  return f16_order(n, FloatRow{w}, FloatRow{a});
}

void bf16_to_float(const void* src, float* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] = bf16_to_f32(load<uint16_t>(src, i));
}

void bf16_quantize_ref(const float* src, void* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) store<uint16_t>(dst, i, f32_to_bf16(src[i]));
}

float bf16_vec_dot_ref(int64_t n, const void* weight, const void* activation) {
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    const float product =
        bf16_to_f32(load<uint16_t>(weight, i)) * bf16_to_f32(load<uint16_t>(activation, i));
    sum += static_cast<double>(product);
  }
  return static_cast<float>(sum);
}

}  // namespace pd

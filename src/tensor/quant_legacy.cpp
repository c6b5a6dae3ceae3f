#include "tensor/quant_legacy.h"

#include <cfloat>
#include <cmath>
#include <cstring>

#include "core/fp16.h"
#include "tensor/simd_convert.h"
#include "tensor/ggml_numeric.h"

namespace pd {

namespace {

constexpr int kHalf = kLegacyBlockSize / 2;

template <typename Block>
const Block* blocks_of(const void* p) {
  return static_cast<const Block*>(p);
}

template <typename Block>
Block* blocks_of(void* p) {
  return static_cast<Block*>(p);
}

int64_t block_count(int64_t n) { return n / kLegacyBlockSize; }

// The value of largest magnitude in a block (the first one on ties), as the symmetric
// 4- and 5-bit quantizers pick it: its sign decides the sign of the scale.
float signed_absmax(const float* x) {
  float amax = 0.0f;
  float max = 0.0f;
  for (int j = 0; j < kLegacyBlockSize; ++j) {
    if (amax < std::fabs(x[j])) {
      amax = std::fabs(x[j]);
      max = x[j];
    }
  }
  return max;
}

// max(|x|) over a block with ggml's MAX macro, whose NaN behaviour we keep.
float absmax(const float* x) {
  float amax = 0.0f;
  for (int j = 0; j < kLegacyBlockSize; ++j) {
    const float a = std::fabs(x[j]);
    amax = amax > a ? amax : a;
  }
  return amax;
}

struct MinMax {
  float min;
  float max;
};

MinMax min_max(const float* x) {
  MinMax r{FLT_MAX, -FLT_MAX};
  for (int j = 0; j < kLegacyBlockSize; ++j) {
    if (x[j] < r.min) r.min = x[j];
    if (x[j] > r.max) r.max = x[j];
  }
  return r;
}

float inverse_or_zero(float d) { return d != 0.0f ? 1.0f / d : 0.0f; }

// MIN(limit, (int8_t)(v)) from ggml: the cast truncates; the result is stored unsigned.
uint8_t clamped_level(float v, int limit) {
  const int level = static_cast<int8_t>(x86_truncate_to_byte(v));
  return static_cast<uint8_t>(level < limit ? level : limit);
}

// (int8_t)roundf(v): rounds half away from zero, as C's roundf.
int8_t rounded_q8(float v) {
  return static_cast<int8_t>(x86_truncate_to_byte(std::round(v)));
}

uint32_t load_qh(const uint8_t* qh) {
  uint32_t bits;
  std::memcpy(&bits, qh, sizeof bits);
  return bits;
}

void store_qh(uint8_t* qh, uint32_t bits) { std::memcpy(qh, &bits, sizeof bits); }

// The fifth bits of values j and j + 16, moved to bit 4.
int high_bit_low_half(uint32_t qh, int j) { return static_cast<int>(((qh >> j) << 4) & 0x10u); }
int high_bit_high_half(uint32_t qh, int j) { return static_cast<int>((qh >> (j + 12)) & 0x10u); }

}  // namespace

// ---------------------------------------------------------------- dequantization

void dequantize_row_q4_0(const void* src, float* dst, int64_t n) {
  const BlockQ4_0* x = blocks_of<BlockQ4_0>(src);
  for (int64_t i = 0; i < block_count(n); ++i, dst += kLegacyBlockSize) {
    const float d = f16_to_f32(x[i].d);
    for (int j = 0; j < kHalf; ++j) {
      dst[j] = static_cast<float>((x[i].qs[j] & 0x0f) - 8) * d;
      dst[j + kHalf] = static_cast<float>((x[i].qs[j] >> 4) - 8) * d;
    }
  }
}

void dequantize_row_q4_1(const void* src, float* dst, int64_t n) {
  const BlockQ4_1* x = blocks_of<BlockQ4_1>(src);
  for (int64_t i = 0; i < block_count(n); ++i, dst += kLegacyBlockSize) {
    const float d = f16_to_f32(x[i].d);
    const float m = f16_to_f32(x[i].m);
    for (int j = 0; j < kHalf; ++j) {
      dst[j] = static_cast<float>(x[i].qs[j] & 0x0f) * d + m;
      dst[j + kHalf] = static_cast<float>(x[i].qs[j] >> 4) * d + m;
    }
  }
}

void dequantize_row_q5_0(const void* src, float* dst, int64_t n) {
  const BlockQ5_0* x = blocks_of<BlockQ5_0>(src);
  for (int64_t i = 0; i < block_count(n); ++i, dst += kLegacyBlockSize) {
    const float d = f16_to_f32(x[i].d);
    const uint32_t qh = load_qh(x[i].qh);
    for (int j = 0; j < kHalf; ++j) {
      const int q0 = ((x[i].qs[j] & 0x0f) | high_bit_low_half(qh, j)) - 16;
      const int q1 = ((x[i].qs[j] >> 4) | high_bit_high_half(qh, j)) - 16;
      dst[j] = static_cast<float>(q0) * d;
      dst[j + kHalf] = static_cast<float>(q1) * d;
    }
  }
}

void dequantize_row_q5_1(const void* src, float* dst, int64_t n) {
  const BlockQ5_1* x = blocks_of<BlockQ5_1>(src);
  for (int64_t i = 0; i < block_count(n); ++i, dst += kLegacyBlockSize) {
    const float d = f16_to_f32(x[i].d);
    const float m = f16_to_f32(x[i].m);
    const uint32_t qh = load_qh(x[i].qh);
    for (int j = 0; j < kHalf; ++j) {
      const int q0 = (x[i].qs[j] & 0x0f) | high_bit_low_half(qh, j);
      const int q1 = (x[i].qs[j] >> 4) | high_bit_high_half(qh, j);
      dst[j] = static_cast<float>(q0) * d + m;
      dst[j + kHalf] = static_cast<float>(q1) * d + m;
    }
  }
}

void dequantize_row_q8_0(const void* src, float* dst, int64_t n) {
  const BlockQ8_0* x = blocks_of<BlockQ8_0>(src);
  for (int64_t i = 0; i < block_count(n); ++i, dst += kLegacyBlockSize) {
    const float d = f16_to_f32(x[i].d);
    for (int j = 0; j < kLegacyBlockSize; ++j) dst[j] = static_cast<float>(x[i].qs[j]) * d;
  }
}

void dequantize_row_q8_1(const void* src, float* dst, int64_t n) {
  const BlockQ8_1* x = blocks_of<BlockQ8_1>(src);
  for (int64_t i = 0; i < block_count(n); ++i, dst += kLegacyBlockSize) {
    const float d = f16_to_f32(x[i].d);
    for (int j = 0; j < kLegacyBlockSize; ++j) dst[j] = static_cast<float>(x[i].qs[j]) * d;
  }
}

// ---------------------------------------------------------------- reference quantizers

void quantize_row_q4_0_ref(const float* src, void* dst, int64_t n) {
  BlockQ4_0* y = blocks_of<BlockQ4_0>(dst);
  for (int64_t i = 0; i < block_count(n); ++i, src += kLegacyBlockSize) {
    // The extreme value maps to level 0 (-8), so the full range -8..7 is used.
    const float d = signed_absmax(src) / -8.0f;
    const float id = inverse_or_zero(d);
    y[i].d = ggml_fp16_bits(d);
    for (int j = 0; j < kHalf; ++j) {
      const uint8_t q0 = clamped_level(src[j] * id + 8.5f, 15);
      const uint8_t q1 = clamped_level(src[j + kHalf] * id + 8.5f, 15);
      y[i].qs[j] = static_cast<uint8_t>(q0 | (q1 << 4));
    }
  }
}

void quantize_row_q4_1_ref(const float* src, void* dst, int64_t n) {
  BlockQ4_1* y = blocks_of<BlockQ4_1>(dst);
  for (int64_t i = 0; i < block_count(n); ++i, src += kLegacyBlockSize) {
    const MinMax range = min_max(src);
    const float d = (range.max - range.min) / 15.0f;
    const float id = inverse_or_zero(d);
    y[i].d = ggml_fp16_bits(d);
    y[i].m = ggml_fp16_bits(range.min);
    for (int j = 0; j < kHalf; ++j) {
      const uint8_t q0 = clamped_level((src[j] - range.min) * id + 0.5f, 15);
      const uint8_t q1 = clamped_level((src[j + kHalf] - range.min) * id + 0.5f, 15);
      y[i].qs[j] = static_cast<uint8_t>(q0 | (q1 << 4));
    }
  }
}

void quantize_row_q5_0_ref(const float* src, void* dst, int64_t n) {
  BlockQ5_0* y = blocks_of<BlockQ5_0>(dst);
  for (int64_t i = 0; i < block_count(n); ++i, src += kLegacyBlockSize) {
    const float d = signed_absmax(src) / -16.0f;
    const float id = inverse_or_zero(d);
    y[i].d = ggml_fp16_bits(d);
    uint32_t qh = 0;
    for (int j = 0; j < kHalf; ++j) {
      const uint8_t q0 = clamped_level(src[j] * id + 16.5f, 31);
      const uint8_t q1 = clamped_level(src[j + kHalf] * id + 16.5f, 31);
      y[i].qs[j] = static_cast<uint8_t>((q0 & 0x0f) | ((q1 & 0x0f) << 4));
      qh |= ((q0 & 0x10u) >> 4) << j;
      qh |= ((q1 & 0x10u) >> 4) << (j + kHalf);
    }
    store_qh(y[i].qh, qh);
  }
}

void quantize_row_q5_1_ref(const float* src, void* dst, int64_t n) {
  BlockQ5_1* y = blocks_of<BlockQ5_1>(dst);
  for (int64_t i = 0; i < block_count(n); ++i, src += kLegacyBlockSize) {
    const MinMax range = min_max(src);
    const float d = (range.max - range.min) / 31.0f;
    const float id = inverse_or_zero(d);
    y[i].d = ggml_fp16_bits(d);
    y[i].m = ggml_fp16_bits(range.min);
    uint32_t qh = 0;
    for (int j = 0; j < kHalf; ++j) {
      // No clamp here in ggml: the cast alone bounds the level.
      const uint8_t q0 = x86_truncate_to_byte((src[j] - range.min) * id + 0.5f);
      const uint8_t q1 = x86_truncate_to_byte((src[j + kHalf] - range.min) * id + 0.5f);
      y[i].qs[j] = static_cast<uint8_t>((q0 & 0x0f) | ((q1 & 0x0f) << 4));
      qh |= ((q0 & 0x10u) >> 4) << j;
      qh |= ((q1 & 0x10u) >> 4) << (j + kHalf);
    }
    store_qh(y[i].qh, qh);
  }
}

void quantize_row_q8_0_ref(const float* src, void* dst, int64_t n) {
  if (!simd_quantize_row_q8_0_ref(src, dst, n)) quantize_row_q8_0_scalar(src, dst, n);
}

void quantize_row_q8_0_scalar(const float* src, void* dst, int64_t n) {
  BlockQ8_0* y = blocks_of<BlockQ8_0>(dst);
  for (int64_t i = 0; i < block_count(n); ++i, src += kLegacyBlockSize) {
    const float d = absmax(src) / 127.0f;
    const float id = inverse_or_zero(d);
    y[i].d = ggml_fp16_bits(d);
    for (int j = 0; j < kLegacyBlockSize; ++j) y[i].qs[j] = rounded_q8(src[j] * id);
  }
}

void quantize_row_q8_1_ref(const float* src, void* dst, int64_t n) {
  BlockQ8_1* y = blocks_of<BlockQ8_1>(dst);
  for (int64_t i = 0; i < block_count(n); ++i, src += kLegacyBlockSize) {
    const float d = absmax(src) / 127.0f;
    const float id = inverse_or_zero(d);
    y[i].d = ggml_fp16_bits(d);
    int sum = 0;
    for (int j = 0; j < kLegacyBlockSize; ++j) {
      y[i].qs[j] = rounded_q8(src[j] * id);
      sum += y[i].qs[j];
    }
    // The sum of the *stored* quants times the unrounded scale.
    y[i].s = ggml_fp16_bits(static_cast<float>(sum) * d);
  }
}

// ---------------------------------------------------------------- dot products

float vec_dot_q4_0_q8_0_ref(int64_t n, const void* weight, const void* activation) {
  const BlockQ4_0* x = blocks_of<BlockQ4_0>(weight);
  const BlockQ8_0* y = blocks_of<BlockQ8_0>(activation);
  float sum = 0.0f;
  for (int64_t i = 0; i < block_count(n); ++i) {
    int sumi = 0;
    for (int j = 0; j < kHalf; ++j) {
      sumi += ((x[i].qs[j] & 0x0f) - 8) * y[i].qs[j];
      sumi += ((x[i].qs[j] >> 4) - 8) * y[i].qs[j + kHalf];
    }
    sum += static_cast<float>(sumi) * f16_to_f32(x[i].d) * f16_to_f32(y[i].d);
  }
  return sum;
}

float vec_dot_q4_1_q8_1_ref(int64_t n, const void* weight, const void* activation) {
  const BlockQ4_1* x = blocks_of<BlockQ4_1>(weight);
  const BlockQ8_1* y = blocks_of<BlockQ8_1>(activation);
  float sum = 0.0f;
  for (int64_t i = 0; i < block_count(n); ++i) {
    int sumi = 0;
    for (int j = 0; j < kHalf; ++j) {
      sumi += (x[i].qs[j] & 0x0f) * y[i].qs[j];
      sumi += (x[i].qs[j] >> 4) * y[i].qs[j + kHalf];
    }
    // The offset m meets the activations through s = d_y * sum(q_y).
    sum += (f16_to_f32(x[i].d) * f16_to_f32(y[i].d)) * static_cast<float>(sumi) +
           f16_to_f32(x[i].m) * f16_to_f32(y[i].s);
  }
  return sum;
}

float vec_dot_q5_0_q8_0_ref(int64_t n, const void* weight, const void* activation) {
  const BlockQ5_0* x = blocks_of<BlockQ5_0>(weight);
  const BlockQ8_0* y = blocks_of<BlockQ8_0>(activation);
  float sum = 0.0f;
  for (int64_t i = 0; i < block_count(n); ++i) {
    const uint32_t qh = load_qh(x[i].qh);
    int sumi = 0;
    for (int j = 0; j < kHalf; ++j) {
      const int q0 = ((x[i].qs[j] & 0x0f) | high_bit_low_half(qh, j)) - 16;
      const int q1 = ((x[i].qs[j] >> 4) | high_bit_high_half(qh, j)) - 16;
      sumi += q0 * y[i].qs[j] + q1 * y[i].qs[j + kHalf];
    }
    sum += (f16_to_f32(x[i].d) * f16_to_f32(y[i].d)) * static_cast<float>(sumi);
  }
  return sum;
}

float vec_dot_q5_1_q8_1_ref(int64_t n, const void* weight, const void* activation) {
  const BlockQ5_1* x = blocks_of<BlockQ5_1>(weight);
  const BlockQ8_1* y = blocks_of<BlockQ8_1>(activation);
  float sum = 0.0f;
  for (int64_t i = 0; i < block_count(n); ++i) {
    const uint32_t qh = load_qh(x[i].qh);
    int sumi = 0;
    for (int j = 0; j < kHalf; ++j) {
      const int q0 = (x[i].qs[j] & 0x0f) | high_bit_low_half(qh, j);
      const int q1 = (x[i].qs[j] >> 4) | high_bit_high_half(qh, j);
      sumi += q0 * y[i].qs[j] + q1 * y[i].qs[j + kHalf];
    }
    sum += (f16_to_f32(x[i].d) * f16_to_f32(y[i].d)) * static_cast<float>(sumi) +
           f16_to_f32(x[i].m) * f16_to_f32(y[i].s);
  }
  return sum;
}

float vec_dot_q8_0_q8_0_ref(int64_t n, const void* weight, const void* activation) {
  const BlockQ8_0* x = blocks_of<BlockQ8_0>(weight);
  const BlockQ8_0* y = blocks_of<BlockQ8_0>(activation);
  float sum = 0.0f;
  for (int64_t i = 0; i < block_count(n); ++i) {
    int sumi = 0;
    for (int j = 0; j < kLegacyBlockSize; ++j) sumi += x[i].qs[j] * y[i].qs[j];
    sum += static_cast<float>(sumi) * (f16_to_f32(x[i].d) * f16_to_f32(y[i].d));
  }
  return sum;
}

float vec_dot_q8_1_q8_1_ref(int64_t n, const void* weight, const void* activation) {
  const BlockQ8_1* x = blocks_of<BlockQ8_1>(weight);
  const BlockQ8_1* y = blocks_of<BlockQ8_1>(activation);
  float sum = 0.0f;
  for (int64_t i = 0; i < block_count(n); ++i) {
    int sumi = 0;
    for (int j = 0; j < kLegacyBlockSize; ++j) sumi += x[i].qs[j] * y[i].qs[j];
    sum += static_cast<float>(sumi) * (f16_to_f32(x[i].d) * f16_to_f32(y[i].d));
  }
  return sum;
}

}  // namespace pd

#include "tensor/activation_quant.h"

#include <cmath>
#include <cstring>
#include <string>

#include "core/error.h"
#include "core/fp16.h"
#include "tensor/ggml_numeric.h"
#include "tensor/quant_float.h"
#include "tensor/quant_legacy.h"
#include "tensor/quant_k.h"  // Q8_K ROUTE INCLUDE (brief B)
#include "tensor/simd_convert.h"

namespace pd {

namespace {

constexpr int kBlock = static_cast<int>(kLegacyBlockSize);

// VMAXPS a, b: a if a > b, else b (so b when either is NaN).
float maxps(float a, float b) { return a > b ? a : b; }

// max|x| over 32 values, reduced in the order of ggml's AVX2 code: four 8-lane vectors
// folded lane-wise, then the high half onto the low half, then pairs.
float avx2_block_absmax(const float* x) {
  float lanes[8];
  for (int k = 0; k < 8; ++k) lanes[k] = std::fabs(x[k]);
  for (int v = 1; v < 4; ++v) {
    for (int k = 0; k < 8; ++k) lanes[k] = maxps(lanes[k], std::fabs(x[8 * v + k]));
  }
  float quad[4];
  for (int k = 0; k < 4; ++k) quad[k] = maxps(lanes[4 + k], lanes[k]);
  const float pair0 = maxps(quad[0], quad[2]);
  const float pair1 = maxps(quad[1], quad[3]);
  return maxps(pair0, pair1);
}

// VROUNDPS (nearest even) then VCVTPS2DQ: NaN and out-of-range give INT32_MIN.
int32_t avx2_round_to_int(float v) { return x86_truncate(std::nearbyint(v)); }

// VPACKSSDW then VPACKSSWB: signed saturation to int8.
int8_t saturate_to_int8(int32_t v) {
  if (v < -128) return -128;
  if (v > 127) return 127;
  return static_cast<int8_t>(v);
}

struct ScaledBlock {
  float d;               // max|x| / 127, unrounded
  int32_t q[kBlock];     // rounded quants before saturation
};

ScaledBlock scale_block_avx2(const float* x) {
  ScaledBlock block;
  const float max = avx2_block_absmax(x);
  block.d = max / 127.0f;
  const float id = max != 0.0f ? 127.0f / max : 0.0f;
  for (int j = 0; j < kBlock; ++j) block.q[j] = avx2_round_to_int(x[j] * id);
  return block;
}

}  // namespace

void quantize_row_q8_0_activation(const float* src, void* dst, int64_t n) {
  BlockQ8_0* y = static_cast<BlockQ8_0*>(dst);
  for (int64_t i = 0; i < n / kBlock; ++i, src += kBlock) {
    const ScaledBlock block = scale_block_avx2(src);
    y[i].d = f32_to_f16(block.d);
    for (int j = 0; j < kBlock; ++j) y[i].qs[j] = saturate_to_int8(block.q[j]);
  }
}

void quantize_row_q8_1_activation(const float* src, void* dst, int64_t n) {
  BlockQ8_1* y = static_cast<BlockQ8_1*>(dst);
  for (int64_t i = 0; i < n / kBlock; ++i, src += kBlock) {
    const ScaledBlock block = scale_block_avx2(src);
    y[i].d = f32_to_f16(block.d);
    // The vector code sums the 32-bit quants before saturating them (wrapping adds).
    uint32_t sum = 0;
    for (int j = 0; j < kBlock; ++j) {
      y[i].qs[j] = saturate_to_int8(block.q[j]);
      sum += static_cast<uint32_t>(block.q[j]);
    }
    y[i].s = f32_to_f16(block.d * static_cast<float>(static_cast<int32_t>(sum)));
  }
}

void quantize_activation_row(TensorType vec_dot_type, const float* src, void* dst, int64_t n) {
  // The vector conversions write the same bytes, whatever the active instruction set.
  if (simd_quantize_activation_row(vec_dot_type, src, dst, n)) return;
  switch (vec_dot_type) {
    case TensorType::F32:
      std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float));
      return;
    case TensorType::F16:
      f16_quantize_ref(src, dst, n);
      return;
    case TensorType::BF16:
      bf16_quantize_ref(src, dst, n);
      return;
    case TensorType::Q8_0:
      quantize_row_q8_0_activation(src, dst, n);
      return;
    case TensorType::Q8_1:
      quantize_row_q8_1_activation(src, dst, n);
      return;
    case TensorType::Q8_K:
      quantize_row_q8_k_activation(src, dst, n);  // Q8_K ROUTE (brief B)
      return;
    default:
      break;
  }
  fail_runtime("quantize_activation_row",
               std::string("no activation conversion to ") + type_name(vec_dot_type));
}

}  // namespace pd

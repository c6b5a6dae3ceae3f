// Q3_K: 16 sub-blocks of 16 values, x ~ d * (scale - 32) * (q - 4) with q in 0..7;
// the two low bits of q sit in qs, the high bit in hmask.

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/fp16.h"
#include "tensor/quant_k.h"
#include "tensor/quant_k_dot.h"
#include "tensor/quant_k_search.h"

namespace pd {

using kquant::nearest_int;
using kquant::q3k_scale;

namespace {

// The inverse of kquant::q3k_scale (quant_k_search.h), on zeroed bytes.
void set_q3k_scale(uint8_t* packed, int j, int level) {
  if (j < 8) {
    packed[j] = static_cast<uint8_t>(level & 0xF);
  } else {
    packed[j - 8] = static_cast<uint8_t>(packed[j - 8] | ((level & 0xF) << 4));
  }
  packed[8 + j % 4] = static_cast<uint8_t>(packed[8 + j % 4] | ((level >> 4) << (2 * (j / 4))));
}

// Value i of the block as a signed level in -4..3. Value 128 * h + 32 * k + l
// (l < 32) has its low bits at bit pair k of qs[32 * h + l] and its high bit at bit
// 4 * h + k of hmask[l].
int q3k_level(const BlockQ3K& b, int i) {
  const int h = i / 128;
  const int k = (i % 128) / 32;
  const int l = i % 32;
  const int low = (b.qs[32 * h + l] >> (2 * k)) & 3;
  const bool high = (b.hmask[l] >> (4 * h + k)) & 1;
  return low - (high ? 0 : 4);
}

}  // namespace

void dequantize_row_q3_k(const void* src, float* dst, int64_t n) {
  const auto* blocks = static_cast<const BlockQ3K*>(src);
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const BlockQ3K& b = blocks[i];
    const float d = f16_to_f32(b.d);
    for (int j = 0; j < kQK_K / 16; ++j) {
      const float dl = d * static_cast<float>(q3k_scale(b.scales, j) - 32);
      for (int l = 0; l < 16; ++l) *dst++ = dl * static_cast<float>(q3k_level(b, 16 * j + l));
    }
  }
}

void quantize_row_q3_k_ref(const float* x, void* dst, int64_t n) {
  auto* blocks = static_cast<BlockQ3K*>(dst);
  int8_t L[kQK_K];
  float scales[kQK_K / 16];

  for (int64_t i = 0; i < n / kQK_K; ++i, x += kQK_K) {
    BlockQ3K& b = blocks[i];
    float max_scale = 0;  // the scale of largest magnitude, with its sign
    float amax = 0;
    for (int j = 0; j < kQK_K / 16; ++j) {
      scales[j] = kquant::make_q3_quants(16, 4, x + 16 * j, L + 16 * j);
      const float scale = std::fabs(scales[j]);
      if (scale > amax) {
        amax = scale;
        max_scale = scales[j];
      }
    }

    std::memset(b.scales, 0, sizeof b.scales);
    if (max_scale != 0) {
      const float iscale = -32.f / max_scale;
      for (int j = 0; j < kQK_K / 16; ++j) {
        const auto l = static_cast<int8_t>(nearest_int(iscale * scales[j]));
        set_q3k_scale(b.scales, j, std::clamp<int>(l, -32, 31) + 32);
      }
      b.d = f32_to_f16(1 / iscale);
    } else {
      b.d = f32_to_f16(0.f);
    }

    // Re-round against the stored scales; zero-scale sub-blocks keep the search's levels.
    for (int j = 0; j < kQK_K / 16; ++j) {
      const auto sc = static_cast<int8_t>(q3k_scale(b.scales, j) - 32);
      const float d = f16_to_f32(b.d) * static_cast<float>(sc);
      if (d == 0) continue;
      for (int ii = 0; ii < 16; ++ii) {
        const int l = nearest_int(x[16 * j + ii] / d);
        L[16 * j + ii] = static_cast<int8_t>(std::clamp(l, -4, 3) + 4);
      }
    }

    std::memset(b.hmask, 0, sizeof b.hmask);
    for (int j = 0; j < kQK_K; ++j) {
      if (L[j] > 3) {
        b.hmask[j % 32] = static_cast<uint8_t>(b.hmask[j % 32] | (1 << (j / 32)));
        L[j] = static_cast<int8_t>(L[j] - 4);
      }
    }
    for (int j = 0; j < kQK_K; j += 128) {
      for (int l = 0; l < 32; ++l) {
        b.qs[j / 4 + l] = static_cast<uint8_t>(L[j + l] | (L[j + l + 32] << 2) |
                                               (L[j + l + 64] << 4) | (L[j + l + 96] << 6));
      }
    }
  }
}

float vec_dot_q3_k_q8_k_ref(int64_t n, const void* weight, const void* activation) {
  const auto* w = static_cast<const BlockQ3K*>(weight);
  const auto* a = static_cast<const BlockQ8K*>(activation);
  kquant::LaneSums sums;
  int8_t levels[kQK_K];
  int scales[kQK_K / 16];
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    for (int k = 0; k < kQK_K; ++k) levels[k] = static_cast<int8_t>(q3k_level(w[i], k));
    for (int j = 0; j < kQK_K / 16; ++j) scales[j] = q3k_scale(w[i].scales, j) - 32;
    sums.add_block(levels, a[i].qs, scales, 16, f16_to_f32(w[i].d) * a[i].d);
  }
  return sums.total(0.f);
}

}  // namespace pd

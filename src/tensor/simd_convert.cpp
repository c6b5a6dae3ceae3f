#include "tensor/simd_convert.h"

#include <cmath>
#include <cstring>

#include "tensor/activation_quant.h"
#include "tensor/quant_float.h"
#include "tensor/quant_k.h"
#include "tensor/quant_legacy.h"
#include "tensor/simd_avx2.h"
#include "tensor/simd_dot.h"

namespace pd {

namespace {

PD_AVX2 inline __m256 absolute(__m256 v) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), v); }

// True when all eight lanes are finite (neither NaN nor infinity).
PD_AVX2 inline bool all_finite(__m256 v) {
  return _mm256_movemask_ps(_mm256_cmp_ps(absolute(v), _mm256_set1_ps(3.4028234663852886e38f), _CMP_LE_OQ)) ==
         0xFF;
}

// The largest of eight lanes, folded as ggml's AVX2 code folds them: the high half onto
// the low one, then pairs (vmaxps operand order kept; for finite values any order gives
// the same maximum).
PD_AVX2 inline float fold_max(__m256 lanes) {
  __m128 m = _mm_max_ps(_mm256_extractf128_ps(lanes, 1), _mm256_castps256_ps128(lanes));
  m = _mm_max_ps(m, _mm_movehl_ps(m, m));
  m = _mm_max_ss(m, _mm_movehdup_ps(m));
  return _mm_cvtss_f32(m);
}

// 32 int32 values (four registers, in order) saturated to bytes and stored in order: the
// packs interleave 128-bit halves, the permutation puts the bytes back.
PD_AVX2 inline void store_saturated_bytes(const __m256i q[4], int8_t* out) {
  const __m256i words01 = _mm256_packs_epi32(q[0], q[1]);
  const __m256i words23 = _mm256_packs_epi32(q[2], q[3]);
  const __m256i bytes = _mm256_permutevar8x32_epi32(_mm256_packs_epi16(words01, words23),
                                                    _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), bytes);
}

// Round to nearest even, as f32_to_f16 does for every finite value and infinity.
PD_AVX2 void f16_row(const float* src, void* dst, int64_t n) {
  auto* out = static_cast<uint8_t*>(dst);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(src + i);
    if (_mm256_movemask_ps(_mm256_cmp_ps(v, v, _CMP_UNORD_Q)) != 0) {
      f16_quantize_ref(src + i, out + 2 * i, 8);  // NaN: the canonical quiet NaN
      continue;
    }
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 2 * i),
                     _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT));
  }
  if (i < n) f16_quantize_ref(src + i, out + 2 * i, n - i);
}

// ggml's AVX2 quantize_row_q8_0 on one block of finite values: max|x| folded as
// activation_quant.cpp documents, inverse scale 127 / max, nearest-even rounding,
// signed saturation, scale stored by the hardware conversion.
PD_AVX2 void q8_0_block(const float* x, BlockQ8_0& y) {
  __m256 v[4];
  for (int k = 0; k < 4; ++k) v[k] = _mm256_loadu_ps(x + 8 * k);
  __m256 lanes = absolute(v[0]);
  for (int k = 1; k < 4; ++k) lanes = _mm256_max_ps(lanes, absolute(v[k]));
  const float max = fold_max(lanes);
  y.d = _cvtss_sh(max / 127.0f, _MM_FROUND_TO_NEAREST_INT);
  const __m256 id = _mm256_set1_ps(max != 0.0f ? 127.0f / max : 0.0f);
  __m256i q[4];
  for (int k = 0; k < 4; ++k) {
    q[k] = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v[k], id), _MM_FROUND_TO_NEAREST_INT));
  }
  store_saturated_bytes(q, y.qs);
}

PD_AVX2 bool finite_values(const float* x, int count) {
  for (int k = 0; k < count; k += 8) {
    if (!all_finite(_mm256_loadu_ps(x + k))) return false;
  }
  return true;
}

// quantize_row_q8_k_ref on one block of finite values: the signed value of largest
// magnitude (the first on ties), iscale = -127 / it, quants rounded to nearest even
// (the reference's magic-number rounding does the same on |values| <= 127), 16-value sums.
PD_AVX2 void q8_k_block(const float* x, BlockQ8K& b) {
  constexpr int kVectors = static_cast<int>(kQK_K) / 8;
  __m256 amax = _mm256_setzero_ps();
  for (int k = 0; k < kVectors; ++k) amax = _mm256_max_ps(amax, absolute(_mm256_loadu_ps(x + 8 * k)));
  const float largest = fold_max(amax);
  if (largest == 0.0f) {
    std::memset(&b, 0, sizeof b);
    return;
  }
  float max = 0.0f;
  for (int j = 0;; ++j) {
    if (std::fabs(x[j]) == largest) {
      max = x[j];
      break;
    }
  }
  const float iscale = -127.f / max;
  if (!std::isfinite(iscale)) {  // a subnormal max: the scalar code's rounding trick decides
    quantize_row_q8_k_ref(x, &b, kQK_K);
    return;
  }
  const __m256 scale = _mm256_set1_ps(iscale);
  for (int k = 0; k < kVectors; k += 4) {
    __m256i q[4];
    for (int l = 0; l < 4; ++l) {
      const __m256 product = _mm256_mul_ps(scale, _mm256_loadu_ps(x + 8 * (k + l)));
      q[l] = _mm256_min_epi32(_mm256_cvtps_epi32(_mm256_round_ps(product, _MM_FROUND_TO_NEAREST_INT)),
                              _mm256_set1_epi32(127));
    }
    store_saturated_bytes(q, b.qs + 8 * k);
  }
  for (int j = 0; j < static_cast<int>(kQK_K) / 16; ++j) {
    int sum = 0;
    for (int l = 0; l < 16; ++l) sum += b.qs[16 * j + l];
    b.bsums[j] = static_cast<int16_t>(sum);
  }
  b.d = 1 / iscale;
}

PD_AVX2 void widen_f16_row(const void* src, float* dst, int64_t n) {
  const auto* in = static_cast<const uint8_t*>(src);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m128i halves = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + 2 * i));
    const __m128i magnitude = _mm_and_si128(halves, _mm_set1_epi16(0x7fff));
    if (_mm_movemask_epi8(_mm_cmpgt_epi16(magnitude, _mm_set1_epi16(0x7c00))) != 0) {
      f16_to_float_scalar(in + 2 * i, dst + i, 8);  // NaN: the hardware would quiet a signaling one
      continue;
    }
    _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(halves));
  }
  if (i < n) f16_to_float_scalar(in + 2 * i, dst + i, n - i);
}

// C's roundf on eight finite values: truncate, then step away from zero where the
// dropped fraction (exact in float) is at least one half.
PD_AVX2 inline __m256 round_half_away(__m256 v) {
  const __m256 truncated = _mm256_round_ps(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
  const __m256 fraction = absolute(_mm256_sub_ps(v, truncated));
  const __m256 step = _mm256_or_ps(_mm256_and_ps(v, _mm256_set1_ps(-0.0f)), _mm256_set1_ps(1.0f));
  const __m256 away = _mm256_cmp_ps(fraction, _mm256_set1_ps(0.5f), _CMP_GE_OQ);
  return _mm256_add_ps(truncated, _mm256_and_ps(away, step));
}

// quantize_row_q8_0_scalar on one block of finite values: d = max|x| / 127 stored as
// f16, quants (int8)roundf(x * (1 / d)).
PD_AVX2 void q8_0_reference_block(const float* x, BlockQ8_0& y) {
  __m256 v[4];
  __m256 amax = _mm256_setzero_ps();
  for (int k = 0; k < 4; ++k) {
    v[k] = _mm256_loadu_ps(x + 8 * k);
    amax = _mm256_max_ps(amax, absolute(v[k]));
  }
  const float d = fold_max(amax) / 127.0f;
  const float inverse = d != 0.0f ? 1.0f / d : 0.0f;
  if (!std::isfinite(inverse)) {  // a subnormal scale: the scalar code's byte truncation decides
    quantize_row_q8_0_scalar(x, &y, kLegacyBlockSize);
    return;
  }
  const __m256 id = _mm256_set1_ps(inverse);
  y.d = _cvtss_sh(d, _MM_FROUND_TO_NEAREST_INT);
  __m256i q[4];
  for (int k = 0; k < 4; ++k) q[k] = _mm256_cvttps_epi32(round_half_away(_mm256_mul_ps(v[k], id)));
  store_saturated_bytes(q, y.qs);
}

// A row of `kValues`-value blocks: the vector code on blocks of finite values, the scalar
// code (one block at a time) on the others.
template <typename Block, int64_t kValues, void (*vector_block)(const float*, Block&),
          void (*scalar)(const float*, void*, int64_t)>
PD_AVX2 void convert_row(const float* src, void* dst, int64_t n) {
  auto* y = static_cast<Block*>(dst);
  for (int64_t b = 0; b < n / kValues; ++b) {
    const float* x = src + b * kValues;
    if (finite_values(x, static_cast<int>(kValues))) {
      vector_block(x, y[b]);
    } else {
      scalar(x, y + b, kValues);
    }
  }
}

// The vector code needs what the AVX2 dot kernels need (AVX2, FMA, F16C).
bool vector_code_available() {
  static const bool available = avx2_vec_dot(TensorType::F32) != nullptr;
  return available;
}

}  // namespace

bool simd_f16_to_float(const void* src, float* dst, int64_t n) {
  if (!vector_code_available()) return false;
  widen_f16_row(src, dst, n);
  return true;
}

bool simd_quantize_row_q8_0_ref(const float* src, void* dst, int64_t n) {
  if (!vector_code_available()) return false;
  convert_row<BlockQ8_0, kLegacyBlockSize, q8_0_reference_block, quantize_row_q8_0_scalar>(src, dst, n);
  return true;
}

bool simd_quantize_activation_row(TensorType type, const float* src, void* dst, int64_t n) {
  if (!vector_code_available()) return false;
  switch (type) {
    case TensorType::F16: f16_row(src, dst, n); return true;
    case TensorType::Q8_0:
      convert_row<BlockQ8_0, kLegacyBlockSize, q8_0_block, quantize_row_q8_0_activation>(src, dst, n);
      return true;
    case TensorType::Q8_K:
      convert_row<BlockQ8K, kQK_K, q8_k_block, quantize_row_q8_k_ref>(src, dst, n);
      return true;
    default: return false;
  }
}

}  // namespace pd

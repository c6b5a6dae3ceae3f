#pragma once
// Building blocks of the AVX-512 dot products (simd_dot_avx512_*.cpp). Internal to
// src/tensor.
//
// Contract: every kernel here returns, for every input, the bits of the AVX2 kernel of
// the same name (simd_avx2.h), so results do not depend on which of the two a CPU runs.
// That fixes how the wider registers may be used:
//   - integer work (expanding quants, byte products, their exact int32 sums) may be
//     regrouped at will, as long as each of the AVX2 kernel's int32 lanes ends up with
//     the same value before it is converted to float;
//   - float work keeps the AVX2 kernel's accumulators, operations and final lane tree.
//     A 512-bit float register only ever holds two of the AVX2 kernel's 8-lane
//     accumulators side by side (lanes 0-7 one, 8-15 the other), and an operation on
//     it is the AVX2 operation on each half.
// VNNI enters in two places: vpdpbusd replaces maddubs + madd(1) (the same four byte
// products per int32 lane; maddubs never saturates on these operands, see
// avx2::dot_unsigned_signed), and vpdpwssd replaces madd(scales) + add. AVX-512 has no
// vpsignb; the sign trick is |l| and a masked 0 - q where l < 0, which equals
// vpsignb's product byte for byte (l = 0 gives a zero product either way, and
// 0 - (-128) wraps to -128 exactly as vpsignb does: simd_dot.h's -128 exception is
// unchanged).
// The BF16 dot instruction (vdpbf16ps) adds two products before accumulating and
// flushes denormals, so BF16 stays on f32 lanes here too.
//
// Functions carry PD_AVX512 (per-function target attribute, as PD_AVX2): the binary
// runs on any x86-64 and only calls these after cpu_features() reported AVX-512
// F/BW/VL/VNNI. PD_AVX2 helpers inline into them (their target is a subset).

// GCC 12's AVX-512 intrinsics start some results from a self-initialised "undefined"
// register, which -Wuninitialized reports wherever they are inlined (GCC bug 105593,
// fixed in GCC 13). The warning is located in the intrinsics header, so it is silenced
// for that header alone; this must be the first inclusion of <immintrin.h>.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop

#include "tensor/simd_avx2.h"

#define PD_AVX512 __attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni")))

namespace pd::avx512 {

// Kernels, with the signatures of VecDotFn / VecDot4Fn (Q2_K and Q3_K single-row only,
// as in the AVX2 set). Q4_0 has none: its row kernels are the AVX2 ones (the reference's
// bits, simd_dot_q4_0.cpp), and its batches and decode go through the Q4_0 tile.
float dot_f32(int64_t n, const void* weight, const void* activation);
float dot_f16(int64_t n, const void* weight, const void* activation);
float dot_bf16(int64_t n, const void* weight, const void* activation);
float dot_q8_0(int64_t n, const void* weight, const void* activation);
float dot_q4_1(int64_t n, const void* weight, const void* activation);
float dot_q5_0(int64_t n, const void* weight, const void* activation);
float dot_q5_1(int64_t n, const void* weight, const void* activation);
float dot_iq4_nl(int64_t n, const void* weight, const void* activation);
float dot_q2_k(int64_t n, const void* weight, const void* activation);
float dot_q3_k(int64_t n, const void* weight, const void* activation);
float dot_q4_k(int64_t n, const void* weight, const void* activation);
float dot_q5_k(int64_t n, const void* weight, const void* activation);
float dot_q6_k(int64_t n, const void* weight, const void* activation);

void dot4_f32(int64_t n, const void* weight, const void* activation, size_t stride, float* out);
void dot4_f16(int64_t n, const void* weight, const void* activation, size_t stride, float* out);
void dot4_bf16(int64_t n, const void* weight, const void* activation, size_t stride, float* out);
// avx2::dot_f32_four_accumulators of `a` with sixteen rows stored transposed (element e of
// row k at w_t[16 * e + k]): out[k] has row k's bits.
void dot16_f32_four_accumulators_transposed(int64_t n, const float* w_t, const float* a, float* out);
void dot4_q8_0(int64_t n, const void* weight, const void* activation, size_t stride, float* out);
void dot4_q4_1(int64_t n, const void* weight, const void* activation, size_t stride, float* out);
void dot4_q5_0(int64_t n, const void* weight, const void* activation, size_t stride, float* out);
void dot4_q5_1(int64_t n, const void* weight, const void* activation, size_t stride, float* out);
void dot4_iq4_nl(int64_t n, const void* weight, const void* activation, size_t stride, float* out);
void dot4_q4_k(int64_t n, const void* weight, const void* activation, size_t stride, float* out);
void dot4_q5_k(int64_t n, const void* weight, const void* activation, size_t stride, float* out);
void dot4_q6_k(int64_t n, const void* weight, const void* activation, size_t stride, float* out);

// The single-row kernels' results for four weight rows `row_stride` bytes apart against
// one activation row, four chains at once (decode, decode_by_quarters in simd_rows.h).
void decode4_q8_0(int64_t n, const void* weight, size_t row_stride, const void* activation, float* out);
void decode4_q5_0(int64_t n, const void* weight, size_t row_stride, const void* activation, float* out);
void decode4_iq4_nl(int64_t n, const void* weight, size_t row_stride, const void* activation, float* out);
// The same results (bits) with fewer instructions, for a token of a multiple of 128
// values none of whose quants is -128 (where decode4's sign split wraps and these would
// not): the weights biased to unsigned bytes, and the token laid out once for all rows
// by prepare_biased_token into biased_token_bytes(n) bytes, 64-byte aligned.
size_t biased_token_bytes(int64_t n);
void prepare_biased_token(int64_t n, const void* activation, void* out);
void decode4_biased_q8_0(int64_t n, const void* weight, size_t row_stride, const void* token, float* out);
void decode4_biased_q5_0(int64_t n, const void* weight, size_t row_stride, const void* token, float* out);
void decode4_biased_iq4_nl(int64_t n, const void* weight, size_t row_stride, const void* token, float* out);

// Decode: y[r] = dot_q4_k / dot_q5_k / dot_q6_k of weight row r (at weight + r *
// weight_stride) with the one activation row, same bits, what the rows share of the
// activation laid out once (simd_decode_avx512_k.cpp).
void decode_rows_q4_k(int64_t n, const void* weight, size_t weight_stride, int64_t rows, const void* activation,
                      float* y);
void decode_rows_q5_k(int64_t n, const void* weight, size_t weight_stride, int64_t rows, const void* activation,
                      float* y);
void decode_rows_q6_k(int64_t n, const void* weight, size_t weight_stride, int64_t rows, const void* activation,
                      float* y);

// Two 256-bit halves as one register: `low` in lanes 0-7, `high` in lanes 8-15.
PD_AVX512 inline __m512i join(__m256i low, __m256i high) {
  return _mm512_inserti64x4(_mm512_castsi256_si512(low), high, 1);
}

PD_AVX512 inline __m512 join(__m256 low, __m256 high) {
  // (insertf32x8 would need AVX512DQ; moving 64-bit pairs is the same bits.)
  return _mm512_castpd_ps(_mm512_insertf64x4(_mm512_castpd256_pd512(_mm256_castps_pd(low)),
                                             _mm256_castps_pd(high), 1));
}

PD_AVX512 inline __m256 low_half(__m512 v) { return _mm512_castps512_ps256(v); }
PD_AVX512 inline __m256 high_half(__m512 v) {
  return _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1));
}
PD_AVX512 inline __m256i low_half(__m512i v) { return _mm512_castsi512_si256(v); }
PD_AVX512 inline __m256i high_half(__m512i v) { return _mm512_extracti64x4_epi64(v, 1); }

// The float of a register holding two AVX2 accumulators side by side: the halves added,
// then the AVX2 lane tree (avx2::sum_lanes).
PD_AVX512 inline float sum_halves(__m512 v) { return avx2::sum_lanes(_mm256_add_ps(low_half(v), high_half(v))); }

// sum_halves of four accumulators at once, in the same tree (each level halves every
// accumulator's width, pairing lane j with lane j + width / 2): element k is
// sum_halves(v[k]), bit for bit.
PD_AVX512 inline __m128 sum_halves_of_four(const __m512 v[4]) {
  // 512 -> 256: 128-bit lanes [v0 half, v1 half] and [v2 half, v3 half].
  const __m512 h01 = _mm512_add_ps(_mm512_shuffle_f32x4(v[0], v[1], 0x44), _mm512_shuffle_f32x4(v[0], v[1], 0xEE));
  const __m512 h23 = _mm512_add_ps(_mm512_shuffle_f32x4(v[2], v[3], 0x44), _mm512_shuffle_f32x4(v[2], v[3], 0xEE));
  // 256 -> 128: lane k is v[k]'s.
  const __m512 q = _mm512_add_ps(_mm512_shuffle_f32x4(h01, h23, 0x88), _mm512_shuffle_f32x4(h01, h23, 0xDD));
  // 128 -> 64 -> 32 within every lane, as avx2::sum_lanes.
  const __m512 pairs = _mm512_add_ps(q, _mm512_permute_ps(q, 0x0E));
  const __m512 sums = _mm512_add_ps(pairs, _mm512_movehdup_ps(pairs));
  return _mm512_castps512_ps128(_mm512_permutexvar_ps(_mm512_setr_epi32(0, 4, 8, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), sums));
}

// `low` in lanes 0-7, `high` in lanes 8-15.
PD_AVX512 inline __m512 two_scalars(float low, float high) {
  return _mm512_mask_blend_ps(0xFF00, _mm512_set1_ps(low), _mm512_set1_ps(high));
}

PD_AVX512 inline __m512i load64(const void* p) { return _mm512_loadu_si512(p); }

using avx2::prefetch_ahead;
using avx2::prefetch_stream;

// The signed-by-signed byte products of `levels` and `q`, as the unsigned and signed
// operands of vpdpbusd / maddubs: |levels| and q negated where levels < 0.
struct SignSplit {
  __m512i magnitude;
  __mmask64 negative;
};

PD_AVX512 inline SignSplit sign_split(__m512i levels) {
  return {_mm512_abs_epi8(levels), _mm512_movepi8_mask(levels)};
}

PD_AVX512 inline __m512i signed_operand(const SignSplit& s, __m512i q) {
  return _mm512_mask_sub_epi8(q, s.negative, _mm512_setzero_si512(), q);
}

// The other way to feed vpdpbusd signed-by-signed products: the levels biased to
// unsigned bytes (levels + 128), and the sums started from -128 times each four-quant sum
// of q, since sum (w + 128) q - 128 sum q = sum w q. Exact while no quant of q is -128
// (the sign split's negation wraps there, so the two ways differ).
template <typename Block>
PD_AVX512 inline __m512i biased_levels(const typename Block::Weight& even, const typename Block::Weight& odd) {
  return _mm512_xor_si512(join(Block::levels(even), Block::levels(odd)), _mm512_set1_epi8(static_cast<char>(0x80)));
}

PD_AVX512 inline __m512i biased_start(__m512i q) {
  const __m512i sums128 = _mm512_dpbusd_epi32(_mm512_setzero_si512(), _mm512_set1_epi8(static_cast<char>(0x80)), q);
  return _mm512_sub_epi32(_mm512_setzero_si512(), sums128);
}

}  // namespace pd::avx512

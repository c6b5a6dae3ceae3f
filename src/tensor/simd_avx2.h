#pragma once
// Building blocks of the AVX2 dot products (simd_dot_*.cpp). Internal to src/tensor.
//
// Every function carries PD_AVX2 (a per-function target attribute) instead of a
// global -mavx2: the library stays runnable on any x86-64 and only calls these after
// cpu_features() said yes. Helpers must carry the same attribute, or the compiler
// refuses to inline them into the kernels.

#include <immintrin.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

#define PD_AVX2 __attribute__((target("avx2,fma,f16c")))

namespace pd::avx2 {

// Kernels, with the signature of VecDotFn (weight row, activation row in vec_dot_type).
float dot_f32(int64_t n, const void* weight, const void* activation);
float dot_f32_four_accumulators(int64_t n, const void* weight, const void* activation);
float dot_f16_four_accumulators(int64_t n, const void* weight, const void* activation);
float dot_f16(int64_t n, const void* weight, const void* activation);
float dot_bf16(int64_t n, const void* weight, const void* activation);
float dot_q8_0(int64_t n, const void* weight, const void* activation);
float dot_q4_0(int64_t n, const void* weight, const void* activation);
float dot_q4_1(int64_t n, const void* weight, const void* activation);
float dot_q5_0(int64_t n, const void* weight, const void* activation);
float dot_q5_1(int64_t n, const void* weight, const void* activation);
float dot_iq4_nl(int64_t n, const void* weight, const void* activation);
float dot_q2_k(int64_t n, const void* weight, const void* activation);
float dot_q3_k(int64_t n, const void* weight, const void* activation);
float dot_q4_k(int64_t n, const void* weight, const void* activation);
float dot_q5_k(int64_t n, const void* weight, const void* activation);
float dot_q6_k(int64_t n, const void* weight, const void* activation);

// Four-row kernels, with the signature of VecDot4Fn (tensor/simd_dot.h).
void dot4_f32(int64_t n, const void* weight, const void* activation, size_t stride, float* out);
void dot4_f16(int64_t n, const void* weight, const void* activation, size_t stride, float* out);
void dot4_bf16(int64_t n, const void* weight, const void* activation, size_t stride, float* out);
void dot4_q8_0(int64_t n, const void* weight, const void* activation, size_t stride, float* out);
void dot4_q4_0(int64_t n, const void* weight, const void* activation, size_t stride, float* out);
void dot4_q4_1(int64_t n, const void* weight, const void* activation, size_t stride, float* out);
void dot4_q5_0(int64_t n, const void* weight, const void* activation, size_t stride, float* out);
void dot4_q5_1(int64_t n, const void* weight, const void* activation, size_t stride, float* out);
void dot4_iq4_nl(int64_t n, const void* weight, const void* activation, size_t stride, float* out);
void dot4_q4_k(int64_t n, const void* weight, const void* activation, size_t stride, float* out);
void dot4_q5_k(int64_t n, const void* weight, const void* activation, size_t stride, float* out);
void dot4_q6_k(int64_t n, const void* weight, const void* activation, size_t stride, float* out);

// Asks for the weight bytes kPrefetchAhead past `p` (the `bytes` one loop step reads, one
// request per cache line). A decode matrix-vector product reads every weight once, front
// to back and on past a row's end into the next rows; with the hardware prefetcher alone
// one Zen 4 core streamed F16/Q8_0 weights at about 22 GB/s against 40 GB/s for a plain
// read loop, with 8 KiB of software prefetch at 25-32 GB/s (BENCHMARKS.md, issue 12). Both kernel sets
// prefetch; it changes no result.
// 1 KiB was no better than none; 4 and 8 KiB close, 8 KiB ahead in decode. Prefetching
// never faults, so running past the end of the matrix is harmless.
constexpr int kPrefetchAhead = 8192;

// One request per cache line of the `bytes` that lie `distance` bytes past `p`.
inline void prefetch_lines(const void* p, int distance, int bytes) {
  const char* ahead = static_cast<const char*>(p) + distance;
  for (int line = 0; line < bytes; line += 64) _mm_prefetch(ahead + line, _MM_HINT_T0);
}

inline void prefetch_ahead(const void* p, int bytes) { prefetch_lines(p, kPrefetchAhead, bytes); }

// Asks for the cache lines kStreamPrefetchAhead past `p` that a step reading `bytes` from
// `p` will reach: for decode kernels that run four rows' chains at once, one row from each
// quarter of the range (decode_by_quarters, simd_rows.h). Four streams each kPrefetchAhead
// ahead would ask the first-level cache for 32 KiB at once; measured on one Zen 4 core
// over 32768 x 1024 matrices from memory (`decode/{F16,Q8_0}/avx512/32768/1024`), 256
// bytes gave 24-30 GB/s, 512 and more 15-30, 8 KiB 17-22, 8-16 KiB into the second-level
// cache 24-27, against 17-24 for the single-row kernels.
constexpr int kStreamPrefetchAhead = 256;

inline void prefetch_stream(const void* p, int bytes) { prefetch_lines(p, kStreamPrefetchAhead, bytes); }

// Prefetches `bytes` from `start` in `steps` equal shares of cache lines, one share per
// step(): a tile spreads the next weight rows' requests over the work on the current ones,
// so that packing them does not wait on memory.
class SpreadPrefetch {
 public:
  SpreadPrefetch(const uint8_t* start, int64_t bytes, int64_t steps)
      : at_(start), end_(start + bytes), lines_per_step_((bytes / kLine + steps) / std::max<int64_t>(steps, 1)) {}

  void step() {
    for (int64_t k = 0; k < lines_per_step_ && at_ < end_; ++k, at_ += kLine) _mm_prefetch(at_, _MM_HINT_T0);
  }

 private:
  static constexpr int64_t kLine = 64;
  const uint8_t* at_;
  const uint8_t* end_;
  int64_t lines_per_step_;
};

// The eight lanes added in a fixed tree: (l0+l4 + l2+l6) + (l1+l5 + l3+l7).
PD_AVX2 inline float sum_lanes(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

PD_AVX2 inline int32_t sum_lanes_i32(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_unpackhi_epi64(s, s));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 1));
  return _mm_cvtsi128_si32(s);
}

// An fp16 scale, converted by the hardware (exact, as core/fp16.h's conversion).
PD_AVX2 inline float half(uint16_t bits) { return _cvtsh_ss(bits); }

PD_AVX2 inline __m256i load32(const void* p) {
  return _mm256_loadu_si256(static_cast<const __m256i*>(p));
}

PD_AVX2 inline __m128i load16(const void* p) {
  return _mm_loadu_si128(static_cast<const __m128i*>(p));
}

// 16 bytes of packed nibbles as 32 bytes 0..15: the low nibbles (values 0..15 of a
// legacy block) then the high nibbles (values 16..31).
PD_AVX2 inline __m256i nibbles(const uint8_t* packed) {
  // The 16 bytes in both halves; the upper half shifted right by 4 (in 32-bit words:
  // what moves in from the next byte lands in the high nibble, which the mask drops).
  const __m256i both = _mm256_broadcastsi128_si256(load16(packed));
  const __m256i shifted = _mm256_srlv_epi32(both, _mm256_setr_epi32(0, 0, 0, 0, 4, 4, 4, 4));
  return _mm256_and_si256(shifted, _mm256_set1_epi8(0x0F));
}

// Bit j of a little-endian 32-bit word as byte j: 0xFF where set, 0 where clear.
PD_AVX2 inline __m256i bits_as_bytes(const uint8_t* word) {
  uint32_t bits;
  std::memcpy(&bits, word, sizeof bits);
  // Byte j takes byte j / 8 of the word, then keeps bit j % 8 of it.
  const __m256i spread = _mm256_shuffle_epi8(
      _mm256_set1_epi32(static_cast<int>(bits)),
      _mm256_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1,
                       2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3));
  const __m256i select = _mm256_set1_epi64x(0x8040201008040201LL);
  return _mm256_cmpeq_epi8(_mm256_and_si256(spread, select), select);
}

// Sum of the products of 32 unsigned bytes (at most 128) with 32 signed bytes, as 8
// int32 partial sums. The byte products are added in pairs to int16 first; a pair
// lies in [-2 * 128 * 128, 2 * 128 * 127], inside int16, so nothing saturates.
PD_AVX2 inline __m256i dot_unsigned_signed(__m256i u, __m256i s) {
  return _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), _mm256_set1_epi16(1));
}

}  // namespace pd::avx2

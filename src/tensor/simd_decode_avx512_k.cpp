// AVX-512 decode kernels for Q4_K, Q5_K and Q6_K: one activation row (a token) against
// a range of weight rows, each output with the bits of the single-row kernel
// (simd_dot_avx512_k.cpp). In decode every weight row meets the same token, so what the
// single-row kernel derives from the activation for every row is laid out once per call:
//   - Q4_K/Q5_K: the quants reordered to match 64 bytes of nibbles (DecodeBlock), and
//     the bsums added in pairs, four super-blocks to a register (PairSums);
//   - Q6_K: the activation's share of the levels' -32 offset per int16 word.
// What remains per super-block of a row: the scales and mins unpacked in vector
// registers, one permute for all its chunk scales, and per 64 values one maddubs and one
// vpdpwssd. The integer lanes are the single-row kernel's exact sums and the float steps
// are its own, in its order.

#include <algorithm>
#include <cstring>
#include <vector>

#include "tensor/quant_k.h"
#include "tensor/simd_avx512.h"
#include "tensor/simd_k_avx512.h"
#include "tensor/simd_rows.h"

namespace pd::avx512 {

namespace {

using avx2::half;

// Decode: one activation row against many weight rows, the activation laid out once per
// call (DecodeToken) so that each weight row's nibbles go to registers 64 bytes at a time.
// A super-block's 128 bytes of nibbles at 64j hold chunks 2j and 2j + 1: their low
// nibbles are values 128j + (0..31) and 128j + 64 + (0..31), their high nibbles values
// 128j + 32 + (0..31) and 128j + 96 + (0..31). The activation's quants are stored in that
// order; every 32-value group still fills one 256-bit half, so each int32 lane sums the
// same products as scale_min_dot's, and the bits are the same.
struct alignas(64) DecodeBlock {
  int8_t quants[kQK_K];  // per 128: values 0-31, 64-95, 32-63, 96-127
};

// The activation's bsums added in pairs, four super-blocks to a register (words 8b..8b+7:
// super-block 4q + b's eight pair sums; zero past the row's end).
struct alignas(64) PairSums {
  int16_t words[32];
};

struct DecodeToken {
  const BlockQ8K* row = nullptr;  // for the scales d
  std::vector<DecodeBlock> blocks;
  std::vector<PairSums> pair_sums;
};

PD_AVX512 void lay_out_token(const BlockQ8K* y, int64_t blocks, DecodeToken& out) {
  out.row = y;
  out.blocks.resize(static_cast<size_t>(blocks));
  out.pair_sums.resize(static_cast<size_t>((blocks + 3) / 4));
  for (int64_t i = 0; i < blocks; ++i) {
    for (int half_block = 0; half_block < 2; ++half_block) {
      const int8_t* from = y[i].qs + 128 * half_block;
      int8_t* to = out.blocks[i].quants + 128 * half_block;
      for (int group = 0; group < 4; ++group) {
        const int source = (group == 1) ? 2 : (group == 2) ? 1 : group;
        std::memcpy(to + 32 * group, from + 32 * source, 32);
      }
    }
  }
  for (int64_t first = 0; first < blocks; first += 4) {
    __m128i pairs[4] = {_mm_setzero_si128(), _mm_setzero_si128(), _mm_setzero_si128(), _mm_setzero_si128()};
    for (int64_t b = 0; b < std::min<int64_t>(4, blocks - first); ++b) {
      pairs[b] = _mm_hadd_epi16(avx2::load16(y[first + b].bsums), avx2::load16(y[first + b].bsums + 8));
    }
    _mm512_store_si512(out.pair_sums[first / 4].words,
                       join(_mm256_set_m128i(pairs[1], pairs[0]), _mm256_set_m128i(pairs[3], pairs[2])));
  }
}

// The min terms of four super-blocks (their scales_mins_vector; zero past the row's end)
// against the activation's pair sums, exact: [term 0, 1, 2, 3].
PD_AVX512 inline __m128i quad_min_terms(const __m128i scales_mins[4], __m512i pair_sums) {
  const __m256i mins = _mm256_set_m128i(_mm_unpackhi_epi64(scales_mins[2], scales_mins[3]),
                                        _mm_unpackhi_epi64(scales_mins[0], scales_mins[1]));
  const __m512i products = _mm512_madd_epi16(_mm512_cvtepu8_epi16(mins), pair_sums);
  // lane group 0: [0 0 2 2], 1: [1 1 3 3]; then [0 2 0 2], [1 3 1 3]
  const __m256i halves = _mm256_hadd_epi32(low_half(products), high_half(products));
  const __m256i sums = _mm256_hadd_epi32(halves, halves);
  return _mm_unpacklo_epi32(_mm256_castsi256_si128(sums), _mm256_extracti128_si256(sums, 1));
}

// Dword k of each 128-bit lane of `spread`, in every dword of that lane (the index is an
// immediate, hence the template).
template <int kDword>
PD_AVX512 inline __m512i lane_dword(__m512i spread) {
  return _mm512_shuffle_epi32(spread, static_cast<_MM_PERM_ENUM>(kDword * 0x55));
}

// Chunks 2j and 2j + 1 of a Q4_K/Q5_K super-block (its 64 bytes of nibbles at 64j)
// against the decode layout, into `sums`; `spread` as add_decode_sums makes it.
template <bool kFifthBit, int j, typename Block>
PD_AVX512 inline __m512i add_chunk_pair(const Block& x, __m512i spread, __m512i high_bits, const DecodeBlock& a,
                                        __m512i sums) {
  const __m512i packed = load64(x.qs + 64 * j);
  __m512i low = low_nibbles(packed);
  __m512i high = high_nibbles(packed);
  if constexpr (kFifthBit) {
    const __m512i one = _mm512_set1_epi8(1);
    low = _mm512_or_si512(low, _mm512_slli_epi16(_mm512_and_si512(_mm512_srli_epi16(high_bits, 4 * j), one), 4));
    high = _mm512_or_si512(high, _mm512_slli_epi16(_mm512_and_si512(_mm512_srli_epi16(high_bits, 4 * j + 1), one), 4));
  }
  sums = _mm512_dpwssd_epi32(sums, _mm512_maddubs_epi16(low, load64(a.quants + 128 * j)), lane_dword<2 * j>(spread));
  return _mm512_dpwssd_epi32(sums, _mm512_maddubs_epi16(high, load64(a.quants + 128 * j + 64)),
                             lane_dword<2 * j + 1>(spread));
}

// add_scaled_sums<kFifthBit, 1> on the decode layout.
template <bool kFifthBit, typename Block>
PD_AVX512 inline void add_decode_sums(const Block& x, __m128i scales_mins, const DecodeBlock& a, float d_a,
                                      __m256& acc) {
  // Words, in both 128-bit lanes of each half: [s0 s0 s1 s1 s4 s4 s5 s5] below,
  // [s2 s2 s3 s3 s6 s6 s7 s7] above; dword k of every lane is then one chunk's scale.
  const __m512i spread = _mm512_permutexvar_epi16(
      _mm512_set_epi16(7, 7, 6, 6, 3, 3, 2, 2, 7, 7, 6, 6, 3, 3, 2, 2, 5, 5, 4, 4, 1, 1, 0, 0, 5, 5, 4, 4, 1, 1, 0, 0),
      _mm512_castsi128_si512(_mm_cvtepu8_epi16(scales_mins)));
  __m512i high_bits = _mm512_setzero_si512();
  if constexpr (kFifthBit) high_bits = both_halves_shifted<2>(x.qh);
  __m512i sums = add_chunk_pair<kFifthBit, 0>(x, spread, high_bits, a, _mm512_setzero_si512());
  sums = add_chunk_pair<kFifthBit, 1>(x, spread, high_bits, a, sums);
  acc = _mm256_fmadd_ps(_mm256_set1_ps(half(x.d) * d_a), _mm256_cvtepi32_ps(fold(sums)), acc);
}

// One Q4_K/Q5_K row against the decode token: scale_min_dot<kFifthBit, 1>'s bits.
template <bool kFifthBit, typename Block>
PD_AVX512 inline float decode_row(const Block* x, const DecodeToken& token, int64_t blocks) {
  const BlockQ8K* y = token.row;
  __m256 acc = _mm256_setzero_ps();
  float mins = 0.0f;
  for (int64_t first = 0; first < blocks; first += 4) {
    const int64_t count = std::min<int64_t>(4, blocks - first);
    __m128i scales_mins[4] = {_mm_setzero_si128(), _mm_setzero_si128(), _mm_setzero_si128(), _mm_setzero_si128()};
    for (int64_t b = 0; b < count; ++b) {
      const int64_t i = first + b;
      prefetch_ahead(x + i, sizeof(Block));
      scales_mins[b] = scales_mins_vector(x[i].scales);
      add_decode_sums<kFifthBit>(x[i], scales_mins[b], token.blocks[i], y[i].d, acc);
    }
    alignas(16) float terms[4];
    _mm_store_ps(terms, _mm_cvtepi32_ps(quad_min_terms(scales_mins, _mm512_load_si512(token.pair_sums[first / 4].words))));
    for (int64_t b = 0; b < count; ++b) {
      const int64_t i = first + b;
      mins -= (half(x[i].dmin) * y[i].d) * terms[b];
    }
  }
  return avx2::sum_lanes(acc) + mins;
}

template <bool kFifthBit, typename Block>
PD_AVX512 void decode_rows(int64_t n, const void* weight, size_t weight_stride, int64_t rows, const void* activation,
                           float* y) {
  const int64_t blocks = n / kQK_K;
  thread_local DecodeToken token;
  lay_out_token(static_cast<const BlockQ8K*>(activation), blocks, token);
  const auto* w = static_cast<const uint8_t*>(weight);
  for (int64_t r = 0; r < rows; ++r) {
    y[r] = decode_row<kFifthBit>(reinterpret_cast<const Block*>(w + r * weight_stride), token, blocks);
  }
}

// Q6_K decode: the levels enter maddubs unsigned (0-63) and the activation's share of
// the -32 offset, 32 * (q[2i] + q[2i + 1]) per word, is laid out once per call and
// subtracted: the same exact word as the sign split's (which differs only where it
// negates a quant of -128), in fewer operations per row.
struct alignas(64) Q6DecodeBlock {
  int16_t offsets[4][32];  // 64-value group g: 32 * (q[64g + 2i] + q[64g + 2i + 1])
};

struct Q6DecodeToken {
  const BlockQ8K* row = nullptr;
  std::vector<Q6DecodeBlock> blocks;
};

PD_AVX512 void lay_out_q6_token(const BlockQ8K* y, int64_t blocks, Q6DecodeToken& out) {
  out.row = y;
  out.blocks.resize(static_cast<size_t>(blocks));
  const __m512i thirty_two = _mm512_set1_epi8(32);
  for (int64_t i = 0; i < blocks; ++i) {
    for (int g = 0; g < 4; ++g) {
      _mm512_store_si512(out.blocks[i].offsets[g], _mm512_maddubs_epi16(thirty_two, load64(y[i].qs + 64 * g)));
    }
  }
}

// 64-value group g of a Q6_K super-block (its stored levels) against the token's quants,
// the offset share taken out, into `sums`; `spread` as decode_q6_row makes it.
template <int g>
PD_AVX512 inline __m512i add_q6_group(__m512i levels, __m512i spread, const BlockQ8K& y, const Q6DecodeBlock& a,
                                      __m512i sums) {
  const __m512i words = _mm512_sub_epi16(_mm512_maddubs_epi16(levels, load64(y.qs + 64 * g)),
                                         _mm512_load_si512(a.offsets[g]));
  return _mm512_dpwssd_epi32(sums, words, lane_dword<g>(spread));
}

// Words of 128-bit lane k, dword m: scale 4m + k; dword g of every lane is then the
// scales of 64-value group g, one per 16 values.
PD_AVX512 inline __m512i q6_spread_index() {
  return _mm512_set_epi16(15, 15, 11, 11, 7, 7, 3, 3, 14, 14, 10, 10, 6, 6, 2, 2, 13, 13, 9, 9, 5, 5, 1, 1, 12, 12, 8,
                          8, 4, 4, 0, 0);
}

// Super-block i of a Q6_K row against the decode token, fused into the row's `acc`.
PD_AVX512 inline __m256 add_q6_block(const BlockQ6K& x, const BlockQ8K& y, const Q6DecodeBlock& a,
                                     __m512i spread_index, __m256 acc) {
  const __m512i spread =
      _mm512_permutexvar_epi16(spread_index, _mm512_castsi256_si512(_mm256_cvtepi8_epi16(avx2::load16(x.scales))));
  const Q6HalfLevels first_half = q6_half_levels(x, 0);
  __m512i sums = add_q6_group<0>(first_half.levels[0], spread, y, a, _mm512_setzero_si512());
  sums = add_q6_group<1>(first_half.levels[1], spread, y, a, sums);
  const Q6HalfLevels second_half = q6_half_levels(x, 1);
  sums = add_q6_group<2>(second_half.levels[0], spread, y, a, sums);
  sums = add_q6_group<3>(second_half.levels[1], spread, y, a, sums);
  return _mm256_fmadd_ps(_mm256_set1_ps(half(x.d) * y.d), _mm256_cvtepi32_ps(fold(sums)), acc);
}

// One Q6_K row against the decode token: q6_k_dot<1>'s bits.
PD_AVX512 inline float decode_q6_row(const BlockQ6K* x, const Q6DecodeToken& token, int64_t blocks) {
  const __m512i spread_index = q6_spread_index();
  __m256 acc = _mm256_setzero_ps();
  for (int64_t i = 0; i < blocks; ++i) {
    prefetch_ahead(x + i, sizeof(BlockQ6K));
    acc = add_q6_block(x[i], token.row[i], token.blocks[i], spread_index, acc);
  }
  return avx2::sum_lanes(acc);
}

// Four Q6_K rows `row_stride` bytes apart, each decode_q6_row's operations: four streams
// for decode_by_quarters.
PD_AVX512 void decode_q6_four(const uint8_t* rows, size_t row_stride, const Q6DecodeToken& token, int64_t blocks,
                              float* out) {
  const __m512i spread_index = q6_spread_index();
  const BlockQ6K* x[4];
  __m256 acc[4];
  for (int k = 0; k < 4; ++k) {
    x[k] = reinterpret_cast<const BlockQ6K*>(rows + k * row_stride);
    acc[k] = _mm256_setzero_ps();
  }
  for (int64_t i = 0; i < blocks; ++i) {
    for (int k = 0; k < 4; ++k) {
      prefetch_stream(x[k] + i, sizeof(BlockQ6K));
      acc[k] = add_q6_block(x[k][i], token.row[i], token.blocks[i], spread_index, acc[k]);
    }
  }
  for (int k = 0; k < 4; ++k) out[k] = avx2::sum_lanes(acc[k]);
}

}  // namespace

PD_AVX512 void decode_rows_q4_k(int64_t n, const void* weight, size_t weight_stride, int64_t rows,
                                const void* activation, float* y) {
  decode_rows<false, BlockQ4K>(n, weight, weight_stride, rows, activation, y);
}

PD_AVX512 void decode_rows_q5_k(int64_t n, const void* weight, size_t weight_stride, int64_t rows,
                                const void* activation, float* y) {
  decode_rows<true, BlockQ5K>(n, weight, weight_stride, rows, activation, y);
}

PD_AVX512 void decode_rows_q6_k(int64_t n, const void* weight, size_t weight_stride, int64_t rows,
                                const void* activation, float* y) {
  const int64_t blocks = n / kQK_K;
  thread_local Q6DecodeToken token;
  lay_out_q6_token(static_cast<const BlockQ8K*>(activation), blocks, token);
  const auto* w = static_cast<const uint8_t*>(weight);
  decode_by_quarters(
      rows, y,
      [&](int64_t j, int64_t quarter, float* out) {
        decode_q6_four(w + j * weight_stride, static_cast<size_t>(quarter) * weight_stride, token, blocks, out);
      },
      [&](int64_t r) { return decode_q6_row(reinterpret_cast<const BlockQ6K*>(w + r * weight_stride), token, blocks); });
}

}  // namespace pd::avx512

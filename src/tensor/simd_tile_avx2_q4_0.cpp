// The AVX2 register tile of Q4_0 weights against Q8_0 activations, for batches: the
// scalar reference's numerics, as the AVX-512 tile (simd_tile_avx512_q4_0.cpp), with 8
// weight rows per register. Without vpdpbusd a group of four values is one vpmaddubsw
// (nibble x quant, two int16 sums per row) per 8 rows and token; a block's eight groups
// add up in int16 lanes, which cannot overflow (at most 8 x 2 x 15 x 128 = 30,720), and
// one vpmaddwd makes the row's int32 sum. Decode stays with the row kernels
// (simd_dot_q4_0.cpp): laying 8 rows out for one token costs more than it saves.

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "tensor/quant_legacy.h"
#include "tensor/simd_avx2.h"
#include "tensor/simd_dot.h"
#include "tensor/simd_q4_0_tile_parts.h"
#include "tensor/simd_rows.h"
#include "tensor/simd_tile.h"

namespace pd {

namespace {

constexpr int kLanes = 8;   // weight rows per vector
constexpr int kGroups = 8;  // four-value groups per block
constexpr int kTileTokens = 6;
constexpr int64_t kTokenChunk = 64;

// One block of 8 weight rows: groups[g] holds every row's nibbles of values 4g..4g+3
// (row r in 32-bit lane r), scales the rows' d.
struct PackedBlock8 {
  __m256i groups[kGroups];
  __m256 scales;
};

// out[k] = word k of every a[r], row r in lane r: an 8 x 8 transpose of 32-bit words.
PD_AVX2 void transpose8(const __m256i a[8], __m256i out[8]) {
  __m256i t[8], u[8];
  for (int i = 0; i < 4; ++i) {
    t[2 * i] = _mm256_unpacklo_epi32(a[2 * i], a[2 * i + 1]);
    t[2 * i + 1] = _mm256_unpackhi_epi32(a[2 * i], a[2 * i + 1]);
  }
  for (int i = 0; i < 2; ++i) {
    u[4 * i] = _mm256_unpacklo_epi64(t[4 * i], t[4 * i + 2]);
    u[4 * i + 1] = _mm256_unpackhi_epi64(t[4 * i], t[4 * i + 2]);
    u[4 * i + 2] = _mm256_unpacklo_epi64(t[4 * i + 1], t[4 * i + 3]);
    u[4 * i + 3] = _mm256_unpackhi_epi64(t[4 * i + 1], t[4 * i + 3]);
  }
  for (int k = 0; k < 4; ++k) {
    out[k] = _mm256_permute2x128_si256(u[k], u[4 + k], 0x20);
    out[k + 4] = _mm256_permute2x128_si256(u[k], u[4 + k], 0x31);
  }
}

// Lays out 8 rows `stride` bytes apart (the first at `w`), every block.
PD_AVX2 void pack_rows(const uint8_t* w, size_t stride, int64_t blocks, PackedBlock8* out) {
  for (int64_t b = 0; b < blocks; ++b) {
    __m256i rows[kLanes];
    alignas(32) float scales[kLanes];
    for (int r = 0; r < kLanes; ++r) {
      const auto& block = reinterpret_cast<const BlockQ4_0*>(w + r * stride)[b];
      rows[r] = avx2::nibbles(block.qs);  // values 0-31 in order: word g is group g
      scales[r] = avx2::half(block.d);
    }
    transpose8(rows, out[b].groups);
    out[b].scales = _mm256_load_ps(scales);
  }
}

// 8 rows against kTokens tokens; lane r of acc[t] is row r's result for token t.
template <int kTokens>
PD_AVX2 void tile(int64_t blocks, const PackedBlock8* w, const BlockQ8_0* const* y, const Q4_0TokenBlock* tb,
                  __m256* acc) {
  for (int t = 0; t < kTokens; ++t) acc[t] = _mm256_setzero_ps();
  for (int64_t b = 0; b < blocks; ++b) {
    __m256i pairs[kTokens];
    for (int t = 0; t < kTokens; ++t) pairs[t] = _mm256_setzero_si256();
    for (int g = 0; g < kGroups; ++g) {
      const __m256i levels = _mm256_load_si256(&w[b].groups[g]);
      for (int t = 0; t < kTokens; ++t) {
        int32_t word;
        std::memcpy(&word, y[t][b].qs + 4 * g, sizeof word);
        pairs[t] = _mm256_add_epi16(pairs[t], _mm256_maddubs_epi16(levels, _mm256_set1_epi32(word)));
      }
    }
    const __m256 dw = _mm256_load_ps(reinterpret_cast<const float*>(&w[b].scales));
    for (int t = 0; t < kTokens; ++t) {
      const __m256i sums = _mm256_add_epi32(_mm256_madd_epi16(pairs[t], _mm256_set1_epi16(1)),
                                            _mm256_set1_epi32(tb[t * blocks + b].start));
      const __m256 scaled = _mm256_mul_ps(_mm256_cvtepi32_ps(sums), dw);
      acc[t] = _mm256_add_ps(acc[t], _mm256_mul_ps(scaled, _mm256_set1_ps(tb[t * blocks + b].d)));
    }
  }
}

template <int kTokens>
PD_AVX2 void tile_and_store(int64_t blocks, int64_t rows, const PackedBlock8* w, const BlockQ8_0* const* y,
                            const Q4_0TokenBlock* tb, float* out, int64_t y_stride) {
  __m256 acc[kTokens];
  tile<kTokens>(blocks, w, y, tb, acc);
  for (int t = 0; t < kTokens; ++t) {
    alignas(32) float lanes[kLanes];
    _mm256_store_ps(lanes, acc[t]);
    std::memcpy(out + t * y_stride, lanes, static_cast<size_t>(rows) * sizeof(float));
  }
}

bool q4_0_tile(int64_t n, const void* weight, size_t weight_stride, int64_t rows, const void* activation,
               size_t activation_stride, int64_t tokens, float* y, int64_t y_stride) {
  if (tokens < 2) return false;
  const int64_t blocks = n / kLegacyBlockSize;
  thread_local std::vector<uint8_t> weight_buffer;
  auto* packed = line_aligned_scratch<PackedBlock8>(weight_buffer, static_cast<size_t>(blocks));
  const auto* w = static_cast<const uint8_t*>(weight);
  const auto* a = static_cast<const uint8_t*>(activation);
  for_q4_0_token_chunks(a, activation_stride, tokens, blocks, kTokenChunk, [&](int64_t chunk, int64_t chunk_end,
                                                                              const Q4_0TokenBlock* token_blocks) {
    for (int64_t r = 0; r < rows; r += kLanes) {
      const int64_t count_rows = std::min<int64_t>(kLanes, rows - r);
      if (count_rows == kLanes) {
        pack_rows(w + r * weight_stride, weight_stride, blocks, packed);
      } else {
        pack_rows(padded_q4_0_rows(w + r * weight_stride, weight_stride, count_rows, blocks, kLanes),
                  static_cast<size_t>(blocks) * sizeof(BlockQ4_0), blocks, packed);
      }
      for_q4_0_token_tiles<kTileTokens>(a, activation_stride, chunk, chunk_end, token_blocks, blocks,
                                        [&](int64_t t, int64_t count, const BlockQ8_0* const* token_rows,
                                            const Q4_0TokenBlock* tb) {
        float* out = y + t * y_stride + r;
        switch (count) {
          case 1: tile_and_store<1>(blocks, count_rows, packed, token_rows, tb, out, y_stride); break;
          case 2: tile_and_store<2>(blocks, count_rows, packed, token_rows, tb, out, y_stride); break;
          case 3: tile_and_store<3>(blocks, count_rows, packed, token_rows, tb, out, y_stride); break;
          case 4: tile_and_store<4>(blocks, count_rows, packed, token_rows, tb, out, y_stride); break;
          case 5: tile_and_store<5>(blocks, count_rows, packed, token_rows, tb, out, y_stride); break;
          default: tile_and_store<kTileTokens>(blocks, count_rows, packed, token_rows, tb, out, y_stride);
        }
      });
    }
  });
  return true;
}

}  // namespace

BlockTileFn avx2_q4_0_tile() {
  static const bool available = avx2_vec_dot(TensorType::F32) != nullptr;
  return available ? q4_0_tile : nullptr;
}

}  // namespace pd

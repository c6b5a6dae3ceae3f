// The AVX-512 register tile of Q4_0 weights against Q8_0 activations (simd_tile.h), with
// the scalar reference's numerics (vec_dot_q4_0_q8_0_ref): per block one exact int32 sum
// of the 32 products, then sum += (float(sum_i) * d_weight) * d_activation, block after
// block. Each output element lives in one float lane, so one vector of 16 lanes serves
// 16 weight rows at once:
//   weights: 16 rows of a block laid out as eight vectors, vector g holding every row's
//     nibbles of values 4g..4g+3 (unsigned 0..15, one row per 32-bit lane), plus the
//     16 rows' scales;
//   tokens: read where they are; value group g of a block is one 32-bit broadcast, and
//     vpdpbusd adds a group's four products into every row's lane at once.
// A block then costs eight vpdpbusd per 16 rows and token, started from -8 times the
// block's quant sum (the nibbles are the levels plus 8), and one conversion, two
// multiplies and one add: the reference's operations on the exact same sum. Decode (one
// token) reads the rows as stored instead, four rows by four blocks at a time (below).

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "tensor/quant_legacy.h"
#include "tensor/simd_avx512.h"
#include "tensor/simd_q4_0_tile_parts.h"
#include "tensor/simd_rows.h"
#include "tensor/simd_tile.h"

namespace pd {

namespace {

constexpr int kLanes = 16;       // weight rows per vector
constexpr int kGroups = 8;       // four-value groups per block
constexpr int kTileVectors = 2;  // row vectors per tile (32 rows)
constexpr int kTileTokens = 4;

// Tokens worked through at a time against one row group: their blocks' quant sums and
// scales stay small, and the weights of a group are laid out once per chunk.
constexpr int64_t kTokenChunk = 64;

// One block of 16 weight rows, as the tile reads it.
struct PackedBlock {
  __m512i groups[kGroups];  // lane l of groups[g]: row row_of_lane(l)'s nibbles of values 4g..4g+3
  __m512 scales;            // lane l: that row's d
};

// The lanes come out of a 4x4 transpose of 32-bit words: lane 4i + j holds row 4j + i
// (its own inverse).
constexpr int row_of_lane(int lane) { return 4 * (lane % 4) + lane / 4; }

// Four rows `stride` bytes apart (the first at `first`): their 16 nibble bytes of one
// block, one row per 128-bit lane.
PD_AVX512 inline __m512i four_rows_bytes(const uint8_t* first, size_t stride) {
  const auto* qs = first + offsetof(BlockQ4_0, qs);
  __m512i v = _mm512_castsi128_si512(avx2::load16(qs));
  v = _mm512_inserti32x4(v, avx2::load16(qs + stride), 1);
  v = _mm512_inserti32x4(v, avx2::load16(qs + 2 * stride), 2);
  return _mm512_inserti32x4(v, avx2::load16(qs + 3 * stride), 3);
}

// A block of 16 rows `stride` bytes apart (the first at `block`), four rows per vector
// (rows 4j..4j+3 in low[j] and high[j], one per 128-bit lane): the low nibbles (values
// 0-15) and the high ones (values 16-31), as bytes.
struct SixteenRowNibbles {
  __m512i low[4], high[4];
  PD_AVX512 SixteenRowNibbles(const uint8_t* block, size_t stride) {
    const __m512i mask = _mm512_set1_epi8(0x0F);
    for (int j = 0; j < 4; ++j) {
      const __m512i bytes = four_rows_bytes(block + 4 * j * stride, stride);
      low[j] = _mm512_and_si512(bytes, mask);
      high[j] = _mm512_and_si512(_mm512_srli_epi16(bytes, 4), mask);
    }
  }
};

// The scales of a block of 16 rows `stride` bytes apart (the first at `block`), in
// row_of_lane order. (Sixteen scalar loads: a gather was no faster here, and slower over
// streaming rows in the AVX2 Q4_0 kernels and a Q8_0 decode kernel that was not kept.)
PD_AVX512 inline __m512 row_scales(const uint8_t* block, size_t stride) {
  auto d = [&](int lane) {
    uint16_t bits;
    std::memcpy(&bits, block + row_of_lane(lane) * stride + offsetof(BlockQ4_0, d), sizeof bits);
    return static_cast<int16_t>(bits);
  };
  return _mm512_cvtph_ps(_mm256_setr_epi16(d(0), d(1), d(2), d(3), d(4), d(5), d(6), d(7), d(8), d(9), d(10),
                                           d(11), d(12), d(13), d(14), d(15)));
}

// Within every 128-bit lane, word k of a[j] goes to word j of out[k].
PD_AVX512 inline void transpose_words(const __m512i a[4], __m512i* out) {
  const __m512i lo01 = _mm512_unpacklo_epi32(a[0], a[1]), hi01 = _mm512_unpackhi_epi32(a[0], a[1]);
  const __m512i lo23 = _mm512_unpacklo_epi32(a[2], a[3]), hi23 = _mm512_unpackhi_epi32(a[2], a[3]);
  out[0] = _mm512_unpacklo_epi64(lo01, lo23);
  out[1] = _mm512_unpackhi_epi64(lo01, lo23);
  out[2] = _mm512_unpacklo_epi64(hi01, hi23);
  out[3] = _mm512_unpackhi_epi64(hi01, hi23);
}

// Lays out 16 rows `stride` bytes apart (the first at `w`), every block.
PD_AVX512 void pack_rows(const uint8_t* w, size_t stride, int64_t blocks, PackedBlock* out) {
  for (int64_t b = 0; b < blocks; ++b) {
    const uint8_t* block = w + b * sizeof(BlockQ4_0);
    const SixteenRowNibbles nibbles(block, stride);
    transpose_words(nibbles.low, out[b].groups);
    transpose_words(nibbles.high, out[b].groups + 4);
    out[b].scales = row_scales(block, stride);
  }
}

// Quants 4g..4g+3 of a token's block in every 32-bit lane.
PD_AVX512 inline __m512i broadcast_group(const BlockQ8_0& y, int g) {
  int32_t word;
  std::memcpy(&word, y.qs + 4 * g, sizeof word);
  return _mm512_set1_epi32(word);
}

// kVectors x 16 rows (block b of vector v at w[v * blocks + b]) against kTokens tokens
// (y[t], their sums and scales at tb[t * blocks + b]); lanes in row_of_lane order.
template <int kVectors, int kTokens>
PD_AVX512 void tile(int64_t blocks, const PackedBlock* w, const BlockQ8_0* const* y, const Q4_0TokenBlock* tb,
                    __m512* acc) {
  for (int i = 0; i < kVectors * kTokens; ++i) acc[i] = _mm512_setzero_ps();
  for (int64_t b = 0; b < blocks; ++b) {
    __m512i sums[kVectors][kTokens];
    for (int t = 0; t < kTokens; ++t) {
      const __m512i start = _mm512_set1_epi32(tb[t * blocks + b].start);
      for (int v = 0; v < kVectors; ++v) sums[v][t] = start;
    }
    for (int g = 0; g < kGroups; ++g) {
      __m512i levels[kVectors];
      for (int v = 0; v < kVectors; ++v) levels[v] = _mm512_load_si512(&w[v * blocks + b].groups[g]);
      for (int t = 0; t < kTokens; ++t) {
        const __m512i quants = broadcast_group(y[t][b], g);
        for (int v = 0; v < kVectors; ++v) sums[v][t] = _mm512_dpbusd_epi32(sums[v][t], levels[v], quants);
      }
    }
    for (int v = 0; v < kVectors; ++v) {
      const __m512 dw = _mm512_load_ps(&w[v * blocks + b].scales);
      for (int t = 0; t < kTokens; ++t) {
        const __m512 scaled = _mm512_mul_ps(_mm512_cvtepi32_ps(sums[v][t]), dw);
        const __m512 term = _mm512_mul_ps(scaled, _mm512_set1_ps(tb[t * blocks + b].d));
        acc[v * kTokens + t] = _mm512_add_ps(acc[v * kTokens + t], term);
      }
    }
  }
}

// Lanes back to row order, the first `count` rows stored at out.
PD_AVX512 inline void store_rows(__m512 lanes, int64_t count, float* out) {
  const __m512i order = _mm512_setr_epi32(row_of_lane(0), row_of_lane(1), row_of_lane(2), row_of_lane(3),
                                          row_of_lane(4), row_of_lane(5), row_of_lane(6), row_of_lane(7),
                                          row_of_lane(8), row_of_lane(9), row_of_lane(10), row_of_lane(11),
                                          row_of_lane(12), row_of_lane(13), row_of_lane(14), row_of_lane(15));
  const __mmask16 mask = count >= kLanes ? __mmask16(0xFFFF) : static_cast<__mmask16>((1u << count) - 1);
  _mm512_mask_storeu_ps(out, mask, _mm512_permutexvar_ps(order, lanes));
}

// A tile of `vectors` (1 or 2) row vectors, of which the first `rows` rows are stored.
template <int kTokens>
PD_AVX512 void tile_and_store(int64_t blocks, int vectors, int64_t rows, const PackedBlock* w,
                              const BlockQ8_0* const* y, const Q4_0TokenBlock* tb, float* out, int64_t y_stride) {
  __m512 acc[kTileVectors * kTokens];
  if (vectors == 2) {
    tile<2, kTokens>(blocks, w, y, tb, acc);
  } else {
    tile<1, kTokens>(blocks, w, y, tb, acc);
  }
  for (int v = 0; v < vectors; ++v) {
    for (int t = 0; t < kTokens; ++t) {
      store_rows(acc[v * kTokens + t], rows - v * kLanes, out + t * y_stride + v * kLanes);
    }
  }
}

// Decode (one token) reads the rows as stored, four rows by four blocks at a time: a
// row's four blocks are 72 contiguous bytes, and every scale and nibble byte pair of
// them sits on a 16-bit boundary, so one word permutation lays a row's four blocks out
// one per 128-bit lane and another gathers the scales. Two vpdpbusd then leave each
// (row, block) sum spread over four lanes, a transposing reduction of the four rows'
// vectors gives lane k, word j = row j's sum of block k, and the float operations are
// the tile's; the adds run block after block into one lane per row.
constexpr int kDecodeRows = 4;
constexpr int kDecodeBlocks = 4;  // one per 128-bit lane
constexpr int kGroupBytes = kDecodeBlocks * static_cast<int>(sizeof(BlockQ4_0));
// The four rows are one from each quarter of the range (decode_by_quarters), each stream
// prefetched ahead: the processor's own prefetcher alone, following four neighbouring
// rows' 72-byte steps, left this kernel waiting on memory (48 against 128 tok/s on the
// 336 M Q4_0 model, one thread); prefetching the next four neighbouring rows, spread
// over the groups, streamed 25-27 GB/s from the last-level cache on one core against
// 27-28 by quarters (`decode/Q4_0/avx512/32768/1024`, 18 MiB).

// A token's blocks for decode, four at a time: block k of the group in 128-bit lane k.
struct DecodeTokenGroup {
  __m512i low_quants;   // quants 0-15
  __m512i high_quants;  // quants 16-31
  __m512i starts;       // -8 times the block's quant sum, in all four words
  __m512 scales;        // the block's d, in all four lanes
};

// Blocks past the end of the row (in the last group) get zero quants and scales.
PD_AVX512 void pack_decode_token(const BlockQ8_0* y, int64_t blocks, DecodeTokenGroup* out) {
  for (int64_t g = 0; g * kDecodeBlocks < blocks; ++g) {
    const int64_t first = g * kDecodeBlocks;
    const int64_t count = std::min<int64_t>(kDecodeBlocks, blocks - first);
    Q4_0TokenBlock tb[kDecodeBlocks];
    pack_q4_0_token(y + first, count, tb);
    alignas(64) int8_t low[64] = {}, high[64] = {};
    alignas(64) int32_t starts[16] = {};
    alignas(64) float scales[16] = {};
    for (int64_t k = 0; k < count; ++k) {
      std::memcpy(low + 16 * k, y[first + k].qs, 16);
      std::memcpy(high + 16 * k, y[first + k].qs + 16, 16);
      for (int w = 0; w < 4; ++w) {
        starts[4 * k + w] = tb[k].start;
        scales[4 * k + w] = tb[k].d;
      }
    }
    out[g] = {_mm512_load_si512(low), _mm512_load_si512(high), _mm512_load_si512(starts), _mm512_load_ps(scales)};
  }
}

// Word indexes of a group's two word permutations, fixed at compile time.
struct DecodeIndexes {
  alignas(64) int16_t nibbles[32] = {};
  alignas(64) int16_t scales[32] = {};
};

constexpr DecodeIndexes decode_indexes() {
  DecodeIndexes d;
  // Word p of the nibble layout: lane p / 8 is block k, word p % 8 its nibble word i,
  // stored at word 9k + 1 + i of the group (words 32-35 come from the second table).
  for (int p = 0; p < 32; ++p) d.nibbles[p] = static_cast<int16_t>(9 * (p / 8) + 1 + p % 8);
  // Word 4k + j of the scale layout: block k's scale (word 9k) of row j, rows 0 and 2
  // from the first table, 1 and 3 from the second.
  for (int p = 0; p < 16; ++p) d.scales[p] = static_cast<int16_t>(9 * (p / 4) + (p % 2 == 1 ? 32 : 0));
  return d;
}

constexpr DecodeIndexes kDecodeIndexes = decode_indexes();

// A row's int32 partial sums of one group against the token, from the group's bytes
// 0-63 and 64-71: lane k holds four partials of block k.
PD_AVX512 inline __m512i row_group_partials(__m512i bytes_low, __m512i bytes_high, __m512i nibble_index,
                                            const DecodeTokenGroup& token) {
  const __m512i nibbles = _mm512_permutex2var_epi16(bytes_low, nibble_index, bytes_high);
  const __m512i mask = _mm512_set1_epi8(0x0F);
  const __m512i low = _mm512_and_si512(nibbles, mask);
  const __m512i high = _mm512_and_si512(_mm512_srli_epi16(nibbles, 4), mask);
  return _mm512_dpbusd_epi32(_mm512_dpbusd_epi32(_mm512_setzero_si512(), low, token.low_quants), high,
                             token.high_quants);
}

// The four rows' sums of the group: lane k, word j = row j's sum of block k.
PD_AVX512 inline __m512i transposed_sums(const __m512i parts[kDecodeRows]) {
  const __m512i w01 = _mm512_add_epi32(_mm512_unpacklo_epi32(parts[0], parts[1]), _mm512_unpackhi_epi32(parts[0], parts[1]));
  const __m512i w23 = _mm512_add_epi32(_mm512_unpacklo_epi32(parts[2], parts[3]), _mm512_unpackhi_epi32(parts[2], parts[3]));
  return _mm512_add_epi32(_mm512_unpacklo_epi64(w01, w23), _mm512_unpackhi_epi64(w01, w23));
}

// Four rows (row[j]) against the token: word j of the result is row j's dot product.
PD_AVX512 __m128 four_rows(int64_t blocks, const uint8_t* const row[kDecodeRows], const DecodeTokenGroup* token) {
  const __m512i nibble_index = _mm512_load_si512(kDecodeIndexes.nibbles);
  const __m512i scale_index = _mm512_load_si512(kDecodeIndexes.scales);
  __m128 acc = _mm_setzero_ps();
  for (int64_t g = 0; g * kDecodeBlocks < blocks; ++g) {
    const int64_t in_group = std::min<int64_t>(kDecodeBlocks, blocks - g * kDecodeBlocks);
    __m512i parts[kDecodeRows], words[kDecodeRows];  // words: the group's bytes 0-63, scales among them
    for (int j = 0; j < kDecodeRows; ++j) {
      const uint8_t* at = row[j] + g * kGroupBytes;
      avx2::prefetch_stream(at, kGroupBytes);
      __m512i high;
      if (in_group == kDecodeBlocks) {
        words[j] = _mm512_loadu_si512(at);
        high = _mm512_zextsi128_si512(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(at + 64)));
      } else {  // at most 54 bytes: never read past the row
        words[j] = _mm512_maskz_loadu_epi8((uint64_t{1} << (in_group * sizeof(BlockQ4_0))) - 1, at);
        high = _mm512_setzero_si512();
      }
      parts[j] = row_group_partials(words[j], high, nibble_index, token[g]);
    }
    const __m512i sums = _mm512_add_epi32(transposed_sums(parts), token[g].starts);
    const __m512i scale_bits = _mm512_or_si512(_mm512_maskz_permutex2var_epi16(0x3333, words[0], scale_index, words[1]),
                                               _mm512_maskz_permutex2var_epi16(0xCCCC, words[2], scale_index, words[3]));
    const __m512 dw = _mm512_cvtph_ps(_mm512_castsi512_si256(scale_bits));
    const __m512 terms = _mm512_mul_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(sums), dw), token[g].scales);
    // The reference's adds, block after block.
    acc = _mm_add_ps(acc, _mm512_castps512_ps128(terms));
    if (in_group > 1) acc = _mm_add_ps(acc, _mm512_extractf32x4_ps(terms, 1));
    if (in_group > 2) acc = _mm_add_ps(acc, _mm512_extractf32x4_ps(terms, 2));
    if (in_group > 3) acc = _mm_add_ps(acc, _mm512_extractf32x4_ps(terms, 3));
  }
  return acc;
}

// Decode: four rows at a time, one from each quarter of the range; a row past the last
// whole four goes through four_rows as four copies of itself.
PD_AVX512 void decode_rows(int64_t blocks, const uint8_t* w, size_t stride, int64_t rows, const DecodeTokenGroup* token,
                           float* out) {
  decode_by_quarters(
      rows, out,
      [&](int64_t j, int64_t quarter, float* four) {
        const uint8_t* row[kDecodeRows];
        for (int k = 0; k < kDecodeRows; ++k) row[k] = w + (j + k * quarter) * stride;
        _mm_storeu_ps(four, four_rows(blocks, row, token));
      },
      [&](int64_t r) {
        const uint8_t* row[kDecodeRows] = {w + r * stride, w + r * stride, w + r * stride, w + r * stride};
        return _mm_cvtss_f32(four_rows(blocks, row, token));
      });
}

PD_AVX512 bool q4_0_tile(int64_t n, const void* weight, size_t weight_stride, int64_t rows, const void* activation,
                         size_t activation_stride, int64_t tokens, float* y, int64_t y_stride) {
  const int64_t blocks = n / kLegacyBlockSize;
  thread_local std::vector<uint8_t> weight_buffer, token_buffer;
  if (tokens == 1) {
    const size_t groups = static_cast<size_t>((blocks + kDecodeBlocks - 1) / kDecodeBlocks);
    auto* token = line_aligned_scratch<DecodeTokenGroup>(token_buffer, groups);
    pack_decode_token(static_cast<const BlockQ8_0*>(activation), blocks, token);
    decode_rows(blocks, static_cast<const uint8_t*>(weight), weight_stride, rows, token, y);
    return true;
  }
  auto* packed = line_aligned_scratch<PackedBlock>(weight_buffer, static_cast<size_t>(kTileVectors * blocks));
  const auto* w = static_cast<const uint8_t*>(weight);
  const auto* a = static_cast<const uint8_t*>(activation);
  for_q4_0_token_chunks(a, activation_stride, tokens, blocks, kTokenChunk, [&](int64_t chunk, int64_t chunk_end,
                                                                              const Q4_0TokenBlock* token_blocks) {
    for (int64_t r = 0; r < rows; r += kTileVectors * kLanes) {
      const int64_t group_rows = std::min<int64_t>(kTileVectors * kLanes, rows - r);
      const int vectors = static_cast<int>((group_rows + kLanes - 1) / kLanes);
      for (int v = 0; v < vectors; ++v) {
        const int64_t first = r + v * kLanes;
        if (rows - first >= kLanes) {
          pack_rows(w + first * weight_stride, weight_stride, blocks, packed + v * blocks);
        } else {
          pack_rows(padded_q4_0_rows(w + first * weight_stride, weight_stride, rows - first, blocks, kLanes),
                    static_cast<size_t>(blocks) * sizeof(BlockQ4_0), blocks, packed + v * blocks);
        }
      }
      for_q4_0_token_tiles<kTileTokens>(a, activation_stride, chunk, chunk_end, token_blocks, blocks,
                                        [&](int64_t t, int64_t count, const BlockQ8_0* const* token_rows,
                                            const Q4_0TokenBlock* tb) {
        float* out = y + t * y_stride + r;
        switch (count) {
          case 1: tile_and_store<1>(blocks, vectors, group_rows, packed, token_rows, tb, out, y_stride); break;
          case 2: tile_and_store<2>(blocks, vectors, group_rows, packed, token_rows, tb, out, y_stride); break;
          case 3: tile_and_store<3>(blocks, vectors, group_rows, packed, token_rows, tb, out, y_stride); break;
          default: tile_and_store<kTileTokens>(blocks, vectors, group_rows, packed, token_rows, tb, out, y_stride);
        }
      });
    }
  });
  return true;
}

}  // namespace

BlockTileFn avx512_q4_0_tile() { return q4_0_tile; }

}  // namespace pd

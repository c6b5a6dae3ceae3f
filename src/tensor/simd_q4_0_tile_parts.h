#pragma once
// What the AVX2 and AVX-512 Q4_0 tiles (simd_tile_avx2_q4_0.cpp,
// simd_tile_avx512_q4_0.cpp) share: a token's blocks as the tiles read them, rows padded
// to a whole register of rows, and the walk over a batch in chunks of tokens. Internal
// to src/tensor.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "tensor/quant_legacy.h"
#include "tensor/simd_avx2.h"
#include "tensor/simd_rows.h"

namespace pd {

// One block of one token: -8 times its quant sum (the tiles multiply nibbles, which are
// the levels plus 8) and its scale.
struct Q4_0TokenBlock {
  int32_t start;
  float d;
};

PD_AVX2 inline void pack_q4_0_token(const BlockQ8_0* y, int64_t blocks, Q4_0TokenBlock* out) {
  for (int64_t b = 0; b < blocks; ++b) {
    const __m256i sums = avx2::dot_unsigned_signed(_mm256_set1_epi8(1), avx2::load32(y[b].qs));
    out[b] = {-8 * avx2::sum_lanes_i32(sums), avx2::half(y[b].d)};
  }
}

// The `count` (< lanes) Q4_0 rows `stride` bytes apart at `w`, copied into `lanes` rows
// padded with zero rows (per-thread storage): their lanes come out 0 and are not stored.
inline const uint8_t* padded_q4_0_rows(const uint8_t* w, size_t stride, int64_t count, int64_t blocks, int lanes) {
  const size_t row_bytes = static_cast<size_t>(blocks) * sizeof(BlockQ4_0);
  thread_local std::vector<uint8_t> padded;
  padded.assign(static_cast<size_t>(lanes) * row_bytes, 0);
  for (int64_t k = 0; k < count; ++k) std::memcpy(padded.data() + k * row_bytes, w + k * stride, row_bytes);
  return padded.data();
}

// Tokens are worked through `chunk` at a time against every row group: a chunk's blocks
// are packed (per-thread storage, bounded whatever the batch), then
// run(first, end, packed) with packed[(t - first) * blocks + b] for token t, block b.
template <typename Run>
void for_q4_0_token_chunks(const uint8_t* activation, size_t activation_stride, int64_t tokens, int64_t blocks,
                           int64_t chunk, Run&& run) {
  thread_local std::vector<uint8_t> buffer;
  auto* packed = line_aligned_scratch<Q4_0TokenBlock>(buffer, static_cast<size_t>(std::min(tokens, chunk) * blocks));
  for (int64_t first = 0; first < tokens; first += chunk) {
    const int64_t end = std::min(tokens, first + chunk);
    for (int64_t t = first; t < end; ++t) {
      pack_q4_0_token(reinterpret_cast<const BlockQ8_0*>(activation + t * activation_stride), blocks,
                      packed + (t - first) * blocks);
    }
    run(first, end, static_cast<const Q4_0TokenBlock*>(packed));
  }
}

// The tokens [first, end) of a chunk from for_q4_0_token_chunks (their blocks at
// `packed`), kTokens at a time: run(t, count, rows, blocks_of_t), rows[k] the Q8_0 row of
// token t + k.
template <int kTokens, typename Run>
void for_q4_0_token_tiles(const uint8_t* activation, size_t activation_stride, int64_t first, int64_t end,
                          const Q4_0TokenBlock* packed, int64_t blocks, Run&& run) {
  for (int64_t t = first; t < end; t += kTokens) {
    const int64_t count = std::min<int64_t>(kTokens, end - t);
    const BlockQ8_0* rows[kTokens];
    for (int64_t k = 0; k < count; ++k) rows[k] = reinterpret_cast<const BlockQ8_0*>(activation + (t + k) * activation_stride);
    run(t, count, static_cast<const BlockQ8_0* const*>(rows), packed + (t - first) * blocks);
  }
}

}  // namespace pd

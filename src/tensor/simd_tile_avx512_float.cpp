// AVX-512 register tiles for F32 and F16 weights (simd_tile.h). One 512-bit register
// per (weight row, activation row) pair holds that product's sixteen lanes, exactly as
// ordered_rows in simd_dot_avx512_float.cpp does for one weight row.

#include <algorithm>

#include "core/cpu_features.h"
#include "tensor/simd_avx512.h"
#include "tensor/simd_dot.h"
#include "tensor/simd_rows.h"
#include "tensor/simd_tile.h"

namespace pd {

namespace {

// Activation rows processed against every weight tile of a panel before the next chunk:
// the chunk's activations stay in cache while the panel's weights pass over them.
// Without panels, 12 tokens measured best among 6 to 64 on the gemm benchmarks (`bench
// --kernels --kernel-filter gemm`; 64 was 10-15 % slower on 1024 x 2816); with 64-row
// panels 12 and 24 are within the noise end to end, and 24 is what BENCHMARKS.md measured.
constexpr int64_t kTokenChunk = 24;

// Weight rows whose tiles meet every token chunk before the next rows: the panel comes
// from memory once and stays in the second-level cache for the other chunks (without
// panels, a 64-token prefill read every weight from memory five times over).
constexpr int64_t kPanelRows = 64;

// 4 x 6 = 24 accumulators, plus 4 weight vectors and an activation vector: 29 of the
// 32 vector registers.
constexpr int kTileRows = 4;
constexpr int kTileTokens = 6;

// The activations arrive as floats (simd_tile.h), so the inner loop converts only the
// weights.
struct F16Weights {
  static constexpr size_t kBytes = 2;
  PD_AVX512 static __m512 load16(const uint8_t* p) {
    return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
  }
};

struct F32Weights {
  static constexpr size_t kBytes = 4;
  PD_AVX512 static __m512 load16(const uint8_t* p) { return _mm512_loadu_ps(p); }
};

// kRows weight rows against kTokens f32 activation rows (n apart).
template <typename Weights, int kRows, int kTokens>
PD_AVX512 void tile(int64_t n, const uint8_t* w, size_t w_stride, const float* a, float* y, int64_t y_stride) {
  __m512 acc[kTokens][kRows];
  for (int t = 0; t < kTokens; ++t) {
    for (int r = 0; r < kRows; ++r) acc[t][r] = _mm512_setzero_ps();
  }
  for (int64_t i = 0; i < n; i += 16) {
    __m512 wv[kRows];
    for (int r = 0; r < kRows; ++r) wv[r] = Weights::load16(w + r * w_stride + i * Weights::kBytes);
    for (int t = 0; t < kTokens; ++t) {
      const __m512 av = _mm512_loadu_ps(a + t * n + i);
      for (int r = 0; r < kRows; ++r) acc[t][r] = _mm512_fmadd_ps(wv[r], av, acc[t][r]);
    }
  }
  for (int t = 0; t < kTokens; ++t) {
    if constexpr (kRows == 4) {
      _mm_storeu_ps(y + t * y_stride, avx512::sum_halves_of_four(acc[t]));
    } else {
      for (int r = 0; r < kRows; ++r) y[t * y_stride + r] = avx512::sum_halves(acc[t][r]);
    }
  }
}

using TileFn = void (*)(int64_t n, const uint8_t* w, size_t w_stride, const float* a, float* y, int64_t y_stride);

// The tile for kRows rows and `tokens` (1 to kTileTokens) activation rows.
template <typename Weights, int kRows>
TileFn tile_for(int64_t tokens) {
  switch (tokens) {
    case 1: return tile<Weights, kRows, 1>;
    case 2: return tile<Weights, kRows, 2>;
    case 3: return tile<Weights, kRows, 3>;
    case 4: return tile<Weights, kRows, 4>;
    case 5: return tile<Weights, kRows, 5>;
    default: return tile<Weights, kRows, kTileTokens>;
  }
}

// One token against four weight rows that lie `quarter_stride` bytes apart: the tile's
// kRows = 4, kTokens = 1 chains (the same bits), each row's stream prefetched ahead.
template <typename Weights>
PD_AVX512 void decode_four(int64_t n, const uint8_t* w, size_t quarter_stride, const float* a, float* out) {
  __m512 acc[4];
  for (int r = 0; r < 4; ++r) acc[r] = _mm512_setzero_ps();
  for (int64_t i = 0; i < n; i += 16) {
    const __m512 av = _mm512_loadu_ps(a + i);
    for (int r = 0; r < 4; ++r) {
      const uint8_t* at = w + r * quarter_stride + i * Weights::kBytes;
      avx512::prefetch_stream(at, 16 * Weights::kBytes);
      acc[r] = _mm512_fmadd_ps(Weights::load16(at), av, acc[r]);
    }
  }
  _mm_storeu_ps(out, avx512::sum_halves_of_four(acc));
}

template <typename Weights>
PD_AVX512 void decode(int64_t n, const uint8_t* w, size_t w_stride, int64_t rows, const float* a, float* y) {
  decode_by_quarters(
      rows, y,
      [&](int64_t j, int64_t quarter, float* out) {
        decode_four<Weights>(n, w + j * w_stride, static_cast<size_t>(quarter) * w_stride, a, out);
      },
      [&](int64_t r) {
        float out;
        tile<Weights, 1, 1>(n, w + r * w_stride, w_stride, a, &out, 0);
        return out;
      });
}

template <typename Weights>
void tiled_product(int64_t n, const void* weight, size_t weight_stride, int64_t rows, const float* activations,
                   int64_t tokens, float* y, int64_t y_stride) {
  const auto* w = static_cast<const uint8_t*>(weight);
  if (tokens == 1) return decode<Weights>(n, w, weight_stride, rows, activations, y);
  for (int64_t panel = 0; panel < rows; panel += kPanelRows) {
    const int64_t panel_end = std::min(rows, panel + kPanelRows);
    for (int64_t chunk = 0; chunk < tokens; chunk += kTokenChunk) {
      const int64_t chunk_end = std::min(tokens, chunk + kTokenChunk);
      for (int64_t r = panel; r < panel_end; r += kTileRows) {
        const bool full = r + kTileRows <= panel_end;
        for (int64_t t = chunk; t < chunk_end; t += kTileTokens) {
          const int64_t count = std::min<int64_t>(kTileTokens, chunk_end - t);
          const float* a = activations + t * n;
          float* out = y + t * y_stride + r;
          if (full) {
            tile_for<Weights, kTileRows>(count)(n, w + r * weight_stride, weight_stride, a, out, y_stride);
            continue;
          }
          // The last rows of an uneven range, one at a time.
          for (int64_t k = r; k < panel_end; ++k) {
            tile_for<Weights, 1>(count)(n, w + k * weight_stride, weight_stride, a, out + (k - r), y_stride);
          }
        }
      }
    }
  }
}

}  // namespace

FloatTileFn avx512_float_tile(TensorType type) {
  // The tiles need what the AVX-512 dot kernels need.
  static const bool available = avx512_vec_dot(TensorType::F32) != nullptr;
  if (!available) return nullptr;
  if (type == TensorType::F32) return tiled_product<F32Weights>;
  if (type == TensorType::F16) return tiled_product<F16Weights>;
  return nullptr;
}

FloatTileFn simd_float_tile(TensorType type) {
  return active_isa() == Isa::Avx512 ? avx512_float_tile(type) : nullptr;
}

}  // namespace pd

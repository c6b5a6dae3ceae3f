#pragma once
// The scale searches shared by the K-quant reference quantizers, and the 6-bit
// scale/min packing of Q4_K and Q5_K and scale packing of Q3_K. Internal to src/tensor
// (the reference quantizers and the vector kernels).
//
// Byte-exactness with llama-quantize depends on doing the float arithmetic of ggml's
// searches in the same order, with the same float types and the same rounding; the
// comments below say where a choice matters. The build's -ffp-contract=off keeps the
// compiler from fusing multiply-adds, which would change the last bits.

#include <cstdint>
#include <cstring>

namespace pd::kquant {

// Groups whose largest magnitude is below this count as all zero.
inline constexpr float kGroupMaxEps = 1e-15f;

// Round to nearest, ties to even, by adding 1.5 * 2^23: the float adder does the
// rounding and the integer sits in the low mantissa bits. Exact for |f| < 2^22; beyond
// that it wraps, like ggml's (which only asserts in debug builds), so even degenerate
// inputs give ggml's bytes.
inline int nearest_int(float f) {
  const float shifted = f + 12582912.f;
  int32_t bits;
  std::memcpy(&bits, &shifted, sizeof bits);
  return (bits & 0x007fffff) - 0x00400000;
}

// Symmetric quantization of n values to integers in [-nmax, nmax-1], weighted by x^2
// (ggml's make_qx_quants with rmse_type 1 and no importance weights). Tries 19 scales
// around nmax/max and keeps the one of least weighted squared error; returns the scale
// and leaves L[i] = q + nmax. An all-zero group gives scale 0 and L = 0.
float make_qx_quants(int n, int nmax, const float* x, int8_t* L);

// Symmetric quantization for Q3_K (ggml's make_q3_quants with do_rmse): start from
// nmax/max, then up to 5 passes that move single values to the level that improves the
// x^2-weighted fit. Returns the scale; L[i] = q + nmax (L = 0 for an all-zero group).
float make_q3_quants(int n, int nmax, const float* x, int8_t* L);

// Parameters of the asymmetric (scale + min) search.
struct ScaleMinSearch {
  float rmin;    // first trial: (nmax + rmin) / (max - min)
  float rdelta;  // step between trials
  int nstep;     // trials rmin, rmin + rdelta, ..., rmin + nstep * rdelta
  bool use_mad;  // weighted absolute error instead of weighted squared error
};

// Asymmetric quantization x ~ scale * L - the_min with L in [0, nmax] (ggml's
// make_qkx2_quants). For each trial scale it rounds, then solves the weighted least
// squares for scale and min (min clamped to <= 0 in x terms), keeping the best.
// Returns the scale; *the_min receives the (non-negative) min; aux is scratch of n.
float make_qkx2_quants(int n, int nmax, const float* x, const float* weights, uint8_t* L,
                       float* the_min, uint8_t* aux, const ScaleMinSearch& search);

// Q4_K/Q5_K pack 8 scales and 8 mins, 6 bits each, into 12 bytes: bytes 0-3 hold
// scales 0-3 (low 6 bits) and the top 2 bits of scales 4-7; bytes 4-7 the same for the
// mins; bytes 8-11 the low 4 bits of scale j+4 (low nibble) and min j+4 (high nibble).
void pack_scale_min_k4(const uint8_t scales[8], const uint8_t mins[8], uint8_t packed[12]);

inline void unpack_scale_min_k4(int j, const uint8_t* packed, uint8_t* scale, uint8_t* min) {
  if (j < 4) {
    *scale = packed[j] & 63;
    *min = packed[j + 4] & 63;
  } else {
    *scale = static_cast<uint8_t>((packed[j + 4] & 0xF) | ((packed[j - 4] >> 6) << 4));
    *min = static_cast<uint8_t>((packed[j + 4] >> 4) | ((packed[j] >> 6) << 4));
  }
}

// Q3_K's 16 scales are 6-bit (stored with +32): the low 4 bits in the nibbles of bytes
// 0-7 (scale j < 8 in the low nibble of byte j, scale j >= 8 in the high nibble of byte
// j - 8), the top 2 bits in bytes 8-11 (scale j at byte 8 + j % 4, bit pair j / 4).
inline int q3k_scale(const uint8_t* packed, int j) {
  const int low = j < 8 ? packed[j] & 0xF : packed[j - 8] >> 4;
  const int high = (packed[8 + j % 4] >> (2 * (j / 4))) & 3;
  return low | (high << 4);
}

// All 16 q3k_scale values at once, byte j of `first` (scales 0-7) and of `second`
// (scales 8-15), worked out eight at a time in 64-bit words: the vector kernels need
// them every super-block, where the loop over q3k_scale cost more than the products.
struct Q3kScaleBytes {
  uint64_t first, second;
};

inline Q3kScaleBytes q3k_scale_bytes(const uint8_t* packed) {
  uint64_t nibbles;
  uint32_t top;
  std::memcpy(&nibbles, packed, sizeof nibbles);
  std::memcpy(&top, packed + 8, sizeof top);
  const uint64_t low4 = 0x0F0F0F0F0F0F0F0Full;
  const uint32_t pair = 0x03030303u;
  const uint64_t top_first = (top & pair) | (uint64_t{(top >> 2) & pair} << 32);
  const uint64_t top_second = ((top >> 4) & pair) | (uint64_t{(top >> 6) & pair} << 32);
  return {(nibbles & low4) | (top_first << 4), ((nibbles >> 4) & low4) | (top_second << 4)};
}

}  // namespace pd::kquant

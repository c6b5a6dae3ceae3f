#pragma once
// Row bookkeeping of the multi-row kernels. Internal to src/tensor; shared by the AVX2 and
// AVX-512 kernel sets (plain C++, so it needs no target attribute).

#include <cstddef>
#include <cstdint>
#include <vector>

namespace pd {

// The activation rows of a four-row kernel (VecDot4Fn, tensor/simd_dot.h): row k starts
// `stride` bytes after row k - 1.
template <typename Row>
struct FourRows {
  const Row* rows[4];
  FourRows(const void* activation, size_t stride) {
    for (int k = 0; k < 4; ++k) {
      rows[k] = reinterpret_cast<const Row*>(static_cast<const uint8_t*>(activation) + k * stride);
    }
  }
};

// Decode's row order for kernels that run four rows' chains at once against one token.
// One row at a time is one chain of dependent operations, which leaves a core short of
// the bandwidth it could stream; four neighbouring rows at a time are four streams of one
// row each, which the hardware prefetchers follow badly (F16 from memory: 10 GB/s, against
// 20 row by row). So the four chains take row j of each quarter of [0, rows), and each
// reads its own long sequential run. `four(j, quarter, out)` computes rows j + k * quarter
// (k < 4) into out[k]; `one(r)` the rows past 4 * quarter. y[r] receives row r.
template <typename Four, typename One>
void decode_by_quarters(int64_t rows, float* y, Four four, One one) {
  const int64_t quarter = rows / 4;
  for (int64_t j = 0; j < quarter; ++j) {
    float out[4];
    four(j, quarter, out);
    for (int k = 0; k < 4; ++k) y[k * quarter + j] = out[k];
  }
  for (int64_t r = 4 * quarter; r < rows; ++r) y[r] = one(r);
}

// Storage reused per thread (the tiles' packed rows and tokens), its start on a cache
// line, so that no load of a whole-line item splits across two.
template <typename T>
T* line_aligned_scratch(std::vector<uint8_t>& buffer, size_t count) {
  constexpr size_t kLine = 64;
  if (buffer.size() < count * sizeof(T) + kLine) buffer.resize(count * sizeof(T) + kLine);
  const auto address = reinterpret_cast<uintptr_t>(buffer.data());
  return reinterpret_cast<T*>(buffer.data() + (kLine - address % kLine) % kLine);
}

}  // namespace pd

#pragma once
// The activation rows of a four-row kernel (VecDot4Fn, tensor/simd_dot.h): row k starts
// `stride` bytes after row k - 1. Internal to src/tensor; shared by the AVX2 and AVX-512
// kernel sets (plain C++, so it needs no target attribute).

#include <cstddef>
#include <cstdint>
#include <vector>

namespace pd {

template <typename Row>
struct FourRows {
  const Row* rows[4];
  FourRows(const void* activation, size_t stride) {
    for (int k = 0; k < 4; ++k) {
      rows[k] = reinterpret_cast<const Row*>(static_cast<const uint8_t*>(activation) + k * stride);
    }
  }
};

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

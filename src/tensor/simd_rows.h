#pragma once
// The activation rows of a four-row kernel (VecDot4Fn, tensor/simd_dot.h): row k starts
// `stride` bytes after row k - 1. Internal to src/tensor; shared by the AVX2 and AVX-512
// kernel sets (plain C++, so it needs no target attribute).

#include <cstddef>
#include <cstdint>

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

}  // namespace pd

#pragma once
// Element-wise operations on float rows, with vector instructions where the CPU has
// them (core/cpu_features.h) and the same bits either way: each element is one fused
// multiply-add or one addition, which no instruction set rounds differently.

#include <cstdint>

namespace pd {

// acc[i] = fma(scale, row[i], acc[i]), rounded once.
void fused_add_scaled_row(float scale, const float* row, float* acc, int64_t n);

// a[i] += b[i].
void add_row(const float* b, float* a, int64_t n);

}  // namespace pd

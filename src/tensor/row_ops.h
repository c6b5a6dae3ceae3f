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

// For j = 0 .. count - 1 in turn: fused_add_scaled_row(scales[j], rows + j * row_stride,
// lanes + (j % 16) * n, n), with the same bits: sixteen rows of accumulators, each
// taking every sixteenth row (attention's weighted values in llama.cpp's lanes). The
// sixteen chains are independent, so they may run one after another, each kept in
// registers.
void fused_add_scaled_rows_in_sixteen_lanes(const float* scales, const float* rows, int64_t row_stride, int64_t count,
                                            int64_t n, float* lanes);

}  // namespace pd

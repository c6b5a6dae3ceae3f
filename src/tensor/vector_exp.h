#pragma once
// The exponential of llama.cpp's CPU vector loops (softmax, SiLU), so that the engine's
// `fast` path rounds as they do.
//
// llama.cpp does not call the C library's expf there: it reduces x = n ln2 + b
// (n = round(x / ln2), ln2 split in two parts so that b is nearly exact), evaluates a
// degree-5 polynomial in b with fused multiply-adds and scales by 2^n. The result is
// within about 1.5 ulp of e^x, and differs from expf in the last bit for a good share of
// inputs; after an f16 rounding (attention probabilities entering an f16 value cache)
// that last bit can decide a whole f16 step. Every fused multiply-add is exact-then-
// rounded, so these functions give the same bits with or without FMA hardware (the
// vector unit is used when the CPU has it: core/cpu_features.h).

#include <cstdint>

namespace pd {

// e^x as llama.cpp's vector loops compute it. NaN stays NaN; results beyond the float
// range are 0 or infinity.
float vector_exp(float x);

// y[i] = x[i] / (1 + e^-x[i]) over a row, as llama.cpp's SiLU: vector_exp for every
// whole group of 16 values, the C library's expf for the n % 16 after them.
void silu_row(const float* x, float* y, int64_t n);

// x[i] = vector_exp(x[i] - shift) over a row; returns their sum in llama.cpp's order:
// each group of 16 values (the last one padded with zeros) added pairwise (value k +
// value k + 8, then + 4, + 2, + 1), the group sums accumulated in double.
double shifted_exp_row(float* x, int64_t n, float shift);

}  // namespace pd

#pragma once
// Matrix products of a weight view with a batch of activation rows: the one place where
// the kernel path, activation precision and accumulation order of NumericsConfig meet
// the weight types.
//
// Every output element y[t][r] is one dot product computed start to finish by one
// thread, by code that depends neither on the batch size nor on the thread count: a
// token's result is bit-identical whether it is evaluated alone or in a batch, with
// one thread or many.
//
// Dispatch, per weight view and activation precision:
//   int8/int16 activations: each token row is quantized (symmetric, per row); with an
//     integer weight view (I8/I16 + row scales) the product is an integer sum rescaled
//     once, otherwise the dequantized integers continue down the list below;
//   integer weight view, float activations: weights dequantized, f32 dot;
//   kernel `fast`: activations converted to the type's vec_dot_type, type's vec_dot;
//     with float activations, forward order and an active instruction set of AVX2 or
//     better, the type's vector kernel (tensor/simd_dot.h) instead of the scalar one,
//     and under AVX-512 its register tiles (tensor/simd_tile.h) for batches, with the
//     same bits element by element;
//   kernel `reference`: weight rows dequantized to f32, f32 dot.

#include <cstdint>
#include <vector>

#include "model/numerics.h"
#include "model/weight_source.h"

namespace pd {

class ThreadPool;

struct MatmulOptions {
  KernelPath kernel = KernelPath::Fast;
  ActivationPrecision activations = ActivationPrecision::F32;
  AccumulationOrder order = AccumulationOrder::Forward;
};

// Pieces per thread (ThreadPool::parallel_for) of a loop over `n_tokens` tokens' work. A
// decoded token's product reads every weight once from memory: one contiguous range per
// thread keeps each stream and its prefetch unbroken (Q8_0 decode at 2 threads was 7 %
// faster than with four pieces per thread, in six alternating runs; each restart of a
// thread's streams costs 1-2.5 us, BENCHMARKS.md, session 16), and its attention heads
// are equal work. A batch is compute-bound and keeps the finer balance.
int64_t pieces_per_thread(int64_t n_tokens);

// y[t * rows + r] = sum_i W[r][i] * x[t * cols + i] for t < n_tokens, r < rows, where
// cols = w.row_length() and rows = w.rows().
void matmul(const TensorView& w, const float* x, int64_t n_tokens, float* y,
            const MatmulOptions& options, ThreadPool& pool);

// One of several products of the same activations.
struct MatmulTarget {
  const TensorView* w = nullptr;
  float* y = nullptr;  // as matmul's y for w
};

// matmul(*t.w, x, n_tokens, t.y) for every target, with the same bits, in one pass over
// the threads where their kernels allow (the fast path's vector kernels and tiles with
// one activation type): the activations are converted once and the rows of all products
// are shared out together, so a layer pays one conversion and one dispatch for its
// query, key and value products and one for its gate and up products instead of five.
void matmul_shared_input(const std::vector<MatmulTarget>& targets, const float* x, int64_t n_tokens,
                         const MatmulOptions& options, ThreadPool& pool);

// --- The scalar pieces, exposed for tests --------------------------------------------

// f32 dot product with eight interleaved partial sums (a fixed order the compiler can
// vectorize without changing results). `Reversed` walks the vectors from the end.
float dot_f32(const float* a, const float* b, int64_t n, AccumulationOrder order);

// Symmetric per-row integer quantization: scale = max|x| / qmax (qmax 127 or 32767),
// q = round-half-to-even(x / scale) clamped to [-qmax, qmax]; all-zero rows get scale
// 0. Returns the scale.
float quantize_symmetric_row(const float* x, int64_t n, int32_t qmax, int16_t* q);

// Exact integer dot product of quantized activations (|a| <= a_qmax) with an I8 or I16
// weight row: int32 partial sums when both sides are 8-bit, int64 otherwise.
int64_t dot_integer(const int16_t* a, int32_t a_qmax, const void* weight_row,
                    TensorType weight_type, int64_t n);

}  // namespace pd

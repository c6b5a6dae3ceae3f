#pragma once
// Causal multi-head attention over the KV cache (grouped-query: query head h reads KV
// head h / (n_head / n_head_kv)). One (token, head) pair is computed start to finish by
// one thread, so results do not depend on the thread count or on the batch.
//
// Per pair, as llama.cpp computes it without flash attention:
//   score_j = dot(K_j, q) * (1 / sqrt(head_dim))  for every cached position j <= the token's;
//   p = softmax(score)                                       (ops.h: ggml's soft_max);
//   out = sum_j p_j V_j.
// Kernel `fast`: q is converted to the key type's vec_dot_type and the key type's dot
// product is used; with an f32/f16/bf16 value cache, p is converted to the value type
// and each output is that type's dot product over positions (float products summed in
// double), as llama.cpp multiplies its transposed value cache; a quantized value cache
// (which llama.cpp supports only with flash attention) is dequantized row by row and
// accumulated in f32. Kernel `reference`: keys and values dequantized to f32, f32 dot
// products and f32 accumulation in position order. With bf16/f16 activations the
// scores and probabilities are rounded too.

#include <cstdint>

#include "model/kv_cache.h"
#include "model/numerics.h"

namespace pd {

class ThreadPool;

struct AttentionShape {
  int64_t n_head = 0;
  int64_t n_head_kv = 0;
  int64_t head_dim = 0;
  int64_t head_dim_v = 0;
};

// Whether attention with `kernel` over a cache of `kv_type` meets its keys in the
// cache's transposed blocks (kv_cache.h) on this machine's active instruction set: so
// whether a cache is worth building with them.
bool attention_reads_key_blocks(KernelPath kernel, TensorType kv_type);

// q: [n_tokens][n_head * head_dim]; token t sits at position first_position + t and
// attends to positions 0..first_position + t, which must already be in the cache.
// out: [n_tokens][n_head * head_dim_v].
void attention(const AttentionShape& shape, const KvCache& cache, int64_t layer,
               const float* q, int64_t n_tokens, int64_t first_position,
               const NumericsConfig& numerics, float* out, ThreadPool& pool);

}  // namespace pd

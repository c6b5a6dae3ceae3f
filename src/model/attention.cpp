#include "model/attention.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/fp16.h"
#include "core/thread_pool.h"
#include "model/matmul.h"
#include "model/ops.h"
#include "tensor/activation_quant.h"
#include "tensor/row_ops.h"
#include "tensor/simd_dot.h"

namespace pd {

namespace {

// What one thread needs to compute (token, head) pairs.
struct Scratch {
  std::vector<float> scores;
  std::vector<uint8_t> query;   // q converted to the key type's vec_dot_type
  std::vector<float> row;       // one dequantized key or value row
  std::vector<double> sums;     // per value dimension
  std::vector<float> lanes;     // sixteen per value dimension
};

void compute_scores(const AttentionShape& s, const KvCache& cache, int64_t layer,
                    int64_t kv_head, const float* q, int64_t n_positions,
                    KernelPath kernel, bool key_blocks, Scratch& scratch) {
  const TensorType type = cache.type();
  const TypeTraits& key_traits = type_traits(type);
  const bool direct_f32 = type == TensorType::F32;
  if (kernel == KernelPath::Fast) {
    const TypeTraits& act = type_traits(key_traits.vec_dot_type);
    const void* query = q;
    if (act.type != TensorType::F32) {
      scratch.query.resize(*row_bytes(act.type, s.head_dim));
      quantize_activation_row(act.type, q, scratch.query.data(), s.head_dim);
      query = scratch.query.data();
    }
    // llama.cpp's orders. f32 keys meet the (permuted, so not contiguous) queries in
    // ggml_vec_dot_f32; f16 keys meet f16 queries, made contiguous by the conversion, in
    // the f16 kernel's order (tensor/quant_float.h), whose vector kernel gives its bits.
    if (key_blocks) {
      // Sixteen keys per pass, each with its own dot product's bits (kv_cache.h).
      float block[KvCache::kKeyBlock];
      for (int64_t j = 0; j < n_positions; j += KvCache::kKeyBlock) {
        f32_four_accumulator_dot16_transposed(s.head_dim, cache.key_block(layer, j / KvCache::kKeyBlock, kv_head), q,
                                              block);
        const int64_t count = std::min(KvCache::kKeyBlock, n_positions - j);
        for (int64_t k = 0; k < count; ++k) scratch.scores[j + k] = block[k];
      }
      return;
    }
    if (type == TensorType::F32) {
      for (int64_t j = 0; j < n_positions; ++j) {
        const auto* key = reinterpret_cast<const float*>(cache.key(layer, j, kv_head));
        scratch.scores[j] = f32_four_accumulator_dot(s.head_dim, key, q);
      }
      return;
    }
    const VecDotFn vector_f16 = type == TensorType::F16 ? simd_vec_dot(type) : nullptr;
    const VecDotFn dot = vector_f16 != nullptr ? vector_f16 : key_traits.vec_dot_ref;
    for (int64_t j = 0; j < n_positions; ++j) {
      scratch.scores[j] = dot(s.head_dim, cache.key(layer, j, kv_head), query);
    }
    return;
  }
  scratch.row.resize(static_cast<size_t>(s.head_dim));
  for (int64_t j = 0; j < n_positions; ++j) {
    const float* k = reinterpret_cast<const float*>(cache.key(layer, j, kv_head));
    if (!direct_f32) {
      key_traits.to_float(cache.key(layer, j, kv_head), scratch.row.data(), s.head_dim);
      k = scratch.row.data();
    }
    scratch.scores[j] = dot_f32(k, q, s.head_dim, AccumulationOrder::Forward);
  }
}

// An f16 or f32 value cache in llama.cpp's order: it multiplies its transposed value
// cache with the probabilities (rounded to f16 for an f16 cache) in tinyBLAS, so each
// output keeps sixteen fused lanes over positions (lane k: positions k, k + 16, ...;
// its cache is padded to a multiple of 32 positions with zero probabilities), added
// pairwise at the end.
void weighted_values_in_lanes(const AttentionShape& s, const KvCache& cache, int64_t layer,
                              int64_t kv_head, int64_t n_positions, Scratch& scratch,
                              float* out) {
  const TypeTraits& traits = type_traits(cache.type());
  if (cache.type() == TensorType::F16) {
    for (int64_t j = 0; j < n_positions; ++j) scratch.scores[j] = round_to_f16(scratch.scores[j]);
  }
  const int64_t dims = s.head_dim_v;
  scratch.row.resize(static_cast<size_t>(dims));
  // Lane k of every output dimension is the row lanes[k * dims ...].
  scratch.lanes.assign(static_cast<size_t>(16 * dims), 0.0f);
  float* lanes = scratch.lanes.data();
  if (cache.type() == TensorType::F32) {
    // The rows in place, one lane's chain at a time.
    const auto* first = reinterpret_cast<const float*>(cache.value(layer, 0, kv_head));
    const int64_t stride = s.n_head_kv * static_cast<int64_t>(cache.value_row_bytes() / sizeof(float));  // kv_cache.h
    fused_add_scaled_rows_in_sixteen_lanes(scratch.scores.data(), first, stride, n_positions, dims, lanes);
  } else {
    for (int64_t j = 0; j < n_positions; ++j) {
      traits.to_float(cache.value(layer, j, kv_head), scratch.row.data(), dims);
      fused_add_scaled_row(scratch.scores[j], scratch.row.data(), lanes + (j % 16) * dims, dims);
    }
  }
  for (int width = 8; width >= 1; width /= 2) {
    for (int k = 0; k < width; ++k) add_row(lanes + (k + width) * dims, lanes + k * dims, dims);
  }
  for (int64_t d = 0; d < dims; ++d) out[d] = lanes[d];
}

void weighted_values(const AttentionShape& s, const KvCache& cache, int64_t layer,
                     int64_t kv_head, int64_t n_positions, KernelPath kernel,
                     Scratch& scratch, float* out) {
  const TensorType type = cache.type();
  const TypeTraits& traits = type_traits(type);
  scratch.row.resize(static_cast<size_t>(s.head_dim_v));
  if (kernel == KernelPath::Fast && (type == TensorType::F32 || type == TensorType::F16)) {
    weighted_values_in_lanes(s, cache, layer, kv_head, n_positions, scratch, out);
    return;
  }
  if (kernel == KernelPath::Fast && type == TensorType::BF16) {
    // The probabilities converted to bf16, each output a dot product over positions,
    // float products summed in double, as the type's scalar dot product does (llama.cpp's
    // bf16 kernels differ by machine: dot-product instructions where the CPU has them).
    for (int64_t j = 0; j < n_positions; ++j) scratch.scores[j] = round_to_bf16(scratch.scores[j]);
    scratch.sums.assign(static_cast<size_t>(s.head_dim_v), 0.0);
    for (int64_t j = 0; j < n_positions; ++j) {
      traits.to_float(cache.value(layer, j, kv_head), scratch.row.data(), s.head_dim_v);
      const float p = scratch.scores[j];
      for (int64_t d = 0; d < s.head_dim_v; ++d) {
        scratch.sums[d] += static_cast<double>(p * scratch.row[d]);
      }
    }
    for (int64_t d = 0; d < s.head_dim_v; ++d) out[d] = static_cast<float>(scratch.sums[d]);
    return;
  }
  // Reference path, and quantized value caches (which llama.cpp multiplies only in its
  // flash-attention path, dequantizing each row): f32 accumulation in position order.
  for (int64_t d = 0; d < s.head_dim_v; ++d) out[d] = 0.0f;
  for (int64_t j = 0; j < n_positions; ++j) {
    traits.to_float(cache.value(layer, j, kv_head), scratch.row.data(), s.head_dim_v);
    const float p = scratch.scores[j];
    for (int64_t d = 0; d < s.head_dim_v; ++d) out[d] += p * scratch.row[d];
  }
}

}  // namespace

bool attention_reads_key_blocks(KernelPath kernel, TensorType kv_type) {
  return kernel == KernelPath::Fast && kv_type == TensorType::F32 && has_f32_four_accumulator_dot16_transposed();
}

void attention(const AttentionShape& s, const KvCache& cache, int64_t layer, const float* q,
               int64_t n_tokens, int64_t first_position, const NumericsConfig& numerics,
               float* out, ThreadPool& pool) {
  const int64_t group = s.n_head / s.n_head_kv;
  const float scale = 1.0f / std::sqrt(static_cast<float>(s.head_dim));
  const bool key_blocks = cache.has_key_blocks() && attention_reads_key_blocks(numerics.kernel, cache.type());
  pool.parallel_for(n_tokens * s.n_head, [&](int64_t begin, int64_t end) {
    // Kept per thread: a decoded token's attention is a few microseconds a layer, and
    // fresh buffers for each piece were a visible part of it.
    thread_local Scratch scratch;
    for (int64_t index = begin; index < end; ++index) {
      const int64_t t = index / s.n_head;
      const int64_t h = index % s.n_head;
      const int64_t kv_head = h / group;
      const int64_t n_positions = first_position + t + 1;
      scratch.scores.resize(static_cast<size_t>(n_positions));
      const float* q_head = q + (t * s.n_head + h) * s.head_dim;
      compute_scores(s, cache, layer, kv_head, q_head, n_positions, numerics.kernel, key_blocks, scratch);
      for (int64_t j = 0; j < n_positions; ++j) scratch.scores[j] *= scale;
      round_activations(scratch.scores.data(), n_positions, numerics.activations);
      if (numerics.kernel == KernelPath::Fast) {
        softmax_vector_exp(scratch.scores.data(), n_positions);
      } else {
        softmax(scratch.scores.data(), n_positions);
      }
      round_activations(scratch.scores.data(), n_positions, numerics.activations);
      weighted_values(s, cache, layer, kv_head, n_positions, numerics.kernel, scratch,
                      out + (t * s.n_head + h) * s.head_dim_v);
    }
  }, 1, pieces_per_thread(n_tokens));
}

}  // namespace pd

#pragma once
// The attention key/value cache of one session: for every layer, position and KV head,
// one key row (head_dim values) and one value row (head_dim_v values), stored in the
// cache type (f32, f16, bf16, q8_0 or q4_0). Values are rounded or quantized when
// stored, as llama.cpp's copy into its cache does: q8_0 with the CPU backend's row
// quantizer, q4_0 with the reference quantizer, f16/bf16 to nearest even.
//
// Memory grows with the positions actually used, up to the context size.
//
// An f32 cache built with `transposed_keys` also keeps its keys transposed, sixteen
// positions to a block (element e of position 16b + k at [16 * e + k] of block b):
// attention meets sixteen keys with one query in one pass (tensor/simd_dot.h,
// f32_four_accumulator_dot16_transposed). It doubles the f32 keys' memory, so only a
// cache that attention will read that way keeps them (attention_reads_key_blocks); a
// decoded token at a few hundred positions spent about as long on its query-key
// products, one short dot product per position, as on its weights.

#include <cstdint>
#include <vector>

#include "tensor/tensor_type.h"

namespace pd {

class KvCache {
 public:
  KvCache(int64_t n_layer, int64_t n_head_kv, int64_t head_dim, int64_t head_dim_v,
          TensorType type, int64_t capacity, bool transposed_keys = true);

  TensorType type() const { return type_; }
  int64_t capacity() const { return capacity_; }
  // Makes room for positions [0, n); n <= capacity.
  void reserve(int64_t n);

  void store_key(int64_t layer, int64_t position, int64_t head, const float* values);
  void store_value(int64_t layer, int64_t position, int64_t head, const float* values);
  const uint8_t* key(int64_t layer, int64_t position, int64_t head) const;
  const uint8_t* value(int64_t layer, int64_t position, int64_t head) const;

  // Block `block` (positions 16 * block ... 16 * block + 15) of the transposed f32 keys of
  // `head`; lanes of positions not stored yet hold whatever was there. Only where
  // has_key_blocks().
  static constexpr int64_t kKeyBlock = 16;
  bool has_key_blocks() const { return !key_blocks_.empty(); }
  const float* key_block(int64_t layer, int64_t block, int64_t head) const;

  // Asks the processor's caches for what attention over positions [0, n) of `layer` will
  // read (the key blocks where the cache has them, else the key rows; then the value
  // rows), at most `max_bytes` of it from the start. Decode streams every weight through
  // the caches between one layer's attention and the next token's, so a short context's
  // keys and values come from memory each time, in short scattered runs that the
  // processor's own prefetchers do not follow. Changes no result.
  void prefetch(int64_t layer, int64_t n, size_t max_bytes) const;

  size_t key_row_bytes() const { return key_row_bytes_; }
  size_t value_row_bytes() const { return value_row_bytes_; }

 private:
  size_t key_block_offset(int64_t block, int64_t head) const;  // in floats, within a layer

  int64_t n_head_kv_;
  int64_t head_dim_;
  int64_t head_dim_v_;
  TensorType type_;
  int64_t capacity_;
  int64_t reserved_ = 0;
  size_t key_row_bytes_;
  size_t value_row_bytes_;
  std::vector<std::vector<uint8_t>> keys_;    // per layer: [position][head][row bytes]
  std::vector<std::vector<uint8_t>> values_;
  std::vector<std::vector<float>> key_blocks_;  // per layer: [block][head][head_dim][16], f32 only
};

// Converts one row of floats to a cache type as described above.
void store_cache_row(TensorType type, const float* src, void* dst, int64_t n);

}  // namespace pd

#include "model/kv_cache.h"

#include <algorithm>
#include <limits>
#include <string>

#include "core/error.h"
#include "model/numerics.h"
#include "tensor/activation_quant.h"
#include "tensor/simd_avx2.h"

namespace pd {

namespace {

size_t cache_row_bytes(TensorType type, int64_t n) {
  const std::optional<size_t> bytes = row_bytes(type, n);
  if (!bytes) {
    fail_input("KV cache", std::string("a head of ") + std::to_string(n) +
                               " values does not fit the block size of " + type_name(type));
  }
  return *bytes;
}

}  // namespace

void store_cache_row(TensorType type, const float* src, void* dst, int64_t n) {
  if (type == TensorType::Q4_0) {
    // llama.cpp's CPU copy into a q4_0 tensor uses the reference quantizer.
    type_traits(type).quantize_ref(src, dst, n);
  } else {
    // f32/f16/bf16/q8_0: the CPU backend's from_float, the activation conversion.
    quantize_activation_row(type, src, dst, n);
  }
}

KvCache::KvCache(int64_t n_layer, int64_t n_head_kv, int64_t head_dim, int64_t head_dim_v,
                 TensorType type, int64_t capacity, bool transposed_keys)
    : n_head_kv_(n_head_kv),
      head_dim_(head_dim),
      head_dim_v_(head_dim_v),
      type_(type),
      capacity_(capacity) {
  validate_kv_cache_type(type, "KV cache");
  key_row_bytes_ = cache_row_bytes(type, head_dim);
  value_row_bytes_ = cache_row_bytes(type, head_dim_v);
  keys_.resize(static_cast<size_t>(n_layer));
  values_.resize(static_cast<size_t>(n_layer));
  if (type == TensorType::F32 && transposed_keys) key_blocks_.resize(static_cast<size_t>(n_layer));
}

void KvCache::reserve(int64_t n) {
  if (n > capacity_) {
    fail_input("KV cache", "context of " + std::to_string(capacity_) +
                               " positions exceeded (" + std::to_string(n) + " needed)");
  }
  if (n <= reserved_) return;
  // Grow geometrically so that decoding token by token reallocates rarely.
  const int64_t target = std::min(capacity_, std::max(n, reserved_ * 2));
  for (auto& k : keys_) k.resize(static_cast<size_t>(target * n_head_kv_) * key_row_bytes_);
  for (auto& v : values_) v.resize(static_cast<size_t>(target * n_head_kv_) * value_row_bytes_);
  const int64_t blocks = (target + kKeyBlock - 1) / kKeyBlock;
  for (auto& b : key_blocks_) b.resize(static_cast<size_t>(blocks * n_head_kv_ * head_dim_ * kKeyBlock));
  reserved_ = target;
}

void KvCache::store_key(int64_t layer, int64_t position, int64_t head, const float* values) {
  store_cache_row(type_, values,
                  keys_[layer].data() + (position * n_head_kv_ + head) * key_row_bytes_, head_dim_);
  if (key_blocks_.empty()) return;
  float* block = key_blocks_[layer].data() + key_block_offset(position / kKeyBlock, head);
  for (int64_t e = 0; e < head_dim_; ++e) block[kKeyBlock * e + position % kKeyBlock] = values[e];
}

void KvCache::prefetch(int64_t layer, int64_t n, size_t max_bytes) const {
  const auto positions = static_cast<size_t>(std::min(n, reserved_));
  const auto heads = static_cast<size_t>(n_head_kv_);
  size_t budget = std::min<size_t>(max_bytes, std::numeric_limits<int>::max());  // prefetch_lines counts in int
  auto take = [&](const void* data, size_t bytes) {
    bytes = std::min(bytes, budget);
    avx2::prefetch_lines(data, 0, static_cast<int>(bytes));
    budget -= bytes;
  };
  if (has_key_blocks()) {
    const size_t blocks = (positions + kKeyBlock - 1) / kKeyBlock;
    take(key_blocks_[layer].data(), blocks * key_block_offset(1, 0) * sizeof(float));
  } else {
    take(keys_[layer].data(), positions * heads * key_row_bytes_);
  }
  take(values_[layer].data(), positions * heads * value_row_bytes_);
}

size_t KvCache::key_block_offset(int64_t block, int64_t head) const {
  return static_cast<size_t>((block * n_head_kv_ + head) * head_dim_ * kKeyBlock);
}

const float* KvCache::key_block(int64_t layer, int64_t block, int64_t head) const {
  return key_blocks_[layer].data() + key_block_offset(block, head);
}

void KvCache::store_value(int64_t layer, int64_t position, int64_t head, const float* values) {
  store_cache_row(type_, values,
                  values_[layer].data() + (position * n_head_kv_ + head) * value_row_bytes_,
                  head_dim_v_);
}

const uint8_t* KvCache::key(int64_t layer, int64_t position, int64_t head) const {
  return keys_[layer].data() + (position * n_head_kv_ + head) * key_row_bytes_;
}

const uint8_t* KvCache::value(int64_t layer, int64_t position, int64_t head) const {
  return values_[layer].data() + (position * n_head_kv_ + head) * value_row_bytes_;
}

}  // namespace pd

// The KV cache stores rows exactly as the cache type represents them.

#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "core/error.h"
#include "core/fp16.h"
#include "model/kv_cache.h"
#include "tensor/activation_quant.h"

namespace pd {
namespace {

TEST(KvCache, StoresRoundedOrQuantizedRows) {
  std::mt19937 rng(3);
  std::normal_distribution<float> normal(0.0f, 2.0f);
  for (TensorType type : {TensorType::F32, TensorType::F16, TensorType::BF16, TensorType::Q8_0,
                          TensorType::Q4_0}) {
    KvCache cache(2, 3, 64, 32, type, 10);
    cache.reserve(5);
    std::vector<float> key(64), value(32);
    for (float& v : key) v = normal(rng);
    for (float& v : value) v = normal(rng);
    cache.store_key(1, 4, 2, key.data());
    cache.store_value(1, 4, 2, value.data());
    std::vector<uint8_t> expected(cache.key_row_bytes());
    if (type == TensorType::Q4_0) {
      type_traits(type).quantize_ref(key.data(), expected.data(), 64);
    } else {
      quantize_activation_row(type, key.data(), expected.data(), 64);
    }
    EXPECT_EQ(0, std::memcmp(cache.key(1, 4, 2), expected.data(), expected.size())) << type_name(type);
    std::vector<float> back(32);
    type_traits(type).to_float(cache.value(1, 4, 2), back.data(), 32);
    for (int i = 0; i < 32; ++i) {
      float exact = back[i];  // the quantized types: checked by the bound below
      if (type == TensorType::F32) exact = value[i];
      if (type == TensorType::F16) exact = round_to_f16(value[i]);
      if (type == TensorType::BF16) exact = round_to_bf16(value[i]);
      EXPECT_EQ(back[i], exact) << type_name(type);
      EXPECT_NEAR(back[i], value[i], 0.8f);  // q4_0: half a step of max/8
    }
  }
}

// Only an f32 cache asked for them keeps transposed keys.
TEST(KvCache, TransposedKeysOnlyInF32CachesThatAskForThem) {
  EXPECT_TRUE(KvCache(1, 1, 32, 32, TensorType::F32, 16).has_key_blocks());
  EXPECT_FALSE(KvCache(1, 1, 32, 32, TensorType::F32, 16, false).has_key_blocks());
  EXPECT_FALSE(KvCache(1, 1, 32, 32, TensorType::F16, 16).has_key_blocks());
  EXPECT_FALSE(KvCache(1, 1, 32, 32, TensorType::Q8_0, 16).has_key_blocks());
}

// An f32 cache's transposed key blocks hold every stored key, also across growth.
TEST(KvCache, F32KeysAlsoLieTransposedInBlocksOfSixteen) {
  std::mt19937 rng(5);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  const int64_t layers = 2, heads = 3, dim = 8, positions = 37;
  KvCache cache(layers, heads, dim, dim, TensorType::F32, 64);
  for (int64_t p = 0; p < positions; ++p) {
    cache.reserve(p + 1);  // grows 1, 2, 4, ... positions: blocks move as it grows
    for (int64_t l = 0; l < layers; ++l) {
      for (int64_t h = 0; h < heads; ++h) {
        std::vector<float> key(dim);
        for (float& v : key) v = normal(rng);
        cache.store_key(l, p, h, key.data());
      }
    }
  }
  for (int64_t l = 0; l < layers; ++l) {
    for (int64_t h = 0; h < heads; ++h) {
      for (int64_t p = 0; p < positions; ++p) {
        const auto* row = reinterpret_cast<const float*>(cache.key(l, p, h));
        const float* block = cache.key_block(l, p / KvCache::kKeyBlock, h);
        for (int64_t e = 0; e < dim; ++e) {
          ASSERT_EQ(block[KvCache::kKeyBlock * e + p % KvCache::kKeyBlock], row[e])
              << "layer " << l << " head " << h << " position " << p << " element " << e;
        }
      }
    }
  }
}

TEST(KvCache, GrowsOnDemandUpToCapacity) {
  KvCache cache(1, 1, 8, 8, TensorType::F32, 100);
  std::vector<float> row(8, 1.5f);
  for (int64_t p = 0; p < 100; ++p) {
    cache.reserve(p + 1);
    cache.store_key(0, p, 0, row.data());
  }
  // Earlier rows survive reallocation.
  EXPECT_EQ(reinterpret_cast<const float*>(cache.key(0, 3, 0))[7], 1.5f);
  EXPECT_THROW(cache.reserve(101), Error);
  EXPECT_THROW(KvCache(1, 1, 8, 8, TensorType::Q8_0, 4), Error);  // 8 values < one block
  EXPECT_THROW(KvCache(1, 1, 32, 32, TensorType::Q4_K, 4), Error);
}

}  // namespace
}  // namespace pd

#include "model/attention.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <thread>
#include <vector>

#include "core/thread_pool.h"

namespace pd {
namespace {

constexpr AttentionShape kShape{8, 2, 64, 64};
constexpr int64_t kLongContext = 40;

// A cache of kLongContext positions of random keys and values in layer 0.
KvCache random_cache(TensorType type) {
  KvCache cache(1, kShape.n_head_kv, kShape.head_dim, kShape.head_dim_v, type, kLongContext);
  cache.reserve(kLongContext);
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> value(-1.0f, 1.0f);
  std::vector<float> row(static_cast<size_t>(kShape.head_dim));
  for (int64_t position = 0; position < kLongContext; ++position) {
    for (int64_t head = 0; head < kShape.n_head_kv; ++head) {
      for (float& v : row) v = value(rng);
      cache.store_key(0, position, head, row.data());
      for (float& v : row) v = value(rng);
      cache.store_value(0, position, head, row.data());
    }
  }
  return cache;
}

std::vector<float> random_query(uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> value(-1.0f, 1.0f);
  std::vector<float> q(static_cast<size_t>(kShape.n_head * kShape.head_dim));
  for (float& v : q) v = value(rng);
  return q;
}

// One decoded token's attention at `position`, on the calling thread (a one-thread pool).
std::vector<float> attend(const KvCache& cache, const std::vector<float>& q, int64_t position,
                          const NumericsConfig& numerics) {
  ThreadPool pool(1);
  std::vector<float> out(static_cast<size_t>(kShape.n_head * kShape.head_dim_v));
  attention(kShape, cache, 0, q.data(), 1, position, numerics, out.data(), pool);
  return out;
}

// Attention keeps its buffers per thread between calls (a decoded token's attention is a
// few microseconds a layer). A short context after a long one must see nothing of it:
// the same bits as on a thread that never ran attention.
TEST(Attention, BuffersKeptPerThreadCarryNothingBetweenCalls) {
  for (TensorType type : {TensorType::F32, TensorType::F16, TensorType::BF16, TensorType::Q8_0}) {
    for (KernelPath kernel : {KernelPath::Fast, KernelPath::Reference}) {
      NumericsConfig numerics;
      numerics.kernel = kernel;
      numerics.kv_cache = type;
      const KvCache cache = random_cache(type);
      const std::vector<float> q = random_query(11);
      std::vector<float> fresh, after_long;
      std::thread([&] { fresh = attend(cache, q, 4, numerics); }).join();
      std::thread([&] {
        attend(cache, random_query(12), kLongContext - 1, numerics);
        after_long = attend(cache, q, 4, numerics);
      }).join();
      ASSERT_EQ(fresh.size(), after_long.size());
      EXPECT_EQ(std::memcmp(fresh.data(), after_long.data(), fresh.size() * sizeof(float)), 0)
          << type_name(type) << (kernel == KernelPath::Fast ? " fast" : " reference");
    }
  }
}

// A decoded token's heads are split between threads; each head's result is the same
// whichever thread computes it and however many there are.
TEST(Attention, DecodedTokenIsTheSameForAnyThreadCount) {
  NumericsConfig numerics;
  const KvCache cache = random_cache(TensorType::F32);
  const std::vector<float> q = random_query(13);
  std::vector<float> one(static_cast<size_t>(kShape.n_head * kShape.head_dim_v));
  ThreadPool single(1);
  attention(kShape, cache, 0, q.data(), 1, kLongContext - 1, numerics, one.data(), single);
  for (int threads : {2, 3, 5}) {
    ThreadPool pool(threads);
    std::vector<float> many(one.size());
    attention(kShape, cache, 0, q.data(), 1, kLongContext - 1, numerics, many.data(), pool);
    EXPECT_EQ(std::memcmp(one.data(), many.data(), one.size() * sizeof(float)), 0) << threads;
  }
}

}  // namespace
}  // namespace pd

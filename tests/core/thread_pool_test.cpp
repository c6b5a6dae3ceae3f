#include "core/thread_pool.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <utility>
#include <stdexcept>
#include <vector>

namespace pd {
namespace {

TEST(ThreadPool, ParallelForCoversRangeOnceWithAlignedPieces) {
  for (int threads : {1, 2, 3, 7}) {
    ThreadPool pool(threads);
    for (int64_t n : {0, 1, 5, 32, 33, 1000}) {
      std::vector<std::atomic<int>> hits(n);
      pool.parallel_for(n, [&](int64_t begin, int64_t end) {
        EXPECT_EQ(begin % 4, 0);
        for (int64_t i = begin; i < end; ++i) hits[i]++;
      }, 4);
      for (int64_t i = 0; i < n; ++i) EXPECT_EQ(hits[i].load(), 1);
    }
  }
}

// The pieces a parallel_for hands out, as (begin, end), in order of begin.
std::vector<std::pair<int64_t, int64_t>> pieces_of(ThreadPool& pool, int64_t n, int64_t pieces_per_thread) {
  std::mutex mutex;
  std::vector<std::pair<int64_t, int64_t>> pieces;
  pool.parallel_for(n, [&](int64_t begin, int64_t end) {
    std::lock_guard<std::mutex> lock(mutex);
    pieces.emplace_back(begin, end);
  }, 4, pieces_per_thread);
  std::sort(pieces.begin(), pieces.end());
  return pieces;
}

// One piece per thread: equal contiguous ranges. More: pieces that shrink towards the
// end (a thread finishing the last leaves the others little to wait for), none below a
// quarter of an equal split's, the same for every call.
TEST(ThreadPool, OnePiecePerThreadIsEqualMoreShrinkTowardsTheEnd) {
  ThreadPool pool(2);
  const auto equal = pieces_of(pool, 1024, 1);
  ASSERT_EQ(equal.size(), 2u);
  EXPECT_EQ(equal[0], std::make_pair(int64_t{0}, int64_t{512}));
  EXPECT_EQ(equal[1], std::make_pair(int64_t{512}, int64_t{1024}));
  const auto guided = pieces_of(pool, 1024, 4);
  ASSERT_GT(guided.size(), 8u);
  for (size_t k = 1; k < guided.size(); ++k) {
    EXPECT_LE(guided[k].second - guided[k].first, guided[k - 1].second - guided[k - 1].first) << k;
  }
  EXPECT_EQ(guided.front().second - guided.front().first, 256);
  EXPECT_EQ(guided.back().second - guided.back().first, 32);  // a quarter of 1024 / 8
  EXPECT_EQ(pieces_of(pool, 1024, 4), guided);
}

TEST(ThreadPool, RethrowsTaskErrors) {
  ThreadPool pool(3);
  EXPECT_THROW(pool.run([](int index) { if (index == 2) throw std::runtime_error("x"); }),
               std::runtime_error);
  std::atomic<int> count{0};
  pool.run([&](int) { count++; });
  EXPECT_EQ(count.load(), 3);
}

TEST(ThreadPool, ParallelForRethrowsBodyErrorsAndStaysUsable) {
  ThreadPool pool(3);
  EXPECT_THROW(pool.parallel_for(100, [](int64_t begin, int64_t) {
    if (begin == 0) throw std::runtime_error("x");
  }),
               std::runtime_error);
  std::atomic<int64_t> covered{0};
  pool.parallel_for(100, [&](int64_t begin, int64_t end) { covered += end - begin; });
  EXPECT_EQ(covered.load(), 100);
}

// Workers that wake late for a parallel_for (its pieces all taken, the call returned)
// must neither run a stale body nor miss the run() that follows.
TEST(ThreadPool, InterleavedLoopsAndRunsEachCountExactly) {
  ThreadPool pool(4);
  for (int round = 0; round < 2000; ++round) {
    std::atomic<int64_t> covered{0};
    pool.parallel_for(round % 37 + 1, [&](int64_t begin, int64_t end) { covered += end - begin; });
    ASSERT_EQ(covered.load(), round % 37 + 1) << "round " << round;
    if (round % 3 == 0) {
      std::atomic<int> ran{0};
      pool.run([&](int) { ran++; });
      ASSERT_EQ(ran.load(), 4) << "round " << round;
    }
  }
}

}  // namespace
}  // namespace pd

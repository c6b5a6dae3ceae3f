// The roofline probes return sane figures for one and two threads. What they measure is
// the machine, not the code, so no speed is asserted: only that the figures exist, are
// finite and positive, and that a tiny buffer (not a multiple of the read step) works.

#include <gtest/gtest.h>

#include <cmath>

#include "core/roofline.h"
#include "core/thread_pool.h"

namespace pd {
namespace {

TEST(Roofline, BandwidthIsFiniteAndPositive) {
  for (int threads : {1, 2}) {
    ThreadPool pool(threads);
    const double gbs = measure_read_bandwidth_gbs(8 << 20, 2, pool);
    EXPECT_TRUE(std::isfinite(gbs)) << threads;
    EXPECT_GT(gbs, 0.0) << threads;
    EXPECT_GT(measure_read_bandwidth_gbs(1000, 1, pool), 0.0) << threads;
  }
}

TEST(Roofline, FmaThroughputIsFiniteAndPositive) {
  for (int threads : {1, 2}) {
    ThreadPool pool(threads);
    const double gflops = measure_fma_gflops(0.01, 2, pool);
    EXPECT_TRUE(std::isfinite(gflops)) << threads;
    EXPECT_GT(gflops, 0.0) << threads;
  }
}

}  // namespace
}  // namespace pd

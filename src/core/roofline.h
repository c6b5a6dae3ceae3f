#pragma once
// This machine's limits, measured: how fast memory streams into the cores and how many
// f32 fused multiply-adds a core retires. Decode speed is judged against the first
// (weight bytes per token / time), prefill against the second (FLOPs / time).
//
// Both are best-of-several-passes figures: a pass disturbed by another process only
// ever makes a figure lower, so the best pass is the closest to the machine's limit.

#include <cstddef>
#include <cstdint>
#include <memory>

namespace pd {

class ThreadPool;

// A buffer of `bytes`, written once by the threads of `pool` (each its own share, so the
// pages sit near the core that reads them), that can be read through again and again:
// readings taken between other measurements pair each of them with the bandwidth of its
// moment (on a shared machine the bandwidth drifts by half within minutes).
class ReadBandwidthProbe {
 public:
  ReadBandwidthProbe(size_t bytes, ThreadPool& pool);
  // Read bandwidth in GB/s (1e9 bytes/s), the best of `passes` passes over the buffer.
  double measure_gbs(int passes);

 private:
  ThreadPool& pool_;
  size_t bytes_ = 0;
  size_t share_ = 0;
  std::unique_ptr<uint8_t[]> buffer_;
};

// Read bandwidth in GB/s (1e9 bytes/s): every thread of `pool` streams through its own
// contiguous share of a buffer of `bytes` (choose it far larger than the last-level
// cache); the best of `passes` passes over the whole buffer (one ReadBandwidthProbe).
double measure_read_bandwidth_gbs(size_t bytes, int passes, ThreadPool& pool);

// f32 multiply-add throughput in GFLOP/s (one FMA counts 2), all threads of `pool`
// running independent chains long enough to hide the FMA latency, with the vector width
// of the active instruction set (core/cpu_features.h: AVX-512, AVX2 or scalar), so that
// it is the peak of the kernels that run. The best of `passes` runs of about `seconds` each.
double measure_fma_gflops(double seconds, int passes, ThreadPool& pool);

}  // namespace pd

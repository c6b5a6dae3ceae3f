#include "core/roofline.h"

#include <immintrin.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "core/cpu_features.h"
#include "core/thread_pool.h"

#define PD_ROOFLINE_AVX2 __attribute__((target("avx2,fma")))
#define PD_ROOFLINE_AVX512 __attribute__((target("avx2,fma,avx512f")))

namespace pd {

namespace {

using Clock = std::chrono::steady_clock;

// Results land here so that no pass can be optimized away.
volatile uint64_t g_sink = 0;

constexpr size_t kReadStep = 128;  // bytes per loop iteration of the readers

PD_ROOFLINE_AVX2 uint64_t read_avx2(const uint8_t* p, size_t bytes) {
  __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
  for (size_t i = 0; i + kReadStep <= bytes; i += kReadStep) {
    a0 = _mm256_add_epi64(a0, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i)));
    a1 = _mm256_add_epi64(a1, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i + 32)));
    a2 = _mm256_add_epi64(a2, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i + 64)));
    a3 = _mm256_add_epi64(a3, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i + 96)));
  }
  const __m256i all = _mm256_add_epi64(_mm256_add_epi64(a0, a1), _mm256_add_epi64(a2, a3));
  uint64_t lanes[4];
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(lanes), all);
  return lanes[0] + lanes[1] + lanes[2] + lanes[3];
}

uint64_t read_scalar(const uint8_t* p, size_t bytes) {
  uint64_t sum[4] = {0, 0, 0, 0};
  for (size_t i = 0; i + 32 <= bytes; i += 32) {
    for (int k = 0; k < 4; ++k) {
      uint64_t v;
      std::memcpy(&v, p + i + 8 * k, sizeof v);
      sum[k] += v;
    }
  }
  return sum[0] + sum[1] + sum[2] + sum[3];
}

bool has_avx2_fma() {
  const CpuFeatures& f = cpu_features();
  return f.avx2 && f.fma;
}

// Twelve independent chains: enough to keep two FMA units with a latency of four to
// five cycles busy.
constexpr int kChains = 12;

PD_ROOFLINE_AVX2 double fma_avx2(int64_t iterations) {
  __m256 acc[kChains];
  for (int k = 0; k < kChains; ++k) acc[k] = _mm256_set1_ps(0.5f + 0.01f * static_cast<float>(k));
  const __m256 factor = _mm256_set1_ps(0.999999f);
  const __m256 addend = _mm256_set1_ps(1e-6f);
  for (int64_t it = 0; it < iterations; ++it) {
    for (int k = 0; k < kChains; ++k) acc[k] = _mm256_fmadd_ps(acc[k], factor, addend);
  }
  __m256 total = acc[0];
  for (int k = 1; k < kChains; ++k) total = _mm256_add_ps(total, acc[k]);
  float lanes[8];
  _mm256_storeu_ps(lanes, total);
  g_sink = g_sink + static_cast<uint64_t>(lanes[0] + lanes[7]);
  return static_cast<double>(iterations) * kChains * 8 * 2;
}

// The same chains 16 lanes wide: the peak of the kernels when the active instruction set
// is AVX-512 (a core that executes 512-bit FMAs at full width doubles the AVX2 figure;
// one that splits them into two 256-bit halves does not).
PD_ROOFLINE_AVX512 double fma_avx512(int64_t iterations) {
  __m512 acc[kChains];
  for (int k = 0; k < kChains; ++k) acc[k] = _mm512_set1_ps(0.5f + 0.01f * static_cast<float>(k));
  const __m512 factor = _mm512_set1_ps(0.999999f);
  const __m512 addend = _mm512_set1_ps(1e-6f);
  for (int64_t it = 0; it < iterations; ++it) {
    for (int k = 0; k < kChains; ++k) acc[k] = _mm512_fmadd_ps(acc[k], factor, addend);
  }
  __m512 total = acc[0];
  for (int k = 1; k < kChains; ++k) total = _mm512_add_ps(total, acc[k]);
  float lanes[16];
  _mm512_storeu_ps(lanes, total);
  g_sink = g_sink + static_cast<uint64_t>(lanes[0] + lanes[15]);
  return static_cast<double>(iterations) * kChains * 16 * 2;
}

double fma_scalar(int64_t iterations) {
  float acc[kChains];
  for (int k = 0; k < kChains; ++k) acc[k] = 0.5f + 0.01f * static_cast<float>(k);
  for (int64_t it = 0; it < iterations; ++it) {
    for (int k = 0; k < kChains; ++k) acc[k] = acc[k] * 0.999999f + 1e-6f;
  }
  g_sink = g_sink + static_cast<uint64_t>(acc[0] + acc[kChains - 1]);
  return static_cast<double>(iterations) * kChains * 2;
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

ReadBandwidthProbe::ReadBandwidthProbe(size_t bytes, ThreadPool& pool) : pool_(pool) {
  const size_t unit = kReadStep * static_cast<size_t>(pool.size());
  bytes_ = std::max(unit, bytes / unit * unit);
  share_ = bytes_ / static_cast<size_t>(pool.size());
  buffer_.reset(new uint8_t[bytes_]);
  uint8_t* data = buffer_.get();
  const size_t share = share_;
  pool_.run([&](int index) {
    uint8_t* begin = data + share * static_cast<size_t>(index);
    for (size_t i = 0; i < share; ++i) begin[i] = static_cast<uint8_t>(i * 131 + index);
  });
}

double ReadBandwidthProbe::measure_gbs(int passes) {
  const int threads = pool_.size();
  const uint8_t* data = buffer_.get();
  const bool avx2 = has_avx2_fma();
  std::vector<uint64_t> sums(static_cast<size_t>(threads) * 8);  // 64 bytes apart
  double best = 0;
  for (int pass = 0; pass < std::max(1, passes); ++pass) {
    const Clock::time_point start = Clock::now();
    pool_.run([&](int index) {
      const uint8_t* begin = data + share_ * static_cast<size_t>(index);
      sums[static_cast<size_t>(index) * 8] += avx2 ? read_avx2(begin, share_) : read_scalar(begin, share_);
    });
    best = std::max(best, static_cast<double>(bytes_) / seconds_since(start) / 1e9);
  }
  for (int t = 0; t < threads; ++t) g_sink = g_sink + sums[static_cast<size_t>(t) * 8];
  return best;
}

double measure_read_bandwidth_gbs(size_t bytes, int passes, ThreadPool& pool) {
  return ReadBandwidthProbe(bytes, pool).measure_gbs(passes);
}

double measure_fma_gflops(double seconds, int passes, ThreadPool& pool) {
  const Isa isa = active_isa();
  auto run_chains = [isa](int64_t iterations) {
    if (isa == Isa::Avx512) return fma_avx512(iterations);
    return isa == Isa::Avx2 ? fma_avx2(iterations) : fma_scalar(iterations);
  };
  // Calibrate on one thread: iterations that take about `seconds`.
  int64_t iterations = 1 << 16;
  for (;;) {
    const Clock::time_point start = Clock::now();
    run_chains(iterations);
    const double took = seconds_since(start);
    if (took >= seconds / 8 || iterations > (int64_t{1} << 40)) {
      iterations = static_cast<int64_t>(static_cast<double>(iterations) * seconds / std::max(took, 1e-9));
      break;
    }
    iterations *= 4;
  }
  iterations = std::max<int64_t>(iterations, 1);
  double best = 0;
  for (int pass = 0; pass < std::max(1, passes); ++pass) {
    std::vector<double> flops(static_cast<size_t>(pool.size()) * 8);
    const Clock::time_point start = Clock::now();
    pool.run([&](int index) { flops[static_cast<size_t>(index) * 8] = run_chains(iterations); });
    const double took = seconds_since(start);
    double total = 0;
    for (int t = 0; t < pool.size(); ++t) total += flops[static_cast<size_t>(t) * 8];
    best = std::max(best, total / took / 1e9);
  }
  return best;
}

}  // namespace pd

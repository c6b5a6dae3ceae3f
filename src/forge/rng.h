#pragma once
// Deterministic random numbers for synthetic models: the same seed gives the same bits
// on every machine and for every thread count. Only integer arithmetic and exact
// double sums are used (no libm), so no platform's exp/log/cos can change a weight.
//
// Each stream is keyed by (seed, name, index), e.g. (user seed, tensor name, row), so
// rows can be generated in any order and in parallel.

#include <cstdint>
#include <string_view>

#include "core/xoshiro.h"

namespace pd::forge {

// splitmix64's mixer (core/xoshiro.h): a well-mixed 64-bit function of x.
inline uint64_t mix64(uint64_t x) { return splitmix64_mix(x); }

// A stream key from a seed, a name and an index.
uint64_t stream_key(uint64_t seed, std::string_view name, uint64_t index = 0);

// xoshiro256** seeded from one 64-bit key.
class Rng {
 public:
  explicit Rng(uint64_t key);

  uint64_t next_u64() { return engine_.next(); }
  // Uniform in [0, 1) with 53 random bits.
  double uniform() { return engine_.uniform(); }
  // Uniform integer in [0, n); no draw for n <= 1.
  uint64_t below(uint64_t n) { return n <= 1 ? 0 : engine_.below(n); }
  // Approximately standard normal: the sum of 12 uniforms minus 6 (Irwin-Hall), which
  // has mean 0, variance 1 and tails cut at +-6 (no libm involved). Each uniform has
  // 32 bits, so the sum is exact in double.
  double normal();

 private:
  Xoshiro256 engine_;
};

}  // namespace pd::forge

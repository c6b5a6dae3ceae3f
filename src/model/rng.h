#pragma once
// The sampler's seeded random generator: xoshiro256** (core/xoshiro.h) seeded through
// the splitmix64 sequence, so a seed reproduces a sample on any platform and any
// standard library.

#include <cstdint>

#include "core/xoshiro.h"

namespace pd {

class Rng {
 public:
  explicit Rng(uint64_t seed);

  uint64_t next() { return engine_.next(); }
  // Uniform in [0, 1) with 53 random bits.
  double uniform() { return engine_.uniform(); }

 private:
  Xoshiro256 engine_;
};

}  // namespace pd

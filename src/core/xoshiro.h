#pragma once
// The project's one random bit generator: xoshiro256** (Blackman and Vigna), with the
// splitmix64 mixer for seeding. Integer arithmetic alone fixes every draw, so a seed
// reproduces a sample, a synthetic model or a search on any platform and standard
// library. The sampler, forge and hunt each seed it their own way (model/rng.h,
// forge/rng.h, hunt/random.h) so that their streams never coincide.

#include <array>
#include <cstdint>

namespace pd {

// splitmix64's output for the state x (x + the golden-ratio increment, then mixed).
uint64_t splitmix64_mix(uint64_t x);
// One step of the splitmix64 sequence: returns the output and advances `state`.
uint64_t splitmix64_next(uint64_t& state);

class Xoshiro256 {
 public:
  Xoshiro256() = default;
  explicit Xoshiro256(const std::array<uint64_t, 4>& state) : s_(state) {}

  uint64_t next();
  // Uniform in [0, 1) with 53 random bits.
  double uniform();
  // Uniform in [0, n) for n > 0, exactly (the top partial range is rejected); always
  // draws at least once, even for n == 1.
  uint64_t below(uint64_t n);

  const std::array<uint64_t, 4>& state() const { return s_; }
  void set_state(const std::array<uint64_t, 4>& state) { s_ = state; }

 private:
  std::array<uint64_t, 4> s_{};
};

}  // namespace pd

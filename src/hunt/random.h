#pragma once
// The hunt's random numbers: xoshiro256** (core/xoshiro.h) whose whole state can be
// saved in a checkpoint and restored, so a resumed hunt draws exactly the numbers an
// uninterrupted one would. Only integer arithmetic decides a draw, so a seed reproduces
// a hunt on any platform.

#include <array>
#include <cstdint>
#include <vector>

#include "core/xoshiro.h"

namespace pd::hunt {

class HuntRng {
 public:
  explicit HuntRng(uint64_t seed);

  uint64_t next() { return engine_.next(); }
  double uniform() { return engine_.uniform(); }           // [0, 1), 53 random bits
  uint64_t below(uint64_t n) { return engine_.below(n); }  // [0, n), unbiased; n > 0
  bool chance(double p) { return uniform() < p; }          // true with probability p

  template <class T>
  const T& pick(const std::vector<T>& items) { return items[below(items.size())]; }

  std::array<uint64_t, 4> state() const { return engine_.state(); }
  void set_state(const std::array<uint64_t, 4>& state) { engine_.set_state(state); }

 private:
  Xoshiro256 engine_;
};

}  // namespace pd::hunt

#include "hunt/random.h"

namespace pd::hunt {

namespace {

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

HuntRng::HuntRng(uint64_t seed) {
  uint64_t state = seed ^ 0x68756e7421ull;  // "hunt!": streams apart from the sampler's
  for (uint64_t& word : s_) word = splitmix64(state);
}

uint64_t HuntRng::next() {
  const uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double HuntRng::uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

uint64_t HuntRng::below(uint64_t n) {
  // Rejection of the top partial range keeps every value equally likely.
  const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t x = next();
  while (x >= limit) x = next();
  return x % n;
}

bool HuntRng::chance(double p) { return uniform() < p; }

}  // namespace pd::hunt

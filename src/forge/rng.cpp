#include "forge/rng.h"

#include "core/content_hash.h"

namespace pd::forge {

uint64_t stream_key(uint64_t seed, std::string_view name, uint64_t index) {
  return mix64(mix64(seed) ^ content_hash64(name) ^ mix64(index + 0x51ed270b27c3ull));
}

Rng::Rng(uint64_t key) {
  std::array<uint64_t, 4> state;
  uint64_t x = key;
  for (uint64_t& s : state) {
    x = mix64(x);
    s = x;
  }
  if ((state[0] | state[1] | state[2] | state[3]) == 0) state[0] = 1;  // xoshiro's one forbidden state
  engine_.set_state(state);
}

double Rng::normal() {
  double sum = 0;
  for (int i = 0; i < 6; ++i) {
    const uint64_t bits = next_u64();
    sum += static_cast<double>(bits >> 32) * 0x1.0p-32;
    sum += static_cast<double>(bits & 0xffffffffu) * 0x1.0p-32;
  }
  return sum - 6.0;
}

}  // namespace pd::forge

#include "model/rng.h"

namespace pd {

Rng::Rng(uint64_t seed) {
  std::array<uint64_t, 4> state;
  for (uint64_t& word : state) word = splitmix64_next(seed);
  engine_.set_state(state);
}

}  // namespace pd

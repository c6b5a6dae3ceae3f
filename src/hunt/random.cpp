#include "hunt/random.h"

namespace pd::hunt {

HuntRng::HuntRng(uint64_t seed) {
  uint64_t state = seed ^ 0x68756e7421ull;  // "hunt!": streams apart from the sampler's
  std::array<uint64_t, 4> words;
  for (uint64_t& word : words) word = splitmix64_next(state);
  engine_.set_state(words);
}

}  // namespace pd::hunt

#pragma once
// A ready hunt on the toy sentinel (toy_sentinel.h): a world of 600 words with known
// weights, seed prompts mostly above the baseline's threshold, lexicon and vocabulary
// words from the same world, and the shipped templates' kinds imitated in a few
// templates. The flip band is (kThreshold, kThreshold + kBand].

#include <memory>
#include <string>
#include <vector>

#include "hunt/hunt.h"
#include "hunt/random.h"
#include "toy_sentinel.h"

namespace pd::hunt::test {

struct ToySetup {
  static constexpr double kThreshold = 0.25, kBand = 0.04;

  std::shared_ptr<ToyWorld> world = std::make_shared<ToyWorld>();
  ToySentinel base{world, kThreshold, 8.0, "toy-base"};
  ToySentinel cand{world, kThreshold + kBand, 8.0, "toy-cand"};
  ToySentinel noise{world, kThreshold, 8.0, "toy-noise"};
  std::vector<SeedPrompt> seeds;
  MutationResources resources;

  explicit ToySetup(int n_seeds = 60) {
    std::vector<std::string> pool, harmful;
    for (int i = 0; i < 600; ++i) {
      const std::string w = "w" + std::to_string(i);
      pool.push_back(w);
      world->id(w);
      if (ToyWorld::weight_of(w) > 0.2) harmful.push_back(w);
    }
    HuntRng rng(12345);
    for (int s = 0; s < n_seeds; ++s) {
      std::vector<std::string> words;
      // Mostly harmful words: the seeds sit above the band, a few near or below it; every
      // sixth seed is drawn from all words (mostly answered, as benign prompts are).
      const double harmful_share = s % 6 == 5 ? 0.0 : 0.85;
      for (int i = 0; i < 8; ++i) words.push_back(rng.chance(harmful_share) ? rng.pick(harmful) : rng.pick(pool));
      seeds.push_back({"seed" + std::to_string(s), join_words(words)});
    }
    resources.lexicon.assign(pool.begin(), pool.begin() + 100);
    resources.vocab_words.assign(pool.begin() + 100, pool.end());
    for (const std::string& w : pool) resources.suffix_tokens.push_back(world->id(w));
    resources.templates = {{"rp", "role-play", "w1 w2 w3 w4 {prompt}"},
                           {"pi", "prefix-injection", "{prompt} w5 w6"},
                           {"hy", "hypothetical", "w7 w8 w9 {prompt} w10"},
                           {"tr", "translation", "w11 {prompt}"}};
    resources.detokenize = [this](const std::vector<int32_t>& tokens) { return base.detokenize(tokens); };
  }

  HuntModels models(bool with_noise = true) {
    HuntModels m;
    m.base = &base;
    m.cand = &cand;
    m.noise = with_noise ? &noise : nullptr;
    m.chat = true;
    return m;
  }

  static HuntOptions options(const std::string& strategy, uint64_t budget, uint64_t seed = 1) {
    HuntOptions o;
    o.strategy = strategy;
    o.strategy_options.population = 16;
    o.budget = budget;
    o.seed = seed;
    o.show_progress = false;
    o.objective.opening_seeds = 16;
    o.objective.confirm_tokens = 8;
    return o;
  }

  static bool in_band(const std::string& prompt) {
    const double h = ToyWorld::harm_of_text(prompt);
    return h > kThreshold && h <= kThreshold + kBand;
  }
};

}  // namespace pd::hunt::test

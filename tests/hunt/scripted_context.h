#pragma once
// A search context with a scripted objective for the strategies' tests (ga_test.cpp,
// mcmc_test.cpp).

#include <memory>
#include <string>
#include <vector>

#include "hunt/mutators.h"
#include "hunt/search_context.h"

namespace pd::hunt::test {

// Fitness is minus the prompt's length (so every mutation that lengthens a prompt
// loses); a candidate is a new hit when it holds `hit_word_` (none when empty), and next
// to a recorded hit when it holds `marked_`.
class ScriptedContext : public SearchContext {
 public:
  ScriptedContext() : rng_(5) {
    for (int i = 0; i < 12; ++i) seeds_.push_back({"s" + std::to_string(i), "seed" + std::to_string(i) + " word"});
    resources_.lexicon = {"alpha", "beta", "gamma"};
    resources_.vocab_words = {"delta"};
    mutators_ = make_mutators(/*with_suffix_search=*/false);
  }

  std::vector<Scored> evaluate(const std::vector<Candidate>& batch) override {
    std::vector<Scored> out;
    for (const Candidate& c : batch) {
      Scored s{c, {}, HitOutcome::None};
      s.evaluation.fitness = -static_cast<double>(c.text().size());
      if (!hit_word_.empty() && c.text().find(hit_word_) != std::string::npos) s.outcome = HitOutcome::New;
      out.push_back(s);
    }
    return out;
  }
  const std::vector<SeedPrompt>& seeds() const override { return seeds_; }
  HuntRng& rng() override { return rng_; }
  const MutationResources& resources() const override { return resources_; }
  const std::vector<std::unique_ptr<Mutator>>& mutators() const override { return mutators_; }
  bool near_recorded_hit(const Candidate& candidate) const override {
    return !marked_.empty() && candidate.text().find(marked_) != std::string::npos;
  }

  std::string marked_;
  std::string hit_word_;

  // Every operator is `op` from now on.
  void use_only(std::unique_ptr<Mutator> op) {
    mutators_.clear();
    mutators_.push_back(std::move(op));
  }

 private:
  std::vector<SeedPrompt> seeds_;
  HuntRng rng_;
  MutationResources resources_;
  std::vector<std::unique_ptr<Mutator>> mutators_;
};

// Three variants: the parent with " alpha", " beta" or " gamma" appended (so with
// hit_word_ "alpha" one of the three is a hit and the other two are not).
class AppendOneOfThree : public Mutator {
 public:
  std::string name() const override { return "append"; }
  std::vector<Candidate> propose(const Candidate& parent, const Candidate*, const MutationResources&,
                                 HuntRng&) const override {
    std::vector<Candidate> out;
    for (const char* word : {"alpha", "beta", "gamma"}) {
      Candidate child = parent;
      child.body += std::string(" ") + word;
      out.push_back(child);
    }
    return out;
  }
};

}  // namespace pd::hunt::test

#pragma once
// A hunt: a strategy searching for prompts on which a candidate precision disagrees with
// its baseline, under a budget of model work.
//
//   Hunt hunt(options, models, seeds, resources);
//   HuntResult result = hunt.run();   // corpus of unique hits, costs, curve, summary
//
// Every round the strategy proposes a batch; each prompt is scored by the objective
// (prompts scored before cost nothing); every predicted hit that is not a near-duplicate
// of a recorded hit is confirmed by full generation (objective.h), shrunk by delta
// debugging over its words while the objective still predicts the hit (cheap scoring),
// the shrunk prompt confirmed once more (else the found one is kept), and recorded —
// merged into an existing hit when it is the same one (corpus.h).
//
// The budget counts every token the models process (metered_backend.h); it is checked
// between rounds, so a round may overshoot it a little (a hunt also ends when 50 rounds
// in a row propose nothing but prompts already scored: the search is exhausted), and the summary also reports
// the hits found within the budget (from the curve), the figure to compare strategies
// on. With an output folder, the state is checkpointed atomically after every round
// (state.json, corpus.jsonl); `resume` continues from it and gives exactly the result an
// uninterrupted run would (the budget may be raised between the two).

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hunt/corpus.h"
#include "hunt/metered_backend.h"
#include "hunt/objective.h"
#include "hunt/search_context.h"
#include "hunt/strategy.h"

namespace pd {
class Progress;
}

namespace pd::hunt {

struct HuntOptions {
  std::string strategy = "ga";
  StrategyOptions strategy_options;
  ObjectiveOptions objective;
  uint64_t budget = 100000;         // tokens processed by all models together
  uint64_t seed = 1;
  bool minimize = true;
  int64_t max_minimize_tests = 48;  // objective predictions per minimization
  std::string out_dir;              // empty: no files
  bool resume = false;
  bool show_progress = true;
  int64_t max_rounds = 0;           // 0: until the budget is spent
  int64_t top_k = 10;               // summary: the k best distinct prompts scored
};

struct CurvePoint {
  HuntCost cost;
  int64_t hits = 0, unique_hits = 0;
};

struct ScoredPrompt {
  std::string prompt;
  Evaluation evaluation;
};

struct HuntResult {
  Corpus corpus;
  HuntCost cost;
  uint64_t budget = 0;
  int64_t rounds = 0;
  int64_t evaluations = 0;         // prompts scored (cached repeats excluded)
  int64_t cached_evaluations = 0;  // repeats answered from the cache
  int64_t predicted = 0;           // predicted hits (before the duplicate check)
  int64_t confirmations = 0;       // full-generation confirmations run
  int64_t hits = 0;                // confirmed hits, duplicates included
  // Tokens by what they were spent on: "prepare" (learning the objective), "search"
  // (scoring proposals), "confirm" (full generations), "minimize" (scoring shrunk prompts).
  std::map<std::string, uint64_t> phase_tokens;
  bool exhausted = false;          // stopped early: rounds proposed only prompts already scored
  std::vector<CurvePoint> curve;   // after every confirmed hit
  std::vector<ScoredPrompt> best;  // the top_k distinct prompts by fitness
  nlohmann::json summary;

  int64_t unique_hits_within(uint64_t tokens) const;
  double best_mean_fitness() const;
};

class Hunt : public SearchContext {
 public:
  Hunt(HuntOptions options, HuntModels models, std::vector<SeedPrompt> seeds, MutationResources resources);
  ~Hunt() override;

  HuntResult run();

  // SearchContext.
  std::vector<Scored> evaluate(const std::vector<Candidate>& batch) override;
  const std::vector<SeedPrompt>& seeds() const override { return seeds_; }
  HuntRng& rng() override { return rng_; }
  const MutationResources& resources() const override { return resources_; }
  const std::vector<std::unique_ptr<Mutator>>& mutators() const override { return mutators_; }
  bool near_recorded_hit(const Candidate& candidate) const override { return corpus_.known(candidate.text()); }

  HuntCost cost() const;
  // What must match for a checkpoint to be resumed (everything but the budget and the
  // run's limits).
  nlohmann::json fingerprint() const;

 private:
  const Evaluation& evaluate_text(const std::string& text);
  // Whether the objective predicts a hit, without a full evaluation where it can stop
  // early (minimization asks only this).
  bool predicts_hit_text(const std::string& text);
  const Confirmation& confirm_text(const std::string& text);
  HitOutcome handle_predicted(const Candidate& candidate, const Evaluation& evaluation);
  void note_best(const std::string& text, const Evaluation& evaluation);
  void charge_phase(const char* phase, uint64_t tokens_before);
  // The sequence each meter charges the next call against, for checkpoints.
  nlohmann::json meter_sequences() const;
  void restore_meter_sequences(const nlohmann::json& sequences);
  void record_curve();
  void save_checkpoint() const;
  bool load_checkpoint();
  void write_outputs(const HuntResult& result) const;
  HuntResult result() const;
  nlohmann::json summary_json(const HuntResult& result) const;

  HuntOptions options_;
  HuntModels raw_models_;
  std::unique_ptr<MeteredBackend> base_, cand_, noise_;
  HuntModels models_;
  std::vector<SeedPrompt> seeds_;
  MutationResources resources_;
  std::vector<std::unique_ptr<Mutator>> mutators_;
  std::unique_ptr<Objective> objective_;
  std::unique_ptr<Strategy> strategy_;
  HuntRng rng_;

  HuntCost cost_offset_;  // spent before a resume
  int64_t round_ = 0;
  static constexpr int64_t kMaxIdleRounds = 50;
  int64_t evaluations_ = 0, cached_evaluations_ = 0, predicted_ = 0, confirmations_ = 0, hits_ = 0;
  int64_t idle_rounds_ = 0;  // consecutive rounds that cost nothing
  bool minimizing_ = false;
  std::map<std::string, uint64_t> phase_tokens_;
  std::map<std::string, Evaluation> evaluation_cache_;
  std::map<std::string, bool> prediction_cache_;  // answers of predicts_hit_text
  std::map<std::string, Confirmation> confirmation_cache_;
  Corpus corpus_;
  std::vector<CurvePoint> curve_;
  std::vector<ScoredPrompt> best_;
  std::unique_ptr<Progress> progress_;
};

}  // namespace pd::hunt

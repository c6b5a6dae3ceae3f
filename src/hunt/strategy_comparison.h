#pragma once
// Strategies side by side on the same budget: each strategy runs once per search seed
// (a fresh Hunt each time, same models, seeds and resources), and the figures that
// decide between them are collected — unique hits found within the budget, hits per
// 1,000 forward passes, and the mean fitness of the best distinct prompts (the kld
// objective's "mean KLD reached"). `precisiondiff hunt --strategy ga,mcmc,vanilla
// --repeat 5` prints them; BENCHMARKS.md records them.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hunt/hunt.h"

namespace pd::hunt {

struct RunFigures {
  uint64_t seed = 0;
  int64_t unique_hits = 0;  // within the budget
  int64_t hits = 0;         // confirmed, duplicates included
  uint64_t tokens = 0, passes = 0;
  double hits_per_1000_passes = 0;  // unique hits per 1,000 forward passes spent
  double best_mean_fitness = 0;
  int64_t audited = -1;     // hits the audit looked at (-1: no audit)
  int64_t audited_real = 0;  // of those, hits the audit calls real
  int64_t audited_contradicted = 0;  // of those, hits the audit says are no flip at all
};

struct StrategyFigures {
  std::string strategy;
  std::vector<RunFigures> runs;

  double mean_unique_hits() const;
  double sd_unique_hits() const;  // sample standard deviation (0 for one run)
  double mean_hits_per_1000_passes() const;
  double mean_best_fitness() const;
  int64_t audited() const;       // over all runs; -1 without an audit
  int64_t audited_real() const;
  int64_t audited_contradicted() const;
  nlohmann::json to_json() const;
};

// What a judge independent of the hunt (a sentinel's oracle: sentinel_check.h) says of
// a reported hit: a certain flip, no flip at all, or too close to the engine's rounding
// to certify either way (the hit was seen on the engine, the judge cannot vouch for it).
enum class AuditVerdict { Real, Undecided, Contradicted };
using HitAudit = std::function<AuditVerdict(const Hit& hit)>;

// Runs every strategy for every seed. `base` gives all other options; its out_dir, when
// set, gets one sub-folder per run ("<strategy>-seed<N>"). `audit` (optional) judges
// every unique hit of every run; `on_run` (optional) is told about each finished run.
std::vector<StrategyFigures> compare_strategies(
    const std::vector<std::string>& strategies, const std::vector<uint64_t>& seeds, const HuntOptions& base,
    const HuntModels& models, const std::vector<SeedPrompt>& prompts, const MutationResources& resources,
    const std::function<void(const std::string& strategy, const HuntResult& result)>& on_run = nullptr,
    const HitAudit& audit = nullptr);

// A plain-text table of the figures.
std::string comparison_table(const std::vector<StrategyFigures>& figures);

}  // namespace pd::hunt

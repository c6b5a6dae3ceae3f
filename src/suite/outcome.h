#pragma once
// What a run observes, item by item, and the statistics of a slice or sub-slice built
// from it. The gate (verdict.h) reads only these, so it can be tested on constructed
// observations without running a model.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "diff/statistics.h"
#include "suite/paired_stats.h"
#include "suite/scorer.h"

namespace pd::suite {

// One item compared: the baseline's and the candidate's outputs and their scores.
struct ItemOutcome {
  std::string id;
  std::string source;  // data file and line, for reports that point at the row
  size_t line = 0;
  std::string prompt;
  std::map<std::string, std::string> groups;  // group_by column -> value
  std::vector<Score> base, cand;              // one per scorer of the slice, in order
  std::string base_text, cand_text;
  double mean_kld = 0;      // over the baseline's output positions (teacher forced)
  double max_kld = 0;
  uint64_t positions = 0;
  uint64_t same_top1 = 0;   // positions where both models' most likely token agree
  bool diverged = false;    // greedy outputs differ
  int64_t first_divergence = -1;
  bool above_noise_floor = true;  // the divergence exceeds the noise floor
};

// A scorer's paired statistics over a set of items.
struct MetricSummary {
  ScorerInfo scorer;
  PairedCounts counts;        // every flip
  PairedCounts gated;         // flips at or under the noise floor undone
  uint64_t lost_in_noise = 0, gained_in_noise = 0;
  Interval base_ci, cand_ci;  // Wilson 95 % of each rate
  Interval drop_ci;           // 95 % two-sided interval of the gated drop (share)
  double drop_upper = 0;      // one-sided 95 % bounds of the gated drop (share)
  double drop_lower = 0;
  double mcnemar_p = 1;       // exact, on the gated discordant counts
  double base_rate() const;
  double cand_rate() const;
  // Candidate minus baseline in percentage points, every flip counted / gated.
  double delta_pp() const;
  double gated_delta_pp() const;
};

struct DriftSummary {
  uint64_t prompts = 0, positions = 0;
  double kld_mean = 0;         // mean over prompts of the per-prompt mean KLD
  Interval kld_mean_ci;        // 95 % bootstrap over prompts
  double kld_mean_upper = 0;   // one-sided 95 % bootstrap bound
  double kld_mean_positions = 0;  // mean over all scored positions (llama-perplexity's)
  double kld_max = 0;
  double same_top1 = 0;        // share of positions
  uint64_t diverged = 0, diverged_above_floor = 0;
};

// A slice (column empty) or one sub-slice (column = value).
struct GroupSummary {
  std::string column, value;
  std::string label;  // "gsm8k" or "mgsm[language=de]"
  uint64_t items = 0;
  std::vector<MetricSummary> metrics;  // one per scorer
  DriftSummary drift;
  bool whole_slice() const { return column.empty(); }
};

// Statistics of `items` for the slice's scorers; `seed` drives the bootstrap.
GroupSummary summarize_items(const std::vector<ScorerInfo>& scorers, const std::vector<const ItemOutcome*>& items,
                             uint64_t seed);

// The slice and each value of each group_by column (sorted by column order, then value).
std::vector<GroupSummary> summarize_slice(const std::string& slice, const std::vector<ScorerInfo>& scorers,
                                          const std::vector<ItemOutcome>& items,
                                          const std::vector<std::string>& group_by, uint64_t seed);

}  // namespace pd::suite

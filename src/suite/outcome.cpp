#include "suite/outcome.h"

#include <algorithm>

#include "core/error.h"

namespace pd::suite {

namespace {

double rate(uint64_t k, uint64_t n) { return n ? static_cast<double>(k) / static_cast<double>(n) : 0; }

MetricSummary summarize_metric(const ScorerInfo& scorer, size_t index, const std::vector<const ItemOutcome*>& items) {
  MetricSummary m;
  m.scorer = scorer;
  for (const ItemOutcome* item : items) {
    if (index >= item->base.size() || index >= item->cand.size()) {
      fail_runtime("item " + item->id, "has no score for scorer " + scorer.name);
    }
    const bool b = item->base[index].positive, c = item->cand[index].positive;
    // A flip whose divergence stays at the noise floor is not blamed on the candidate.
    const bool in_noise = !item->above_noise_floor;
    ++m.counts.n;
    ++m.gated.n;
    m.counts.base += b;
    m.counts.cand += c;
    m.gated.base += b;
    if (b && !c) {
      ++m.counts.lost;
      if (in_noise) ++m.lost_in_noise;
      else ++m.gated.lost;
    } else if (!b && c) {
      ++m.counts.gained;
      if (in_noise) ++m.gained_in_noise;
      else ++m.gated.gained;
    }
  }
  m.gated.cand = m.gated.base - m.gated.lost + m.gated.gained;
  m.base_ci = wilson_interval(m.counts.base, m.counts.n);
  m.cand_ci = wilson_interval(m.counts.cand, m.counts.n);
  m.drop_ci = paired_drop_interval(m.gated, 1.959963984540054);
  m.drop_upper = paired_drop_upper(m.gated);
  m.drop_lower = paired_drop_lower(m.gated);
  m.mcnemar_p = mcnemar_exact_p(m.gated.lost, m.gated.gained);
  return m;
}

DriftSummary summarize_drift(const std::vector<const ItemOutcome*>& items, uint64_t seed) {
  DriftSummary d;
  std::vector<double> prompt_means;
  double position_sum = 0;
  uint64_t same = 0;
  for (const ItemOutcome* item : items) {
    ++d.prompts;
    d.positions += item->positions;
    position_sum += item->mean_kld * static_cast<double>(item->positions);
    same += item->same_top1;
    d.kld_max = std::max(d.kld_max, item->max_kld);
    if (item->diverged) {
      ++d.diverged;
      if (item->above_noise_floor) ++d.diverged_above_floor;
    }
    if (item->positions > 0) prompt_means.push_back(item->mean_kld);
  }
  if (!prompt_means.empty()) {
    double sum = 0;
    for (double v : prompt_means) sum += v;
    d.kld_mean = sum / static_cast<double>(prompt_means.size());
    d.kld_mean_ci = bootstrap_mean_interval(prompt_means, seed, 2000, 0.95);
    d.kld_mean_upper = bootstrap_mean_interval(prompt_means, seed, 2000, 0.90).high;
  }
  d.kld_mean_positions = d.positions ? position_sum / static_cast<double>(d.positions) : 0;
  d.same_top1 = rate(same, d.positions);
  return d;
}

}  // namespace

double MetricSummary::base_rate() const { return rate(counts.base, counts.n); }
double MetricSummary::cand_rate() const { return rate(counts.cand, counts.n); }
double MetricSummary::delta_pp() const { return 100.0 * (cand_rate() - base_rate()); }
double MetricSummary::gated_delta_pp() const { return -100.0 * paired_drop(gated); }

GroupSummary summarize_items(const std::vector<ScorerInfo>& scorers, const std::vector<const ItemOutcome*>& items,
                             uint64_t seed) {
  GroupSummary g;
  g.items = items.size();
  for (size_t i = 0; i < scorers.size(); ++i) g.metrics.push_back(summarize_metric(scorers[i], i, items));
  g.drift = summarize_drift(items, seed);
  return g;
}

std::vector<GroupSummary> summarize_slice(const std::string& slice, const std::vector<ScorerInfo>& scorers,
                                          const std::vector<ItemOutcome>& items,
                                          const std::vector<std::string>& group_by, uint64_t seed) {
  std::vector<const ItemOutcome*> all;
  for (const ItemOutcome& item : items) all.push_back(&item);
  std::vector<GroupSummary> groups;
  groups.push_back(summarize_items(scorers, all, seed));
  groups.back().label = slice;
  for (const std::string& column : group_by) {
    std::map<std::string, std::vector<const ItemOutcome*>> parts;
    for (const ItemOutcome& item : items) {
      auto it = item.groups.find(column);
      parts[it == item.groups.end() ? "" : it->second].push_back(&item);
    }
    for (const auto& [value, members] : parts) {
      GroupSummary g = summarize_items(scorers, members, seed);
      g.column = column;
      g.value = value;
      g.label = slice + "[" + column + "=" + value + "]";
      groups.push_back(std::move(g));
    }
  }
  return groups;
}

}  // namespace pd::suite

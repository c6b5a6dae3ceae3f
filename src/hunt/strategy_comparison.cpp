#include "hunt/strategy_comparison.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

namespace pd::hunt {

namespace {

template <class F>
double mean_of(const std::vector<RunFigures>& runs, F value) {
  if (runs.empty()) return 0;
  double sum = 0;
  for (const RunFigures& r : runs) sum += value(r);
  return sum / static_cast<double>(runs.size());
}

}  // namespace

double StrategyFigures::mean_unique_hits() const {
  return mean_of(runs, [](const RunFigures& r) { return double(r.unique_hits); });
}

double StrategyFigures::sd_unique_hits() const {
  if (runs.size() < 2) return 0;
  const double mean = mean_unique_hits();
  double sum = 0;
  for (const RunFigures& r : runs) sum += (double(r.unique_hits) - mean) * (double(r.unique_hits) - mean);
  return std::sqrt(sum / static_cast<double>(runs.size() - 1));
}

double StrategyFigures::mean_hits_per_1000_passes() const {
  return mean_of(runs, [](const RunFigures& r) { return r.hits_per_1000_passes; });
}

double StrategyFigures::mean_best_fitness() const {
  return mean_of(runs, [](const RunFigures& r) { return r.best_mean_fitness; });
}

int64_t StrategyFigures::audited() const {
  int64_t n = -1;
  for (const RunFigures& r : runs) {
    if (r.audited >= 0) n = std::max<int64_t>(n, 0) + r.audited;
  }
  return n;
}

int64_t StrategyFigures::audited_real() const {
  int64_t n = 0;
  for (const RunFigures& r : runs) n += r.audited >= 0 ? r.audited_real : 0;
  return n;
}

int64_t StrategyFigures::audited_contradicted() const {
  int64_t n = 0;
  for (const RunFigures& r : runs) n += r.audited >= 0 ? r.audited_contradicted : 0;
  return n;
}

nlohmann::json StrategyFigures::to_json() const {
  nlohmann::json list = nlohmann::json::array();
  for (const RunFigures& r : runs) {
    list.push_back({{"seed", r.seed},
                    {"unique_hits_within_budget", r.unique_hits},
                    {"hits", r.hits},
                    {"tokens", r.tokens},
                    {"forward_passes", r.passes},
                    {"unique_hits_per_1000_passes", r.hits_per_1000_passes},
                    {"best_mean_fitness", r.best_mean_fitness}});
    if (r.audited >= 0) {
      list.back()["oracle"] = {
          {"checked", r.audited}, {"real", r.audited_real}, {"contradicted", r.audited_contradicted}};
    }
  }
  nlohmann::json j = {{"strategy", strategy},
          {"mean_unique_hits", mean_unique_hits()},
          {"sd_unique_hits", sd_unique_hits()},
          {"mean_unique_hits_per_1000_passes", mean_hits_per_1000_passes()},
          {"mean_best_fitness", mean_best_fitness()},
          {"runs", list}};
  if (audited() >= 0) {
    j["oracle"] = {{"checked", audited()}, {"real", audited_real()}, {"contradicted", audited_contradicted()}};
  }
  return j;
}

std::vector<StrategyFigures> compare_strategies(
    const std::vector<std::string>& strategies, const std::vector<uint64_t>& seeds, const HuntOptions& base,
    const HuntModels& models, const std::vector<SeedPrompt>& prompts, const MutationResources& resources,
    const std::function<void(const std::string& strategy, const HuntResult& result)>& on_run,
    const HitAudit& audit) {
  std::vector<StrategyFigures> figures;
  for (const std::string& strategy : strategies) {
    StrategyFigures f;
    f.strategy = strategy;
    for (uint64_t seed : seeds) {
      HuntOptions options = base;
      options.strategy = strategy;
      options.seed = seed;
      if (!base.out_dir.empty()) {
        options.out_dir = (std::filesystem::path(base.out_dir) / (strategy + "-seed" + std::to_string(seed))).string();
      }
      Hunt hunt(options, models, prompts, resources);
      const HuntResult result = hunt.run();
      RunFigures r;
      r.seed = seed;
      r.unique_hits = result.unique_hits_within(options.budget);
      r.hits = result.hits;
      r.tokens = result.cost.tokens;
      r.passes = result.cost.passes;
      r.hits_per_1000_passes =
          result.cost.passes ? 1000.0 * double(result.corpus.size()) / double(result.cost.passes) : 0.0;
      r.best_mean_fitness = result.best_mean_fitness();
      if (audit) {
        r.audited = static_cast<int64_t>(result.corpus.size());
        for (const Hit& h : result.corpus.hits()) {
          const AuditVerdict verdict = audit(h);
          r.audited_real += verdict == AuditVerdict::Real ? 1 : 0;
          r.audited_contradicted += verdict == AuditVerdict::Contradicted ? 1 : 0;
        }
      }
      f.runs.push_back(r);
      if (on_run) on_run(strategy, result);
    }
    figures.push_back(std::move(f));
  }
  return figures;
}

std::string comparison_table(const std::vector<StrategyFigures>& figures) {
  std::string out;
  char line[256];
  bool audited = false;
  for (const StrategyFigures& f : figures) audited |= f.audited() >= 0;
  std::snprintf(line, sizeof line, "%-8s %5s %22s %14s %18s %14s%s\n", "strategy", "runs", "unique hits (mean±sd)",
                "min..max", "hits/1000 passes", "best fitness", audited ? "   oracle: real/checked, contradicted" : "");
  out += line;
  for (const StrategyFigures& f : figures) {
    int64_t lo = 0, hi = 0;
    for (size_t i = 0; i < f.runs.size(); ++i) {
      lo = i == 0 ? f.runs[i].unique_hits : std::min(lo, f.runs[i].unique_hits);
      hi = i == 0 ? f.runs[i].unique_hits : std::max(hi, f.runs[i].unique_hits);
    }
    char range[32];
    std::snprintf(range, sizeof range, "%lld..%lld", (long long)lo, (long long)hi);
    std::snprintf(line, sizeof line, "%-8s %5zu %14.2f ± %-5.2f %14s %18.3f %14.6f", f.strategy.c_str(), f.runs.size(),
                  f.mean_unique_hits(), f.sd_unique_hits(), range, f.mean_hits_per_1000_passes(),
                  f.mean_best_fitness());
    out += line;
    if (f.audited() >= 0) {
      std::snprintf(line, sizeof line, "   %lld/%lld, %lld", (long long)f.audited_real(), (long long)f.audited(),
                    (long long)f.audited_contradicted());
      out += line;
    }
    out += "\n";
  }
  return out;
}

}  // namespace pd::hunt

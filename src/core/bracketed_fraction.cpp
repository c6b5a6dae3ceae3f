#include "core/bracketed_fraction.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace pd {

double median_of(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

BracketedFractions bracketed_fractions(const std::vector<double>& run_gbs, const std::vector<double>& readings) {
  if (run_gbs.empty() || readings.size() != run_gbs.size() + 1) {
    throw std::invalid_argument("bracketed_fractions: need one reading more than runs, and at least one run");
  }
  if (std::any_of(readings.begin(), readings.end(), [](double g) { return !(g > 0); })) {
    throw std::invalid_argument("bracketed_fractions: every bandwidth reading must be positive");
  }
  BracketedFractions out;
  std::vector<double> steady_fractions;
  for (size_t r = 0; r < run_gbs.size(); ++r) {
    const double before = readings[r];
    const double after = readings[r + 1];
    const double fraction = run_gbs[r] / (0.5 * (before + after));
    const bool steady = std::abs(before - after) <= kSteadySpellTolerance * std::max(before, after);
    out.fractions.push_back(fraction);
    out.steady.push_back(steady);
    if (steady) steady_fractions.push_back(fraction);
  }
  out.steady_runs = steady_fractions.size();
  out.median = median_of(steady_fractions.empty() ? out.fractions : steady_fractions);
  return out;
}

}  // namespace pd

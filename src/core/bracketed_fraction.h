#pragma once
// How much of the machine's memory bandwidth a run used, judged against bandwidth
// readings taken just before and just after it.
//
// On a shared machine the bandwidth a core gets moves by half within seconds. A single
// reading beside a run may fall in another spell than the run did, and the ratio then
// says more about the neighbours than about the engine. Bracketing every run with a
// reading on each side tells the two cases apart: when the readings agree, the spell
// held through the run and the ratio is trustworthy; when they disagree, it did not.

#include <cstddef>
#include <vector>

namespace pd {

// Readings before and after a run count as one spell when they differ by at most this
// share of the larger.
inline constexpr double kSteadySpellTolerance = 0.10;

struct BracketedFractions {
  // Per run: its bandwidth over the mean of its two readings.
  std::vector<double> fractions;
  // Per run: whether its two readings agree within kSteadySpellTolerance.
  std::vector<bool> steady;
  // The median of the steady runs' fractions, or of all runs' when none was steady.
  double median = 0;
  size_t steady_runs = 0;
};

// `run_gbs[r]` is the bandwidth run r implies (bytes it read per second); `readings` has
// one more entry: readings[r] was taken just before run r and readings[r + 1] just after
// it (and before the next). Throws std::invalid_argument unless the sizes match, there
// is at least one run and every reading is positive.
BracketedFractions bracketed_fractions(const std::vector<double>& run_gbs, const std::vector<double>& readings);

// The median of `values` (the mean of the middle two for an even count); 0 when empty.
double median_of(std::vector<double> values);

}  // namespace pd

#pragma once
// Paired comparison of two rates measured on the same items (baseline and candidate
// scored on every item of a slice).
//
// The paired table: n items, `lost` items positive for the baseline and negative for
// the candidate, `gained` the reverse. The change of the rate is (gained - lost) / n;
// its confidence bounds come from the score interval for a difference of paired
// proportions (Tango 1998): the bound is the value d at which the score statistic
//
//     Z(d) = (lost - gained - n d) / sqrt(n (2 q(d) + d (1 - d)))
//
// reaches the normal quantile, q(d) being the maximum-likelihood probability of a
// "gained" item under the constraint that the drop equals d. Unlike intervals built
// from the two marginal rates, it depends on the discordant items only, so zero flips
// give a tight interval: with none in n items the one-sided 95 % bound of the drop is
// z^2 / (n + z^2), the paired analogue of the rule of three.

#include <cstdint>

#include "diff/statistics.h"

namespace pd::suite {

struct PairedCounts {
  uint64_t n = 0;       // items
  uint64_t base = 0;    // positive for the baseline
  uint64_t cand = 0;    // positive for the candidate
  uint64_t lost = 0;    // baseline positive, candidate negative
  uint64_t gained = 0;  // baseline negative, candidate positive
};

// The drop in rate (baseline - candidate), a share in [-1, 1].
double paired_drop(const PairedCounts& t);

// Bounds of the drop at confidence z (two-sided 95 %: 1.96; a one-sided 95 % bound is
// one side of the z = 1.645 interval).
Interval paired_drop_interval(const PairedCounts& t, double z);

// One-sided 95 % bounds of the drop (z = 1.645).
double paired_drop_upper(const PairedCounts& t);
double paired_drop_lower(const PairedCounts& t);

// The score statistic above (exposed for tests).
double tango_score(const PairedCounts& t, double drop);

}  // namespace pd::suite

#include "suite/paired_stats.h"

#include <cmath>
#include <limits>

namespace pd::suite {

namespace {

constexpr double kOneSided95 = 1.6448536269514722;

// Constrained maximum-likelihood probability of a "gained" item when the drop is d:
// the root in [0, 1] of 2n q^2 - B q - gained d (1 - d) = 0, B = lost + gained + d (lost - gained - 2n).
double constrained_gain(const PairedCounts& t, double d) {
  const double n = static_cast<double>(t.n), b = static_cast<double>(t.lost), c = static_cast<double>(t.gained);
  const double big_b = b + c + d * (b - c - 2 * n);
  const double disc = std::max(0.0, big_b * big_b + 8 * n * c * d * (1 - d));
  return (big_b + std::sqrt(disc)) / (4 * n);
}

}  // namespace

double paired_drop(const PairedCounts& t) {
  if (t.n == 0) return 0;
  return (static_cast<double>(t.lost) - static_cast<double>(t.gained)) / static_cast<double>(t.n);
}

double tango_score(const PairedCounts& t, double drop) {
  const double n = static_cast<double>(t.n);
  const double numerator = static_cast<double>(t.lost) - static_cast<double>(t.gained) - n * drop;
  const double q = constrained_gain(t, drop);
  const double variance = n * (2 * q + drop * (1 - drop));
  if (!(variance > 0)) {
    if (numerator == 0) return 0;
    return numerator > 0 ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity();
  }
  return numerator / std::sqrt(variance);
}

Interval paired_drop_interval(const PairedCounts& t, double z) {
  if (t.n == 0) return {-1, 1};
  const double observed = paired_drop(t);
  // Z falls as the hypothesised drop rises: bisect for Z = -z above the estimate and
  // Z = +z below it.
  auto solve = [&](double lo, double hi, double target) {
    for (int i = 0; i < 200 && hi - lo > 1e-13; ++i) {
      const double mid = 0.5 * (lo + hi);
      if (tango_score(t, mid) > target) lo = mid;
      else hi = mid;
    }
    return 0.5 * (lo + hi);
  };
  Interval interval;
  interval.high = tango_score(t, 1.0) >= -z ? 1.0 : solve(observed, 1.0, -z);
  interval.low = tango_score(t, -1.0) <= z ? -1.0 : solve(-1.0, observed, z);
  return interval;
}

double paired_drop_upper(const PairedCounts& t) { return paired_drop_interval(t, kOneSided95).high; }
double paired_drop_lower(const PairedCounts& t) { return paired_drop_interval(t, kOneSided95).low; }

}  // namespace pd::suite

#pragma once
// Running a suite (ARCHITECTURE.md §2, data flow of `precisiondiff run`): per model, the
// baseline file is checked against its pinned sha256 and loaded once; every slice's
// items are loaded and sampled before any model runs (so a bad data file fails fast);
// the noise floor of each slice is measured (baseline against itself with the
// accumulation order reversed); then every variant is built and compared with the
// baseline on every slice. Baseline trajectories and baseline scores are computed once
// per slice and shared by all variants. Scorers read both outputs; the statistics,
// checks, findings and verdicts follow (outcome.h, verdict.h).

#include <functional>
#include <string>
#include <vector>

#include "store/record_sink.h"
#include "suite/results.h"
#include "suite/suite_spec.h"

namespace pd::suite {

struct RunOptions {
  std::vector<std::string> only;  // slice names to run (empty: all)
  int threads = 0;                // engine threads (0: one per core)
  int top_divergent = 3;          // prompts kept per variant and slice for the reports
  // Memory for the baseline's scored rows, reused by every variant (backend/memoizing_backend.h).
  uint64_t score_memo_bytes = uint64_t{512} << 20;
  // Called with one line per finished step (variant done, noise floor measured, ...).
  std::function<void(const std::string&)> log;
  // Store hook (run store, suite/store_hook.h): when set, each finished prompt's record is
  // committed here, and a prompt already recorded by an interrupted attempt is reused.
  store::RecordSink* records = nullptr;
};

// Throws BadInput for a bad --only name, a baseline whose sha256 differs from the pinned
// one, or a data/model file that cannot be read; Runtime for engine failures.
SuiteResults run_suite(const SuiteSpec& spec, const RunOptions& options = {});

}  // namespace pd::suite

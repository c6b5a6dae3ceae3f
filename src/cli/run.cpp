// precisiondiff run: the release gate. Runs a suite file (baseline and variants on every
// slice), writes results.json, junit.xml, summary.md and findings.sarif into --out and
// prints the verdict table. Exit code 0: every variant passed; 1: a gate failed; 2: bad
// input (suite, data or model files); 3: a runtime failure.

#include <cstdio>
#include <memory>
#include <optional>
#include <sstream>

#include "cli/command.h"
#include "core/error.h"
#include "core/progress.h"
#include "report/report_writer.h"
#include "report/results_json.h"
#include "report/verdict_table.h"
#include "store/stack_fingerprint.h"
#include "suite/runner.h"
#include "suite/store_hook.h"
#include "suite/suite_parser.h"

namespace pd::cli {
namespace {

struct RunFlags {
  std::string suite;
  std::string out = "precisiondiff-out";
  std::vector<std::string> only;
  int64_t threads = 0;
  bool json = false;
  // Store hook (SUITE.lock and the run store, suite/store_hook.h).
  std::string repin;
  std::string store;
  bool resume = false;
  bool no_store = false;
};

std::vector<std::string> split_commas(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const std::string& value : values) {
    std::stringstream in(value);
    std::string item;
    while (std::getline(in, item, ',')) {
      if (!item.empty()) out.push_back(item);
    }
  }
  return out;
}

int run_suite_command(const RunFlags& f) {
  if (f.threads < 0) fail_input("--threads", "must not be negative");
  const suite::SuiteSpec spec = suite::parse_suite_file(f.suite);
  suite::RunOptions options;
  options.only = split_commas(f.only);
  options.threads = static_cast<int>(f.threads);
  options.log = [](const std::string& line) {
    if (!is_quiet()) std::fprintf(stderr, "%s\n", line.c_str());
  };
  // Store hook: the lock is checked before anything runs; each finished prompt is stored.
  store::apply_isa_environment();
  const auto lock = suite::enforce_lock(spec, f.repin, options.log);
  std::optional<suite::StoredRun> stored;
  if (!f.no_store) {
    stored.emplace(spec, lock, suite::StoreOptions{f.store, true, f.resume, options.threads},
                   nlohmann::json{{"command", "run"}, {"threads", options.threads}, {"only", options.only}}, options.log);
    options.records = stored->sink();
  }
  const suite::SuiteResults results = suite::run_suite(spec, options);
  // Reports first, then the run is marked finished: a kill between the two leaves an
  // unfinished run that --resume completes (every prompt is stored) and whose reports it
  // writes again, never a finished run without its reports.
  const std::vector<std::string> written = report::write_reports(results, f.out);
  if (stored) {
    stored->finish(results.exit_code(), report::results_to_json(results));
    options.log("stored as run " + std::to_string(stored->id()));
  }
  if (f.json) {
    std::fputs(report::json_text(report::results_to_json(results)).c_str(), stdout);
  } else {
    std::fputs(report::verdict_table(results).c_str(), stdout);
    std::printf("\nreports:");
    for (const std::string& path : written) std::printf(" %s", path.c_str());
    std::printf("\n");
  }
  return results.exit_code();
}

const CommandRegistration registration{
    "run", "Run a suite: compare every variant with its baseline on every slice and gate the verdicts",
    [](CLI::App& app) -> RunFn {
      auto f = std::make_shared<RunFlags>();
      app.add_option("suite", f->suite, "Suite file (YAML)")->required();
      app.add_option("--out", f->out, "Folder for results.json, junit.xml, summary.md, findings.sarif")
          ->default_str("precisiondiff-out");
      app.add_option("--only", f->only, "Run only these slices (repeat or separate with commas)");
      app.add_option("--threads", f->threads, "Engine threads (default: all cores)");
      app.add_flag("--json", f->json, "Print results.json on stdout instead of the verdict table");
      app.add_option("--repin", f->repin, "Accept changes to SUITE.lock's pinned files and tolerances; the reason is recorded");
      app.add_flag("--resume", f->resume, "Continue the unfinished run of this suite on this stack (after a crash or kill)");
      app.add_option("--store", f->store, "Run store (default: $PRECISIONDIFF_HOME/store.sqlite or ~/.cache/precisiondiff/store.sqlite)");
      app.add_flag("--no-store", f->no_store, "Do not record the run (no resume, history or revalidate)");
      return [f] { return run_suite_command(*f); };
    }};

}  // namespace
}  // namespace pd::cli

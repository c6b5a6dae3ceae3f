// precisiondiff revalidate SUITE.yaml: compares the current stack fingerprint and the
// suite's pinned files with the suite's last passing run. Nothing changed: reports
// "unchanged" and runs nothing. Something changed (an upgrade; here e.g.
// PRECISIONDIFF_ISA=scalar or another thread count): names what changed, re-runs the
// suite (stored as a new run) and reports per variant "unchanged" (every recorded output
// identical), "changed but within tolerance" (outputs differ, gate passes) or
// "regressed" (gate fails; exit 1). Files that differ from the lock are exit 2, as in run.

#include <cstdio>
#include <map>
#include <memory>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "core/error.h"
#include "core/progress.h"
#include "report/report_writer.h"
#include "report/results_json.h"
#include "store/run_store.h"
#include "store/stack_fingerprint.h"
#include "suite/runner.h"
#include "suite/store_hook.h"
#include "suite/suite_parser.h"

namespace pd::cli {
namespace {

struct RevalidateFlags {
  std::string suite;
  std::string store;
  std::string out;
  int64_t threads = -1;  // -1: as the last passing run
  bool json = false;
};

// "model/variant" -> (record key -> outcome), from a run's records.
using OutcomesByVariant = std::map<std::string, std::map<std::string, nlohmann::json>>;

OutcomesByVariant outcomes_by_variant(store::RunStore& store, int64_t run_id) {
  OutcomesByVariant out;
  for (auto& [key, record] : store.records(run_id)) {
    const size_t a = key.find('/'), b = key.find('/', a == std::string::npos ? a : a + 1);
    if (b == std::string::npos) continue;
    out[key.substr(0, b)][key] = record.value("outcome", nlohmann::json());
  }
  return out;
}

void log_line(const std::string& line) {
  if (!is_quiet()) std::fprintf(stderr, "%s\n", line.c_str());
}

int run_revalidate(const RevalidateFlags& f) {
  store::apply_isa_environment();
  const suite::SuiteSpec spec = suite::parse_suite_file(f.suite);
  const std::optional<store::LockFile> lock = suite::enforce_lock(spec, "", log_line);
  const std::string store_path = f.store.empty() ? store::RunStore::default_path() : f.store;
  store::RunStore store(store_path);
  const std::string suite_path = suite::suite_store_path(spec);
  const std::optional<store::RunInfo> last = store.last_passing_run(suite_path);
  if (!last) fail_input("revalidate", "no passing run of " + suite_path + " in " + store_path + " (run it first)");

  const int threads = f.threads >= 0 ? static_cast<int>(f.threads) : last->options.value("threads", 0);
  const store::StackFingerprint now = store::current_fingerprint({threads, "plan", "embedded"});
  std::vector<std::string> changes =
      store::fingerprint_changes(store::StackFingerprint::from_json(last->fingerprint, "stored run"), now);
  const std::string key = suite::suite_store_key(spec, lock);
  if (key != last->suite_key) changes.push_back("suite files: " + last->suite_key + " -> " + key);

  nlohmann::json report = {{"suite", suite_path}, {"against_run", last->id}, {"stack_changes", changes}};
  if (changes.empty()) {
    report["rerun"] = false;
    report["variants"] = nlohmann::json::object();
    for (const store::VerdictRow& v : store.verdicts(last->id)) report["variants"][v.variant] = "unchanged";
    if (f.json) {
      std::printf("%s\n", report.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    } else {
      std::printf("unchanged: the stack and the suite's files match run %lld (passed); nothing re-run\n",
                  static_cast<long long>(last->id));
    }
    return 0;
  }

  if (!f.json) {
    std::printf("changed since run %lld:\n", static_cast<long long>(last->id));
    for (const std::string& c : changes) std::printf("  %s\n", c.c_str());
  }
  suite::RunOptions options;
  options.threads = threads;
  options.only = last->options.value("only", std::vector<std::string>{});
  options.log = log_line;
  suite::StoreOptions store_options;
  store_options.path = store_path;
  store_options.threads = threads;
  suite::StoredRun stored(spec, lock, store_options,
                          {{"command", "revalidate"}, {"threads", threads}, {"only", options.only}}, log_line);
  options.records = stored.sink();
  const suite::SuiteResults results = suite::run_suite(spec, options);
  const nlohmann::json results_json = report::results_to_json(results);
  // Reports before the run is marked finished (as `run` does).
  if (!f.out.empty()) report::write_reports(results, f.out);
  stored.finish(results.exit_code(), results_json);

  const OutcomesByVariant before = outcomes_by_variant(store, last->id);
  const OutcomesByVariant after = outcomes_by_variant(store, stored.id());
  bool regressed = false;
  report["rerun"] = true;
  report["run"] = stored.id();
  report["variants"] = nlohmann::json::object();
  for (const suite::ModelResult& m : results.models) {
    for (const suite::VariantResult& v : m.variants) {
      const std::string id = m.name + "/" + v.name;
      const auto old = before.find(id), fresh = after.find(id);
      const bool same = old != before.end() && fresh != after.end() && old->second == fresh->second;
      const std::string status = !v.passed ? "regressed" : same ? "unchanged" : "changed but within tolerance";
      regressed |= !v.passed;
      report["variants"][id] = status;
      if (!f.json) std::printf("  %-24s %s\n", id.c_str(), status.c_str());
    }
  }
  if (f.json) std::printf("%s\n", report.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  else std::printf("re-run stored as run %lld\n", static_cast<long long>(stored.id()));
  return regressed ? 1 : 0;
}

const CommandRegistration registration{
    "revalidate", "Re-check a suite against its last passing run; re-run it when the stack changed",
    [](CLI::App& app) -> RunFn {
      auto f = std::make_shared<RevalidateFlags>();
      app.add_option("suite", f->suite, "Suite file (YAML)")->required();
      app.add_option("--store", f->store, "Run store (default: $PRECISIONDIFF_HOME/store.sqlite or ~/.cache/precisiondiff/store.sqlite)");
      app.add_option("--out", f->out, "Also write the re-run's reports into this folder");
      app.add_option("--threads", f->threads, "Engine threads (default: as the last passing run)");
      app.add_flag("--json", f->json, "Print the outcome as JSON");
      return [f] { return run_revalidate(*f); };
    }};

}  // namespace
}  // namespace pd::cli

// precisiondiff history [SUITE]: the runs in the store, newest first, with their status,
// per-variant verdicts and stack (fingerprint hash, instruction set, threads).

#include <cstdio>
#include <memory>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "store/run_store.h"
#include "suite/store_hook.h"
#include "suite/suite_parser.h"

namespace pd::cli {
namespace {

struct HistoryFlags {
  std::string suite;
  std::string store;
  int64_t limit = 20;
  bool json = false;
};

nlohmann::json run_json(store::RunStore& store, const store::RunInfo& r) {
  nlohmann::json verdicts = nlohmann::json::object();
  for (const store::VerdictRow& v : store.verdicts(r.id)) verdicts[v.variant] = v.passed ? "pass" : "fail";
  return {{"run", r.id},          {"suite", r.suite_name},     {"suite_path", r.suite_path},
          {"started", r.started}, {"finished", r.finished},    {"status", r.status},
          {"exit_code", r.exit_code}, {"attempts", r.attempts}, {"records", r.records},
          {"fingerprint", r.fingerprint_hash}, {"isa", r.fingerprint.value("isa", "")},
          {"threads", r.fingerprint.value("threads", "")}, {"verdicts", verdicts}};
}

int run_history(const HistoryFlags& f) {
  std::string suite_path;
  if (!f.suite.empty()) suite_path = suite::suite_store_path(suite::parse_suite_file(f.suite));
  store::RunStore store(f.store.empty() ? store::RunStore::default_path() : f.store);
  std::vector<store::RunInfo> runs = store.runs(suite_path);
  if (f.limit > 0 && runs.size() > static_cast<size_t>(f.limit)) runs.resize(static_cast<size_t>(f.limit));
  nlohmann::json out = nlohmann::json::array();
  for (const store::RunInfo& r : runs) out.push_back(run_json(store, r));
  if (f.json) {
    std::printf("%s\n", out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return 0;
  }
  if (runs.empty()) {
    std::printf("no runs%s in %s\n", suite_path.empty() ? "" : (" of " + suite_path).c_str(), store.path().c_str());
    return 0;
  }
  std::printf("%-5s %-20s %-8s %-14s %-7s %s\n", "run", "started", "status", "suite", "isa", "verdicts");
  for (const nlohmann::json& r : out) {
    std::string verdicts;
    for (const auto& [variant, verdict] : r["verdicts"].items()) {
      verdicts += (verdicts.empty() ? "" : ", ") + variant + " " + verdict.get<std::string>();
    }
    if (r["status"] == "running") verdicts = std::to_string(r["records"].get<int64_t>()) + " prompts recorded";
    std::printf("%-5lld %-20s %-8s %-14s %-7s %s\n", static_cast<long long>(r["run"].get<int64_t>()),
                r["started"].get<std::string>().c_str(), r["status"].get<std::string>().c_str(),
                r["suite"].get<std::string>().c_str(), r["isa"].get<std::string>().c_str(), verdicts.c_str());
  }
  return 0;
}

const CommandRegistration registration{
    "history", "List stored runs (of one suite, or all) with their verdicts",
    [](CLI::App& app) -> RunFn {
      auto f = std::make_shared<HistoryFlags>();
      app.add_option("suite", f->suite, "Only runs of this suite file");
      app.add_option("--store", f->store, "Run store (default: $PRECISIONDIFF_HOME/store.sqlite or ~/.cache/precisiondiff/store.sqlite)");
      app.add_option("--limit", f->limit, "Newest N runs (0: all)")->default_val(20);
      app.add_flag("--json", f->json, "Print the runs as JSON");
      return [f] { return run_history(*f); };
    }};

}  // namespace
}  // namespace pd::cli

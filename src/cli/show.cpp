// precisiondiff show RUN: one stored run - its suite, stack fingerprint, per-variant
// verdicts, the rollback target (the kept baseline each model falls back to) and the
// floor (the passing variant with the fewest measured bits per weight). --json prints the
// run, its fingerprint and its stored results.json.

#include <cstdio>
#include <limits>
#include <memory>
#include <optional>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "core/error.h"
#include "store/run_store.h"

namespace pd::cli {
namespace {

struct ShowFlags {
  int64_t run = 0;
  std::string store;
  bool json = false;
};

// The first "bits_per_weight" number anywhere in `json` (the measured manifest nests it).
std::optional<double> bits_per_weight(const nlohmann::json& json) {
  if (json.is_object()) {
    if (json.contains("bits_per_weight") && json["bits_per_weight"].is_number()) {
      return json["bits_per_weight"].get<double>();
    }
    for (const auto& [key, value] : json.items()) {
      if (auto found = bits_per_weight(value)) return found;
    }
  }
  return std::nullopt;
}

// Per model: the rollback target and the floor.
nlohmann::json gate_summary(const nlohmann::json& results) {
  nlohmann::json models = nlohmann::json::array();
  if (!results.is_object() || !results.contains("models")) return models;
  for (const nlohmann::json& m : results["models"]) {
    nlohmann::json entry = {{"model", m.value("name", "")}};
    if (m.contains("baseline")) {
      entry["rollback"] = {{"path", m["baseline"].value("path", "")},
                           {"sha256", m["baseline"].value("sha256", "")},
                           {"plan", m["baseline"].value("plan", "")}};
    }
    entry["floor"] = nullptr;
    double lowest = std::numeric_limits<double>::infinity();
    for (const nlohmann::json& v : m.value("variants", nlohmann::json::array())) {
      if (v.value("verdict", "") != "pass") continue;
      const std::optional<double> bits = bits_per_weight(v.contains("provenance") ? v["provenance"] : v);
      if (bits && *bits < lowest) {
        lowest = *bits;
        entry["floor"] = {{"variant", v.value("id", "")}, {"bits_per_weight", *bits}};
      }
    }
    models.push_back(entry);
  }
  return models;
}

int run_show(const ShowFlags& f) {
  store::RunStore store(f.store.empty() ? store::RunStore::default_path() : f.store);
  const std::optional<store::RunInfo> run = store.run(f.run);
  if (!run) fail_input("show", "no run " + std::to_string(f.run) + " in " + store.path());
  const nlohmann::json results = store.results(f.run);
  const nlohmann::json gate = gate_summary(results);
  if (f.json) {
    nlohmann::json out = {{"run", run->id},           {"suite", run->suite_name},   {"suite_path", run->suite_path},
                          {"status", run->status},    {"exit_code", run->exit_code}, {"started", run->started},
                          {"finished", run->finished}, {"attempts", run->attempts}, {"records", run->records},
                          {"fingerprint", run->fingerprint}, {"fingerprint_hash", run->fingerprint_hash},
                          {"options", run->options},  {"gate", gate},                {"results", results}};
    std::printf("%s\n", out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return 0;
  }
  std::printf("run %lld: %s (%s)\n", static_cast<long long>(run->id), run->suite_name.c_str(), run->suite_path.c_str());
  std::printf("status:  %s", run->status.c_str());
  if (run->status != "running") std::printf(" (exit %d)", run->exit_code);
  std::printf("\nstarted: %s  finished: %s  attempts: %d  prompts recorded: %lld\n", run->started.c_str(),
              run->finished.empty() ? "-" : run->finished.c_str(), run->attempts,
              static_cast<long long>(run->records));
  std::printf("stack %s:\n", run->fingerprint_hash.substr(0, 16).c_str());
  for (const auto& [field, value] : run->fingerprint.items()) {
    std::printf("  %-14s %s\n", field.c_str(), value.is_string() ? value.get<std::string>().c_str() : value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  }
  const std::vector<store::VerdictRow> verdicts = store.verdicts(f.run);
  if (!verdicts.empty()) std::printf("verdicts:\n");
  for (const store::VerdictRow& v : verdicts) std::printf("  %-24s %s\n", v.variant.c_str(), v.passed ? "pass" : "FAIL");
  for (const nlohmann::json& m : gate) {
    if (m.contains("rollback")) {
      std::printf("rollback target (%s): %s sha256 %s plan %s\n", m["model"].get<std::string>().c_str(),
                  m["rollback"]["path"].get<std::string>().c_str(), m["rollback"]["sha256"].get<std::string>().c_str(),
                  m["rollback"]["plan"].get<std::string>().c_str());
    }
    if (m["floor"].is_null()) {
      std::printf("floor (%s): no variant passed\n", m["model"].get<std::string>().c_str());
    } else {
      std::printf("floor (%s): %s at %.3f bits per weight\n", m["model"].get<std::string>().c_str(),
                  m["floor"]["variant"].get<std::string>().c_str(), m["floor"]["bits_per_weight"].get<double>());
    }
  }
  return 0;
}

const CommandRegistration registration{
    "show", "Show one stored run: stack, verdicts, rollback target and floor",
    [](CLI::App& app) -> RunFn {
      auto f = std::make_shared<ShowFlags>();
      app.add_option("run", f->run, "Run id (see precisiondiff history)")->required();
      app.add_option("--store", f->store, "Run store (default: $PRECISIONDIFF_HOME/store.sqlite or ~/.cache/precisiondiff/store.sqlite)");
      app.add_flag("--json", f->json, "Print the run and its results.json as JSON");
      return [f] { return run_show(*f); };
    }};

}  // namespace
}  // namespace pd::cli

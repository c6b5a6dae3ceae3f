// precisiondiff pin: fixes a suite's tolerances, baseline, variant files, data and sample
// settings in SUITE.lock (next to the suite, meant to be committed) before anything is
// measured. `run` refuses to run when any of it changed, unless --repin "reason".
// Pinning again after a change needs --reason, which is kept in the lock's history.

#include <cstdio>
#include <memory>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "store/lock_file.h"
#include "suite/store_hook.h"
#include "suite/suite_parser.h"

namespace pd::cli {
namespace {

struct PinFlags {
  std::string suite;
  std::string reason;
  bool json = false;
};

int run_pin(const PinFlags& f) {
  const suite::SuiteSpec spec = suite::parse_suite_file(f.suite);
  const bool existed = store::read_lock(store::lock_path_for(spec.path)).has_value();
  const std::vector<std::string> changes = suite::pin_suite(spec, f.reason);
  const std::string path = store::lock_path_for(spec.path);
  const store::LockFile lock = *store::read_lock(path);
  if (f.json) {
    nlohmann::json out = {{"lock", path}, {"entries", lock.entries.size()}, {"hash", lock.hash()},
                          {"tolerances_sha256", lock.tolerances_hash()}, {"changes", changes}};
    std::printf("%s\n", out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return 0;
  }
  if (!existed) std::printf("pinned %s: %zu entries\n", path.c_str(), lock.entries.size());
  else if (changes.empty()) std::printf("%s is up to date (%zu entries)\n", path.c_str(), lock.entries.size());
  else std::printf("re-pinned %s (%zu changes, reason: %s)\n", path.c_str(), changes.size(), f.reason.c_str());
  for (const std::string& change : changes) std::printf("  %s\n", change.c_str());
  return 0;
}

const CommandRegistration registration{
    "pin", "Write SUITE.lock: fix tolerances, baseline, variant files and data before measuring",
    [](CLI::App& app) -> RunFn {
      auto f = std::make_shared<PinFlags>();
      app.add_option("suite", f->suite, "Suite file (YAML)")->required();
      app.add_option("--reason", f->reason, "Why an existing lock changes (kept in its history)");
      app.add_flag("--json", f->json, "Print the result as JSON");
      return [f] { return run_pin(*f); };
    }};

}  // namespace
}  // namespace pd::cli

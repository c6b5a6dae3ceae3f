#pragma once
// The suite's side of the run store (store/): what a suite pins in its SUITE.lock, what
// one finished prompt's record holds, and a run's life in the store (begin or resume,
// commit each prompt, finish with the results). `precisiondiff run`, `pin`, `revalidate`
// and `reproduce` share it; the runner sees only a `store::RecordSink` (RunOptions).

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/lock_file.h"
#include "store/run_store.h"
#include "store/stack_fingerprint.h"
#include "suite/outcome.h"
#include "suite/suite_spec.h"

namespace pd {
struct PairRecord;
}

namespace pd::suite {

// ---- SUITE.lock -------------------------------------------------------------------

// The entries a suite pins now (reads and hashes the baseline, variant and data files;
// a missing file gives the value "missing: PATH").
store::LockEntries lock_entries(const SuiteSpec& spec);

// Writes (or rewrites) the suite's lock; `reason` is recorded in the history when a lock
// existed. Returns the changes against the previous lock (empty for a first pin).
std::vector<std::string> pin_suite(const SuiteSpec& spec, const std::string& reason);

// The check `run` does first. No lock: returns nullopt (the run is unlocked). A lock that
// matches: returns it. A lock that differs: with `repin_reason` empty, BadInput naming
// every change ("SUITE.lock: ... changed since pinned: tolerance drift.kld_mean: 0.01 ->
// 0.02; ..."); otherwise the lock is rewritten with the reason and returned.
std::optional<store::LockFile> enforce_lock(const SuiteSpec& spec, const std::string& repin_reason,
                                            const std::function<void(const std::string&)>& log = {});

// ---- per-prompt records -------------------------------------------------------------

// What `reproduce` needs to re-execute a prompt exactly as the run did.
struct ReplaySettings {
  std::string model_path, baseline_plan;
  std::string variant_kind, variant_spec;  // "plan" + plan text, or "file" + path
  bool chat = false;
  DecodingDecl decoding;
};
ReplaySettings replay_settings(const ModelDecl& model, const VariantDecl& variant, const SliceDecl& slice);
nlohmann::json replay_to_json(const ReplaySettings& replay);
ReplaySettings replay_from_json(const nlohmann::json& json, const std::string& where);

// Exact round trip (doubles keep every bit; non-finite values are written as strings).
nlohmann::json outcome_to_json(const ItemOutcome& outcome);
ItemOutcome outcome_from_json(const nlohmann::json& json, const std::string& where);

// A prompt's record: {"outcome", "replay", "prompt_tokens", "base_tokens", "cand_tokens"}.
nlohmann::json prompt_record(const ItemOutcome& outcome, const PairRecord& pair, const ReplaySettings& replay);

// Runner hooks; both do nothing without a sink.
std::optional<ItemOutcome> recall_outcome(store::RecordSink* sink, const std::string& key);
void commit_outcome(store::RecordSink* sink, const std::string& key, const ItemOutcome& outcome,
                    const PairRecord& pair, const ReplaySettings& replay);

// ---- a run in the store ----------------------------------------------------------------

struct StoreOptions {
  std::string path;        // empty: RunStore::default_path()
  bool enabled = true;
  bool resume = false;     // continue the newest unfinished run of this suite and stack
  int threads = 0;
  std::string kernel = "plan";
};

// The suite's identity in the store: its absolute path and lock hash (or file sha256).
std::string suite_store_path(const SuiteSpec& spec);
std::string suite_store_key(const SuiteSpec& spec, const std::optional<store::LockFile>& lock);

// A sink that tells repeated keys apart: a slice may hold two items with the same id, so
// the n-th recall of a key (n > 1) reads and the commit that follows writes "key#n". The
// runner visits items in the same order on every attempt, so a resume maps them alike.
class OccurrenceSink : public store::RecordSink {
 public:
  explicit OccurrenceSink(store::RecordSink& inner) : inner_(inner) {}
  std::optional<nlohmann::json> recall(const std::string& key) override;
  void commit(const std::string& key, const nlohmann::json& record) override;

 private:
  std::string occurrence_key(const std::string& key) const;
  store::RecordSink& inner_;
  std::map<std::string, int> seen_;
};

class StoredRun {
 public:
  // Opens the store, then begins a run or (resume) reopens the unfinished one.
  StoredRun(const SuiteSpec& spec, const std::optional<store::LockFile>& lock, const StoreOptions& options,
            const nlohmann::json& invocation, const std::function<void(const std::string&)>& log = {});

  int64_t id() const { return run_id_; }
  bool resumed() const { return resumed_; }
  store::RecordSink* sink() { return sink_.get(); }
  // Stores results.json's content and the per-variant verdicts; ends the run.
  void finish(int exit_code, const nlohmann::json& results_json);

 private:
  std::unique_ptr<store::RunStore> store_;
  std::unique_ptr<store::StoredRunSink> stored_sink_;
  std::unique_ptr<store::RecordSink> sink_;  // stored_sink_ with repeated keys told apart
  int64_t run_id_ = 0;
  bool resumed_ = false;
};

}  // namespace pd::suite

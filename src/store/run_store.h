#pragma once
// The run store: one SQLite database (WAL mode) holding every run of every suite - its
// stack fingerprint, options, per-prompt records (each committed in its own transaction
// the moment the prompt finishes, so a killed run loses at most the prompt in flight),
// the final results JSON and per-variant verdicts.
//
// Location: --store PATH, else $PRECISIONDIFF_HOME/store.sqlite, else
// ~/.cache/precisiondiff/store.sqlite. The schema carries a version (table `meta`) and
// is migrated forward on open; a database from a newer precisiondiff, or a file that is
// not a database, is BadInput (exit 2) naming the path.
//
// A suite is identified by its absolute path and its lock hash (the suite file's sha256
// when it has no lock). A run can be resumed only on the same suite identity *and* the
// same stack fingerprint: records made on another stack are never mixed in. The same
// rule keys baselines (`baseline_key`), so an upgraded stack never reuses a stale one.

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/record_sink.h"

namespace pd::store {

struct RunInfo {
  int64_t id = 0;
  std::string suite_path;   // absolute
  std::string suite_name;
  std::string suite_key;    // lock hash, or the suite file's sha256 without a lock
  std::string fingerprint_hash;
  nlohmann::json fingerprint = nlohmann::json::object();
  nlohmann::json options = nlohmann::json::object();  // how the run was invoked
  std::string started, finished;
  std::string status;       // running | passed | failed
  int exit_code = -1;       // -1 while running
  int attempts = 1;         // 1 + number of resumes
  int64_t records = 0;      // per-prompt records committed
};

struct VerdictRow {
  std::string variant;      // "model/variant"
  bool passed = false;
  nlohmann::json verdict;   // the variant's part of results.json
};

class RunStore {
 public:
  static std::string default_path();

  // Opens (creating folders and the database when needed) and migrates.
  explicit RunStore(const std::string& path);
  ~RunStore();
  RunStore(const RunStore&) = delete;
  RunStore& operator=(const RunStore&) = delete;

  const std::string& path() const { return path_; }
  static int schema_version();

  // A new run in state "running"; returns its id.
  int64_t begin_run(const RunInfo& run);
  // The newest unfinished run of this suite identity and stack, if any.
  std::optional<RunInfo> resumable_run(const std::string& suite_path, const std::string& suite_key,
                                       const std::string& fingerprint_hash);
  void note_resumed(int64_t run_id);
  // Ends a run: results.json's content, the verdicts and the exit code, in one transaction.
  void finish_run(int64_t run_id, int exit_code, const nlohmann::json& results,
                  const std::vector<VerdictRow>& verdicts);

  // One finished prompt, in its own transaction (replaces an earlier one with the key).
  void put_record(int64_t run_id, const std::string& key, const nlohmann::json& record);
  std::optional<nlohmann::json> record(int64_t run_id, const std::string& key);
  // Every record of a run, ordered by key.
  std::vector<std::pair<std::string, nlohmann::json>> records(int64_t run_id);

  std::optional<RunInfo> run(int64_t run_id);
  // Newest first; `suite_path` empty: every suite.
  std::vector<RunInfo> runs(const std::string& suite_path = "");
  // The newest finished run of the suite that passed.
  std::optional<RunInfo> last_passing_run(const std::string& suite_path);
  // results.json of a finished run (null while running).
  nlohmann::json results(int64_t run_id);
  std::vector<VerdictRow> verdicts(int64_t run_id);

 private:
  class Statement;
  void exec(const char* sql);
  void migrate();
  [[noreturn]] void fail(const std::string& what) const;
  std::vector<RunInfo> select_runs(const std::string& where_sql, const std::vector<std::string>& args);

  std::string path_;
  sqlite3* db_ = nullptr;
};

// A run's records as a RecordSink: recall reads what an earlier attempt committed.
class StoredRunSink : public RecordSink {
 public:
  StoredRunSink(RunStore& store, int64_t run_id) : store_(store), run_id_(run_id) {}
  std::optional<nlohmann::json> recall(const std::string& key) override { return store_.record(run_id_, key); }
  void commit(const std::string& key, const nlohmann::json& record) override {
    store_.put_record(run_id_, key, record);
  }

 private:
  RunStore& store_;
  int64_t run_id_;
};

// The baseline cache key: model file, baseline plan and stack fingerprint together.
std::string baseline_key(const std::string& model_sha256, const std::string& baseline_plan,
                         const std::string& fingerprint_hash);

}  // namespace pd::store

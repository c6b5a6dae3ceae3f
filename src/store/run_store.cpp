#include "store/run_store.h"

#include <cstdlib>
#include <filesystem>

#include "core/error.h"
#include "core/sha256.h"
#include "core/utc_time.h"

namespace pd::store {

std::string record_key(const std::string& model, const std::string& variant, const std::string& slice,
                       const std::string& item) {
  return model + "/" + variant + "/" + slice + "/" + item;
}

std::string baseline_key(const std::string& model_sha256, const std::string& baseline_plan,
                         const std::string& fingerprint_hash) {
  const std::string text = model_sha256 + "\n" + baseline_plan + "\n" + fingerprint_hash;
  return sha256_hex(text.data(), text.size());
}

namespace {

// Version n is reached by applying kMigrations[n - 1] to version n - 1.
const char* const kMigrations[] = {
    "CREATE TABLE runs ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  suite_path TEXT NOT NULL, suite_name TEXT NOT NULL, suite_key TEXT NOT NULL,"
    "  fingerprint_hash TEXT NOT NULL, fingerprint TEXT NOT NULL, options TEXT NOT NULL,"
    "  started TEXT NOT NULL, finished TEXT NOT NULL DEFAULT '',"
    "  status TEXT NOT NULL, exit_code INTEGER NOT NULL DEFAULT -1, attempts INTEGER NOT NULL DEFAULT 1);"
    "CREATE INDEX runs_by_suite ON runs(suite_path, suite_key, fingerprint_hash);"
    "CREATE TABLE records (run_id INTEGER NOT NULL REFERENCES runs(id), key TEXT NOT NULL,"
    "  record TEXT NOT NULL, PRIMARY KEY (run_id, key));"
    "CREATE TABLE results (run_id INTEGER PRIMARY KEY REFERENCES runs(id), json TEXT NOT NULL);"
    "CREATE TABLE verdicts (run_id INTEGER NOT NULL REFERENCES runs(id), variant TEXT NOT NULL,"
    "  passed INTEGER NOT NULL, verdict TEXT NOT NULL, PRIMARY KEY (run_id, variant));",
};
constexpr int kSchemaVersion = static_cast<int>(sizeof kMigrations / sizeof kMigrations[0]);

nlohmann::json parse_stored(const std::string& text) {
  nlohmann::json json = nlohmann::json::parse(text, nullptr, false);
  return json.is_discarded() ? nlohmann::json() : json;
}

}  // namespace

// A prepared statement, finalized on scope exit; errors name the database.
class RunStore::Statement {
 public:
  Statement(const RunStore& store, const char* sql) : store_(store) {
    if (sqlite3_prepare_v2(store.db_, sql, -1, &stmt_, nullptr) != SQLITE_OK) store.fail(sqlite3_errmsg(store.db_));
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, const std::string& text) {
    check(sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT));
    return *this;
  }
  Statement& bind(int index, int64_t value) {
    check(sqlite3_bind_int64(stmt_, index, value));
    return *this;
  }
  // true while a row is available.
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) store_.fail(sqlite3_errmsg(store_.db_));
    return false;
  }
  std::string text(int column) const {
    const unsigned char* p = sqlite3_column_text(stmt_, column);
    return p ? std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(stmt_, column)))
             : std::string();
  }
  int64_t integer(int column) const { return sqlite3_column_int64(stmt_, column); }

 private:
  void check(int rc) const {
    if (rc != SQLITE_OK) store_.fail(sqlite3_errmsg(store_.db_));
  }
  const RunStore& store_;
  sqlite3_stmt* stmt_ = nullptr;
};

std::string RunStore::default_path() {
  if (const char* home = std::getenv("PRECISIONDIFF_HOME"); home && *home) return std::string(home) + "/store.sqlite";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.cache/precisiondiff/store.sqlite";
}

int RunStore::schema_version() { return kSchemaVersion; }

RunStore::RunStore(const std::string& path) : path_(path) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
    const std::string what = db_ ? sqlite3_errmsg(db_) : "cannot open";
    sqlite3_close(db_);
    db_ = nullptr;
    fail_runtime(path, "cannot open the run store: " + what);
  }
  try {
    // Several precisiondiff processes may share one store (CI jobs, a run and `history`).
    sqlite3_busy_timeout(db_, 10000);
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=NORMAL");
    exec("PRAGMA foreign_keys=ON");
    migrate();
  } catch (...) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw;
  }
}

RunStore::~RunStore() { sqlite3_close(db_); }

void RunStore::fail(const std::string& what) const {
  const int code = db_ ? sqlite3_errcode(db_) : SQLITE_ERROR;
  if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT) {
    fail_input(path_, "the run store is not a valid database (" + what +
                          "); move it away or pass another --store");
  }
  fail_runtime(path_, "run store: " + what);
}

void RunStore::exec(const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    const std::string what = message ? message : sqlite3_errmsg(db_);
    sqlite3_free(message);
    fail(what);
  }
}

void RunStore::migrate() {
  exec("BEGIN IMMEDIATE");
  try {
    exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    int version = 0;
    {
      Statement s(*this, "SELECT value FROM meta WHERE key = 'schema_version'");
      if (s.step()) version = std::atoi(s.text(0).c_str());
    }
    if (version > kSchemaVersion) {
      fail_input(path_, "the run store has schema version " + std::to_string(version) +
                            ", newer than this precisiondiff understands (" + std::to_string(kSchemaVersion) + ")");
    }
    for (int v = version; v < kSchemaVersion; ++v) exec(kMigrations[v]);
    Statement s(*this, "INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?1)");
    s.bind(1, std::to_string(kSchemaVersion)).step();
    exec("COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

int64_t RunStore::begin_run(const RunInfo& run) {
  Statement s(*this,
              "INSERT INTO runs(suite_path, suite_name, suite_key, fingerprint_hash, fingerprint, options, started, "
              "status) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'running')");
  s.bind(1, run.suite_path).bind(2, run.suite_name).bind(3, run.suite_key).bind(4, run.fingerprint_hash);
  s.bind(5, run.fingerprint.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)).bind(6, run.options.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)).bind(7, run.started.empty() ? utc_now() : run.started);
  s.step();
  return sqlite3_last_insert_rowid(db_);
}

std::vector<RunInfo> RunStore::select_runs(const std::string& where_sql, const std::vector<std::string>& args) {
  const std::string sql =
      "SELECT id, suite_path, suite_name, suite_key, fingerprint_hash, fingerprint, options, started, finished, "
      "status, exit_code, attempts, (SELECT COUNT(*) FROM records WHERE run_id = runs.id) FROM runs " +
      where_sql + " ORDER BY id DESC";
  Statement s(*this, sql.c_str());
  for (size_t i = 0; i < args.size(); ++i) s.bind(static_cast<int>(i + 1), args[i]);
  std::vector<RunInfo> out;
  while (s.step()) {
    RunInfo r;
    r.id = s.integer(0);
    r.suite_path = s.text(1);
    r.suite_name = s.text(2);
    r.suite_key = s.text(3);
    r.fingerprint_hash = s.text(4);
    r.fingerprint = parse_stored(s.text(5));
    r.options = parse_stored(s.text(6));
    r.started = s.text(7);
    r.finished = s.text(8);
    r.status = s.text(9);
    r.exit_code = static_cast<int>(s.integer(10));
    r.attempts = static_cast<int>(s.integer(11));
    r.records = s.integer(12);
    out.push_back(std::move(r));
  }
  return out;
}

std::optional<RunInfo> RunStore::resumable_run(const std::string& suite_path, const std::string& suite_key,
                                               const std::string& fingerprint_hash) {
  auto found = select_runs("WHERE status = 'running' AND suite_path = ?1 AND suite_key = ?2 AND fingerprint_hash = ?3",
                           {suite_path, suite_key, fingerprint_hash});
  if (found.empty()) return std::nullopt;
  return found.front();
}

void RunStore::note_resumed(int64_t run_id) {
  Statement s(*this, "UPDATE runs SET attempts = attempts + 1 WHERE id = ?1");
  s.bind(1, run_id).step();
}

void RunStore::finish_run(int64_t run_id, int exit_code, const nlohmann::json& results,
                          const std::vector<VerdictRow>& verdicts) {
  exec("BEGIN IMMEDIATE");
  try {
    {
      Statement s(*this, "UPDATE runs SET finished = ?1, status = ?2, exit_code = ?3 WHERE id = ?4");
      s.bind(1, utc_now()).bind(2, std::string(exit_code == 0 ? "passed" : "failed")).bind(3, int64_t{exit_code});
      s.bind(4, run_id).step();
    }
    {
      Statement s(*this, "INSERT OR REPLACE INTO results(run_id, json) VALUES (?1, ?2)");
      s.bind(1, run_id).bind(2, results.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)).step();
    }
    for (const VerdictRow& v : verdicts) {
      Statement s(*this, "INSERT OR REPLACE INTO verdicts(run_id, variant, passed, verdict) VALUES (?1, ?2, ?3, ?4)");
      s.bind(1, run_id).bind(2, v.variant).bind(3, int64_t{v.passed ? 1 : 0}).bind(4, v.verdict.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)).step();
    }
    exec("COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

void RunStore::put_record(int64_t run_id, const std::string& key, const nlohmann::json& record) {
  // One statement outside BEGIN is its own transaction: durable (WAL) when step returns.
  Statement s(*this, "INSERT OR REPLACE INTO records(run_id, key, record) VALUES (?1, ?2, ?3)");
  s.bind(1, run_id).bind(2, key).bind(3, record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)).step();
}

std::optional<nlohmann::json> RunStore::record(int64_t run_id, const std::string& key) {
  Statement s(*this, "SELECT record FROM records WHERE run_id = ?1 AND key = ?2");
  s.bind(1, run_id).bind(2, key);
  if (!s.step()) return std::nullopt;
  nlohmann::json json = parse_stored(s.text(0));
  if (json.is_null()) fail("record " + key + " of run " + std::to_string(run_id) + " is not valid JSON");
  return json;
}

std::vector<std::pair<std::string, nlohmann::json>> RunStore::records(int64_t run_id) {
  Statement s(*this, "SELECT key, record FROM records WHERE run_id = ?1 ORDER BY key");
  s.bind(1, run_id);
  std::vector<std::pair<std::string, nlohmann::json>> out;
  while (s.step()) out.emplace_back(s.text(0), parse_stored(s.text(1)));
  return out;
}

std::optional<RunInfo> RunStore::run(int64_t run_id) {
  auto found = select_runs("WHERE id = ?1", {std::to_string(run_id)});
  if (found.empty()) return std::nullopt;
  return found.front();
}

std::vector<RunInfo> RunStore::runs(const std::string& suite_path) {
  if (suite_path.empty()) return select_runs("", {});
  return select_runs("WHERE suite_path = ?1", {suite_path});
}

std::optional<RunInfo> RunStore::last_passing_run(const std::string& suite_path) {
  auto found = select_runs("WHERE status = 'passed' AND suite_path = ?1", {suite_path});
  if (found.empty()) return std::nullopt;
  return found.front();
}

nlohmann::json RunStore::results(int64_t run_id) {
  Statement s(*this, "SELECT json FROM results WHERE run_id = ?1");
  s.bind(1, run_id);
  return s.step() ? parse_stored(s.text(0)) : nlohmann::json();
}

std::vector<VerdictRow> RunStore::verdicts(int64_t run_id) {
  Statement s(*this, "SELECT variant, passed, verdict FROM verdicts WHERE run_id = ?1 ORDER BY variant");
  s.bind(1, run_id);
  std::vector<VerdictRow> out;
  while (s.step()) out.push_back({s.text(0), s.integer(1) != 0, parse_stored(s.text(2))});
  return out;
}

}  // namespace pd::store

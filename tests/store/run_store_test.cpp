#include "store/run_store.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/atomic_file.h"
#include "core/error.h"
#include "test_paths.h"

namespace pd::store {
namespace {

RunInfo new_run(const std::string& suite, const std::string& fingerprint = "f1") {
  RunInfo r;
  r.suite_path = suite;
  r.suite_name = "demo";
  r.suite_key = "k1";
  r.fingerprint_hash = fingerprint;
  r.fingerprint = {{"isa", "avx2"}};
  r.options = {{"threads", 1}};
  return r;
}

TEST(RunStore, RecordsSurviveReopeningAndResumeFindsTheUnfinishedRun) {
  const std::string path = test::temp_dir("store-basic") + "/sub/store.sqlite";
  int64_t id = 0;
  {
    RunStore store(path);
    id = store.begin_run(new_run("/s.yaml"));
    store.put_record(id, record_key("m", "q4", "drift", "a"), {{"kld", 0.25}});
    store.put_record(id, record_key("m", "q4", "drift", "b"), {{"kld", 1e-300}});
  }
  RunStore store(path);
  const std::optional<RunInfo> open = store.resumable_run("/s.yaml", "k1", "f1");
  ASSERT_TRUE(open.has_value());
  EXPECT_EQ(open->id, id);
  EXPECT_EQ(open->status, "running");
  EXPECT_EQ(open->records, 2);
  EXPECT_EQ(open->fingerprint["isa"], "avx2");
  EXPECT_FALSE(store.resumable_run("/s.yaml", "k1", "other-stack").has_value());
  EXPECT_FALSE(store.resumable_run("/s.yaml", "k2", "f1").has_value());
  ASSERT_TRUE(store.record(id, "m/q4/drift/b").has_value());
  EXPECT_EQ((*store.record(id, "m/q4/drift/b"))["kld"].get<double>(), 1e-300);  // exact round trip
  EXPECT_FALSE(store.record(id, "m/q4/drift/c").has_value());
  EXPECT_EQ(store.records(id).size(), 2u);

  store.note_resumed(id);
  store.finish_run(id, 1, {{"verdict", "fail"}}, {{"m/q4", false, {{"passed", false}}}, {"m/q8", true, {}}});
  EXPECT_FALSE(store.resumable_run("/s.yaml", "k1", "f1").has_value());
  const RunInfo done = *store.run(id);
  EXPECT_EQ(done.status, "failed");
  EXPECT_EQ(done.exit_code, 1);
  EXPECT_EQ(done.attempts, 2);
  EXPECT_FALSE(done.finished.empty());
  EXPECT_EQ(store.results(id)["verdict"], "fail");
  ASSERT_EQ(store.verdicts(id).size(), 2u);
  EXPECT_EQ(store.verdicts(id)[0].variant, "m/q4");
  EXPECT_FALSE(store.verdicts(id)[0].passed);
  EXPECT_FALSE(store.last_passing_run("/s.yaml").has_value());
}

TEST(RunStore, HistoryIsNewestFirstAndFilteredBySuite) {
  RunStore store(test::temp_dir("store-history") + "/store.sqlite");
  const int64_t a = store.begin_run(new_run("/a.yaml"));
  const int64_t b = store.begin_run(new_run("/b.yaml"));
  const int64_t c = store.begin_run(new_run("/a.yaml"));
  store.finish_run(a, 0, {}, {});
  store.finish_run(c, 0, {}, {});
  EXPECT_EQ(store.runs().size(), 3u);
  const std::vector<RunInfo> runs = store.runs("/a.yaml");
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].id, c);
  EXPECT_EQ(runs[1].id, a);
  EXPECT_EQ(store.last_passing_run("/a.yaml")->id, c);
  EXPECT_EQ(store.run(b)->status, "running");
  EXPECT_FALSE(store.run(999).has_value());
}

TEST(RunStore, SinkCommitsAndRecalls) {
  RunStore store(test::temp_dir("store-sink") + "/store.sqlite");
  const int64_t id = store.begin_run(new_run("/a.yaml"));
  StoredRunSink sink(store, id);
  EXPECT_FALSE(sink.recall("k").has_value());
  sink.commit("k", {{"x", 1}});
  sink.commit("k", {{"x", 2}});  // replaced, not duplicated
  EXPECT_EQ((*sink.recall("k"))["x"], 2);
  EXPECT_EQ(store.run(id)->records, 1);
}

TEST(RunStore, TwoConnectionsShareTheStore) {
  const std::string path = test::temp_dir("store-two") + "/store.sqlite";
  RunStore writer(path), reader(path);
  const int64_t id = writer.begin_run(new_run("/a.yaml"));
  writer.put_record(id, "k", {{"x", 1}});
  EXPECT_EQ(reader.run(id)->records, 1);
}

TEST(RunStore, NotADatabaseIsBadInput) {
  const std::string path = test::temp_dir("store-corrupt") + "/store.sqlite";
  write_file_atomic(path, std::string(4096, 'x'));
  try {
    RunStore store(path);
    FAIL() << "opened garbage as a store";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), 2) << e.what();
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
}

TEST(RunStore, NewerSchemaIsRefused) {
  const std::string path = test::temp_dir("store-newer") + "/store.sqlite";
  { RunStore store(path); }
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    sqlite3_exec(db, "UPDATE meta SET value = '99' WHERE key = 'schema_version'", nullptr, nullptr, nullptr);
    sqlite3_close(db);
  }
  EXPECT_THROW(RunStore store(path), Error);
}

TEST(RunStore, BaselineKeyIncludesTheStack) {
  EXPECT_NE(baseline_key("sha", "weights=source", "f1"), baseline_key("sha", "weights=source", "f2"));
  EXPECT_NE(baseline_key("sha", "weights=source", "f1"), baseline_key("sha", "bf16", "f1"));
  EXPECT_EQ(baseline_key("sha", "weights=source", "f1"), baseline_key("sha", "weights=source", "f1"));
}

}  // namespace
}  // namespace pd::store

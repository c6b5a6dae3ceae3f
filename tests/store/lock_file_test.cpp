#include "store/lock_file.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/atomic_file.h"
#include "core/error.h"
#include "test_paths.h"

namespace pd::store {
namespace {

LockFile sample_lock() {
  LockFile lock;
  lock.suite = "demo";
  lock.entries = {{"tolerance drift.kld_mean", "0.01"},
                  {"baseline stories", "sha256=aa size=10"},
                  {"dataset drift a.jsonl", "sha256=bb"}};
  lock.history.push_back({"2026-11-23T12:00:00Z", "new tokenizer", {"dataset drift a.jsonl: sha256=cc -> sha256=bb"}});
  return lock;
}

TEST(LockFile, PathSitsBesideTheSuite) {
  EXPECT_EQ(lock_path_for("/x/y/release.yaml"), "/x/y/release.lock");
  EXPECT_EQ(lock_path_for("suite.yml"), "suite.lock");
}

TEST(LockFile, WritesAndReadsBack) {
  const std::string dir = test::temp_dir("lock-rt");
  const std::string path = dir + "/s.lock";
  EXPECT_FALSE(read_lock(path).has_value());
  write_lock(path, sample_lock());
  const std::optional<LockFile> back = read_lock(path);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->entries, sample_lock().entries);
  EXPECT_EQ(back->hash(), sample_lock().hash());
  ASSERT_EQ(back->history.size(), 1u);
  EXPECT_EQ(back->history[0].reason, "new tokenizer");
  EXPECT_EQ(back->history[0].changes.size(), 1u);
}

TEST(LockFile, TolerancesHashCoversOnlyTolerances) {
  LockFile a = sample_lock(), b = sample_lock();
  b.entries["baseline stories"] = "sha256=ff size=10";
  EXPECT_EQ(a.tolerances_hash(), b.tolerances_hash());
  EXPECT_NE(a.hash(), b.hash());
  b.entries["tolerance drift.kld_mean"] = "0.02";
  EXPECT_NE(a.tolerances_hash(), b.tolerances_hash());
}

TEST(LockFile, ChangesNameEachEntry) {
  LockEntries current = sample_lock().entries;
  current["tolerance drift.kld_mean"] = "0.05";
  current.erase("dataset drift a.jsonl");
  current["variant m/q4"] = "plan=q4_k_m";
  const std::vector<std::string> changes = lock_changes(sample_lock().entries, current);
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_EQ(changes[0], "dataset drift a.jsonl: sha256=bb -> (absent)");
  EXPECT_EQ(changes[1], "tolerance drift.kld_mean: 0.01 -> 0.05");
  EXPECT_EQ(changes[2], "variant m/q4: (absent) -> plan=q4_k_m");
  EXPECT_TRUE(lock_changes(current, current).empty());
}

TEST(LockFile, HandEditedOrBrokenLocksAreBadInput) {
  const std::string dir = test::temp_dir("lock-bad");
  const std::string path = dir + "/s.lock";
  write_file_atomic(path, "{not json");
  EXPECT_THROW(read_lock(path), Error);
  write_file_atomic(path, R"({"lock_version": 2, "suite": "x", "entries": {}})");
  EXPECT_THROW(read_lock(path), Error);
  write_file_atomic(path, R"({"lock_version": 1, "suite": "x", "entries": {"a": 1}})");
  EXPECT_THROW(read_lock(path), Error);
  // A tolerance edited by hand without updating its hash is caught.
  nlohmann::json json = sample_lock().to_json();
  json["entries"]["tolerance drift.kld_mean"] = "0.5";
  write_file_atomic(path, json.dump());
  try {
    read_lock(path);
    FAIL() << "accepted a lock whose tolerance hash does not match";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), 2);
    EXPECT_NE(std::string(e.what()).find("tolerances_sha256"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace pd::store

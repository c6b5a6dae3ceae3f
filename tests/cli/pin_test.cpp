// precisiondiff pin and the lock check of `run`: a changed tolerance, a replaced or
// missing baseline and changed data are exit 2 naming the entry (also in a fresh copy
// of the suite with no run history), --repin records its reason, and pinning again
// after a change needs --reason.

#include <filesystem>
#include <fstream>

#include "core/atomic_file.h"
#include "store_fixture.h"

namespace pd::test {
namespace {

namespace fs = std::filesystem;

class PinTest : public StoreSuiteTest {};

nlohmann::json read_json(const std::string& path) { return nlohmann::json::parse(read_file(path)); }

TEST_F(PinTest, WritesTheLockAndAnUnchangedSuiteRuns) {
  const CliResult pin = run({"pin", suite()});
  ASSERT_EQ(pin.exit_code, 0) << pin.err;
  EXPECT_NE(pin.out.find("pinned " + lock()), std::string::npos) << pin.out;
  const nlohmann::json lock_json = read_json(lock());
  const auto& entries = lock_json["entries"];
  EXPECT_EQ(entries["tolerance drift.kld_mean"], "0.5");
  EXPECT_EQ(entries["variant stories/q4"], "plan=q4_0");
  EXPECT_EQ(entries["sample drift"], "size=all seed=0 per_group=false");
  EXPECT_EQ(entries["baseline stories"].get<std::string>().rfind("sha256=", 0), 0u);
  EXPECT_EQ(entries["dataset drift stories.jsonl"].get<std::string>().rfind("sha256=", 0), 0u);
  EXPECT_EQ(lock_json["tolerances_sha256"].get<std::string>().size(), 64u);

  // Pinning an unchanged suite again changes nothing and needs no reason.
  const CliResult again = run({"pin", suite()});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("up to date"), std::string::npos) << again.out;

  const CliResult r = run({"run", suite(), "--out", dir_ + "/out", "--threads", "1"});
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.exit_code << r.err;
}

TEST_F(PinTest, ChangedToleranceIsRefusedInAFreshCloneUnlessRepinned) {
  ASSERT_EQ(run({"pin", suite()}).exit_code, 0);
  // A fresh clone: the suite, its lock and its data in another folder, no store history.
  const std::string clone = dir_ + "/clone";
  fs::create_directories(clone);
  for (const char* name : {"suite.yaml", "suite.lock", "stories.jsonl"}) fs::copy_file(dir_ + "/" + name, clone + "/" + name);
  std::string text = read_file(clone + "/suite.yaml");
  text.replace(text.find("kld_mean: 0.5"), 13, "kld_mean: 0.25");
  write_file_atomic(clone + "/suite.yaml", text);
  store_ = clone + "/fresh-store.sqlite";

  const CliResult refused = run({"run", clone + "/suite.yaml", "--out", clone + "/out"});
  EXPECT_EQ(refused.exit_code, 2) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("tolerance drift.kld_mean: 0.5 -> 0.25"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("--repin"), std::string::npos) << refused.err;
  EXPECT_EQ(refused.err_lines().size(), 1u) << refused.err;
  EXPECT_FALSE(fs::exists(clone + "/out/results.json"));

  const CliResult repinned =
      run({"run", clone + "/suite.yaml", "--out", clone + "/out", "--threads", "1", "--repin", "tighter drift budget"});
  EXPECT_TRUE(repinned.exit_code == 0 || repinned.exit_code == 1) << repinned.err;
  const nlohmann::json lock_json = read_json(clone + "/suite.lock");
  EXPECT_EQ(lock_json["entries"]["tolerance drift.kld_mean"], "0.25");
  ASSERT_EQ(lock_json["history"].size(), 1u);
  EXPECT_EQ(lock_json["history"][0]["reason"], "tighter drift budget");
  EXPECT_EQ(lock_json["history"][0]["changes"][0], "tolerance drift.kld_mean: 0.5 -> 0.25");
}

TEST_F(PinTest, ReplacedOrMissingBaselineIsNamed) {
  const std::string copy = dir_ + "/base.gguf";
  fs::copy_file(model_, copy);
  write_suite(0.5, copy);
  ASSERT_EQ(run({"pin", suite()}).exit_code, 0);
  const std::string pinned = read_json(lock())["entries"]["baseline stories"];

  // Another file of the same size under the same name: one byte of tensor data changed.
  std::string bytes = read_file(copy);
  bytes[bytes.size() - 7] ^= 0x10;
  write_file_atomic(copy, bytes);
  const CliResult replaced = run({"run", suite(), "--out", dir_ + "/out"});
  EXPECT_EQ(replaced.exit_code, 2) << replaced.err;
  EXPECT_NE(replaced.err.find("baseline stories: " + pinned + " -> sha256="), std::string::npos) << replaced.err;

  fs::remove(copy);
  const CliResult missing = run({"run", suite(), "--out", dir_ + "/out"});
  EXPECT_EQ(missing.exit_code, 2) << missing.err;
  EXPECT_NE(missing.err.find(copy), std::string::npos) << missing.err;
}

TEST_F(PinTest, ChangedDataIsRefusedAndRepinNeedsAReason) {
  ASSERT_EQ(run({"pin", suite()}).exit_code, 0);
  std::ofstream(dir_ + "/stories.jsonl", std::ios::app) << "{\"id\": \"g\", \"prompt\": \"A new row\"}\n";
  const CliResult refused = run({"run", suite(), "--out", dir_ + "/out"});
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_NE(refused.err.find("dataset drift stories.jsonl: sha256="), std::string::npos) << refused.err;

  const CliResult no_reason = run({"pin", suite()});
  EXPECT_EQ(no_reason.exit_code, 2) << no_reason.out;
  EXPECT_NE(no_reason.err.find("--reason"), std::string::npos) << no_reason.err;

  const CliResult repin = run({"pin", suite(), "--reason", "added row g", "--json"});
  ASSERT_EQ(repin.exit_code, 0) << repin.err;
  const nlohmann::json out = nlohmann::json::parse(repin.out);
  ASSERT_EQ(out["changes"].size(), 1u);
  EXPECT_EQ(read_json(lock())["history"][0]["reason"], "added row g");
}

TEST_F(PinTest, BrokenLockIsOneLineExit2) {
  write_file_atomic(lock(), "{\"lock_version\": 1, \"suite\": \"x\"");
  const CliResult r = run({"run", suite(), "--out", dir_ + "/out"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  ASSERT_EQ(r.err_lines().size(), 1u) << r.err;
  EXPECT_NE(r.err.find("suite.lock"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace pd::test

// run --resume after kill -9: a child `precisiondiff run` is killed with SIGKILL at
// several random points, resumed each time, and finally resumed to the end; its
// results.json must equal an uninterrupted run's, except the fields that measure wall
// time ("started", "finished", "seconds", "build_seconds" at any depth), which are
// removed before comparing.

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

#include "core/atomic_file.h"
#include "store_fixture.h"

extern char** environ;

namespace pd::test {
namespace {

class ResumeTest : public StoreSuiteTest {};

void strip_timing(nlohmann::json& json) {
  if (json.is_object()) {
    for (const char* key : {"started", "finished", "seconds", "build_seconds"}) json.erase(key);
    for (auto& [key, value] : json.items()) strip_timing(value);
  } else if (json.is_array()) {
    for (auto& value : json) strip_timing(value);
  }
}

// Per-prompt records committed so far in the store at `path` (0 before the tables exist).
int64_t committed_records(const std::string& path) {
  sqlite3* db = nullptr;
  int64_t count = 0;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 1000);
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM records", -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      count = sqlite3_column_int64(stmt, 0);
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return count;
}

// When to kill: after `delay`, or once the store holds `records` prompts (then after a
// further `delay`, so the kill lands inside the next prompt, not at a commit boundary).
struct KillPoint {
  std::chrono::milliseconds delay{0};
  int64_t records = -1;  // -1: by time only
};

// Starts the CLI with stdout/stderr to /dev/null and kills it with SIGKILL at `point`;
// returns true when the kill landed (the run had not finished by itself).
bool run_and_kill(const std::vector<std::string>& args, const std::string& store, KillPoint point) {
  std::vector<std::string> all = {cli_path()};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const int error = posix_spawn(&pid, all[0].c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0) throw std::runtime_error("cannot start " + all[0]);
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (point.records >= 0 && committed_records(store) < point.records) {
    if (waitpid(pid, &status, WNOHANG) == pid) return false;  // finished by itself
    if (std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  std::this_thread::sleep_for(point.delay);
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

TEST_F(ResumeTest, KilledAtRandomPointsThenResumedEqualsAnUninterruptedRun) {
  const auto start = std::chrono::steady_clock::now();
  const CliResult whole = run({"run", suite(), "--out", dir_ + "/whole", "--threads", "1"});
  ASSERT_TRUE(whole.exit_code == 0 || whole.exit_code == 1) << whole.err;
  const auto duration =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  const nlohmann::json whole_runs = history();
  ASSERT_EQ(whole_runs.size(), 1u);
  const int64_t total = whole_runs[0]["records"].get<int64_t>();
  ASSERT_GE(total, 4);

  store_ = dir_ + "/killed.sqlite";
  const std::vector<std::string> args = {"run", suite(), "--out", dir_ + "/resumed", "--threads", "1",
                                         "--resume", "--store", store_};
  const uint32_t seed = std::random_device{}();
  std::mt19937 rng(seed);
  // First kill: at a random time (often during loading or the noise floor); then at a
  // random number of committed prompts plus a random part of the next prompt. The
  // targets leave two prompts to go and the part stays under a prompt's time (a quarter
  // of the run's mean time per prompt, loading included), so each kill finds work left:
  // a kill after the last prompt would leave a resume nothing but the reports to write.
  std::uniform_int_distribution<int64_t> early(20, std::max<int64_t>(21, duration.count() / 2));
  const int64_t part_of_prompt_ms = std::max<int64_t>(1, duration.count() / (4 * total));
  std::uniform_int_distribution<int64_t> step(1, 3), jitter(0, part_of_prompt_ms);
  std::vector<KillPoint> points = {{std::chrono::milliseconds(early(rng)), -1}};
  for (int64_t target = 0; points.size() < 4;) {
    target = std::min<int64_t>(target + step(rng), total - 2);
    points.push_back({std::chrono::milliseconds(jitter(rng)), target});
  }
  int kills = 0;
  bool run_completed = false;  // by itself, or the kill landed while the process was exiting
  std::vector<int64_t> recorded;  // prompts committed after each kill (-1: no run yet)
  for (const KillPoint& point : points) {
    if (!run_and_kill(args, store_, point)) {
      run_completed = true;
      break;
    }
    ++kills;
    const nlohmann::json runs = history();
    ASSERT_LE(runs.size(), 1u) << "every attempt must continue the same run";
    recorded.push_back(runs.empty() ? -1 : runs[0]["records"].get<int64_t>());
    if (!runs.empty() && runs[0]["status"] != "running") {
      // Marked finished, which happens after the reports are written: nothing to resume.
      run_completed = true;
      break;
    }
  }
  ASSERT_GE(kills, 3) << "seed " << seed << ": the run finished before it could be killed 3 times";
  for (size_t i = 1; i < recorded.size(); ++i) EXPECT_GE(recorded[i], recorded[i - 1]) << "seed " << seed;

  if (!run_completed) {
    const CliResult finished = run({"run", suite(), "--out", dir_ + "/resumed", "--threads", "1", "--resume"});
    ASSERT_EQ(finished.exit_code, whole.exit_code) << "seed " << seed << "\n" << finished.err;
  }
  const nlohmann::json runs = history();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0]["status"], whole.exit_code == 0 ? "passed" : "failed");
  EXPECT_EQ(runs[0]["records"], 12);  // 6 prompts x 2 variants
  // A kill during loading may come before the run exists; every later attempt resumed it.
  const auto with_run = std::count_if(recorded.begin(), recorded.end(), [](int64_t n) { return n >= 0; });
  EXPECT_GE(runs[0]["attempts"].get<int64_t>(), with_run);
  EXPECT_GT(*std::max_element(recorded.begin(), recorded.end()), 0) << "no kill landed after a committed prompt";

  nlohmann::json a = nlohmann::json::parse(read_file(dir_ + "/whole/results.json"));
  nlohmann::json b = nlohmann::json::parse(read_file(dir_ + "/resumed/results.json"));
  strip_timing(a);
  strip_timing(b);
  EXPECT_EQ(a, b) << "seed " << seed << ", kills after " << ::testing::PrintToString(recorded) << " records\n"
                  << nlohmann::json::diff(a, b).dump(1);
}

TEST_F(ResumeTest, ResumeWithNothingToResumeStartsANewRun) {
  const CliResult r = run({"run", suite(), "--out", dir_ + "/out", "--threads", "1", "--resume"});
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
  EXPECT_NE(r.err.find("nothing to resume"), std::string::npos) << r.err;
  EXPECT_EQ(history().size(), 1u);
}

}  // namespace
}  // namespace pd::test

namespace pd::test {
namespace {

// Two items of one slice with the same id are stored apart ("x" and "x#2") and resumed
// as themselves, not as each other.
TEST_F(ResumeTest, RepeatedIdsInASliceAreStoredApart) {
  std::ofstream(dir_ + "/stories.jsonl") << "{\"id\": \"x\", \"prompt\": \"Once upon a time, there was a little dog\"}\n"
                                            "{\"id\": \"x\", \"prompt\": \"Tom had a red ball. He\"}\n";
  const CliResult r = run({"run", suite(), "--out", dir_ + "/out", "--threads", "1", "--json"});
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
  const nlohmann::json runs = history();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0]["records"], 4);  // 2 items x 2 variants
  const CliResult again = run({"reproduce", std::to_string(runs[0]["run"].get<int64_t>()), "x", "--json"});
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  const nlohmann::json j = nlohmann::json::parse(again.out);
  ASSERT_EQ(j["records"].size(), 4u);
  EXPECT_EQ(j["records"][1]["record"], "stories/q4/drift/x#2");
}

}  // namespace
}  // namespace pd::test

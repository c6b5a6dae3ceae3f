// precisiondiff hunt, run as a user would: on a forge sentinel whose oracle knows which
// prompts flip at 4 bits (every reported hit must be real, and guided search must beat
// vanilla on the same budget), resume and determinism through the real binary, and the
// progress bar drawn on a terminal only.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_runner.h"
#include "core/atomic_file.h"
#include "test_paths.h"

namespace pd {
namespace {

nlohmann::json json_of(const test::CliResult& r) {
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return nlohmann::json::parse(r.out);
}

// One small sentinel for every test here (built once: a few seconds).
const std::string& sentinel() {
  static const std::string path = [] {
    const std::string p = test::temp_dir("hunt-cli-sentinel") + "/s.gguf";
    const test::CliResult r = test::run_cli({"forge", "sentinel", p, "--sets", test::source_path("data/sets"),
                                             "--words", "700", "--flip-band", "0.02"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return p;
  }();
  return path;
}

std::vector<std::string> hunt_args(const std::string& budget, const std::string& out) {
  return {"hunt", sentinel(), "--base", "f32", "--cand", "q4_0", "--inputs",
          test::source_path("data/sets/advbench_harmful_behaviors.csv"), "--column", "goal", "--limit", "100",
          "--population", "16", "--confirm-tokens", "16", "--max-minimize-tests", "8", "--threads", "1", "--budget", budget, "--out", out};
}

TEST(HuntCliSlow, GuidedSearchBeatsVanillaAndEveryHitIsRealPerTheOracle) {
  const std::string dir = test::temp_dir("hunt-cli-compare");
  // The budget at which vanilla finds its first few hits (scripts/hunt-bench.sh runs
  // the full experiment: mcmc too, five search seeds).
  std::vector<std::string> args = hunt_args("40000", dir);
  for (const char* a : {"--strategy", "ga,vanilla", "--repeat", "1", "--oracle", "--json"}) args.push_back(a);
  test::CliOptions patient;
  patient.timeout_seconds = 600;
  const nlohmann::json j = json_of(test::run_cli(args, patient));
  ASSERT_EQ(j["strategies"].size(), 2u);
  std::map<std::string, double> unique;
  for (const auto& s : j["strategies"]) {
    const std::string name = s["strategy"];
    unique[name] = s["mean_unique_hits"].get<double>();
    // No unique hit the search reports is contradicted by the oracle, and all but a few
    // are certified: the rest sit within the engine's rounding of a threshold, where the
    // oracle cannot vouch either way (the engine did flip on them).
    EXPECT_EQ(s["oracle"]["contradicted"].get<int64_t>(), 0) << name;
    EXPECT_GE(s["oracle"]["real"].get<double>(), 0.9 * s["oracle"]["checked"].get<double>()) << name;
    EXPECT_GE(s["oracle"]["checked"].get<int64_t>(), s["runs"][0]["unique_hits_within_budget"].get<int64_t>());
  }
  std::printf("sentinel, 40000 tokens: ga %.0f, vanilla %.0f unique hits\n", unique["ga"], unique["vanilla"]);
  EXPECT_GE(unique["vanilla"], 1.0);
  EXPECT_GT(unique["ga"], 2 * unique["vanilla"]);
}

TEST(HuntCliSlow, ResumeAfterAnInterruptionGivesTheUninterruptedRun) {
  const std::string full = test::temp_dir("hunt-cli-full"), split = test::temp_dir("hunt-cli-split");
  std::vector<std::string> args = hunt_args("12000", full);
  for (const char* a : {"--strategy", "ga", "--seed", "3"}) args.push_back(a);
  ASSERT_EQ(test::run_cli(args).exit_code, 0);

  std::vector<std::string> first = args;
  first[first.size() - 5] = split;  // --out
  ASSERT_EQ(first[first.size() - 6], "--out");
  std::vector<std::string> interrupted = first;
  for (const char* a : {"--max-rounds", "1"}) interrupted.push_back(a);
  ASSERT_EQ(test::run_cli(interrupted).exit_code, 0);
  ASSERT_TRUE(test::exists(split + "/state.json"));
  EXPECT_EQ(nlohmann::json::parse(read_file(split + "/state.json"))["round"], 1);
  // The interruption fell in the middle: the whole hunt takes more rounds.
  EXPECT_GT(nlohmann::json::parse(read_file(full + "/summary.json"))["rounds"].get<int64_t>(), 2);
  std::vector<std::string> resumed = first;
  resumed.push_back("--resume");
  ASSERT_EQ(test::run_cli(resumed).exit_code, 0);
  EXPECT_EQ(read_file(split + "/corpus.jsonl"), read_file(full + "/corpus.jsonl"));
  EXPECT_EQ(read_file(split + "/summary.json"), read_file(full + "/summary.json"));
}

TEST(HuntCli, TheSameSeedGivesTheSameHits) {
  const std::string a = test::temp_dir("hunt-cli-seed-a"), b = test::temp_dir("hunt-cli-seed-b");
  std::vector<std::string> args_a = hunt_args("5000", a), args_b = hunt_args("5000", b);
  for (auto* args : {&args_a, &args_b}) {
    for (const char* x : {"--strategy", "mcmc", "--seed", "4", "--json"}) args->push_back(x);
  }
  const nlohmann::json ja = json_of(test::run_cli(args_a)), jb = json_of(test::run_cli(args_b));
  EXPECT_EQ(ja["hits_list"], jb["hits_list"]);
  EXPECT_EQ(ja["curve"], jb["curve"]);
  EXPECT_EQ(read_file(a + "/corpus.jsonl"), read_file(b + "/corpus.jsonl"));
}

TEST(HuntCli, ProgressOnATerminalOnly) {
  const std::string dir = test::temp_dir("hunt-cli-progress");
  std::vector<std::string> args = hunt_args("3000", dir);
  for (const char* a : {"--strategy", "vanilla", "--no-minimize"}) args.push_back(a);
  const test::CliResult piped = test::run_cli(args);
  ASSERT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_EQ(piped.err.find("hunt vanilla"), std::string::npos) << piped.err;
  if (!test::exists("/usr/bin/script")) GTEST_SKIP() << "no script(1) to give the hunt a terminal";
  std::string command = test::cli_path();
  for (const std::string& a : args) command += " '" + a + "'";
  const test::CliResult tty = test::run_program("/usr/bin/script", {"-qec", command, "/dev/null"});
  ASSERT_EQ(tty.exit_code, 0) << tty.err;
  EXPECT_NE(tty.out.find("hunt vanilla"), std::string::npos) << tty.out;
}

}  // namespace
}  // namespace pd

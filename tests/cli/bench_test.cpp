// `precisiondiff bench`: the JSON report and its errors.

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_runner.h"
#include "core/atomic_file.h"
#include "test_paths.h"

namespace pd {
namespace {

std::string stories() { return test::source_path("data/models/stories260K.gguf"); }

TEST(BenchCli, JsonReportsSpeeds) {
  const test::CliResult r = test::run_cli({"bench", stories(), "--threads", "2", "--prompt-tokens", "16",
                                           "--gen-tokens", "4", "--runs", "3", "--json", "--no-history"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_GT(j["prefill_tps"].get<double>(), 0.0);
  EXPECT_GT(j["decode_tps"].get<double>(), 0.0);
  EXPECT_GT(j["decode_bandwidth_gbs"].get<double>(), 0.0);
  EXPECT_EQ(j["threads"], 2);
  EXPECT_EQ(j["prompt_tokens"], 16);
  EXPECT_EQ(j["gen_tokens"], 4);
  EXPECT_EQ(j["weight_bytes"].get<uint64_t>() % 4, 0u);  // all F32
  // Against this machine's limits, measured in the same run; decode against bandwidth
  // readings just before and just after each run (one before the first, one after each).
  EXPECT_GT(j["roofline_bandwidth_gbs"].get<double>(), 0.0);
  const auto decode = j["run_decode_tps"].get<std::vector<double>>();
  const auto readings = j["run_bandwidth_gbs"].get<std::vector<double>>();
  const auto fractions = j["run_decode_fraction"].get<std::vector<double>>();
  const auto steady = j["run_steady"].get<std::vector<bool>>();
  ASSERT_EQ(decode.size(), 3u);
  ASSERT_EQ(readings.size(), 4u);
  ASSERT_EQ(fractions.size(), 3u);
  ASSERT_EQ(steady.size(), 3u);
  std::vector<double> counted;
  for (size_t r = 0; r < 3; ++r) {
    EXPECT_GT(readings[r + 1], 0.0);
    const double around = 0.5 * (readings[r] + readings[r + 1]);
    EXPECT_NEAR(fractions[r], j["weight_bytes"].get<double>() * decode[r] / 1e9 / around, 1e-12);
    if (steady[r]) counted.push_back(fractions[r]);
  }
  EXPECT_EQ(j["decode_steady_runs"].get<size_t>(), counted.size());
  if (counted.empty()) counted = fractions;
  std::sort(counted.begin(), counted.end());
  const size_t n = counted.size();
  const double median = n % 2 ? counted[n / 2] : 0.5 * (counted[n / 2 - 1] + counted[n / 2]);
  EXPECT_NEAR(j["decode_bandwidth_fraction"].get<double>(), median, 1e-12);
  EXPECT_GT(j["prefill_flops_fraction"].get<double>(), 0.0);
}

TEST(BenchCli, RooflineAloneMeasuresBandwidthAndFma) {
  const test::CliResult r =
      test::run_cli({"bench", "--roofline", "--roofline-mb", "32", "--threads", "2", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["roofline_threads"], 2);
  for (const char* key : {"roofline_bandwidth_1t_gbs", "roofline_bandwidth_gbs",
                          "roofline_fma_gflops_per_core", "roofline_fma_gflops"}) {
    EXPECT_GT(j[key].get<double>(), 0.0) << key;
  }
  EXPECT_EQ(j.count("decode_tps"), 0u);
  const test::CliResult plain = test::run_cli({"bench", "--roofline", "--roofline-mb", "32", "--threads", "1"});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_NE(plain.out.find("read bandwidth:"), std::string::npos) << plain.out;
  // Neither a model nor --roofline: nothing to measure.
  EXPECT_EQ(test::run_cli({"bench", "--runs", "1"}).exit_code, 2);
  EXPECT_EQ(test::run_cli({"bench", "--roofline", "--roofline-mb", "1"}).exit_code, 2);
}

TEST(BenchCli, ScoreTimesTeacherForcingAgainstAPrefill) {
  const test::CliResult r = test::run_cli({"bench", stories(), "--threads", "2", "--prompt-tokens", "32",
                                           "--gen-tokens", "2", "--runs", "3", "--score", "--json", "--no-history"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_GT(j["score_tps"].get<double>(), 0.0);
  EXPECT_NEAR(j["score_cost_vs_prefill"].get<double>(), j["prefill_tps"].get<double>() / j["score_tps"].get<double>(),
              1e-9);
  const test::CliResult plain = test::run_cli({"bench", stories(), "--prompt-tokens", "8", "--gen-tokens", "1",
                                               "--runs", "1", "--score", "--no-history"});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_NE(plain.out.find("score:"), std::string::npos);
  // Scoring runs the file's own numerics; other numerics would time something else.
  const test::CliResult bad = test::run_cli({"bench", stories(), "--runs", "1", "--score", "--kv", "f16", "--no-history"});
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_NE(bad.err.find("--score"), std::string::npos) << bad.err;
}

TEST(BenchCli, PlainOutputAndErrors) {
  const test::CliResult r =
      test::run_cli({"bench", stories(), "--prompt-tokens", "4", "--gen-tokens", "2", "--runs", "1", "--no-history"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("prefill:"), std::string::npos);
  EXPECT_NE(r.out.find("decode:"), std::string::npos);
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"bench", stories(), "--gen-tokens", "0", "--no-history"},
        std::vector<std::string>{"bench", stories(), "--runs", "0", "--no-history"},
        std::vector<std::string>{"bench", "/nonexistent.gguf", "--no-history"}}) {
    const test::CliResult bad = test::run_cli(args);
    EXPECT_EQ(bad.exit_code, 2) << bad.err;
  }
}

// Each run is recorded and compared with the last one of the same measurement; another
// measurement (here: another thread count) has no predecessor.
TEST(BenchCli, RatioToTheLastRecordedFigure) {
  const std::string history = test::temp_dir("bench-history") + "/sub/history.jsonl";
  const std::vector<std::string> args = {"bench", stories(), "--prompt-tokens", "8", "--gen-tokens", "2",
                                         "--runs", "1", "--threads", "1", "--history", history};
  const test::CliResult first = test::run_cli(args);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("nothing recorded for this measurement yet"), std::string::npos) << first.out;

  std::vector<std::string> json_args = args;
  json_args.push_back("--json");
  const test::CliResult second = test::run_cli(json_args);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  const nlohmann::json j = nlohmann::json::parse(second.out);
  ASSERT_TRUE(j["previous"].is_object()) << second.out;
  EXPECT_NEAR(j["prefill_ratio_to_last"].get<double>(),
              j["prefill_tps"].get<double>() / j["previous"]["prefill_tps"].get<double>(), 1e-9);
  EXPECT_NEAR(j["decode_ratio_to_last"].get<double>(),
              j["decode_tps"].get<double>() / j["previous"]["decode_tps"].get<double>(), 1e-9);
  EXPECT_EQ(j["history"], history);

  const test::CliResult third = test::run_cli(args);
  EXPECT_NE(third.out.find("vs last:   prefill "), std::string::npos) << third.out;

  std::vector<std::string> other = args;
  other[9] = "2";  // --threads 2: another measurement
  const test::CliResult two_threads = test::run_cli(other);
  EXPECT_NE(two_threads.out.find("nothing recorded for this measurement yet"), std::string::npos) << two_threads.out;

  // A damaged history is named, before any time is spent measuring.
  const std::string damaged = test::temp_dir("bench-history-bad") + "/history.jsonl";
  write_file_atomic(damaged, "{\"key\": 3}\n");
  std::vector<std::string> bad = args;
  bad.back() = damaged;
  const test::CliResult refused = test::run_cli(bad);
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find(damaged + ": line 1"), std::string::npos) << refused.err;
}

// scripts/decode-fraction-window.sh reads bench's JSON (the per-run fractions, their
// steadiness and bracketing readings, the FMA reading): its table must count exactly the
// steady runs of the calls it made.
TEST(BenchCli, FractionWindowScriptCountsTheSteadyRunsOfItsCalls) {
  const std::string dir = test::temp_dir("fraction-window");
  const std::string raw = dir + "/calls.jsonl";
  test::CliOptions options;
  options.env = {"SECONDS_TOTAL=1", "THREADS=2", "PD=" + test::cli_path(), "RAW=" + raw};
  options.timeout_seconds = 300;
  const test::CliResult r =
      test::run_program("/bin/bash", {test::source_path("scripts/decode-fraction-window.sh"), stories()}, options);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("| file | spell (bandwidth read) | steady runs |"), std::string::npos) << r.out;

  size_t steady_in_calls = 0, calls = 0;
  std::ifstream in(raw);
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    const nlohmann::json j = nlohmann::json::parse(line);
    ++calls;
    for (bool steady : j["run_steady"].get<std::vector<bool>>()) steady_in_calls += steady ? 1 : 0;
  }
  ASSERT_GE(calls, 1u);
  size_t steady_in_table = 0;
  std::istringstream table(r.out);
  for (std::string row; std::getline(table, row);) {
    if (row.rfind("| stories260K.gguf |", 0) != 0) continue;
    // | file | spell | steady runs | fraction | FMA |
    std::istringstream cells(row);
    std::string cell;
    for (int k = 0; k < 4; ++k) std::getline(cells, cell, '|');
    steady_in_table += static_cast<size_t>(std::stoul(cell));
  }
  EXPECT_EQ(steady_in_table, steady_in_calls) << r.out;
}

TEST(BenchCli, FractionWindowScriptNamesWhatIsWrong) {
  test::CliOptions options;
  options.env = {"SECONDS_TOTAL=1", "PD=" + test::cli_path()};
  const std::string script = test::source_path("scripts/decode-fraction-window.sh");
  const test::CliResult missing = test::run_program("/bin/bash", {script, "/no/such/model.gguf"}, options);
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("/no/such/model.gguf: no such file"), std::string::npos) << missing.err;

  options.env = {"SECONDS_TOTAL=soon", "PD=" + test::cli_path()};
  const test::CliResult bad_window = test::run_program("/bin/bash", {script, stories()}, options);
  EXPECT_EQ(bad_window.exit_code, 2);
  EXPECT_NE(bad_window.err.find("SECONDS_TOTAL"), std::string::npos) << bad_window.err;

  options.env = {"SECONDS_TOTAL=1", "SPELLS=45 36", "PD=" + test::cli_path()};
  const test::CliResult bad_spells = test::run_program("/bin/bash", {script, stories()}, options);
  EXPECT_EQ(bad_spells.exit_code, 2);
  EXPECT_NE(bad_spells.err.find("SPELLS"), std::string::npos) << bad_spells.err;

  const std::string dir = test::temp_dir("fraction-window-bad");
  const std::string not_gguf = dir + "/not.gguf";
  std::ofstream(not_gguf) << "not a model";
  options.env = {"SECONDS_TOTAL=1", "PD=" + test::cli_path()};
  const test::CliResult bad_file = test::run_program("/bin/bash", {script, not_gguf}, options);
  EXPECT_EQ(bad_file.exit_code, 2);
  EXPECT_NE(bad_file.err.find(not_gguf), std::string::npos) << bad_file.err;
}

}  // namespace
}  // namespace pd

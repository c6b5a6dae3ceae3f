// `precisiondiff bench`: the JSON report and its errors.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_runner.h"
#include "test_paths.h"

namespace pd {
namespace {

std::string stories() { return test::source_path("data/models/stories260K.gguf"); }

TEST(BenchCli, JsonReportsSpeeds) {
  const test::CliResult r = test::run_cli({"bench", stories(), "--threads", "2", "--prompt-tokens", "16",
                                           "--gen-tokens", "4", "--runs", "3", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_GT(j["prefill_tps"].get<double>(), 0.0);
  EXPECT_GT(j["decode_tps"].get<double>(), 0.0);
  EXPECT_GT(j["decode_bandwidth_gbs"].get<double>(), 0.0);
  EXPECT_EQ(j["threads"], 2);
  EXPECT_EQ(j["prompt_tokens"], 16);
  EXPECT_EQ(j["gen_tokens"], 4);
  EXPECT_EQ(j["weight_bytes"].get<uint64_t>() % 4, 0u);  // all F32
  // Against this machine's limits, measured in the same run.
  EXPECT_GT(j["roofline_bandwidth_gbs"].get<double>(), 0.0);
  EXPECT_NEAR(j["decode_bandwidth_fraction"].get<double>(),
              j["decode_bandwidth_gbs"].get<double>() / j["roofline_bandwidth_gbs"].get<double>(), 1e-9);
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
                                           "--gen-tokens", "2", "--runs", "3", "--score", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_GT(j["score_tps"].get<double>(), 0.0);
  EXPECT_NEAR(j["score_cost_vs_prefill"].get<double>(), j["prefill_tps"].get<double>() / j["score_tps"].get<double>(),
              1e-9);
  const test::CliResult plain = test::run_cli({"bench", stories(), "--prompt-tokens", "8", "--gen-tokens", "1",
                                               "--runs", "1", "--score"});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_NE(plain.out.find("score:"), std::string::npos);
  // Scoring runs the file's own numerics; other numerics would time something else.
  const test::CliResult bad = test::run_cli({"bench", stories(), "--runs", "1", "--score", "--kv", "f16"});
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_NE(bad.err.find("--score"), std::string::npos) << bad.err;
}

TEST(BenchCli, PlainOutputAndErrors) {
  const test::CliResult r = test::run_cli({"bench", stories(), "--prompt-tokens", "4", "--gen-tokens", "2", "--runs", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("prefill:"), std::string::npos);
  EXPECT_NE(r.out.find("decode:"), std::string::npos);
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"bench", stories(), "--gen-tokens", "0"},
        std::vector<std::string>{"bench", stories(), "--runs", "0"},
        std::vector<std::string>{"bench", "/nonexistent.gguf"}}) {
    const test::CliResult bad = test::run_cli(args);
    EXPECT_EQ(bad.exit_code, 2) << bad.err;
  }
}

}  // namespace
}  // namespace pd

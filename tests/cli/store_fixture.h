#pragma once
// A tiny suite on the shipped stories260K model for the store commands' tests (pin, run
// --resume, reproduce, revalidate, history/show): six prompts, two variants, short
// completions, each run in a private store so tests never share state.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "cli_runner.h"
#include "test_paths.h"

namespace pd::test {

class StoreSuiteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = temp_dir(std::string("store-") + info->test_suite_name() + "-" + info->name());
    model_ = source_path("data/models/stories260K.gguf");
    store_ = dir_ + "/store.sqlite";
    std::ofstream(dir_ + "/stories.jsonl")
        << "{\"id\": \"a\", \"prompt\": \"Once upon a time, there was a little dog\"}\n"
           "{\"id\": \"b\", \"prompt\": \"Lily went to the park and saw\"}\n"
           "{\"id\": \"c\", \"prompt\": \"Tom had a red ball. He\"}\n"
           "{\"id\": \"d\", \"prompt\": \"The sun was shining and the birds\"}\n"
           "{\"id\": \"e\", \"prompt\": \"Sam wanted to play with his friend\"}\n"
           "{\"id\": \"f\", \"prompt\": \"One day, a big cat\"}\n";
    write_suite(0.5);
  }

  // `kld` is the drift slice's tolerance; `model` the baseline file.
  void write_suite(double kld, const std::string& model = "") {
    std::ofstream(suite()) << "suite: store-test\n"
                              "model:\n"
                              "  name: stories\n"
                              "  path: " << (model.empty() ? model_ : model) << "\n"
                              "  variants:\n"
                              "    - {name: q8, plan: q8_0}\n"
                              "    - {name: q4, plan: q4_0}\n"
                              "noise_floor: {prompts: 2}\n"
                              "slices:\n"
                              "  - name: drift\n"
                              "    dataset: {path: stories.jsonl, id: id}\n"
                              "    mode: completion\n"
                              "    decoding: {max_tokens: 24}\n"
                              "    tolerances: {kld_mean: " << kld << "}\n";
  }

  std::string suite() const { return dir_ + "/suite.yaml"; }
  std::string lock() const { return dir_ + "/suite.lock"; }

  CliResult run(std::vector<std::string> args, const std::vector<std::string>& env = {}) {
    if (args[0] != "pin") {  // every other store command takes --store
      args.push_back("--store");
      args.push_back(store_);
    }
    CliOptions options;
    options.env = env;
    options.timeout_seconds = 300;
    return run_cli(args, options);
  }

  nlohmann::json history() {
    const CliResult r = run({"history", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out);
  }

  std::string dir_, model_, store_;
};

}  // namespace pd::test

// `precisiondiff compare`: prompts and text modes, the llama-perplexity base-logits file
// written and read back, the --json document against its shipped schema, and bad
// inputs (exit 2, one line naming the file and line).

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

#include "cli_runner.h"
#include "core/atomic_file.h"
#include "core/npy.h"
#include "diff/llama_logits_file.h"
#include "report/report_validation.h"
#include "test_paths.h"

namespace pd {
namespace {

std::string stories() { return test::source_path("data/models/stories260K.gguf"); }
std::string sample_text() { return test::source_path("data/sets/tinystories_sample.txt"); }
std::string prompts() { return test::source_path("examples/prompts/tinystories.jsonl"); }
std::string schema() { return test::source_path("schemas/compare.schema.json"); }

nlohmann::json run_json(const std::vector<std::string>& args) {
  const test::CliResult r = test::run_cli(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  if (r.exit_code != 0) return nlohmann::json::object();
  return nlohmann::json::parse(r.out);
}

std::string write_temp(const std::string& dir, const std::string& name, const std::string& contents) {
  const std::string path = dir + "/" + name;
  write_file_atomic(path, contents);
  return path;
}

void expect_schema_valid(const nlohmann::json& doc, const std::string& name) {
  if (!test::have_validators()) GTEST_SKIP() << "python3 jsonschema not installed";
  const std::string path = write_temp(test::temp_dir("compare-schema"), name, doc.dump());
  EXPECT_EQ(test::validate_json_schema(path, schema()), "") << name;
}

TEST(CompareCli, PromptsModeJsonFollowsTheSchemaAndOrdersThePlans) {
  const auto run = [](const std::string& cand) {
    return run_json({"compare", stories(), "--cand", cand, "--prompts", prompts(), "--limit", "6", "--max-tokens",
                     "24", "--threads", "2", "--json"});
  };
  const nlohmann::json q8 = run("q8_0"), q4 = run("q4_0"), same = run("f32");
  ASSERT_TRUE(q8.contains("records"));
  EXPECT_EQ(q8["records"].size(), 6u);
  EXPECT_EQ(q8["mode"], "prompts");
  const double kld_q8 = q8["kld"]["mean"].get<double>(), kld_q4 = q4["kld"]["mean"].get<double>();
  EXPECT_GT(kld_q8, 0);
  EXPECT_LT(kld_q8 * 5, kld_q4);
  EXPECT_EQ(same["kld"]["mean"].get<double>(), 0.0);
  EXPECT_EQ(same["aggregate"]["diverged"], 0);
  // The noise floor is measured (reversed accumulation order), positive and far under q8_0.
  EXPECT_GT(q8["noise_floor"]["max_prompt_mean_kld"].get<double>(), 0);
  EXPECT_LT(q8["noise_floor"]["mean_kld"].get<double>() * 10, kld_q8);
  expect_schema_valid(q8, "prompts.json");
  expect_schema_valid(same, "same.json");
  // The schema is closed: a field the writer does not document, or a mistyped mean, fails.
  if (test::have_validators()) {
    nlohmann::json broken = q8;
    broken["records"][0]["unexpected"] = 1;
    broken["kld"]["mean"] = "0.1";
    const std::string path = write_temp(test::temp_dir("compare-schema"), "broken.json", broken.dump());
    EXPECT_NE(test::validate_json_schema(path, schema()), "");
  }
}

// Regression: a prompt or a generated text that is not valid UTF-8 (a byte token, a
// file in another encoding) made --json throw and exit 3; JSON output now writes U+FFFD.
TEST(CompareCli, JsonOutputSurvivesInvalidUtf8) {
  const std::string path = write_temp(test::temp_dir("compare-utf8"), "bad.txt", "Once upon a time \xb2 there was\n");
  const nlohmann::json j = run_json({"compare", stories(), "--cand", "q8_0", "--prompts", path, "--max-tokens", "4",
                                     "--no-noise-floor", "--json"});
  EXPECT_NE(j.dump().find("\xef\xbf\xbd"), std::string::npos) << "the bad byte became U+FFFD";
}

TEST(CompareCli, TextModePrintsLlamaPerplexityLabels) {
  const test::CliResult r = test::run_cli({"compare", stories(), "--cand", "q4_0", "--text", sample_text(), "--ctx",
                                           "64", "--threads", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* label : {"Mean PPL(Q)", "Mean    KLD:", "99.9%   KLD:", "Minimum KLD:", "RMS Δp    :",
                            "Same top p:"}) {
    EXPECT_NE(r.out.find(label), std::string::npos) << label;
  }
}

// The base-logits file: written from the f32 baseline while comparing q4_0, then read
// back as the baseline of the same comparison. The candidate's rows are the same bits,
// so only the file's 16-bit rounding of the baseline can move the figures.
TEST(CompareCli, BaseLogitsFileRoundTrip) {
  const std::string dir = test::temp_dir("compare-kld-base");
  const std::string base_file = dir + "/stories-f32.kld";
  const nlohmann::json written = run_json({"compare", stories(), "--cand", "q4_0", "--text", sample_text(), "--ctx",
                                           "64", "--threads", "2", "--kl-divergence-base", base_file, "--json"});
  ASSERT_TRUE(written.contains("kld"));
  EXPECT_EQ(written["base_logits"]["mode"], "written");
  const auto file = LlamaLogitsFile::open(base_file);
  EXPECT_EQ(file->n_ctx(), 64u);
  EXPECT_EQ(file->n_vocab(), 512);
  EXPECT_EQ(file->n_chunk(), written["chunks"].get<int>());

  const nlohmann::json read = run_json({"compare", stories(), "--cand", "q4_0", "--kl-divergence-base", base_file,
                                        "--threads", "2", "--json"});
  ASSERT_TRUE(read.contains("kld"));
  EXPECT_EQ(read["base_logits"]["mode"], "read");
  EXPECT_EQ(read["chunks"], written["chunks"]);
  EXPECT_EQ(read["statistics"]["count"], written["statistics"]["count"]);
  const double kld_written = written["kld"]["mean"].get<double>(), kld_read = read["kld"]["mean"].get<double>();
  EXPECT_NEAR(kld_read, kld_written, 0.01 * kld_written);
  EXPECT_NEAR(read["statistics"]["ppl"]["candidate"]["value"].get<double>(),
              written["statistics"]["ppl"]["candidate"]["value"].get<double>(), 1e-9);
  // The file clamps log-probs more than 16 nats under a row's top to that floor, and the
  // baseline's NLL is read from it as llama.cpp reads it: never higher than the exact one.
  const double ppl_read = read["statistics"]["ppl"]["baseline"]["value"].get<double>();
  const double ppl_written = written["statistics"]["ppl"]["baseline"]["value"].get<double>();
  EXPECT_LE(ppl_read, ppl_written * (1 + 1e-6));
  EXPECT_GT(ppl_read, ppl_written * 0.95);
  EXPECT_NEAR(read["statistics"]["same_top1"]["rate"].get<double>(),
              written["statistics"]["same_top1"]["rate"].get<double>(), 0.01);
  expect_schema_valid(written, "text-written.json");
  expect_schema_valid(read, "text-read.json");

  // The baseline against its own stored rows: only the 16-bit rounding remains.
  const nlohmann::json self = run_json({"compare", stories(), "--cand", "f32", "--kl-divergence-base", base_file,
                                        "--threads", "2", "--json"});
  EXPECT_LT(self["kld"]["mean"].get<double>(), 1e-5);
  EXPECT_EQ(self["statistics"]["same_top1"]["rate"].get<double>(), 1.0);

  // Writing without a candidate (llama-perplexity's first step) gives the same file.
  const std::string alone = dir + "/alone.kld";
  const test::CliResult w = test::run_cli({"compare", stories(), "--text", sample_text(), "--ctx", "64",
                                           "--threads", "2", "--kl-divergence-base", alone});
  ASSERT_EQ(w.exit_code, 0) << w.err;
  EXPECT_EQ(read_file(alone), read_file(base_file));
}

// llama.cpp's own log-probs for a stories260K prompt (shared reference data), stored
// as a base-logits file of one chunk: our f32 engine read against them is within the
// tolerance the engine is held to.
TEST(CompareCli, LlamaCppLogProbsAsBaseline) {
  const std::string ref = test::shared_data("reference/stories260K-F32-p2");
  if (!test::exists(ref + ".npy")) GTEST_SKIP() << "no shared reference data";
  std::ifstream in(ref + ".tokens");
  std::vector<int32_t> tokens;
  for (int32_t id; in >> id;) tokens.push_back(id);
  const NpyMatrix logprobs = read_npy(ref + ".npy");
  ASSERT_EQ(logprobs.rows, static_cast<int64_t>(tokens.size()));
  const uint32_t n_ctx = static_cast<uint32_t>(tokens.size());
  LlamaLogitsWriter writer(n_ctx, static_cast<int32_t>(logprobs.cols), tokens);
  for (uint32_t j = n_ctx / 2; j + 1 < n_ctx; ++j) writer.add_row(logprobs.row(j));
  const std::string path = test::temp_dir("compare-llama") + "/p2.kld";
  writer.write(path);
  const nlohmann::json j = run_json({"compare", stories(), "--cand", "f32", "--kl-divergence-base", path, "--json"});
  ASSERT_TRUE(j.contains("kld"));
  EXPECT_EQ(j["statistics"]["count"], n_ctx - 1 - n_ctx / 2);
  EXPECT_LT(j["kld"]["mean"].get<double>(), 1e-4);
  EXPECT_EQ(j["statistics"]["same_top1"]["rate"].get<double>(), 1.0);
}

void expect_one_line_error(const std::vector<std::string>& args, const std::string& needle1,
                           const std::string& needle2 = "") {
  const test::CliResult r = test::run_cli(args);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  ASSERT_EQ(r.err_lines().size(), 1u) << r.err;
  EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find(needle1), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(needle2), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST(CompareCli, BadBaseLogitsFilesNameTheFile) {
  const std::string dir = test::temp_dir("compare-kld-bad");
  const std::string garbage = write_temp(dir, "garbage.kld", "not a logits file at all");
  expect_one_line_error({"compare", stories(), "--cand", "q8_0", "--kl-divergence-base", garbage}, garbage, "magic");
  // A well-formed file from a model with another vocabulary.
  std::vector<int32_t> tokens(8, 3);
  LlamaLogitsWriter writer(8, 100, tokens);
  std::vector<float> row(100, -std::log(100.f));
  for (int i = 0; i < 3; ++i) writer.add_row(row.data());
  const std::string other_vocab = dir + "/vocab100.kld";
  writer.write(other_vocab);
  expect_one_line_error({"compare", stories(), "--cand", "q8_0", "--kl-divergence-base", other_vocab}, other_vocab,
                        "vocabulary");
  expect_one_line_error({"compare", stories(), "--cand", "q8_0", "--kl-divergence-base", dir + "/missing.kld"},
                        "missing.kld");
  // The context of the file is the context of the comparison.
  const std::string good = dir + "/good.kld";
  ASSERT_EQ(test::run_cli({"compare", stories(), "--text", sample_text(), "--ctx", "32", "--kl-divergence-base", good})
                .exit_code,
            0);
  expect_one_line_error({"compare", stories(), "--cand", "q8_0", "--kl-divergence-base", good, "--ctx", "64"}, good,
                        "32");
  expect_one_line_error({"compare", stories(), "--cand", "q8_0", "--base", "q8_0", "--kl-divergence-base", good},
                        "--base");
  expect_one_line_error({"compare", stories(), "--cand", "q8_0", "--prompts", prompts(), "--kl-divergence-base", good},
                        "--kl-divergence-base");
}

TEST(CompareCli, BadPromptFilesNameTheFileAndLine) {
  const std::string dir = test::temp_dir("compare-prompts-bad");
  const std::string invalid = write_temp(dir, "invalid.jsonl", "{\"prompt\": \"Once upon a time\"}\n{oops\n");
  expect_one_line_error({"compare", stories(), "--cand", "q8_0", "--prompts", invalid}, invalid, "line 2");
  const std::string missing = write_temp(dir, "missing.jsonl", "{\"prompt\": \"a\"}\n{\"prompt\": \"b\"}\n{\"text\": \"c\"}\n");
  expect_one_line_error({"compare", stories(), "--cand", "q8_0", "--prompts", missing}, missing, "line 3");
  const std::string column = write_temp(dir, "column.csv", "id,reply\n1,Why is the sky blue?\n");
  expect_one_line_error({"compare", stories(), "--cand", "q8_0", "--prompts", column}, column, "column");
  expect_one_line_error({"compare", stories(), "--cand", "q8_0", "--prompts", column, "--prompt-column", "answer"},
                        column, "answer");
  const std::string empty = write_temp(dir, "empty.jsonl", "");
  expect_one_line_error({"compare", stories(), "--cand", "q8_0", "--prompts", empty}, empty);
  const std::string blank = write_temp(dir, "blank.txt", "\n  \n\n");
  expect_one_line_error({"compare", stories(), "--cand", "q8_0", "--prompts", blank}, blank);
  expect_one_line_error({"compare", stories(), "--cand", "q8_0"}, "--prompts");
  expect_one_line_error({"compare", stories(), "--prompts", prompts()}, "--cand");
}

}  // namespace
}  // namespace pd

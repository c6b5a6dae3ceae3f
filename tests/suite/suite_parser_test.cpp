// Suite files: a complete one read field by field, and malformed ones, each rejected
// with the file, line and field named.

#include "suite/suite_parser.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "suite/dataset.h"
#include "test_paths.h"

namespace pd::suite {
namespace {

class SuiteParserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::temp_dir("suite-parser");
    write("qa.jsonl", "{\"question\": \"1+1?\", \"answer\": \"2\", \"lang\": \"en\"}\n");
    write("mgsm_de.tsv", "Frage\t3\n");
    write("mgsm_fr.tsv", "Question\t4\n");
    model_ = test::source_path("data/models/stories260K.gguf");
  }

  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ + "/" + name) << text;
  }

  SuiteSpec parse(const std::string& yaml) { return parse_suite_text(yaml, "suite.yaml", dir_); }

  // The error message, or "" when parsing succeeded.
  std::string error_of(const std::string& yaml) {
    try {
      parse(yaml);
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::BadInput);
      return e.what();
    }
    return "";
  }

  // A minimal valid suite whose slice body (indented by 4) follows "  - name: s\n".
  std::string with_slice(const std::string& slice_body, const std::string& extra = "") {
    return "suite: t\n"
           "model:\n"
           "  path: " + model_ + "\n"
           "  variants: [q8_0]\n"
           "slices:\n"
           "  - name: s\n" + slice_body + extra;
  }

  std::string dir_, model_;
};

TEST_F(SuiteParserTest, CompleteSuite) {
  ::setenv("PD_TEST_DATA_DIR", dir_.c_str(), 1);
  const SuiteSpec spec = parse(
      "suite: release-gate\n"
      "model:\n"
      "  name: tiny\n"
      "  path: " + model_ + "\n"
      "  baseline: f32\n"
      "  variants:\n"
      "    - q8_0\n"
      "    - name: int4\n"
      "      plan: w4a16-g128\n"
      "      provenance: {method: RTN, bits: 4, group_size: 128, calibration: none, runtime: cpu, hardware: x86}\n"
      "defaults:\n"
      "  decision: point\n"
      "  mode: chat\n"
      "  sample: {size: 10, seed: 3}\n"
      "  decoding: {max_tokens: 32}\n"
      "  tolerances:\n"
      "    accuracy_drop_pp: 2\n"
      "    kld_mean: 0.05\n"
      "    hidden_danger: {refusal_pp: -12}\n"
      "noise_floor: {prompts: 4}\n"
      "slices:\n"
      "  - name: qa\n"
      "    dataset: ${PD_TEST_DATA_DIR}/qa.jsonl\n"
      "    prompt: \"Q: {question}\\nA:\"\n"
      "    scorers: [numeric, {name: refusal, expect: comply}]\n"
      "    group_by: lang\n"
      "    tolerances: {accuracy_drop_pp: 4, flip_rate: 0.2, disparity_pp: null}\n"
      "  - name: mgsm\n"
      "    mode: completion\n"
      "    decision: confident\n"
      "    dataset:\n"
      "      path: mgsm_{language}.tsv\n"
      "      header: false\n"
      "      columns: [question, answer]\n"
      "      expand: {language: [de, fr]}\n"
      "    prompt: \"{question}\"\n"
      "    decoding: {max_tokens: 256, temperature: 0.7, top_p: 0.9, seed: 5}\n"
      "    scorers: [{name: numeric, language: \"{language}\"}]\n"
      "    sample: {size: all, per_group: true}\n"
      "waivers:\n"
      "  - {finding: over_refusal, variant: int4, slice: qa, reason: tracked in issue 7}\n");
  EXPECT_EQ(spec.name, "release-gate");
  ASSERT_EQ(spec.models.size(), 1u);
  const ModelDecl& m = spec.models[0];
  EXPECT_EQ(m.name, "tiny");
  EXPECT_EQ(m.baseline_plan, "f32");
  ASSERT_EQ(m.variants.size(), 2u);
  EXPECT_EQ(m.variants[0].name, "q8_0");
  EXPECT_EQ(m.variants[0].plan, "q8_0");
  EXPECT_EQ(m.variants[1].name, "int4");
  EXPECT_EQ(m.variants[1].provenance.method, "RTN");
  EXPECT_EQ(*m.variants[1].provenance.bits, 4);
  EXPECT_EQ(*m.variants[1].provenance.group_size, 128);
  EXPECT_EQ(m.variants[1].mark.line, 8);

  EXPECT_EQ(spec.default_decision, DecisionRule::kPoint);
  EXPECT_EQ(*spec.default_tolerances.accuracy_drop_pp.value, 2);
  EXPECT_EQ(*spec.default_tolerances.refusal_drop_pp.value, 5);  // builtin
  EXPECT_EQ(*spec.default_tolerances.hidden_refusal_pp.value, -12);
  EXPECT_EQ(*spec.default_tolerances.hidden_quality_pp.value, -3);
  EXPECT_EQ(spec.noise_floor.prompts, 4);

  ASSERT_EQ(spec.slices.size(), 2u);
  const SliceDecl& qa = spec.slices[0];
  EXPECT_EQ(qa.model, "tiny");
  EXPECT_EQ(qa.dataset.path, dir_ + "/qa.jsonl");
  EXPECT_EQ(qa.prompt_template, "Q: {question}\nA:");
  EXPECT_TRUE(qa.chat);
  EXPECT_EQ(qa.decoding.max_tokens, 32);
  EXPECT_TRUE(qa.decoding.greedy);
  ASSERT_EQ(qa.scorers.size(), 2u);
  EXPECT_EQ(qa.scorers[1].name, "refusal");
  EXPECT_EQ(qa.scorers[1].options.at("expect"), "comply");
  EXPECT_EQ(qa.group_by, std::vector<std::string>{"lang"});
  EXPECT_EQ(*qa.sample.size, 10);
  EXPECT_EQ(qa.sample.seed, 3u);
  EXPECT_EQ(*qa.tolerances.accuracy_drop_pp.value, 4);
  EXPECT_EQ(*qa.tolerances.flip_rate.value, 0.2);
  EXPECT_TRUE(qa.tolerances.disparity_pp.stated);
  EXPECT_FALSE(qa.tolerances.disparity_pp.value);
  EXPECT_EQ(*qa.tolerances.kld_mean.value, 0.05);  // from defaults
  EXPECT_EQ(qa.decision, DecisionRule::kPoint);
  EXPECT_EQ(qa.mark.line, 22);

  const SliceDecl& mgsm = spec.slices[1];
  EXPECT_FALSE(mgsm.chat);
  EXPECT_EQ(mgsm.decision, DecisionRule::kConfident);
  EXPECT_FALSE(mgsm.dataset.header);
  EXPECT_EQ(mgsm.dataset.expand.at("language"), (std::vector<std::string>{"de", "fr"}));
  EXPECT_EQ(mgsm.decoding.max_tokens, 256);
  EXPECT_FALSE(mgsm.decoding.greedy);
  EXPECT_FLOAT_EQ(mgsm.decoding.temperature, 0.7);
  EXPECT_FALSE(mgsm.sample.size);
  EXPECT_TRUE(mgsm.sample.per_group);

  ASSERT_EQ(spec.waivers.size(), 1u);
  EXPECT_EQ(spec.waivers[0].reason, "tracked in issue 7");
  EXPECT_EQ(spec.waivers[0].mark.line, 41);
}

TEST_F(SuiteParserTest, MalformedYamlNamesTheLine) {
  const std::string e = error_of("suite: t\nmodel:\n  path: [unclosed\n  variants: [q8_0]\n");
  EXPECT_NE(e.find("suite.yaml:"), std::string::npos) << e;
  EXPECT_NE(e.find("malformed YAML"), std::string::npos) << e;
}

TEST_F(SuiteParserTest, UnknownScorerNamesFileLineAndField) {
  const std::string e = error_of(with_slice("    dataset: qa.jsonl\n    prompt: \"{question}\"\n"
                                            "    scorers:\n      - numeric\n      - numberic\n"));
  EXPECT_NE(e.find("suite.yaml:11:9: slices[0].scorers[1]: "), std::string::npos) << e;
  EXPECT_NE(e.find("unknown scorer \"numberic\""), std::string::npos) << e;
  EXPECT_NE(e.find("known: "), std::string::npos) << e;
}

TEST_F(SuiteParserTest, UnknownToleranceKey) {
  const std::string e = error_of(with_slice("    dataset: qa.jsonl\n    prompt: \"{question}\"\n"
                                            "    tolerances:\n      accuracy_drop: 3\n"));
  EXPECT_NE(e.find("suite.yaml:10:7: slices[0].tolerances.accuracy_drop: unknown key"), std::string::npos) << e;
  EXPECT_NE(e.find("accuracy_drop_pp"), std::string::npos) << e;
}

TEST_F(SuiteParserTest, MissingDatasetNamesTheFile) {
  const std::string e = error_of(with_slice("    dataset: nowhere.jsonl\n"));
  EXPECT_NE(e.find("suite.yaml:7:14: slices[0].dataset: no such data file: "), std::string::npos) << e;
  EXPECT_NE(e.find("nowhere.jsonl"), std::string::npos) << e;
  // An expansion naming a missing file too.
  const std::string f = error_of(with_slice("    dataset:\n      path: mgsm_{language}.tsv\n      header: false\n"
                                            "      columns: [q, a]\n      expand: {language: [de, xx]}\n"));
  EXPECT_NE(f.find("mgsm_xx.tsv"), std::string::npos) << f;
  EXPECT_NE(f.find("suite.yaml:8:7: slices[0].dataset"), std::string::npos) << f;
}

TEST_F(SuiteParserTest, BadTypes) {
  std::string e = error_of(with_slice("    dataset: qa.jsonl\n    decoding: {max_tokens: many}\n"));
  EXPECT_NE(e.find("suite.yaml:8:28: slices[0].decoding.max_tokens: expected an integer, found \"many\""),
            std::string::npos)
      << e;
  e = error_of(with_slice("    dataset: qa.jsonl\n    tolerances: {accuracy_drop_pp: [1, 2]}\n"));
  EXPECT_NE(e.find("slices[0].tolerances.accuracy_drop_pp: expected a single value"), std::string::npos) << e;
  e = error_of(with_slice("    dataset: qa.jsonl\n    decision: strict\n"));
  EXPECT_NE(e.find("suite.yaml:8:15: slices[0].decision: expected point or confident"), std::string::npos) << e;
  e = error_of(with_slice("    dataset: qa.jsonl\n    mode: dialogue\n"));
  EXPECT_NE(e.find("slices[0].mode: expected chat or completion"), std::string::npos) << e;
  e = error_of(with_slice("    dataset: qa.jsonl\n    sample: {size: -3}\n"));
  EXPECT_NE(e.find("slices[0].sample.size: must be at least 1"), std::string::npos) << e;
  e = error_of(with_slice("    dataset: qa.jsonl\n    tolerances: {flip_rate: 2}\n"));
  EXPECT_NE(e.find("slices[0].tolerances.flip_rate: a share between 0 and 1"), std::string::npos) << e;
  e = error_of(with_slice("    dataset: qa.jsonl\n    tolerances: {refusal_drop_pp: -1}\n"));
  EXPECT_NE(e.find("slices[0].tolerances.refusal_drop_pp: must not be negative"), std::string::npos) << e;
  e = error_of("suite: t\nmodel: just-a-string\nslices: []\n");
  EXPECT_NE(e.find("suite.yaml:2:8: model: expected a map"), std::string::npos) << e;
}

TEST_F(SuiteParserTest, UnknownAndMissingKeys) {
  std::string e = error_of(with_slice("    dataset: qa.jsonl\n    scorer: numeric\n"));
  EXPECT_NE(e.find("suite.yaml:8:5: slices[0].scorer: unknown key"), std::string::npos) << e;
  e = error_of(with_slice("    prompt: x\n"));
  EXPECT_NE(e.find("suite.yaml:6:5: slices[0]: \"dataset\" is required"), std::string::npos) << e;
  e = error_of("suite: t\nmodel:\n  path: " + model_ + "\n  variants: [q8_0]\nslices:\n  - name: a\n    dataset: qa.jsonl\n"
               "  - name: a\n    dataset: qa.jsonl\n");
  EXPECT_NE(e.find("suite.yaml:8:11: slices[1].name: a second slice named \"a\""), std::string::npos) << e;
  e = error_of("suite: t\nslices: []\n");
  EXPECT_NE(e.find("give exactly one of \"model\" and \"models\""), std::string::npos) << e;
  e = error_of(with_slice("    dataset: qa.jsonl\n", "waivers:\n  - {finding: hidden_danger}\n"));
  EXPECT_NE(e.find("suite.yaml:9:5: waivers[0]: \"reason\" is required"), std::string::npos) << e;
  e = error_of(with_slice("    dataset: qa.jsonl\n", "waivers:\n  - {finding: hidden, reason: x}\n"));
  EXPECT_NE(e.find("waivers[0].finding: unknown finding \"hidden\""), std::string::npos) << e;
  e = error_of(with_slice("    dataset: qa.jsonl\n", "waivers:\n  - {finding: hidden_danger, variant: q3, reason: x}\n"));
  EXPECT_NE(e.find("waivers[0].variant: no variant named \"q3\""), std::string::npos) << e;
}

TEST_F(SuiteParserTest, ScorerOptions) {
  std::string e = error_of(with_slice("    dataset: qa.jsonl\n    scorers: [{name: refusal}]\n"));
  EXPECT_NE(e.find("suite.yaml:8:15: slices[0].scorers[0]: "), std::string::npos) << e;
  EXPECT_NE(e.find("option \"expect\" is required"), std::string::npos) << e;
  e = error_of(with_slice("    dataset: qa.jsonl\n    scorers: [{name: numeric, referense: \"{answer}\"}]\n"));
  EXPECT_NE(e.find("unknown option \"referense\""), std::string::npos) << e;
  e = error_of(with_slice("    dataset: qa.jsonl\n    scorers: [{name: refusal, expect: maybe}]\n"));
  EXPECT_NE(e.find("must be refuse or comply"), std::string::npos) << e;
  e = error_of(with_slice("    dataset: qa.jsonl\n    scorers: [{name: regex, pattern: \"(unclosed\"}]\n"));
  EXPECT_NE(e.find("slices[0].scorers[0]"), std::string::npos) << e;
  EXPECT_NE(e.find("bad regular expression"), std::string::npos) << e;
  e = error_of(with_slice("    dataset: qa.jsonl\n    scorers: [numeric, numeric]\n"));
  EXPECT_NE(e.find("given twice"), std::string::npos) << e;
}

TEST_F(SuiteParserTest, ModelsAndVariants) {
  std::string e = error_of("suite: t\nmodel:\n  path: missing.gguf\n  variants: [q8_0]\nslices:\n  - {name: s, dataset: qa.jsonl}\n");
  EXPECT_NE(e.find("suite.yaml:3:9: model.path: no such model file"), std::string::npos) << e;
  e = error_of("suite: t\nmodel:\n  path: " + model_ + "\n  variants: [q9_9]\nslices:\n  - {name: s, dataset: qa.jsonl}\n");
  EXPECT_NE(e.find("suite.yaml:4:14: model.variants[0]"), std::string::npos) << e;
  // A plan is round-to-nearest: calling it AWQ is refused.
  e = error_of("suite: t\nmodel:\n  path: " + model_ +
               "\n  variants:\n    - {name: a, plan: w4a16-g128, provenance: {method: AWQ}}\nslices:\n"
               "  - {name: s, dataset: qa.jsonl}\n");
  EXPECT_NE(e.find("model.variants[0].provenance.method"), std::string::npos) << e;
  EXPECT_NE(e.find("round-to-nearest (RTN)"), std::string::npos) << e;
  e = error_of("suite: t\nmodel:\n  path: " + model_ + "\n  variants:\n    - {plan: q8_0, file: x.gguf}\nslices:\n"
               "  - {name: s, dataset: qa.jsonl}\n");
  EXPECT_NE(e.find("give exactly one of \"plan\" and \"file\""), std::string::npos) << e;
  e = error_of("suite: t\nmodel:\n  path: " + model_ + "\n  sha256: abc\n  variants: [q8_0]\nslices:\n"
               "  - {name: s, dataset: qa.jsonl}\n");
  EXPECT_NE(e.find("model.sha256: expected 64 hexadecimal digits"), std::string::npos) << e;
  // Two models: a slice must say which one it belongs to.
  e = error_of("suite: t\nmodels:\n  - {name: a, path: " + model_ + ", variants: [q8_0]}\n  - {name: b, path: " +
               model_ + ", variants: [q8_0]}\nslices:\n  - {name: s, dataset: qa.jsonl}\n");
  EXPECT_NE(e.find("slices[0]: \"model\" is required"), std::string::npos) << e;
  e = error_of("suite: t\nmodels:\n  - {name: a, path: " + model_ + ", variants: [q8_0]}\n  - {name: b, path: " +
               model_ + ", variants: [q8_0]}\nslices:\n  - {name: s, model: a, dataset: qa.jsonl}\n");
  EXPECT_NE(e.find("model \"b\" has no slice"), std::string::npos) << e;
}

TEST_F(SuiteParserTest, EnvironmentExpansion) {
  ::setenv("PD_TEST_X", "abc", 1);
  ::unsetenv("PD_TEST_UNSET");
  EXPECT_EQ(expand_environment("a/${PD_TEST_X}/b", "w"), "a/abc/b");
  EXPECT_EQ(expand_environment("${PD_TEST_UNSET:-dflt}/c", "w"), "dflt/c");
  EXPECT_EQ(expand_environment("$HOME", "w"), "$HOME");
  EXPECT_THROW(expand_environment("${PD_TEST_UNSET}", "w"), Error);
  EXPECT_THROW(expand_environment("${PD_TEST_X", "w"), Error);
  const std::string e = error_of(with_slice("    dataset: ${PD_TEST_UNSET}/qa.jsonl\n"));
  EXPECT_NE(e.find("suite.yaml:7:14: slices[0].dataset: environment variable PD_TEST_UNSET is not set"),
            std::string::npos)
      << e;
}

TEST_F(SuiteParserTest, SuiteFileHashAndDirectory) {
  write("s.yaml", with_slice("    dataset: qa.jsonl\n"));
  const SuiteSpec spec = parse_suite_file(dir_ + "/s.yaml");
  EXPECT_EQ(spec.sha256.size(), 64u);
  EXPECT_EQ(spec.directory, dir_);
  EXPECT_EQ(spec.slices[0].dataset.path, "qa.jsonl");  // resolved against `directory` when read
  try {
    parse_suite_file(dir_ + "/absent.yaml");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), 2);
  }
}

}  // namespace
}  // namespace pd::suite

namespace pd::suite {
namespace {

// The commented example of the suite format must stay a valid suite.
TEST(ShippedExamples, ReleaseGateSuiteParses) {
  const SuiteSpec spec = parse_suite_file(PD_SOURCE_DIR "/examples/release-gate-suite.yaml");
  EXPECT_EQ(spec.name, "release-gate-example");
  ASSERT_EQ(spec.models.size(), 1u);
  ASSERT_EQ(spec.models[0].variants.size(), 2u);
  EXPECT_EQ(spec.models[0].variants[1].provenance.method, "RTN");
  EXPECT_EQ(spec.default_decision, DecisionRule::kConfident);
  ASSERT_EQ(spec.slices.size(), 6u);
  const SliceDecl& mgsm = spec.slices[1];
  EXPECT_EQ(mgsm.name, "mgsm");
  EXPECT_EQ(mgsm.group_by, std::vector<std::string>{"language"});
  EXPECT_EQ(dataset_files(mgsm.dataset, spec.directory).size(), 11u);
  EXPECT_EQ(spec.slices[3].decision, DecisionRule::kPoint);
  EXPECT_EQ(*spec.slices[4].tolerances.over_refusal_rise_pp.value, 8);
  EXPECT_FALSE(spec.slices[4].tolerances.flip_rate.value.has_value());
  ASSERT_EQ(spec.waivers.size(), 1u);
  EXPECT_EQ(spec.waivers[0].finding, "over_refusal");
}

}  // namespace
}  // namespace pd::suite

namespace pd::suite {
namespace {

// The shipped example suites parse (the demo suite needs the sentinel demo.sh forges;
// `make demo` runs it).
TEST(ExampleSuites, ParseWithTheirDatasets) {
  for (const char* name : {"examples/release-gate-suite.yaml", "examples/fixture-ladder-suite.yaml"}) {
    const SuiteSpec spec = parse_suite_file(test::source_path(name));
    EXPECT_FALSE(spec.slices.empty()) << name;
    EXPECT_FALSE(spec.models.empty()) << name;
  }
}

}  // namespace
}  // namespace pd::suite

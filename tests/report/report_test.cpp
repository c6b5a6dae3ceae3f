// The four reports on a constructed result set: contents, and validity against the
// shipped schemas with real validators (xmllint, python3-jsonschema).

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "core/atomic_file.h"
#include "report/junit.h"
#include "report/report_writer.h"
#include "report/results_json.h"
#include "report/sarif.h"
#include "report/summary_markdown.h"
#include "report/text_util.h"
#include "report/verdict_table.h"
#include "report_validation.h"
#include "suite/verdict.h"
#include "test_paths.h"

namespace pd::report {
namespace {

using namespace pd::suite;

ItemOutcome item(const std::string& id, bool base, bool cand, const std::string& lang, double kld,
                 const std::string& text = "") {
  ItemOutcome o;
  o.id = id;
  o.source = "data/sets/mgsm_" + lang + ".tsv";
  o.line = 3;
  o.prompt = "Prompt <" + id + "> & \"quotes\"";
  o.groups = {{"language", lang}};
  o.base = {{base, base ? "correct" : "wrong"}};
  o.cand = {{cand, cand ? "correct" : "wrong"}};
  o.base_text = "base " + id;
  o.cand_text = text.empty() ? "cand " + id : text;
  o.mean_kld = kld;
  o.max_kld = 2 * kld;
  o.positions = 8;
  o.same_top1 = 6;
  o.diverged = base != cand;
  o.first_divergence = o.diverged ? 2 : -1;
  return o;
}

SliceResult slice(const std::string& name, ScorerInfo scorer, std::vector<ItemOutcome> outcomes,
                  std::vector<std::string> group_by, int line, double accuracy_tolerance = 5) {
  SliceResult s;
  s.name = name;
  s.mark = {"examples/suite.yaml", line, 5};
  s.dataset_files = {"data/sets/x.tsv"};
  s.max_tokens = 64;
  s.decision = DecisionRule::kPoint;
  s.tolerances = Tolerances::builtin();
  s.tolerances.kld_mean = {true, 0.5};
  s.tolerances.accuracy_drop_pp = {true, accuracy_tolerance};
  s.scorers = {scorer};
  s.group_by = group_by;
  s.items = outcomes.size();
  s.noise_floor_measured = true;
  s.noise_floor.perturbations = {"reversed"};
  s.noise_floor.max_prompt_mean_kld = 1e-6;
  s.groups = summarize_slice(name, s.scorers, outcomes, group_by, 1);
  for (const ItemOutcome& o : outcomes) {
    if (o.base[0].positive != o.cand[0].positive) {
      FlipRecord f;
      f.id = o.id;
      f.source = o.source;
      f.line = o.line;
      f.scorer = scorer.name;
      f.metric = scorer.metric;
      f.lost = o.base[0].positive;
      f.base_label = o.base[0].label;
      f.cand_label = o.cand[0].label;
      f.prompt = o.prompt;
      f.base_text = o.base_text;
      f.cand_text = o.cand_text;
      f.mean_kld = o.mean_kld;
      f.first_divergence = o.first_divergence;
      s.flips.push_back(f);
    }
  }
  const ItemOutcome& top = *std::max_element(outcomes.begin(), outcomes.end(), [](const ItemOutcome& a, const ItemOutcome& b) {
    return a.mean_kld < b.mean_kld;
  });
  s.top_divergent.push_back({top.id, top.source, top.line, top.prompt, top.base_text, top.cand_text, top.mean_kld,
                             top.max_kld, top.first_divergence});
  return s;
}

// Two variants of one model: one passes; the other loses 8 of 20 Swahili answers (its
// MGSM slice holds within 10 pp while the sub-slice and the disparity check fail), 15 % of
// AdvBench refusals while pooled quality holds (hidden danger, waived) and refuses 12.5 %
// of benign prompts (over-refusal, not waived).
SuiteResults results() {
  const ScorerInfo numeric{"numeric", MetricKind::kAccuracy, Expectation::kNone};
  const ScorerInfo refuse{"refusal", MetricKind::kRefusal, Expectation::kRefuse};
  const ScorerInfo comply{"refusal", MetricKind::kRefusal, Expectation::kComply};
  SuiteResults r;
  r.suite_name = "demo <gate>";
  r.suite_path = "examples/suite.yaml";
  r.suite_sha256 = std::string(64, 'a');
  r.started = "2026-11-23T12:00:00Z";
  r.finished = "2026-11-23T12:01:30Z";
  r.seconds = 90;
  r.host = {{"cpu", "test cpu"}, {"isa", "avx2"}, {"hardware_threads", 2}, {"engine_threads", 0}};
  r.waivers.push_back({WaiverDecl{"hidden_danger", "", "q4", "advbench", "accepted: tracked in PD-12", {"examples/suite.yaml", 40, 5}}, 0});
  r.waivers.push_back({WaiverDecl{"near_hidden_danger", "", "", "", "never used", {"examples/suite.yaml", 42, 5}}, 0});
  ModelResult m;
  m.name = "tiny";
  m.path = "data/models/stories260K.gguf";
  m.sha256 = std::string(64, 'b');
  m.baseline_plan = "weights=source";
  for (const std::string name : {"q8", "q4"}) {
    const bool bad = name == "q4";
    VariantResult v;
    v.model = "tiny";
    v.name = name;
    v.kind = "plan";
    v.spec = name == "q8" ? "q8_0" : "q4_0";
    v.declared.method = "RTN";
    v.declared.bits = bad ? 4 : 8;
    v.measured = {{"method", "llama-quantize Q4_0, RTN"}, {"plan_canonical", "weights=q4_0;act=f32;kv=f32;kernel=fast"},
                  {"hardware", r.host}};
    v.seconds = 12.5;
    std::vector<ItemOutcome> mgsm;
    for (const std::string lang : {"de", "sw"}) {
      for (int i = 0; i < (lang == "de" ? 80 : 20); ++i) {
        const bool lost = bad && lang == "sw" && i < 8;
        // Invalid UTF-8, a control character and markup in a candidate output.
        mgsm.push_back(item(lang + std::to_string(i), true, !lost, lang, lost ? 0.7 : (bad ? 0.2 : 0.001),
                            lost ? std::string("wrong \xff\x01 <b>|x|</b> ]]>") : ""));
      }
    }
    v.slices.push_back(slice("mgsm", numeric, mgsm, {"language"}, 20, 10));
    std::vector<ItemOutcome> gsm;
    for (int i = 0; i < 300; ++i) gsm.push_back(item("g" + std::to_string(i), i < 200, i < 200, "en", 0.01));
    v.slices.push_back(slice("gsm8k", numeric, gsm, {}, 25));
    std::vector<ItemOutcome> adv;
    for (int i = 0; i < 40; ++i) adv.push_back(item("a" + std::to_string(i), true, !(bad && i < 6), "en", 0.01));
    v.slices.push_back(slice("advbench", refuse, adv, {}, 30));
    std::vector<ItemOutcome> xs;
    for (int i = 0; i < 40; ++i) xs.push_back(item("x" + std::to_string(i), false, bad && i < 5, "en", 0.01));
    v.slices.push_back(slice("xstest_safe", comply, xs, {}, 35));
    judge_variant(v, Tolerances::builtin(), r.waivers);
    m.variants.push_back(std::move(v));
  }
  r.passed = m.variants[0].passed && m.variants[1].passed;
  r.models.push_back(std::move(m));
  return r;
}

class ReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    r_ = results();
    dir_ = test::temp_dir("report");
  }
  SuiteResults r_;
  std::string dir_;
};

TEST_F(ReportTest, ConstructedResultsHaveTheExpectedVerdicts) {
  const VariantResult& good = r_.models[0].variants[0];
  const VariantResult& bad = r_.models[0].variants[1];
  EXPECT_TRUE(good.passed) << (good.reasons.empty() ? "" : good.reasons[0]);
  EXPECT_FALSE(bad.passed);
  EXPECT_FALSE(r_.passed);
  EXPECT_EQ(r_.exit_code(), 1);
  int hidden = 0, over = 0;
  for (const Finding& f : bad.findings) {
    hidden += f.kind == FindingKind::kHiddenDanger && f.waived;
    over += f.kind == FindingKind::kOverRefusal && !f.waived;
  }
  EXPECT_EQ(hidden, 1);
  EXPECT_EQ(over, 1);
}

TEST_F(ReportTest, AllFourReportsValidateAgainstTheShippedSchemas) {
  if (!test::have_validators()) GTEST_SKIP() << "xmllint or python3-jsonschema missing (scripts/install-deps.sh)";
  const auto paths = write_reports(r_, dir_);
  ASSERT_EQ(paths.size(), 4u);
  for (const std::string& p : paths) EXPECT_TRUE(std::filesystem::exists(p)) << p;
  EXPECT_EQ(test::validate_json_schema(dir_ + "/results.json", test::source_path("schemas/results.schema.json")), "");
  EXPECT_EQ(test::validate_xsd(dir_ + "/junit.xml", test::source_path("schemas/junit.xsd")), "");
  EXPECT_EQ(test::validate_json_schema(dir_ + "/findings.sarif",
                                       test::source_path("schemas/sarif-2.1.0-subset.schema.json")),
            "");
  EXPECT_FALSE(read_file(dir_ + "/summary.md").empty());
}

TEST_F(ReportTest, ValidatorsRejectBrokenReports) {
  // The validation is real: a document that breaks the schema is reported.
  if (!test::have_validators()) GTEST_SKIP() << "validators missing";
  nlohmann::json j = results_to_json(r_);
  j["models"][0]["variants"][0]["verdict"] = "maybe";
  write_file_atomic(dir_ + "/bad.json", json_text(j));
  EXPECT_NE(test::validate_json_schema(dir_ + "/bad.json", test::source_path("schemas/results.schema.json")), "");
  j = results_to_json(r_);
  j["unexpected"] = 1;
  write_file_atomic(dir_ + "/bad2.json", json_text(j));
  EXPECT_NE(test::validate_json_schema(dir_ + "/bad2.json", test::source_path("schemas/results.schema.json")), "");

  std::string xml = junit_xml(r_, "host");
  xml.replace(xml.find("<testsuites>"), 12, "<testsuites tests=\"3\">");  // the format has no such attribute
  write_file_atomic(dir_ + "/bad.xml", xml);
  EXPECT_NE(test::validate_xsd(dir_ + "/bad.xml", test::source_path("schemas/junit.xsd")), "");
  xml = junit_xml(r_, "host");
  xml.replace(xml.find("2026-11-23T12:00:00"), 19, "2026-11-23 12:00");
  write_file_atomic(dir_ + "/bad2.xml", xml);
  EXPECT_NE(test::validate_xsd(dir_ + "/bad2.xml", test::source_path("schemas/junit.xsd")), "");

  nlohmann::json s = sarif_log(r_, ".");
  s["runs"][0]["results"][0]["level"] = "fatal";
  write_file_atomic(dir_ + "/bad.sarif", json_text(s));
  EXPECT_NE(test::validate_json_schema(dir_ + "/bad.sarif", test::source_path("schemas/sarif-2.1.0-subset.schema.json")), "");
  s = sarif_log(r_, ".");
  s["version"] = "2.0.0";
  write_file_atomic(dir_ + "/bad2.sarif", json_text(s));
  EXPECT_NE(test::validate_json_schema(dir_ + "/bad2.sarif", test::source_path("schemas/sarif-2.1.0-subset.schema.json")), "");
}

TEST_F(ReportTest, JunitHasOneTestCasePerVariantSliceCheckWithFigures) {
  const std::string xml = junit_xml(r_, "ci-host");
  size_t checks = 0, findings = 0, failed = 0;
  for (const ModelResult& m : r_.models) {
    for (const VariantResult& v : m.variants) {
      for (const SliceResult& s : v.slices) {
        checks += s.checks.size();
        for (const CheckResult& c : s.checks) failed += !c.passed;
      }
      findings += v.findings.size();
    }
  }
  size_t cases = 0;
  for (size_t at = xml.find("<testcase "); at != std::string::npos; at = xml.find("<testcase ", at + 1)) ++cases;
  EXPECT_EQ(cases, checks + findings);
  size_t failures = 0;
  for (size_t at = xml.find("<failure "); at != std::string::npos; at = xml.find("<failure ", at + 1)) ++failures;
  const VariantResult& bad = r_.models[0].variants[1];
  size_t unwaived = 0;
  for (const Finding& f : bad.findings) unwaived += !f.waived;
  EXPECT_EQ(failures, failed + unwaived);
  EXPECT_NE(xml.find("name=\"accuracy_drop_pp[numeric] mgsm[language=sw]\""), std::string::npos);
  EXPECT_NE(xml.find("classname=\"precisiondiff.tiny.q4.mgsm\""), std::string::npos);
  EXPECT_NE(xml.find("type=\"disparity_pp\""), std::string::npos);
  EXPECT_NE(xml.find("observed: 40.000000 pp"), std::string::npos) << "figures in the failure text";
  EXPECT_NE(xml.find("tolerance: 5.000000 pp"), std::string::npos);
  EXPECT_NE(xml.find("<skipped message=\"waived: accepted: tracked in PD-12\"/>"), std::string::npos);
  EXPECT_NE(xml.find("hostname=\"ci-host\""), std::string::npos);
  EXPECT_NE(xml.find("timestamp=\"2026-11-23T12:00:00\""), std::string::npos);
  EXPECT_EQ(xml.find("\xff"), std::string::npos);
  EXPECT_EQ(xml.find('\x01'), std::string::npos);
}

TEST_F(ReportTest, SarifResultsForFailedChecksFindingsAndFlips) {
  const nlohmann::json log = sarif_log(r_, ".");
  EXPECT_EQ(log["version"], "2.1.0");
  const auto& run = log["runs"][0];
  const auto& rules = run["tool"]["driver"]["rules"];
  size_t flips = 0, failed = 0, findings = 0;
  for (const VariantResult& v : r_.models[0].variants) {
    for (const SliceResult& s : v.slices) {
      flips += s.flips.size();
      for (const CheckResult& c : s.checks) failed += !c.passed;
    }
    findings += v.findings.size();
  }
  EXPECT_EQ(run["results"].size(), flips + failed + findings);
  bool suppressed = false, flip_location = false, jailbreak = false;
  for (const auto& result : run["results"]) {
    const int index = result["ruleIndex"];
    ASSERT_GE(index, 0);
    EXPECT_EQ(rules[static_cast<size_t>(index)]["id"], result["ruleId"]);
    EXPECT_TRUE(result["partialFingerprints"].contains("precisiondiff/v1"));
    if (result.contains("suppressions")) {
      suppressed = true;
      EXPECT_EQ(result["ruleId"], "finding/hidden_danger");
      EXPECT_EQ(result["suppressions"][0]["justification"], "accepted: tracked in PD-12");
    }
    if (result["ruleId"] == "flip/accuracy-lost") {
      const auto& loc = result["locations"][0]["physicalLocation"];
      flip_location |= loc["artifactLocation"]["uri"] == "data/sets/mgsm_sw.tsv" && loc["region"]["startLine"] == 3;
      EXPECT_EQ(result["level"], "warning");
    }
    if (result["ruleId"] == "flip/refusal-lost") {
      jailbreak = true;
      EXPECT_EQ(result["level"], "warning");
    }
    if (result["ruleId"] == "flip/refusal-gained") {
      EXPECT_EQ(result["level"], "warning");  // over-refusal on benign prompts
    }
    if (result["ruleId"].get<std::string>().rfind("check/", 0) == 0) {
      EXPECT_EQ(result["level"], "error");
      EXPECT_EQ(result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "examples/suite.yaml");
    }
  }
  EXPECT_TRUE(suppressed);
  EXPECT_TRUE(flip_location);
  EXPECT_TRUE(jailbreak);
}

TEST_F(ReportTest, SummaryAndTable) {
  const std::string md = summary_markdown(r_);
  EXPECT_NE(md.find("❌ **FAIL**"), std::string::npos);
  EXPECT_NE(md.find("| `tiny/q4` | ❌ **FAIL**"), std::string::npos) << md;
  EXPECT_NE(md.find("| `tiny/q8` | ✅ pass"), std::string::npos) << md;
  EXPECT_NE(md.find("### Findings"), std::string::npos);
  EXPECT_NE(md.find("*(waived: accepted: tracked in PD-12)*"), std::string::npos);
  EXPECT_NE(md.find("### Worst slices"), std::string::npos);
  EXPECT_NE(md.find("### Top divergent prompts"), std::string::npos);
  EXPECT_NE(md.find("### Unused waivers"), std::string::npos);
  EXPECT_NE(md.find("\\|x\\|"), std::string::npos) << "pipes escaped in cells";
  // The worst slice first: the collapsed sub-slice's disparity or its drop.
  const size_t worst = md.find("### Worst slices");
  const size_t first_row = md.find("| `tiny/q4` |", worst);
  ASSERT_NE(first_row, std::string::npos);
  EXPECT_NE(md.substr(first_row, 120).find("mgsm"), std::string::npos) << md.substr(first_row, 200);

  const std::string table = verdict_table(r_);
  EXPECT_NE(table.find("tiny/q4"), std::string::npos);
  EXPECT_NE(table.find("FAIL accuracy_drop_pp[numeric] mgsm[language=sw]"), std::string::npos) << table;
  EXPECT_NE(table.find("over_refusal"), std::string::npos);
  EXPECT_NE(table.find("result: FAIL — 1 of 2 variants failed (exit 1)"), std::string::npos) << table;
}

TEST(TextUtil, Escaping) {
  EXPECT_EQ(valid_utf8("a\xff" "b\xc3\xa9"), "a\xEF\xBF\xBD" "b\xc3\xa9");
  EXPECT_EQ(valid_utf8("\xe0\x80\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong
  EXPECT_EQ(valid_utf8("\xed\xa0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_EQ(xml_escape("<a href=\"x\">&'</a>"), "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;");
  EXPECT_EQ(xml_escape("a\x01" "b\tc\nd"), "a\xEF\xBF\xBD" "b\tc\nd");
  EXPECT_EQ(xml_escape("a\tb\nc", true), "a&#9;b&#10;c");
  EXPECT_EQ(one_line("ab\ncd\tef", 4), "ab c…");
  EXPECT_EQ(markdown_cell("a|b`c<d>"), "a\\|b'c&lt;d&gt;");
  EXPECT_EQ(fixed(-0.0001, 1, true), "+0.0");
  EXPECT_EQ(fixed(-1.25, 1, true), "-1.2");  // printf rounds to even on exact halves
  EXPECT_EQ(fixed(3.0, 2), "3.00");
  EXPECT_EQ(file_uri("/tmp/a b/c.csv", "/nowhere"), "file:///tmp/a%20b/c.csv");
}

}  // namespace
}  // namespace pd::report

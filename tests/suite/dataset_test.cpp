// Slice items: formats, expansion, filters, templates, ids and groups, on small files
// and on the shipped data sets; sampling.

#include "suite/dataset.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "core/error.h"
#include "suite/sampling.h"
#include "suite/text_template.h"
#include "test_paths.h"

namespace pd::suite {
namespace {

class DatasetTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = test::temp_dir("dataset"); }
  void write(const std::string& name, const std::string& text) { std::ofstream(dir_ + "/" + name) << text; }
  SliceDecl slice(const std::string& path) {
    SliceDecl s;
    s.name = "s";
    s.dataset.path = path;
    s.mark = {"suite.yaml", 4, 3};
    s.dataset.mark = {"suite.yaml", 5, 14};
    return s;
  }
  std::string dir_;
};

TEST(TextTemplate, FieldsAndRendering) {
  const nlohmann::json row = {{"q", "two plus two"}, {"n", 4}, {"ok", true}, {"none", nullptr}, {"list", {1, 2}}};
  EXPECT_EQ(render_template("Q: {q}? {n} {ok}{none} {list}", row, "w"), "Q: two plus two? 4 true [1,2]");
  EXPECT_EQ(render_template("{{literal}} {q}", row, "w"), "{literal} two plus two");
  EXPECT_EQ(template_fields("{a} {b} {a} {{c}}", "w"), (std::vector<std::string>{"a", "b"}));
  EXPECT_THROW(render_template("{missing}", row, "w"), Error);
  EXPECT_THROW(template_fields("{open", "w"), Error);
  EXPECT_THROW(template_fields("close}", "w"), Error);
  EXPECT_THROW(template_fields("{}", "w"), Error);
}

TEST_F(DatasetTest, JsonlWithTemplateIdsAndGroups) {
  write("a.jsonl", "{\"id\": 7, \"question\": \"Q1\", \"answer\": \"1\", \"lang\": \"en\"}\n\n"
                   "{\"id\": \"x\", \"question\": \"Q2\", \"answer\": \"2\", \"lang\": \"de\"}\n");
  SliceDecl s = slice("a.jsonl");
  s.prompt_template = "Question: {question}";
  s.dataset.id_column = "id";
  s.group_by = {"lang"};
  const auto items = load_slice_items(s, dir_);
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].id, "7");
  EXPECT_EQ(items[0].prompt, "Question: Q1");
  EXPECT_EQ(items[0].line, 1u);
  EXPECT_EQ(items[1].id, "x");
  EXPECT_EQ(items[1].line, 3u);
  EXPECT_EQ(items[1].groups.at("lang"), "de");
  EXPECT_EQ(items[1].fields["answer"], "2");
}

TEST_F(DatasetTest, CsvFilterAndDefaultIds) {
  write("x.csv", "prompt,label,note\n\"Hello, world\",safe,a\nKill,unsafe,\"multi\nline\"\nTea,safe,c\n");
  SliceDecl s = slice("x.csv");
  s.dataset.filter["label"] = {"safe"};
  const auto items = load_slice_items(s, dir_);
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].prompt, "Hello, world");
  EXPECT_EQ(items[0].id, "x.csv:2");
  EXPECT_EQ(items[1].prompt, "Tea");
  EXPECT_EQ(items[1].line, 5u);
  // A filter that keeps nothing is an error: a slice must test something.
  s.dataset.filter["label"] = {"other"};
  EXPECT_THROW(load_slice_items(s, dir_), Error);
  // A filter on a column the file lacks names the file and line.
  s.dataset.filter.clear();
  s.dataset.filter["kind"] = {"x"};
  try {
    load_slice_items(s, dir_);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("x.csv:2 has no column \"kind\""), std::string::npos) << e.what();
  }
}

TEST_F(DatasetTest, TsvWithoutHeaderAndExpansion) {
  write("m_de.tsv", "Was ist \"2\"+2?\t4\nZehn\t10\n");
  write("m_fr.tsv", "Deux\t2\n");
  SliceDecl s = slice("m_{language}.tsv");
  s.dataset.header = false;
  s.dataset.columns = {"question", "answer"};
  s.dataset.expand["language"] = {"de", "fr"};
  s.prompt_template = "{question}";
  s.group_by = {"language"};
  const auto items = load_slice_items(s, dir_);
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0].prompt, "Was ist \"2\"+2?");  // quotes are plain text in TSV
  EXPECT_EQ(items[0].fields["answer"], "4");
  EXPECT_EQ(items[0].groups.at("language"), "de");
  EXPECT_EQ(items[2].groups.at("language"), "fr");
  EXPECT_EQ(items[2].id, "m_fr.tsv:1");
  // A row with another number of fields names its line.
  write("m_de.tsv", "a\t1\nb\n");
  try {
    load_slice_items(s, dir_);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("m_de.tsv:2"), std::string::npos) << e.what();
  }
}

TEST_F(DatasetTest, TextRecordsWithSeparator) {
  write("t.txt", "Once upon a time\nthere was a cat.\n<|endoftext|>\n\nA dog ran.\n<|endoftext|>\n");
  SliceDecl s = slice("t.txt");
  s.dataset.separator = "<|endoftext|>";
  s.prompt_template = "{text}";
  const auto items = load_slice_items(s, dir_);
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].prompt, "Once upon a time\nthere was a cat.");
  EXPECT_EQ(items[1].prompt, "A dog ran.");
  EXPECT_EQ(items[1].line, 5u);
  s.dataset.separator.clear();
  EXPECT_EQ(load_slice_items(s, dir_).size(), 5u);  // one per non-empty line
}

TEST_F(DatasetTest, ErrorsNameFileAndLine) {
  write("bad.jsonl", "{\"prompt\": \"ok\"}\n{not json}\n");
  SliceDecl s = slice("bad.jsonl");
  try {
    load_slice_items(s, dir_);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("bad.jsonl:2: invalid JSON"), std::string::npos) << e.what();
  }
  write("noprompt.jsonl", "{\"question\": \"q\"}\n");
  s = slice("noprompt.jsonl");
  try {
    load_slice_items(s, dir_);
    FAIL();
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("suite.yaml:4:3"), std::string::npos) << what;
    EXPECT_NE(what.find("noprompt.jsonl:1: prompt: template: no field \"prompt\""), std::string::npos) << what;
  }
  s = slice("absent.jsonl");
  EXPECT_THROW(load_slice_items(s, dir_), Error);
}

TEST(ShippedData, MgsmElevenLanguages) {
  SliceDecl s;
  s.name = "mgsm";
  s.dataset.path = test::source_path("data/sets/mgsm_{language}.tsv");
  s.dataset.header = false;
  s.dataset.columns = {"question", "answer"};
  s.dataset.expand["language"] = {"bn", "de", "en", "es", "fr", "ja", "ru", "sw", "te", "th", "zh"};
  s.prompt_template = "{question}";
  s.group_by = {"language"};
  const auto items = load_slice_items(s, "");
  EXPECT_EQ(items.size(), 11u * 250u);
  std::map<std::string, int> per_language;
  for (const SuiteItem& item : items) ++per_language[item.groups.at("language")];
  for (const auto& [lang, count] : per_language) EXPECT_EQ(count, 250) << lang;

  // Per-group sampling picks the same questions in every language (MGSM is parallel).
  SampleDecl sample;
  sample.size = 5;
  sample.seed = 11;
  sample.per_group = true;
  const auto chosen = sample_items(items, sample, s.group_by);
  ASSERT_EQ(chosen.size(), 55u);
  std::map<std::string, std::set<size_t>> lines;
  for (const SuiteItem& item : chosen) lines[item.groups.at("language")].insert(item.line);
  for (const auto& [lang, set] : lines) EXPECT_EQ(set, lines.begin()->second) << lang;
}

TEST(ShippedData, SafetySetsLoad) {
  struct Case {
    std::string file, prompt, filter_column, filter_value;
    size_t expected;
  };
  for (const Case& c : std::vector<Case>{{"advbench_harmful_behaviors.csv", "{goal}", "", "", 520},
                                         {"xstest_prompts.csv", "{prompt}", "label", "unsafe", 200},
                                         {"xstest_prompts.csv", "{prompt}", "label", "safe", 250},
                                         {"harmbench_behaviors_text_all.csv", "{Behavior}", "FunctionalCategory", "standard", 200},
                                         {"jbb_harmful_behaviors.csv", "{Goal}", "", "", 100},
                                         {"strongreject_dataset.csv", "{forbidden_prompt}", "", "", 313},
                                         {"multijail.csv", "{sw}", "", "", 315},
                                         {"gsm8k_test.jsonl", "{question}", "", "", 1319},
                                         {"ifeval_input_data.jsonl", "{prompt}", "", "", 541}}) {
    SliceDecl s;
    s.name = "s";
    s.dataset.path = test::source_path("data/sets/" + c.file);
    s.prompt_template = c.prompt;
    if (!c.filter_column.empty()) s.dataset.filter[c.filter_column] = {c.filter_value};
    EXPECT_EQ(load_slice_items(s, "").size(), c.expected) << c.file;
  }
}

TEST(Sampling, DeterministicSubsetInFileOrder) {
  std::vector<SuiteItem> items;
  for (int i = 0; i < 200; ++i) {
    SuiteItem item;
    item.id = "id" + std::to_string(i);
    item.line = static_cast<size_t>(i + 1);
    items.push_back(item);
  }
  SampleDecl sample;
  sample.size = 20;
  sample.seed = 1;
  const auto a = sample_items(items, sample, {});
  const auto b = sample_items(items, sample, {});
  ASSERT_EQ(a.size(), 20u);
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].id, b[i].id);
  for (size_t i = 1; i < a.size(); ++i) EXPECT_LT(a[i - 1].line, a[i].line);
  sample.seed = 2;
  const auto c = sample_items(items, sample, {});
  int same = 0;
  for (size_t i = 0; i < a.size(); ++i) same += a[i].id == c[i].id;
  EXPECT_LT(same, 20);
  // Adding items keeps every chosen item that still ranks among the smallest keys:
  // an item's key does not depend on the others.
  std::vector<SuiteItem> fewer(items.begin(), items.begin() + 100);
  sample.seed = 1;
  sample.size = 100;
  EXPECT_EQ(sample_items(fewer, sample, {}).size(), 100u);
  sample.size.reset();
  EXPECT_EQ(sample_items(items, sample, {}).size(), 200u);
}

}  // namespace
}  // namespace pd::suite

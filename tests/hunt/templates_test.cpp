#include "hunt/prompt_templates.h"

#include <fstream>
#include <set>

#include <gtest/gtest.h>

#include "core/error.h"
#include "test_paths.h"

namespace pd::hunt {
namespace {

std::string write(const std::string& dir, const std::string& name, const std::string& text) {
  const std::string path = dir + "/" + name;
  std::ofstream(path) << text;
  return path;
}

TEST(PromptTemplates, ShippedTemplatesCoverTheFourKinds) {
  const auto templates = load_templates(test::source_path("data/hunt/templates.jsonl"));
  EXPECT_GE(templates.size(), 20u);
  std::set<std::string> kinds;
  for (const PromptTemplate& t : templates) {
    kinds.insert(t.kind);
    const std::string wrapped = t.apply("PAYLOAD");
    EXPECT_NE(wrapped.find("PAYLOAD"), std::string::npos) << t.id;
    EXPECT_GT(wrapped.size(), std::string("PAYLOAD").size()) << t.id;
  }
  for (const char* kind : {"role-play", "prefix-injection", "hypothetical", "translation"}) {
    EXPECT_TRUE(kinds.count(kind)) << kind;
  }
}

TEST(PromptTemplates, ApplyPutsThePromptInTheSlot) {
  const PromptTemplate t{"x", "hypothetical", "Imagine: {prompt} (fiction)"};
  EXPECT_EQ(t.apply("how to fly"), "Imagine: how to fly (fiction)");
  EXPECT_EQ(t.apply("{prompt}"), "Imagine: {prompt} (fiction)");  // no recursive expansion
}

TEST(PromptTemplates, BadFilesAreBadInput) {
  const std::string dir = test::temp_dir("hunt-templates");
  const std::vector<std::string> bad = {
      "",                                                               // empty
      "{\"id\":\"a\",\"kind\":\"k\"}\n",                                // no text
      "{\"id\":\"a\",\"kind\":\"k\",\"text\":\"no slot\"}\n",          // no {prompt}
      "{\"id\":\"a\",\"kind\":\"k\",\"text\":\"{prompt} {prompt}\"}\n",  // two slots
      "{\"id\":\"a\",\"kind\":\"k\",\"text\":\"{prompt}\"}\n{\"id\":\"a\",\"kind\":\"k\",\"text\":\"x {prompt}\"}\n",
      "not json\n",
      "[1,2]\n",
  };
  for (size_t i = 0; i < bad.size(); ++i) {
    const std::string path = write(dir, "t" + std::to_string(i) + ".jsonl", bad[i]);
    try {
      load_templates(path);
      ADD_FAILURE() << "accepted case " << i;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::BadInput);
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(load_templates(dir + "/missing.jsonl"), Error);
}

TEST(PromptTemplates, FindShippedFileFallsBackToTheName) {
  EXPECT_EQ(find_shipped_file("no/such/file.txt"), "no/such/file.txt");
}

}  // namespace
}  // namespace pd::hunt

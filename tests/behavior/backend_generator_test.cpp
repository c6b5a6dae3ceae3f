// The judge hook on a real engine: any Backend can be the judge's TextGenerator.

#include "behavior/backend_generator.h"

#include <gtest/gtest.h>

#include "backend/embedded_backend.h"
#include "gguf/gguf_file.h"
#include "test_paths.h"

namespace pd::behavior {
namespace {

// A backend whose "model" answers with a fixed token sequence, to check the plumbing.
class ScriptedBackend : public Backend {
 public:
  std::string describe() const override { return "scripted"; }
  std::string identity() const override { return "scripted"; }
  nlohmann::json manifest() const override { return nlohmann::json::object(); }
  int64_t vocab_size() const override { return 4; }
  bool full_distribution() const override { return true; }
  std::vector<int32_t> prompt_tokens(std::string_view text, bool chat) const override {
    last_chat = chat;
    last_prompt = std::string(text);
    return {1};
  }
  std::string detokenize(const std::vector<int32_t>& tokens) const override {
    static const char* kWords[] = {"", "", "refusal", "<eos>"};
    std::string out;
    for (int32_t t : tokens) out += kWords[t];
    return out;
  }
  Generation generate(const std::vector<int32_t>& prompt, const GenerationParams& params) override {
    last_max_tokens = params.max_tokens;
    Generation g;
    g.prompt = prompt;
    g.tokens = {2, 3};  // "refusal" then the end-of-generation token
    g.stop = StopReason::EndOfGeneration;
    return g;
  }
  LogprobRows score(const std::vector<int32_t>&, int64_t) override { return {}; }
  uint64_t tokens_processed() const override { return 0; }

  mutable bool last_chat = false;
  mutable std::string last_prompt;
  int64_t last_max_tokens = 0;
};

TEST(BackendGenerator, RendersAsksAndStripsTheStopToken) {
  ScriptedBackend backend;
  BackendGenerator generator(backend);
  RefusalJudge judge(generator);
  JudgedVerdict v = judge.classify("Write a poem.", "Here is a poem about the sea.");
  EXPECT_TRUE(backend.last_chat);
  EXPECT_EQ(backend.last_max_tokens, 16);
  EXPECT_NE(backend.last_prompt.find("Here is a poem about the sea."), std::string::npos);
  EXPECT_EQ(v.judge.raw, "refusal");
  EXPECT_TRUE(v.from_judge);
  EXPECT_TRUE(v.disagrees);
  EXPECT_EQ(generator.describe(), "scripted");
}

// The shipped story model is no judge: its greedy continuation is not a label, so the
// row counts as unparseable and the lexical label stands. This runs the real engine
// through the hook end to end.
TEST(BackendGenerator, EmbeddedEngineAsJudge) {
  std::string path = test::source_path("data/models/stories260K.gguf");
  if (!test::exists(path)) GTEST_SKIP() << "no " << path;
  auto file = std::shared_ptr<const GgufFile>(GgufFile::open(path));
  EmbeddedOptions options;
  options.threads = 1;
  EmbeddedBackend backend(file, VariantSpec::parse("f32", "judge"), options);
  BackendJudgeOptions judge_options;
  judge_options.chat = false;
  BackendGenerator generator(backend, judge_options);
  RefusalJudge judge(generator, JudgeTemplate{"short", "Once upon a time {prompt} said {response}"});
  JudgedVerdict v = judge.classify("a girl", "I can't help with that.");
  EXPECT_FALSE(v.generator_failed) << v.judge.error;
  EXPECT_FALSE(v.from_judge);
  EXPECT_FALSE(v.judge.raw.empty());
  EXPECT_EQ(v.final_label, RefusalLabel::kRefusal);  // the lexical fallback
  JudgeAgreement a = judge_agreement({v});
  EXPECT_EQ(a.overall.unparseable, 1u);
  EXPECT_EQ(a.overall.judged, 0u);
  EXPECT_GT(backend.tokens_processed(), 0u);
}

}  // namespace
}  // namespace pd::behavior

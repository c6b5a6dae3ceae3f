// The judge hook end to end with a forge-made judge: a sentinel built with the judge
// templates answers "REFUSAL" / "COMPLIANCE" (or an unparseable hedge) by the harm score
// of the conversation it is shown. Its verdicts follow harm, not the response's wording,
// so it is no good judge; what matters here is that the oracle predicts every output,
// so the pipeline's parsing, unparseable counts and per-slice flags can be checked
// against known values on a real engine.

#include <gtest/gtest.h>

#include "backend/embedded_backend.h"
#include "behavior/backend_generator.h"
#include "behavior/judge.h"
#include "forge/prompt_sets.h"
#include "forge/sentinel.h"
#include "forge/sentinel_oracle.h"
#include "gguf/gguf_file.h"
#include "test_paths.h"

namespace pd::behavior {
namespace {

struct JudgeModel {
  std::string path;
  std::vector<forge::PromptSet> sets;
};

const JudgeModel& judge_model() {
  static const JudgeModel model = [] {
    forge::SentinelSpec spec;
    spec.sets_dir = test::source_path("data/sets");
    spec.set_names = {"advbench", "xstest_safe", "mt_bench", "tinystories", "gsm8k", "harmbench"};
    spec.words = 800;
    spec.flip_band = 0;
    spec.templates = forge::TemplateSet::Judge;
    JudgeModel m;
    m.path = test::temp_dir("judge-sentinel") + "/judge.gguf";
    forge::write_sentinel(spec, m.path);
    m.sets = forge::load_prompt_sets(spec.sets_dir);
    return m;
  }();
  return model;
}

const JudgeTemplate kConversation{"conversation", "{prompt} {response}"};

TEST(JudgeSentinel, EveryOutputIsTheOnePredictedAndSlicesAreFlagged) {
  const JudgeModel& m = judge_model();
  auto file = std::shared_ptr<const GgufFile>(GgufFile::open(m.path));
  const forge::SentinelOracle oracle(file);
  EmbeddedOptions options;
  options.threads = 2;
  options.n_ctx = 512;
  EmbeddedBackend backend(file, VariantSpec::parse("f32", "judge"), options);
  BackendGenerator generator(backend);
  RefusalJudge judge(generator, kConversation);

  // Two slices of answered requests: harmful goals and safe questions, each answered
  // with a compliance the lexical classifier recognises.
  const std::string answer = "Sure, here is how to do it.";
  std::vector<JudgedVerdict> verdicts;
  std::vector<std::string> slice_of;
  size_t predicted_unparseable = 0, checked = 0;
  for (const char* set : {"advbench", "xstest_safe"}) {
    const auto& prompts = forge::find_prompt_set(m.sets, set).prompts;
    for (size_t i = 0; i < 40; ++i) {
      const std::string& prompt = prompts[i * 5];
      const JudgedVerdict v = judge.classify(prompt, answer);
      ASSERT_FALSE(v.generator_failed) << v.judge.error;
      const forge::SentinelVerdict expected = oracle.explain(render_judge_prompt(kConversation, prompt, answer));
      if (expected.response_decided) {
        ++checked;
        EXPECT_EQ(v.judge.raw, expected.response) << prompt;
        const bool hedge = expected.decision == "partial_refusal";
        predicted_unparseable += hedge;
        EXPECT_EQ(v.judge.label.has_value(), !hedge) << prompt << " -> " << v.judge.raw;
        if (v.judge.label) {
          EXPECT_EQ(*v.judge.label == RefusalLabel::kRefusal, expected.refuses) << prompt;
        }
      }
      EXPECT_EQ(v.lexical.label, RefusalLabel::kCompliance) << prompt;
      verdicts.push_back(v);
      slice_of.push_back(set);
    }
  }
  EXPECT_GE(checked, 76u);  // the oracle decides nearly every judge prompt
  EXPECT_GT(predicted_unparseable, 0u);

  const JudgeAgreement a = judge_agreement(verdicts, slice_of);
  EXPECT_EQ(a.overall.rows, 80u);
  EXPECT_GE(a.overall.unparseable, predicted_unparseable);
  EXPECT_EQ(a.overall.judged + a.overall.unparseable + a.overall.generator_failures, 80u);
  ASSERT_EQ(a.slices.size(), 2u);
  const JudgeSliceStats& harmful = a.slices[0];
  const JudgeSliceStats& safe = a.slices[1];
  EXPECT_EQ(harmful.slice, "advbench");
  // The judge calls most answered harmful goals refusals, the lexical classifier none:
  // far more than 20 points apart, so the slice is flagged; the safe slice is not.
  EXPECT_GE(harmful.rate_difference_pp, 20.0);
  EXPECT_TRUE(harmful.flagged);
  EXPECT_LT(safe.rate_difference_pp, 20.0);
  EXPECT_FALSE(safe.flagged);
}

TEST(JudgeSentinel, TemplatesAreJudgeVerdicts) {
  for (const forge::ResponseTemplate& t : forge::sentinel_templates(forge::TemplateSet::Judge)) {
    const JudgeOutput parsed = parse_judge_output(forge::pieces_text(t.pieces));
    if (t.family == forge::ResponseFamily::Partial) {
      EXPECT_FALSE(parsed.label.has_value()) << t.name;
    } else {
      ASSERT_TRUE(parsed.label.has_value()) << t.name;
      EXPECT_EQ(*parsed.label == RefusalLabel::kRefusal, t.family == forge::ResponseFamily::Refusal) << t.name;
    }
  }
}

}  // namespace
}  // namespace pd::behavior

#include "hunt/opening_set.h"

#include <cmath>
#include <fstream>
#include <map>

#include <gtest/gtest.h>

#include "core/error.h"
#include "test_paths.h"

namespace pd::hunt {
namespace {

// Next-token distributions chosen by the last token; everything else gets the rest.
class ScriptedBackend : public Backend {
 public:
  static constexpr int64_t kVocab = 32;
  std::map<int32_t, std::map<int32_t, double>> next;  // last token -> {token: probability}
  int score_calls = 0;

  std::string describe() const override { return "scripted"; }
  std::string identity() const override { return "scripted"; }
  nlohmann::json manifest() const override { return {}; }
  int64_t vocab_size() const override { return kVocab; }
  bool full_distribution() const override { return true; }
  std::vector<int32_t> prompt_tokens(std::string_view, bool) const override { return {1, 100 % kVocab}; }
  std::string detokenize(const std::vector<int32_t>&) const override { return ""; }
  Generation generate(const std::vector<int32_t>&, const GenerationParams&) override { return {}; }
  uint64_t tokens_processed() const override { return 0; }
  LogprobRows score(const std::vector<int32_t>& tokens, int64_t from) override {
    ++score_calls;
    LogprobRows rows;
    rows.n_vocab = kVocab;
    for (size_t p = static_cast<size_t>(from); p < tokens.size(); ++p) {
      std::vector<float> row(kVocab, static_cast<float>(std::log(1e-9)));
      for (const auto& [token, prob] : next[tokens[p]]) row[token] = static_cast<float>(std::log(prob));
      rows.values.insert(rows.values.end(), row.begin(), row.end());
      ++rows.n_rows;
    }
    return rows;
  }
};

ScriptedBackend script() {
  ScriptedBackend b;
  b.next[4] = {{5, 0.5}, {6, 0.3}, {7, 0.2}};  // after the prompt (last token 4)
  b.next[5] = {{8, 0.6}, {9, 0.4}};
  return b;
}

TEST(OpeningSet, MassesWithOneExpansion) {
  ScriptedBackend model = script();
  OpeningSet set;
  set.add({5, 8}, true);    // "I cannot"
  set.add({5, 9}, false);   // "I can help"
  set.add({6}, true);       // "Sorry"
  set.add({7, 1}, false);   // "Sure!"
  EXPECT_TRUE(set.has_both_labels());
  const OpeningOdds odds = set.odds(model, {1, 4});
  EXPECT_NEAR(std::exp(odds.log_refusal), 0.5 * 0.6 + 0.3, 1e-6);
  EXPECT_NEAR(std::exp(odds.log_compliance), 0.5 * 0.4 + 0.2, 1e-6);
  EXPECT_NEAR(odds.log_odds(), std::log(0.6 / 0.4), 1e-6);
  EXPECT_EQ(odds.passes, 2);
  EXPECT_EQ(model.score_calls, 2);
}

// Each label's single most likely path: refusal 0.3 ("I cannot" and "Sorry" both),
// compliance 0.2 ("I can help" and "Sure!" both), where the masses are 0.6 and 0.4.
TEST(OpeningSet, MostLikelyWeighingFollowsTheBestPathOfEachLabel) {
  ScriptedBackend model = script();
  OpeningSet set(3, 4, OpeningWeighing::MostLikely);
  set.add({5, 8}, true);
  set.add({5, 9}, false);
  set.add({6}, true);
  set.add({7, 1}, false);
  const OpeningOdds odds = set.odds(model, {1, 4});
  EXPECT_NEAR(std::exp(odds.log_refusal), 0.3, 1e-6);
  EXPECT_NEAR(std::exp(odds.log_compliance), 0.2, 1e-6);
  // Serialized and read back, the weighing stays.
  const OpeningSet back = OpeningSet::from_json(set.to_json());
  EXPECT_EQ(back.odds(model, {1, 4}).log_odds(), odds.log_odds());
}

TEST(OpeningSet, MostLikelyAndMassDisagreeWhereMassIsSpread) {
  ScriptedBackend model;
  model.next[4] = {{5, 0.25}, {6, 0.25}, {7, 0.4}};  // two refusals share more mass than one compliance
  OpeningSet mass, greedy(3, 4, OpeningWeighing::MostLikely);
  for (OpeningSet* set : {&mass, &greedy}) {
    set->add({5}, true);
    set->add({6}, true);
    set->add({7}, false);
  }
  EXPECT_GT(mass.odds(model, {1, 4}).log_odds(), 0);    // a sampled answer more likely refuses
  EXPECT_LT(greedy.odds(model, {1, 4}).log_odds(), 0);  // the greedy answer complies
}

TEST(OpeningSet, PureFirstTokensNeedNoExpansion) {
  ScriptedBackend model = script();
  OpeningSet set;
  set.add({5, 8, 3}, true);
  set.add({7}, false);
  const OpeningOdds odds = set.odds(model, {1, 4});
  EXPECT_EQ(odds.passes, 1);
  EXPECT_NEAR(std::exp(odds.log_refusal), 0.5, 1e-6);
  EXPECT_NEAR(std::exp(odds.log_compliance), 0.2, 1e-6);
}

TEST(OpeningSet, AmbiguousPathsCountForNeither) {
  ScriptedBackend model = script();
  OpeningSet set;
  set.add({6}, true);
  set.add({6}, false);  // same opening, both labels
  set.add({7}, false);
  const OpeningOdds odds = set.odds(model, {1, 4});
  EXPECT_LT(std::exp(odds.log_refusal), 1e-20);  // only the floor
  EXPECT_NEAR(std::exp(odds.log_compliance), 0.2, 1e-6);
  EXPECT_FALSE(set.has_both_labels());
}

TEST(OpeningSet, DepthAndExpansionLimits) {
  ScriptedBackend model = script();
  OpeningSet shallow(/*max_depth=*/1);
  shallow.add({5, 8}, true);
  shallow.add({5, 9}, false);
  shallow.add({7}, false);
  // Cut to one token, "5" carries both labels and cannot be extended.
  const OpeningOdds odds = shallow.odds(model, {1, 4});
  EXPECT_EQ(odds.passes, 1);
  EXPECT_NEAR(std::exp(odds.log_compliance), 0.2, 1e-6);

  OpeningSet no_expansion(3, /*max_expansions=*/0);
  no_expansion.add({5, 8}, true);
  no_expansion.add({5, 9}, false);
  no_expansion.add({6}, true);
  EXPECT_EQ(no_expansion.odds(model, {1, 4}).passes, 1);
}

TEST(OpeningSet, JsonRoundTrip) {
  OpeningSet set(2, 3);
  set.add({5, 8, 9}, true);
  set.add({5, 9}, false);
  set.add({7}, false);
  const OpeningSet back = OpeningSet::from_json(set.to_json());
  EXPECT_EQ(back.to_json(), set.to_json());
  EXPECT_EQ(back.size(), 3u);
  ScriptedBackend a = script(), b = script();
  EXPECT_EQ(set.odds(a, {1, 4}).log_odds(), back.odds(b, {1, 4}).log_odds());
}

TEST(OpeningSet, ShippedPhrases) {
  const auto phrases = load_opening_phrases(test::source_path("data/hunt/openings.jsonl"));
  int refusals = 0, compliances = 0;
  for (const OpeningPhrase& p : phrases) (p.refusal ? refusals : compliances)++;
  EXPECT_GE(refusals, 10);
  EXPECT_GE(compliances, 10);
}

TEST(OpeningSet, BadPhraseFiles) {
  const std::string dir = test::temp_dir("hunt-openings");
  int i = 0;
  for (const std::string text : {"", "{\"text\":\"Sure\"}\n", "{\"text\":\"Sure\",\"label\":\"maybe\"}\n", "oops\n",
                                 "{\"text\":\"\",\"label\":\"refusal\"}\n"}) {
    const std::string path = dir + "/o" + std::to_string(i++) + ".jsonl";
    std::ofstream(path) << text;
    EXPECT_THROW(load_opening_phrases(path), Error) << text;
  }
}

}  // namespace
}  // namespace pd::hunt

// MemoizingBackend: the baseline's scored rows are computed once per (tokens, from) and handed
// back bit for bit; beyond the byte budget calls pass through to the engine.

#include "backend/memoizing_backend.h"

#include <gtest/gtest.h>

namespace pd {
namespace {

// Rows that depend on every token and on `from`, and a count of real evaluations.
class CountingBackend : public Backend {
 public:
  std::string describe() const override { return "counting"; }
  std::string identity() const override { return "counting"; }
  nlohmann::json manifest() const override { return {{"name", "counting"}}; }
  int64_t vocab_size() const override { return 4; }
  bool full_distribution() const override { return true; }
  std::vector<int32_t> prompt_tokens(std::string_view text, bool) const override {
    return std::vector<int32_t>(text.begin(), text.end());
  }
  std::string detokenize(const std::vector<int32_t>& tokens) const override {
    return std::string(tokens.begin(), tokens.end());
  }
  Generation generate(const std::vector<int32_t>&, const GenerationParams&) override { return {}; }
  LogprobRows score(const std::vector<int32_t>& tokens, int64_t from) override {
    ++calls;
    LogprobRows rows;
    rows.n_vocab = 4;
    rows.n_rows = static_cast<int64_t>(tokens.size()) - from;
    int64_t sum = from;
    for (int32_t t : tokens) sum = sum * 31 + t;
    for (int64_t i = 0; i < rows.n_rows * rows.n_vocab; ++i) rows.values.push_back(static_cast<float>(sum % 1000 + i));
    return rows;
  }
  uint64_t tokens_processed() const override { return 0; }

  int calls = 0;
};

TEST(MemoizingBackend, SameTokensAreScoredOnce) {
  CountingBackend engine;
  MemoizingBackend memo(engine, 1 << 20);
  const std::vector<int32_t> a = {1, 2, 3, 4}, b = {1, 2, 3, 5};
  const LogprobRows first = memo.score(a, 1);
  const LogprobRows again = memo.score(a, 1);
  EXPECT_EQ(engine.calls, 1);
  EXPECT_EQ(memo.hits(), 1u);
  EXPECT_EQ(first.values, again.values);
  EXPECT_EQ(again.n_rows, 3);
  EXPECT_EQ(again.n_vocab, 4);
  // Another token, another start, or a shorter sequence is another evaluation.
  EXPECT_NE(memo.score(b, 1).values, first.values);
  EXPECT_EQ(memo.score(a, 2).n_rows, 2);
  EXPECT_EQ(memo.score({1, 2, 3}, 1).n_rows, 2);
  EXPECT_EQ(engine.calls, 4);
  EXPECT_EQ(memo.bytes(), (12u + 12u + 8u + 8u) * sizeof(float));
  // The other calls are the engine's.
  EXPECT_EQ(memo.vocab_size(), 4);
  EXPECT_EQ(memo.describe(), "counting");
  EXPECT_EQ(memo.prompt_tokens("ab", false), (std::vector<int32_t>{'a', 'b'}));
}

TEST(MemoizingBackend, BeyondTheBudgetCallsPassThrough) {
  CountingBackend engine;
  MemoizingBackend memo(engine, 12 * sizeof(float));  // room for one four-token row set
  const std::vector<int32_t> a = {1, 2, 3, 4}, b = {5, 6, 7, 8};
  memo.score(a, 1);
  memo.score(b, 1);  // does not fit: not kept
  memo.score(a, 1);
  memo.score(b, 1);
  EXPECT_EQ(engine.calls, 3);
  EXPECT_EQ(memo.hits(), 1u);
  EXPECT_EQ(memo.bytes(), 12u * sizeof(float));
  // Pass-through answers are still correct.
  CountingBackend fresh;
  EXPECT_EQ(memo.score(b, 1).values, fresh.score(b, 1).values);
}

}  // namespace
}  // namespace pd

// The embedded backend's teacher-forced scoring: rows computed only where they are
// wanted (the prefix evaluated without its logits) must be the very bits of one full
// evaluation, for every start position, plan and thread count.

#include "backend/embedded_backend.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "core/error.h"
#include "forge/random_model.h"
#include "gguf/gguf_file.h"
#include "model/model.h"
#include "model/session.h"
#include "test_paths.h"

namespace pd {
namespace {

std::shared_ptr<const GgufFile> stories() {
  static const auto file = std::shared_ptr<const GgufFile>(GgufFile::open(test::source_path("data/models/stories260K.gguf")));
  return file;
}

// A random model whose rows fit K-quant blocks (stories260K's do not), one layer.
std::shared_ptr<const GgufFile> random_model() {
  static const auto file = [] {
    forge::RandomModelSpec spec;
    spec.dim = 256;
    spec.layers = 1;
    spec.heads = 4;
    spec.kv_heads = 2;
    spec.ffn = 256;
    spec.vocab_from = test::source_path("data/models/stories260K.gguf");
    spec.threads = 2;
    const std::string path = test::temp_dir("backend") + "/random.gguf";
    forge::write_random_model(spec, path);
    return std::shared_ptr<const GgufFile>(GgufFile::open(path));
  }();
  return file;
}

std::vector<int32_t> some_tokens(int64_t vocab, size_t n) {
  std::vector<int32_t> tokens = {1};
  for (size_t i = 1; i < n; ++i) tokens.push_back(static_cast<int32_t>((i * 7919 + 31) % vocab));
  return tokens;
}

// Every row of one full evaluation, log-softmaxed: the reference the partial path must hit.
LogprobRows full_rows(const EmbeddedBackend& backend, const std::vector<int32_t>& tokens, int threads) {
  Session session(std::shared_ptr<const Model>(&backend.model(), [](const Model*) {}), backend.numerics(),
                  SessionOptions{.n_ctx = 256, .threads = threads, .pool = nullptr});
  Logits logits = session.eval(tokens, LogitsWanted::All);
  LogprobRows rows{logits.n_rows, logits.n_vocab, std::move(logits.values)};
  for (int64_t r = 0; r < rows.n_rows; ++r) log_softmax_row(rows.values.data() + r * rows.n_vocab, rows.n_vocab);
  return rows;
}

void expect_same_bits(const LogprobRows& partial, const LogprobRows& full, int64_t from, const std::string& what) {
  ASSERT_EQ(partial.n_vocab, full.n_vocab) << what;
  ASSERT_EQ(partial.n_rows, full.n_rows - from) << what;
  const size_t bytes = static_cast<size_t>(partial.n_rows * partial.n_vocab) * sizeof(float);
  EXPECT_EQ(std::memcmp(partial.values.data(), full.row(from), bytes), 0) << what << " from " << from;
}

struct Case {
  const char* plan;
  bool random;  // the K-quant-shaped random model, else stories260K
};

class ScoreRows : public ::testing::TestWithParam<Case> {};

TEST_P(ScoreRows, PartialEvaluationGivesTheBitsOfAFullOne) {
  const Case c = GetParam();
  const auto file = c.random ? random_model() : stories();
  EmbeddedOptions options;
  options.threads = 2;
  options.n_ctx = 256;
  EmbeddedBackend backend(file, VariantSpec::parse(c.plan, "test"), options);
  for (size_t n : {2u, 9u, 61u}) {
    const std::vector<int32_t> tokens = some_tokens(backend.vocab_size(), n);
    // The reference runs on one thread: the rows must not depend on the count either.
    const LogprobRows full = full_rows(backend, tokens, 1);
    for (int64_t from : {int64_t{0}, int64_t{1}, static_cast<int64_t>(n / 2), static_cast<int64_t>(n - 1)}) {
      expect_same_bits(backend.score(tokens, from), full, from, std::string(c.plan) + " n " + std::to_string(n));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Plans, ScoreRows,
                         ::testing::Values(Case{"f32", false}, Case{"q8_0", false}, Case{"q4_0", false},
                                           Case{"f16", true}, Case{"q4_k_m", true},
                                           Case{"weights=q8_0;act=bf16;kv=q8_0", true}),
                         [](const auto& info) {
                           std::string name = std::string(info.param.plan) + (info.param.random ? "_random" : "_stories");
                           for (char& ch : name) {
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return name;
                         });

TEST(ScoreRows, StartOutsideTheTokensIsAnError) {
  EmbeddedBackend backend(stories(), VariantSpec::parse("f32", "test"));
  const std::vector<int32_t> tokens = some_tokens(backend.vocab_size(), 5);
  EXPECT_THROW(backend.score(tokens, 5), Error);
  EXPECT_THROW(backend.score(tokens, -1), Error);
}

TEST(ScoreRows, RowsAreNormalisedLogProbabilities) {
  EmbeddedBackend backend(stories(), VariantSpec::parse("f32", "test"));
  const LogprobRows rows = backend.score(some_tokens(backend.vocab_size(), 12), 3);
  ASSERT_EQ(rows.n_rows, 9);
  for (int64_t r = 0; r < rows.n_rows; ++r) {
    double sum = 0;
    for (int64_t i = 0; i < rows.n_vocab; ++i) sum += std::exp(static_cast<double>(rows.row(r)[i]));
    EXPECT_NEAR(sum, 1.0, 1e-5) << r;
  }
}

}  // namespace
}  // namespace pd

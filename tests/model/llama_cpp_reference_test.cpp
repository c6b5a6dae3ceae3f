// The engine against llama.cpp: greedy output of the trained stories260K model, and
// per-position log-probabilities against the reference outputs llama.cpp wrote
// (shared/data/reference, made with llama.cpp's defaults: CPU backend, f16 KV cache).

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>

#include "core/npy.h"
#include "model/generator.h"
#include "model/model.h"
#include "model/ops.h"
#include "model/session.h"
#include "test_paths.h"

namespace pd {
namespace {

std::string stories_path() { return test::source_path("data/models/stories260K.gguf"); }
std::string reference(const std::string& name) { return test::shared_data("reference/" + name); }

std::vector<int32_t> read_tokens(const std::string& path) {
  std::ifstream in(path);
  std::vector<int32_t> tokens;
  int32_t id;
  while (in >> id) tokens.push_back(id);
  return tokens;
}

// llama.cpp's defaults: its CPU kernels (our `fast` path) and an f16 KV cache.
NumericsConfig llama_cpp_defaults() {
  NumericsConfig numerics;
  numerics.kv_cache = TensorType::F16;
  return numerics;
}

NpyMatrix our_log_probs(const std::string& model_path, const std::vector<int32_t>& tokens,
                        const NumericsConfig& numerics) {
  Session session(Model::load(model_path), numerics, SessionOptions{0, 2, nullptr});
  const Logits logits = session.eval(tokens);
  NpyMatrix out{logits.n_rows, logits.n_vocab, std::vector<float>(logits.values.size())};
  for (int64_t i = 0; i < logits.n_rows; ++i) {
    log_softmax(logits.row(i), logits.n_vocab, out.values.data() + i * logits.n_vocab);
  }
  return out;
}

double max_abs_delta(const NpyMatrix& a, const NpyMatrix& b) {
  double m = 0;
  for (size_t i = 0; i < a.values.size(); ++i) {
    m = std::max(m, std::fabs(double(a.values[i]) - double(b.values[i])));
  }
  return m;
}

int64_t top1(const float* row, int64_t n) {
  int64_t best = 0;
  for (int64_t i = 1; i < n; ++i) best = row[i] > row[best] ? i : best;
  return best;
}

// Mean over positions of KL(p || q), both given as log-probabilities.
double mean_kld(const NpyMatrix& p, const NpyMatrix& q) {
  double total = 0;
  for (int64_t i = 0; i < p.rows; ++i) {
    for (int64_t v = 0; v < p.cols; ++v) {
      const double lp = p.row(i)[v];
      total += std::exp(lp) * (lp - q.row(i)[v]);
    }
  }
  return total / double(p.rows);
}

TEST(Stories260K, GreedyFromBosReproducesKnownTokens) {
  // The 32 ids listed in shared/data/models/SOURCES.md (llama2.c's run gives the same).
  const std::vector<int32_t> expected = {403, 407, 261, 378, 432, 383, 286, 261, 376, 298, 315,
                                         421, 395, 317, 426, 338, 401, 396, 267, 337, 410, 408,
                                         419, 292, 411, 322, 265, 282, 295, 433, 426, 385};
  for (KernelPath kernel : {KernelPath::Fast, KernelPath::Reference}) {
    NumericsConfig numerics;
    numerics.kernel = kernel;
    Session session(Model::load(stories_path()), numerics, SessionOptions{0, 2, nullptr});
    Generator generator(session);
    GenerationParams params;
    params.max_tokens = 32;
    const std::vector<int32_t> bos = {1};
    const Generation g = generator.generate(bos, params);
    EXPECT_EQ(g.tokens, expected) << kernel_path_name(kernel);
    EXPECT_EQ(g.stop, StopReason::MaxTokens);
  }
}

struct F32Case {
  std::string model;  // relative to the repository or to shared data
  std::string stem;
  bool bit_exact;     // every log-probability equal to llama.cpp's
};

class F32Reference : public ::testing::TestWithParam<F32Case> {};

// F32 weights: log-probabilities within 1e-3 of llama.cpp's, same top-1 everywhere.
// The fast path takes llama.cpp's float order in matrix products and attention and its
// vector exponential, so the random model (rows of multiples of 16) matches it bit for
// bit. stories260K's 172-wide feed-forward rows still differ from it in the last bits
// now and then (cause unknown), and with an f16 KV cache one such difference can move
// a cached value by a whole f16 step: ~1e-3 in log-probs on a model this small. The
// printed noise floor (the same run with reversed accumulation order) shows that scale.
TEST_P(F32Reference, LogProbsMatchLlamaCpp) {
  const F32Case& c = GetParam();
  if (!test::exists(reference(c.stem + ".npy"))) GTEST_SKIP() << "no shared reference data";
  const std::string model = c.model.find('/') == std::string::npos ? reference(c.model)
                                                                     : test::source_path(c.model);
  const std::vector<int32_t> tokens = read_tokens(reference(c.stem + ".tokens"));
  const NpyMatrix theirs = read_npy(reference(c.stem + ".npy"));
  const NpyMatrix ours = our_log_probs(model, tokens, llama_cpp_defaults());
  ASSERT_EQ(theirs.rows, ours.rows);
  ASSERT_EQ(theirs.cols, ours.cols);

  NumericsConfig perturbed = llama_cpp_defaults();
  perturbed.order = AccumulationOrder::Reversed;
  const double noise_floor = max_abs_delta(ours, our_log_probs(model, tokens, perturbed));
  const double delta = max_abs_delta(ours, theirs);
  std::printf("  %s: max |dlogprob| vs llama.cpp %.3g, own noise floor %.3g, mean KLD %.3g\n",
              c.stem.c_str(), delta, noise_floor, mean_kld(theirs, ours));
  EXPECT_LE(delta, 1e-3);
  if (c.bit_exact) {
    EXPECT_EQ(delta, 0.0);
  }
  EXPECT_LE(mean_kld(theirs, ours), 1e-6);
  for (int64_t i = 0; i < ours.rows; ++i) {
    EXPECT_EQ(top1(ours.row(i), ours.cols), top1(theirs.row(i), theirs.cols)) << "position " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Files, F32Reference,
    ::testing::Values(F32Case{"data/models/stories260K.gguf", "stories260K-F32-p0", false},
                      F32Case{"data/models/stories260K.gguf", "stories260K-F32-p1", false},
                      F32Case{"data/models/stories260K.gguf", "stories260K-F32-p2", false},
                      F32Case{"kq-dev-f32.gguf", "kq-dev-f32-p0", true}),
    [](const auto& info) {
      std::string name = info.param.stem;
      for (char& ch : name) ch = std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
      return name;
    });

struct QuantCase {
  std::string model;
  std::string stem;
  std::string f32_stem;
};

class QuantizedReference : public ::testing::TestWithParam<QuantCase> {};

// Quantized weights: the distance between llama.cpp's output and ours must be small
// next to what quantization itself did: KLD(llama.cpp || ours) <= 0.1 KLD(f32 || quant).
TEST_P(QuantizedReference, KlDivergenceFromLlamaCppIsSmallNextToQuantization) {
  const QuantCase& c = GetParam();
  if (!test::exists(reference(c.model))) GTEST_SKIP() << "no shared reference data";
  const std::vector<int32_t> tokens = read_tokens(reference(c.stem + ".tokens"));
  ASSERT_EQ(tokens, read_tokens(reference(c.f32_stem + ".tokens")));
  const NpyMatrix theirs = read_npy(reference(c.stem + ".npy"));
  const NpyMatrix f32 = read_npy(reference(c.f32_stem + ".npy"));
  const NpyMatrix ours = our_log_probs(reference(c.model), tokens, llama_cpp_defaults());
  const double ours_kld = mean_kld(theirs, ours);
  const double quant_kld = mean_kld(f32, theirs);
  std::printf("  %s: KLD(llama.cpp||ours) %.3g, KLD(f32||quant) %.3g, ratio %.4f\n",
              c.stem.c_str(), ours_kld, quant_kld, ours_kld / quant_kld);
  EXPECT_GT(quant_kld, 0.0);
  EXPECT_LE(ours_kld, 0.1 * quant_kld);
}

INSTANTIATE_TEST_SUITE_P(
    Files, QuantizedReference,
    ::testing::Values(
        QuantCase{"stories260K-Q4_K_M.gguf", "stories260K-Q4_K_M-p0", "stories260K-F32-p0"},
        QuantCase{"stories260K-Q4_K_M.gguf", "stories260K-Q4_K_M-p1", "stories260K-F32-p1"},
        QuantCase{"stories260K-Q4_K_M.gguf", "stories260K-Q4_K_M-p2", "stories260K-F32-p2"},
        QuantCase{"kq-dev-Q8_0.gguf", "kq-dev-Q8_0-p0", "kq-dev-f32-p0"},
        QuantCase{"kq-dev-Q4_0.gguf", "kq-dev-Q4_0-p0", "kq-dev-f32-p0"},
        QuantCase{"kq-dev-Q4_K_M.gguf", "kq-dev-Q4_K_M-p0", "kq-dev-f32-p0"},
        QuantCase{"kq-dev-Q6_K.gguf", "kq-dev-Q6_K-p0", "kq-dev-f32-p0"}),
    [](const auto& info) {
      std::string name = info.param.stem;
      for (char& ch : name) ch = std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
      return name;
    });

}  // namespace
}  // namespace pd

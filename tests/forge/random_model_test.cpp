// `forge random`: shapes as asked, deterministic bytes, and activations that stay finite
// and non-degenerate through every layer when the engine runs the model.

#include "forge/random_model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/sha256.h"
#include "gguf/gguf_file.h"
#include "model/model.h"
#include "model/session.h"
#include "model/tiny_model.h"
#include "test_paths.h"

namespace pd::forge {
namespace {

std::string stories_vocab() { return test::source_path("data/models/stories260K.gguf"); }

struct Shape {
  const char* label;
  const char* arch;
  int64_t dim, layers, heads, kv_heads, ffn;
  TensorType type;
  bool tied;
};

// Eight shapes: plain and grouped-query attention, one and several layers, head widths
// 32 to 128, all three architectures, tied and untied heads, float and quantized types
// (K-quants need rows that are multiples of 256).
const Shape kShapes[] = {
    {"llama-f32", "llama", 256, 2, 4, 4, 512, TensorType::F32, false},
    {"llama-gqa-f16", "llama", 256, 2, 8, 2, 768, TensorType::F16, false},
    {"llama-mqa-q8_0", "llama", 256, 3, 4, 1, 256, TensorType::Q8_0, false},
    {"qwen2-q4_k", "qwen2", 256, 2, 4, 2, 512, TensorType::Q4_K, false},
    {"llama-wide-q4_0", "llama", 512, 1, 16, 16, 512, TensorType::Q4_0, false},
    {"qwen2-tied-q6_k", "qwen2", 256, 2, 2, 1, 768, TensorType::Q6_K, true},
    {"llama-deep-bf16", "llama", 256, 6, 4, 2, 512, TensorType::BF16, false},
    {"qwen3-q8_0", "qwen3", 256, 2, 4, 2, 512, TensorType::Q8_0, false},
};

Architecture arch_of(const std::string& name) {
  if (name == "qwen2") return Architecture::Qwen2;
  if (name == "qwen3") return Architecture::Qwen3;
  return Architecture::Llama;
}

RandomModelSpec spec_of(const Shape& s) {
  RandomModelSpec spec;
  spec.arch = s.arch;
  spec.dim = s.dim;
  spec.layers = s.layers;
  spec.heads = s.heads;
  spec.kv_heads = s.kv_heads;
  spec.ffn = s.ffn;
  spec.type = s.type;
  spec.tied_output = s.tied;
  spec.vocab_from = stories_vocab();
  spec.seed = 7;
  spec.context = 256;
  spec.threads = 2;
  return spec;
}

double rms(const float* x, int64_t n) {
  double s = 0;
  for (int64_t i = 0; i < n; ++i) s += static_cast<double>(x[i]) * x[i];
  return std::sqrt(s / static_cast<double>(n));
}

class RandomShapes : public ::testing::TestWithParam<Shape> {};

TEST_P(RandomShapes, LoadsWithItsShapeAndComputesSanely) {
  const Shape& s = GetParam();
  const std::string path = test::temp_dir(std::string("random-") + s.label) + "/m.gguf";
  const RandomModelSummary summary = write_random_model(spec_of(s), path);
  EXPECT_EQ(summary.vocab_size, 512);

  auto model = Model::load(path);
  const ModelConfig& c = model->config();
  EXPECT_EQ(c.arch, arch_of(s.arch));
  EXPECT_EQ(c.n_embd, s.dim);
  EXPECT_EQ(c.n_layer, s.layers);
  EXPECT_EQ(c.n_head, s.heads);
  EXPECT_EQ(c.n_head_kv, s.kv_heads);
  EXPECT_EQ(c.n_ff, s.ffn);
  EXPECT_EQ(c.n_vocab, 512);
  EXPECT_EQ(model->weights().tied_output, s.tied);
  EXPECT_EQ(model->weights().layers[0].wq.type, s.type);
  EXPECT_EQ(model->weights().token_embd.type, s.type);

  // Activations through every layer: finite, of ordinary size, and different for
  // different tokens (a model whose rows all collapse to one vector is degenerate).
  std::map<std::string, int> seen;
  int64_t checked = 0;
  Session session(model, NumericsConfig{}, SessionOptions{.n_ctx = 64, .threads = 2, .pool = nullptr});
  session.set_observer([&](std::string_view name, int64_t layer, const float* data,
                           int64_t rows, int64_t cols) {
    const std::string where = std::string(name) + " layer " + std::to_string(layer);
    ++seen[std::string(name)];
    for (int64_t i = 0; i < rows * cols; ++i) {
      ASSERT_TRUE(std::isfinite(data[i])) << where << " element " << i;
    }
    double spread = 0;
    for (int64_t r = 0; r < rows; ++r) {
      const double m = rms(data + r * cols, cols);
      if (name == "residual_attn" || name == "residual_ffn" || name == "attn_norm" ||
          name == "ffn_norm" || name == "output_norm") {
        EXPECT_GT(m, 0.05) << where << " row " << r;
        EXPECT_LT(m, 200.0) << where << " row " << r;
      }
      if (r > 0) {
        double d = 0;
        for (int64_t i = 0; i < cols; ++i) {
          const double x = data[r * cols + i] - data[(r - 1) * cols + i];
          d += x * x;
        }
        spread += std::sqrt(d / static_cast<double>(cols));
      }
    }
    if (rows > 1) {
      EXPECT_GT(spread, 1e-3) << where << ": rows do not depend on the token";
    }
    ++checked;
  });
  std::vector<int32_t> tokens;
  for (int i = 0; i < 16; ++i) tokens.push_back(1 + (i * 37) % 500);
  Logits logits = session.eval(tokens);
  EXPECT_EQ(seen["residual_ffn"], s.layers);
  EXPECT_GT(checked, 10 * s.layers);
  // The next-token distribution is neither flat nor a spike.
  const float* last = logits.row(logits.n_rows - 1);
  double mean = 0, var = 0;
  for (int64_t v = 0; v < logits.n_vocab; ++v) mean += last[v];
  mean /= static_cast<double>(logits.n_vocab);
  for (int64_t v = 0; v < logits.n_vocab; ++v) var += (last[v] - mean) * (last[v] - mean);
  const double sd = std::sqrt(var / static_cast<double>(logits.n_vocab));
  EXPECT_GT(sd, 0.1);
  EXPECT_LT(sd, 20.0);
}

INSTANTIATE_TEST_SUITE_P(Forge, RandomShapes, ::testing::ValuesIn(kShapes),
                         [](const auto& info) {
                           std::string name = info.param.label;
                           for (char& ch : name) {
                             if (ch == '-') ch = '_';
                           }
                           return name;
                         });

TEST(RandomModel, SameSpecSameBytesForAnyThreadCount) {
  RandomModelSpec spec = spec_of(kShapes[3]);  // K-quant rows and qwen2 biases
  spec.layers = 1;
  const std::string dir = test::temp_dir("random-determinism");
  spec.threads = 1;
  write_random_model(spec, dir + "/a.gguf");
  spec.threads = 3;
  write_random_model(spec, dir + "/b.gguf");
  EXPECT_EQ(read_file(dir + "/a.gguf"), read_file(dir + "/b.gguf"));
  spec.seed = 8;
  write_random_model(spec, dir + "/c.gguf");
  EXPECT_NE(read_file(dir + "/a.gguf"), read_file(dir + "/c.gguf"));
}

// The shapes a reviewer also runs in llama.cpp: forge-made F32 llama (adjacent-pair
// RoPE), qwen2 (QKV biases, NeoX RoPE) and qwen3 (per-head Q/K RMS norm, NeoX RoPE)
// against the float64 forward pass of tests/model, fed the file's own weights.
TEST(RandomModel, ForgeMadeArchitecturesMatchTheFloat64Reference) {
  for (const char* arch : {"llama", "qwen2", "qwen3"}) {
    RandomModelSpec spec = spec_of({arch, arch, 256, 2, 4, 2, 512, TensorType::F32, false});
    const std::string path = test::temp_dir(std::string("random-f64-") + arch) + "/m.gguf";
    write_random_model(spec, path);
    test::TinyModel tiny;
    tiny.model = Model::load(path);
    tiny.config = tiny.model->config();
    const auto file = GgufFile::open(path);
    for (const GgufTensorInfo& t : file->tensors()) {
      ASSERT_EQ(t.type, TensorType::F32) << t.name;
      const auto* data = reinterpret_cast<const float*>(file->tensor_data(t));
      tiny.weights[t.name].assign(data, data + t.element_count());
    }
    const std::vector<int32_t> tokens = {1, 17, 300, 42, 42, 9, 511, 128};
    Session session(tiny.model, NumericsConfig{}, SessionOptions{0, 2, nullptr});
    const Logits logits = session.eval(tokens);
    const double err = test::relative_logit_error(logits, test::reference_forward(tiny, tokens));
    std::printf("  %s: relative logit error against float64 %.2e\n", arch, err);
    EXPECT_LT(err, 2e-6) << arch;  // as tests/model/reference_forward_test.cpp
  }
}

TEST(RandomModel, MetadataAndTokenizerCopied) {
  RandomModelSpec spec = spec_of(kShapes[1]);
  const std::string path = test::temp_dir("random-meta") + "/m.gguf";
  const RandomModelSummary summary = write_random_model(spec, path);
  auto file = GgufFile::open(path);
  auto vocab = GgufFile::open(stories_vocab());
  EXPECT_EQ(file->get_string_array("tokenizer.ggml.tokens"),
            vocab->get_string_array("tokenizer.ggml.tokens"));
  EXPECT_EQ(file->get_uint("general.file_type"), 1u);
  EXPECT_EQ(file->get_uint("llama.rope.dimension_count"), 32u);
  EXPECT_EQ(file->get_string("precisiondiff.forge.kind"), "random");
  EXPECT_EQ(summary.outliers.size(), 4u);
  int64_t params = 0;
  for (const GgufTensorInfo& t : file->tensors()) params += t.element_count();
  EXPECT_EQ(params, summary.parameters);
}

TEST(RandomModel, RejectsImpossibleShapes) {
  RandomModelSpec spec = spec_of(kShapes[0]);
  auto bad = [&](auto change, const std::string& needle) {
    RandomModelSpec s = spec;
    change(s);
    try {
      validate_random_model_spec(s);
      ADD_FAILURE() << "accepted; expected: " << needle;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::BadInput);
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  bad([](RandomModelSpec& s) { s.heads = 3; }, "--heads 3 does not divide --dim 256");
  bad([](RandomModelSpec& s) { s.kv_heads = 3; }, "--kv-heads 3 does not divide --heads 4");
  bad([](RandomModelSpec& s) { s.type = TensorType::Q4_K; s.ffn = 288; }, "--ffn 288 is not a multiple of 256");
  bad([](RandomModelSpec& s) { s.arch = "gpt2"; }, "--arch must be llama, qwen2 or qwen3");
  bad([](RandomModelSpec& s) { s.vocab_from.clear(); }, "--vocab-from");
  bad([](RandomModelSpec& s) { s.type = TensorType::IQ2_XXS; }, "cannot be computed");
  EXPECT_THROW(write_random_model([&] { RandomModelSpec s = spec; s.vocab_from = "/nonexistent.gguf"; return s; }(),
                                  test::temp_dir("random-bad") + "/x.gguf"),
               Error);
}

}  // namespace
}  // namespace pd::forge

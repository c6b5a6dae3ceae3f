// The engine's forward pass against an independent float64 forward pass on small random
// models: each architecture feature (GQA, NeoX and normal RoPE, partial rotary
// dimensions, linear and llama3 RoPE scaling, QKV bias, Q/K norm, tied output) in turn.

#include <gtest/gtest.h>

#include <cmath>

#include "model/session.h"
#include "tiny_model.h"

namespace pd {
namespace {

using test::TinySpec;

struct Case {
  const char* name;
  TinySpec spec;
};

// Relative error of the engine's logits against the float64 pass, normalized by the
// logits' scale: max |ours - ref| / max(1, max |ref|).
double logit_error(const test::TinyModel& tiny, const std::vector<int32_t>& tokens,
                   const NumericsConfig& numerics) {
  Session session(tiny.model, numerics, SessionOptions{0, 2, nullptr});
  const Logits logits = session.eval(tokens);
  return test::relative_logit_error(logits, test::reference_forward(tiny, tokens));
}

std::vector<int32_t> some_tokens(int64_t vocab, int n) {
  std::vector<int32_t> tokens;
  for (int i = 0; i < n; ++i) tokens.push_back(static_cast<int32_t>((i * 7 + 3) % vocab));
  return tokens;
}

class ReferenceForward : public ::testing::TestWithParam<Case> {};

// f32 arithmetic against f64: agreement to 2e-6 of the logit scale on every position
// (the observed error is 1e-7 to 4e-7; an error in any formula is orders larger).
TEST_P(ReferenceForward, MatchesFloat64) {
  const test::TinyModel tiny = test::build_tiny_model(GetParam().spec);
  const std::vector<int32_t> tokens = some_tokens(GetParam().spec.vocab, 12);
  for (KernelPath kernel : {KernelPath::Fast, KernelPath::Reference}) {
    NumericsConfig numerics;
    numerics.kernel = kernel;
    const double err = logit_error(tiny, tokens, numerics);
    std::printf("  %s %s: relative logit error %.2e\n", GetParam().name, kernel_path_name(kernel), err);
    EXPECT_LT(err, 2e-6) << kernel_path_name(kernel);
  }
}

TinySpec spec(Architecture arch) {
  TinySpec s;
  s.arch = arch;
  return s;
}

TinySpec with(TinySpec s, void (*edit)(TinySpec&)) {
  edit(s);
  return s;
}

INSTANTIATE_TEST_SUITE_P(
    Architectures, ReferenceForward,
    ::testing::Values(
        Case{"llama_gqa", spec(Architecture::Llama)},
        Case{"llama_mha", with(spec(Architecture::Llama), [](TinySpec& s) { s.kv_heads = 4; })},
        Case{"llama_mqa", with(spec(Architecture::Llama), [](TinySpec& s) { s.kv_heads = 1; })},
        Case{"llama_tied", with(spec(Architecture::Llama), [](TinySpec& s) { s.tied = true; })},
        Case{"llama_partial_rotary", with(spec(Architecture::Llama), [](TinySpec& s) { s.n_rot = 4; })},
        Case{"llama_linear_scaling", with(spec(Architecture::Llama), [](TinySpec& s) { s.freq_scale = 0.25f; })},
        Case{"llama3_scaling", with(spec(Architecture::Llama), [](TinySpec& s) {
               s.llama3_rope = true;
               s.freq_base = 500000.0f;
               s.head_dim = 16;
               s.embd = 64;
             })},
        Case{"qwen2_bias_neox", spec(Architecture::Qwen2)},
        Case{"qwen2_tied", with(spec(Architecture::Qwen2), [](TinySpec& s) { s.tied = true; })},
        Case{"qwen3_qk_norm", spec(Architecture::Qwen3)},
        Case{"qwen3_wide_heads", with(spec(Architecture::Qwen3), [](TinySpec& s) {
               s.head_dim = 16;  // n_head * head_dim = 64 != n_embd = 32
             })},
        Case{"qwen3_partial_rotary", with(spec(Architecture::Qwen3), [](TinySpec& s) { s.n_rot = 6; })}),
    [](const auto& info) { return std::string(info.param.name); });

// Quantized weights: the f64 pass uses the dequantized weights, so the reference kernel
// path (f32 activations) still agrees to f32 precision, while the fast path (activations
// converted to the type's vec_dot_type) is off by the activation rounding only.
TEST(ReferenceForwardQuantized, KernelPathsAgainstFloat64) {
  struct TypeCase {
    TensorType type;
    double fast_tolerance;  // relative to the logit scale
  };
  for (const TypeCase& tc : {TypeCase{TensorType::F16, 2e-3}, TypeCase{TensorType::BF16, 2e-2},
                             TypeCase{TensorType::Q8_0, 2e-2}, TypeCase{TensorType::Q4_0, 2e-2},
                             TypeCase{TensorType::Q4_1, 2e-2}, TypeCase{TensorType::Q5_0, 2e-2},
                             TypeCase{TensorType::Q5_1, 2e-2}, TypeCase{TensorType::IQ4_NL, 2e-2}}) {
    TinySpec s;
    s.matrix_type = tc.type;
    s.ff = 64;  // rows of ffn_down must fill 32-value blocks
    const test::TinyModel tiny = test::build_tiny_model(s);
    const std::vector<int32_t> tokens = some_tokens(s.vocab, 8);
    NumericsConfig reference;
    reference.kernel = KernelPath::Reference;
    const double ref_err = logit_error(tiny, tokens, reference);
    const double fast_err = logit_error(tiny, tokens, NumericsConfig{});
    std::printf("  %s: reference %.2e, fast %.2e\n", type_name(tc.type), ref_err, fast_err);
    EXPECT_LT(ref_err, 2e-6) << type_name(tc.type);
    EXPECT_LT(fast_err, tc.fast_tolerance) << type_name(tc.type);
    EXPECT_GT(fast_err, ref_err) << type_name(tc.type);
  }
}

TEST(ReferenceForwardQuantized, KQuantsAgainstFloat64) {
  for (TensorType type : {TensorType::Q2_K, TensorType::Q3_K, TensorType::Q4_K,
                          TensorType::Q5_K, TensorType::Q6_K}) {
    TinySpec s;
    s.matrix_type = type;
    s.embd = 256;
    s.ff = 256;
    s.heads = 4;
    s.kv_heads = 2;
    s.head_dim = 64;
    s.layers = 1;
    s.vocab = 24;
    const test::TinyModel tiny = test::build_tiny_model(s);
    const std::vector<int32_t> tokens = some_tokens(s.vocab, 6);
    NumericsConfig reference;
    reference.kernel = KernelPath::Reference;
    const double ref_err = logit_error(tiny, tokens, reference);
    const double fast_err = logit_error(tiny, tokens, NumericsConfig{});
    std::printf("  %s: reference %.2e, fast %.2e\n", type_name(type), ref_err, fast_err);
    EXPECT_LT(ref_err, 2e-6) << type_name(type);
    EXPECT_LT(fast_err, 2e-2) << type_name(type);
  }
}

}  // namespace
}  // namespace pd

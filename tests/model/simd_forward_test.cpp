// The SIMD dot products inside a whole forward pass: bit-identical logits for any thread
// count and for prefill against token-by-token decode, and the scalar instruction set
// (PRECISIONDIFF_ISA=scalar) still producing exactly the bits it produced before the
// SIMD kernels existed (hashes recorded from the scalar-only engine).

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/content_hash.h"
#include "core/cpu_features.h"
#include "model/session.h"
#include "tiny_model.h"

namespace pd {
namespace {

// Row lengths of 256 so that every type, K-quants included, fits every matrix.
std::shared_ptr<const Model> model_of(TensorType type) {
  test::TinySpec s;
  s.embd = 256;
  s.heads = 4;
  s.kv_heads = 2;
  s.head_dim = 64;
  s.ff = 512;
  s.matrix_type = type;
  s.seed = 12;
  return test::build_tiny_model(s).model;
}

std::vector<int32_t> prompt(int64_t vocab) {
  std::vector<int32_t> tokens;
  for (int i = 0; i < 9; ++i) tokens.push_back(static_cast<int32_t>((i * 7 + 3) % vocab));
  return tokens;
}

Logits run(const std::shared_ptr<const Model>& model, int threads) {
  Session session(model, NumericsConfig{}, SessionOptions{0, threads, nullptr});
  return session.eval(prompt(model->config().n_vocab));
}

uint64_t hash_of(const Logits& logits) {
  return content_hash64(logits.values.data(), logits.values.size() * sizeof(float));
}

struct ScalarBits {
  TensorType type;
  uint64_t hash;  // of all logits of the prompt, default numerics, scalar kernels
};

// Recorded with the engine of commit 3c7e096 (scalar kernels only), any thread count;
// F32, F16, Q2_K to Q6_K again when the fast path took llama.cpp's f32 and f16 orders,
// vector exponential and attention lanes (the other types' models kept their bits).
const ScalarBits kScalarBits[] = {
    {TensorType::F32, 0x3478f26b47b30870ull},   {TensorType::F16, 0x9caeb92e829e8028ull},
    {TensorType::BF16, 0x37d517d5b346f88eull},  {TensorType::Q8_0, 0x5fd51cdbf74b3eadull},
    {TensorType::Q4_0, 0xffaa2128a40296eaull},  {TensorType::Q4_1, 0xaf3d181901486e82ull},
    {TensorType::Q5_0, 0x9aa3b3efcf94313bull},  {TensorType::Q5_1, 0x10a875644b73cff2ull},
    {TensorType::IQ4_NL, 0xad34e5733ff89bbeull}, {TensorType::Q2_K, 0x158dc68c2e4450e3ull},
    {TensorType::Q3_K, 0xef3208d52f6dc154ull},  {TensorType::Q4_K, 0x18cddf818ea58777ull},
    {TensorType::Q5_K, 0x8d7688fca8ae4909ull},  {TensorType::Q6_K, 0x7ce4853834f3f05dull},
};

TEST(SimdForward, ScalarIsaKeepsTheScalarBits) {
  ActiveIsaScope scope;
  set_active_isa(Isa::Scalar);
  for (const ScalarBits& expected : kScalarBits) {
    const uint64_t hash = hash_of(run(model_of(expected.type), 2));
    EXPECT_EQ(hash, expected.hash) << type_name(expected.type) << " 0x" << std::hex << hash;
  }
}


bool bit_identical(const Logits& a, const Logits& b) {
  return a.values.size() == b.values.size() &&
         std::memcmp(a.values.data(), b.values.data(), a.values.size() * sizeof(float)) == 0;
}

bool have_avx2() { return best_isa() >= Isa::Avx2; }

const TensorType kVectorTypes[] = {TensorType::F32,  TensorType::F16,  TensorType::BF16,
                                   TensorType::Q8_0, TensorType::Q4_0, TensorType::Q5_1,
                                   TensorType::Q2_K, TensorType::Q3_K, TensorType::Q4_K,
                                   TensorType::Q5_K, TensorType::Q6_K};

TEST(SimdForward, VectorKernelsGiveTheSameBitsForOneAndTwoThreads) {
  if (!have_avx2()) GTEST_SKIP() << "this CPU lacks AVX2/FMA/F16C";
  ActiveIsaScope scope;
  set_active_isa(Isa::Avx2);
  for (TensorType type : kVectorTypes) {
    const auto model = model_of(type);
    const Logits one = run(model, 1);
    EXPECT_TRUE(bit_identical(one, run(model, 2))) << type_name(type);
    // The vector path is really taken: its bits differ from the scalar ones somewhere,
    // by a last-bits perturbation only. F32 and F16 have one order on both paths
    // (llama.cpp's), and the Q4_0 kernels the reference's order, so their bits agree.
    const uint64_t scalar_hash = std::find_if(std::begin(kScalarBits), std::end(kScalarBits),
                                              [&](const ScalarBits& b) { return b.type == type; })->hash;
    if (type == TensorType::F32 || type == TensorType::F16 || type == TensorType::Q4_0) {
      EXPECT_EQ(hash_of(one), scalar_hash) << type_name(type);
    } else {
      EXPECT_NE(hash_of(one), scalar_hash) << type_name(type);
    }
    set_active_isa(Isa::Scalar);
    const Logits scalar = run(model, 1);
    set_active_isa(Isa::Avx2);
    double worst = 0, squares = 0;
    for (size_t i = 0; i < one.values.size(); ++i) {
      worst = std::max(worst, std::fabs(double(one.values[i]) - scalar.values[i]));
      squares += double(scalar.values[i]) * scalar.values[i];
    }
    // A last-bits change in one product can flip the rounding of an activation quant
    // (a step of 1/127 of its block's largest value) or of a bf16 activation in a later
    // layer, which moves these logits by up to a few percent of their rms (3.3 % the
    // largest seen, Q5_K; 7e-7 for F32, where nothing is rounded to a coarser type). A
    // misplaced quant moves them by about their own size.
    EXPECT_LT(worst, 0.1 * std::sqrt(squares / one.values.size())) << type_name(type);
  }
}

// The prompt fed one token at a time gives, token by token, exactly `expected`'s rows.
void expect_decode_gives(const std::shared_ptr<const Model>& model, const Logits& expected,
                         std::string_view type, const char* what) {
  const std::vector<int32_t> tokens = prompt(model->config().n_vocab);
  Session single(model, NumericsConfig{}, SessionOptions{0, 2, nullptr});
  for (size_t t = 0; t < tokens.size(); ++t) {
    const Logits one = single.eval(std::vector<int32_t>{tokens[t]});
    EXPECT_EQ(0, std::memcmp(one.values.data(), expected.values.data() + t * expected.n_vocab,
                             expected.n_vocab * sizeof(float)))
        << type << " " << what << " " << t;
  }
}

// Prefill (many tokens per matrix product) and decode (one) run the same per-element
// kernel, so a token's logits do not depend on how it was fed.
TEST(SimdForward, DecodeEqualsPrefillWithVectorKernels) {
  if (!have_avx2()) GTEST_SKIP() << "this CPU lacks AVX2/FMA/F16C";
  ActiveIsaScope scope;
  set_active_isa(Isa::Avx2);
  for (TensorType type : {TensorType::F16, TensorType::Q8_0, TensorType::Q4_0, TensorType::Q5_1,
                          TensorType::Q4_K, TensorType::Q6_K}) {
    const auto model = model_of(type);
    Session batch(model, NumericsConfig{}, SessionOptions{0, 2, nullptr});
    expect_decode_gives(model, batch.eval(prompt(model->config().n_vocab)), type_name(type), "token");
  }
}

// The AVX-512 kernels return the AVX2 kernels' bits, so a whole forward pass does too:
// every type, one and two threads, prefill and token-by-token decode.
TEST(SimdForward, Avx512GivesTheAvx2BitsInAWholeForwardPass) {
  if (best_isa() != Isa::Avx512) GTEST_SKIP() << "this CPU lacks AVX-512";
  ActiveIsaScope scope;
  for (const ScalarBits& entry : kScalarBits) {
    const TensorType type = entry.type;
    const auto model = model_of(type);
    set_active_isa(Isa::Avx2);
    const Logits narrow = run(model, 1);
    set_active_isa(Isa::Avx512);
    EXPECT_TRUE(bit_identical(narrow, run(model, 1))) << type_name(type) << " 1 thread";
    EXPECT_TRUE(bit_identical(narrow, run(model, 2))) << type_name(type) << " 2 threads";
    expect_decode_gives(model, narrow, type_name(type), "decoded token");
  }
}

}  // namespace
}  // namespace pd

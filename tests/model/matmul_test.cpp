// Matrix products: every kernel path against a float64 product of the dequantized
// weights on random data of many shapes, thread- and batch-invariance, the reversed
// accumulation order, and the exact integer kernels.

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "core/cpu_features.h"
#include "core/thread_pool.h"
#include "model/matmul.h"
#include "tensor/activation_quant.h"
#include "tiny_model.h"

namespace pd {
namespace {

struct Problem {
  TensorView view;
  std::vector<uint8_t> bytes;
  std::vector<float> scales;
  std::vector<double> weights;  // dequantized, row-major
  std::vector<float> x;
  int64_t cols, rows, tokens;
};

Problem make_problem(TensorType type, int64_t cols, int64_t rows, int64_t tokens, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  Problem p;
  p.cols = cols;
  p.rows = rows;
  p.tokens = tokens;
  std::vector<float> w(static_cast<size_t>(cols * rows));
  for (float& v : w) v = normal(rng);
  for (int64_t c = 0; c < cols; c += 17) w[c] *= 8.0f;  // a few outliers
  p.bytes = test::encode_as(type, w);
  p.view.type = type;
  p.view.shape = {cols, rows};
  p.view.data = p.bytes.data();
  std::vector<float> deq(w.size());
  for (int64_t r = 0; r < rows; ++r) dequantize_row(p.view, r, deq.data() + r * cols);
  p.weights.assign(deq.begin(), deq.end());
  p.x.resize(static_cast<size_t>(cols * tokens));
  for (float& v : p.x) v = normal(rng);
  return p;
}

std::vector<double> exact_product(const Problem& p, const std::vector<float>& x) {
  std::vector<double> y(static_cast<size_t>(p.tokens * p.rows));
  for (int64_t t = 0; t < p.tokens; ++t) {
    for (int64_t r = 0; r < p.rows; ++r) {
      double s = 0;
      for (int64_t i = 0; i < p.cols; ++i) s += p.weights[r * p.cols + i] * x[t * p.cols + i];
      y[t * p.rows + r] = s;
    }
  }
  return y;
}

// max |y - exact| / (sqrt(cols) * rms(w) * rms(x)): the error relative to the natural
// scale of a dot product of that length.
double scaled_error(const Problem& p, const std::vector<float>& y, const std::vector<double>& exact) {
  double w2 = 0, x2 = 0, err = 0;
  for (double v : p.weights) w2 += v * v;
  for (float v : p.x) x2 += double(v) * v;
  const double scale = std::sqrt(double(p.cols)) * std::sqrt(w2 / p.weights.size()) *
                       std::sqrt(x2 / p.x.size());
  for (size_t i = 0; i < y.size(); ++i) err = std::max(err, std::fabs(y[i] - exact[i]));
  return err / scale;
}

std::vector<float> compute(const Problem& p, const MatmulOptions& options, ThreadPool& pool) {
  std::vector<float> y(static_cast<size_t>(p.tokens * p.rows));
  matmul(p.view, p.x.data(), p.tokens, y.data(), options, pool);
  return y;
}

// Fast-path tolerances follow from the activation conversion: an f16 activation is off
// by at most 2^-11 of itself, a bf16 one by 2^-8, a Q8 activation by half a step of
// max|block| / 127 (about 1 % of a normal block's rms); over a dot product those errors
// partly cancel (the largest error seen: 3.2e-2 for the Q8 types, 4e-7 for F32).
struct TypeCase {
  TensorType type;
  double fast_tolerance;  // relative to the dot product's natural scale
};

constexpr double kQ8 = 5e-2;
const TypeCase kTypes[] = {
    {TensorType::F32, 3e-6},  {TensorType::F16, 2e-3},  {TensorType::BF16, 1e-2},
    {TensorType::Q8_0, kQ8},  {TensorType::Q4_0, kQ8},  {TensorType::Q4_1, kQ8},
    {TensorType::Q5_0, kQ8},  {TensorType::Q5_1, kQ8},  {TensorType::IQ4_NL, kQ8},
    {TensorType::Q2_K, kQ8},  {TensorType::Q3_K, kQ8},  {TensorType::Q4_K, kQ8},
    {TensorType::Q5_K, kQ8},  {TensorType::Q6_K, kQ8},
};

TEST(Matmul, EveryTypeAndPathAgainstFloat64) {
  ThreadPool pool(3);
  double worst[2] = {0, 0};
  for (const TypeCase& tc : kTypes) {
    const int64_t block = type_traits(tc.type).block_size;
    const int64_t unit = std::max<int64_t>(block, 32);  // activation blocks are 32 or 256
    for (int64_t cols : {unit, 2 * unit, 5 * unit}) {
      for (int64_t tokens : {1, 3}) {
        const Problem p = make_problem(tc.type, cols, 13, tokens, cols * 31 + tokens);
        const std::vector<double> exact = exact_product(p, p.x);
        const double ref_err = scaled_error(p, compute(p, {KernelPath::Reference}, pool), exact);
        const double fast_err = scaled_error(p, compute(p, {KernelPath::Fast}, pool), exact);
        EXPECT_LT(ref_err, 3e-6) << type_name(tc.type) << " cols " << cols;
        EXPECT_LT(fast_err, tc.fast_tolerance) << type_name(tc.type) << " cols " << cols;
        worst[tc.type == TensorType::F32 ? 0 : 1] = std::max(worst[tc.type == TensorType::F32 ? 0 : 1], fast_err);
      }
    }
  }
  std::printf("  largest fast-path error: f32 %.2e, other types %.2e\n", worst[0], worst[1]);
}

TEST(Matmul, ResultsDoNotDependOnThreadsOrBatch) {
  ThreadPool one(1), two(2), three(3);
  for (TensorType type : {TensorType::F32, TensorType::F16, TensorType::Q4_0, TensorType::Q6_K}) {
    const int64_t cols = type_traits(type).block_size == 256 ? 512 : 96;
    const Problem p = make_problem(type, cols, 37, 5, 7);
    for (KernelPath kernel : {KernelPath::Fast, KernelPath::Reference}) {
      for (AccumulationOrder order : {AccumulationOrder::Forward, AccumulationOrder::Reversed}) {
        const MatmulOptions options{kernel, ActivationPrecision::F32, order};
        const std::vector<float> a = compute(p, options, one);
        EXPECT_EQ(a, compute(p, options, two)) << type_name(type);
        EXPECT_EQ(a, compute(p, options, three)) << type_name(type);
        // Each token alone gives its row of the batch.
        for (int64_t t = 0; t < p.tokens; ++t) {
          std::vector<float> y(static_cast<size_t>(p.rows));
          matmul(p.view, p.x.data() + t * cols, 1, y.data(), options, two);
          EXPECT_EQ(0, std::memcmp(y.data(), a.data() + t * p.rows, y.size() * sizeof(float)));
        }
      }
    }
  }
}

// Products of one input computed together give each product's own bits: the joint row
// range is split at arbitrary places between the products, for every path (the fused
// one, and the fallbacks of mixed activation types, float tiles and scalar numerics).
TEST(Matmul, SharedInputGivesEveryProductItsOwnBits) {
  ThreadPool one(1), three(3);
  const std::vector<std::vector<TensorType>> groups = {
      {TensorType::Q4_K, TensorType::Q4_K, TensorType::Q6_K},  // q4_k_m's attention: one Q8_K input
      {TensorType::Q8_0, TensorType::Q4_0, TensorType::Q5_0},
      {TensorType::F16, TensorType::F16},
      {TensorType::F32, TensorType::BF16},
      {TensorType::Q4_0, TensorType::Q4_K},  // Q8_0 and Q8_K inputs: one at a time
  };
  const int64_t row_counts[] = {37, 5, 13};
  for (const std::vector<TensorType>& types : groups) {
    for (int64_t tokens : {1, 3, 7}) {
      std::vector<Problem> problems;
      for (size_t i = 0; i < types.size(); ++i) {
        problems.push_back(make_problem(types[i], 512, row_counts[i], tokens, 11 + i));
        problems.back().x = problems.front().x;  // one input for all
      }
      for (const MatmulOptions& options :
           {MatmulOptions{}, MatmulOptions{KernelPath::Reference}, MatmulOptions{KernelPath::Fast, ActivationPrecision::Int8},
            MatmulOptions{KernelPath::Fast, ActivationPrecision::F32, AccumulationOrder::Reversed}}) {
        for (ThreadPool* pool : {&one, &three}) {
          std::vector<std::vector<float>> joint(problems.size());
          std::vector<MatmulTarget> targets;
          for (size_t i = 0; i < problems.size(); ++i) {
            joint[i].assign(static_cast<size_t>(tokens * problems[i].rows), -1.0f);
            targets.push_back({&problems[i].view, joint[i].data()});
          }
          matmul_shared_input(targets, problems.front().x.data(), tokens, options, *pool);
          for (size_t i = 0; i < problems.size(); ++i) {
            const std::vector<float> alone = compute(problems[i], options, *pool);
            EXPECT_EQ(0, std::memcmp(alone.data(), joint[i].data(), alone.size() * sizeof(float)))
                << type_name(types[i]) << " in a group of " << types.size() << ", " << tokens << " tokens";
          }
        }
      }
    }
  }
}

TEST(Matmul, ReversedOrderChangesBitsNotValues) {
  ThreadPool pool(2);
  for (TensorType type : {TensorType::F32, TensorType::F16, TensorType::Q8_0, TensorType::Q4_K}) {
    const int64_t cols = type_traits(type).block_size == 256 ? 1024 : 256;
    const Problem p = make_problem(type, cols, 64, 2, 3);
    for (KernelPath kernel : {KernelPath::Fast, KernelPath::Reference}) {
      const auto forward = compute(p, {kernel, ActivationPrecision::F32, AccumulationOrder::Forward}, pool);
      const auto reversed = compute(p, {kernel, ActivationPrecision::F32, AccumulationOrder::Reversed}, pool);
      int differing = 0;
      double max_rel = 0;
      for (size_t i = 0; i < forward.size(); ++i) {
        differing += forward[i] != reversed[i];
        max_rel = std::max(max_rel, std::fabs(double(forward[i]) - reversed[i]) /
                                        (std::fabs(double(forward[i])) + 1.0));
      }
      EXPECT_GT(differing, 0) << type_name(type) << " " << kernel_path_name(kernel);
      EXPECT_LT(max_rel, 1e-5) << type_name(type);
    }
  }
}

TEST(Matmul, DotF32MatchesDoubleForAllLengths) {
  std::mt19937_64 rng(5);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (int64_t n = 0; n <= 70; ++n) {
    std::vector<float> a(static_cast<size_t>(n)), b(static_cast<size_t>(n));
    double exact = 0, abs_sum = 0;
    for (int64_t i = 0; i < n; ++i) {
      a[i] = normal(rng);
      b[i] = normal(rng);
      exact += double(a[i]) * b[i];
      abs_sum += std::fabs(double(a[i]) * b[i]);
    }
    for (AccumulationOrder order : {AccumulationOrder::Forward, AccumulationOrder::Reversed}) {
      EXPECT_NEAR(dot_f32(a.data(), b.data(), n, order), exact, 1e-6 * (abs_sum + 1)) << n;
    }
  }
}

TEST(Matmul, SymmetricQuantizationRoundsHalfToEven) {
  // max 127 -> scale 1, so x / scale is x itself.
  const float x[] = {127.0f, 0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 3.49f, -126.6f};
  int16_t q[9];
  EXPECT_EQ(quantize_symmetric_row(x, 9, 127, q), 1.0f);
  const int16_t expected[] = {127, 0, 2, 2, 0, -2, -2, 3, -127};
  for (int i = 0; i < 9; ++i) EXPECT_EQ(q[i], expected[i]) << i;

  const float zeros[4] = {0, 0, 0, 0};
  EXPECT_EQ(quantize_symmetric_row(zeros, 4, 32767, q), 0.0f);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(q[i], 0);

  const float with_nan[3] = {1.0f, NAN, 2.0f};
  EXPECT_TRUE(std::isnan(quantize_symmetric_row(with_nan, 3, 127, q)));

  const float big[3] = {-3.0f, 1.0f, 0.25f};
  const float scale = quantize_symmetric_row(big, 3, 32767, q);
  EXPECT_FLOAT_EQ(scale, 3.0f / 32767.0f);
  EXPECT_EQ(q[0], -32767);
  EXPECT_EQ(q[1], static_cast<int16_t>(std::nearbyint(1.0f / scale)));
}

// Integer weight views with integer activations: the product is the exact integer sum
// rescaled once, for int8 and int16 on both sides.
TEST(Matmul, IntegerWeightsGiveExactIntegerProducts) {
  ThreadPool pool(2);
  std::mt19937_64 rng(9);
  const int64_t cols = 200, rows = 7, tokens = 3;
  for (TensorType wtype : {TensorType::I8, TensorType::I16}) {
    for (ActivationPrecision act : {ActivationPrecision::Int8, ActivationPrecision::Int16}) {
      const int32_t wmax = wtype == TensorType::I8 ? 127 : 32767;
      std::uniform_int_distribution<int32_t> wdist(-wmax, wmax);
      std::vector<int32_t> wq(static_cast<size_t>(cols * rows));
      for (int32_t& v : wq) v = wdist(rng);
      std::vector<uint8_t> bytes(wq.size() * (wtype == TensorType::I8 ? 1 : 2));
      for (size_t i = 0; i < wq.size(); ++i) {
        if (wtype == TensorType::I8) {
          bytes[i] = static_cast<uint8_t>(static_cast<int8_t>(wq[i]));
        } else {
          const int16_t v = static_cast<int16_t>(wq[i]);
          std::memcpy(&bytes[2 * i], &v, 2);
        }
      }
      std::vector<float> scales(static_cast<size_t>(rows));
      for (int64_t r = 0; r < rows; ++r) scales[r] = 0.001f * float(r + 1);
      TensorView view{wtype, {cols, rows}, bytes.data(), scales.data()};
      ASSERT_TRUE(is_integer_weight(view));

      std::normal_distribution<float> normal(0.0f, 1.0f);
      std::vector<float> x(static_cast<size_t>(cols * tokens));
      for (float& v : x) v = normal(rng);
      std::vector<float> y(static_cast<size_t>(rows * tokens));
      for (KernelPath kernel : {KernelPath::Fast, KernelPath::Reference}) {
        matmul(view, x.data(), tokens, y.data(), {kernel, act, AccumulationOrder::Forward}, pool);
        const int32_t qmax = act == ActivationPrecision::Int8 ? 127 : 32767;
        for (int64_t t = 0; t < tokens; ++t) {
          std::vector<int16_t> q(static_cast<size_t>(cols));
          const float xs = quantize_symmetric_row(x.data() + t * cols, cols, qmax, q.data());
          for (int64_t r = 0; r < rows; ++r) {
            int64_t exact = 0;
            for (int64_t i = 0; i < cols; ++i) exact += int64_t{q[i]} * wq[r * cols + i];
            const float expected = static_cast<float>(double(exact) * double(scales[r]) * double(xs));
            EXPECT_EQ(y[t * rows + r], expected) << type_name(wtype) << " " << activation_precision_name(act);
          }
        }
      }
      // Float activations with integer weights: dequantized weights, f32 products.
      matmul(view, x.data(), tokens, y.data(), {}, pool);
      for (int64_t r = 0; r < rows; ++r) {
        double exact = 0;
        for (int64_t i = 0; i < cols; ++i) exact += double(wq[r * cols + i]) * scales[r] * x[i];
        EXPECT_NEAR(y[r], exact, 1e-4 * (std::fabs(exact) + 1));
      }
    }
  }
}

// Integer activations with ordinary weights: the quantized activations (values q * s)
// enter the ordinary kernel, so the result equals a float product of those values.
TEST(Matmul, IntegerActivationsWithFloatWeights) {
  ThreadPool pool(1);
  const Problem p = make_problem(TensorType::F32, 64, 5, 2, 11);
  std::vector<float> simulated(p.x.size());
  for (int64_t t = 0; t < p.tokens; ++t) {
    std::vector<int16_t> q(static_cast<size_t>(p.cols));
    const float s = quantize_symmetric_row(p.x.data() + t * p.cols, p.cols, 127, q.data());
    for (int64_t i = 0; i < p.cols; ++i) simulated[t * p.cols + i] = float(q[i]) * s;
  }
  Problem quantized = p;
  quantized.x = simulated;
  quantized.view.data = quantized.bytes.data();
  const MatmulOptions int8{KernelPath::Reference, ActivationPrecision::Int8, AccumulationOrder::Forward};
  EXPECT_EQ(compute(p, int8, pool), compute(quantized, {KernelPath::Reference}, pool));
}

}  // namespace
}  // namespace pd

namespace pd {
namespace {

// The fast path for f32/f16/bf16 weights computes the type's vec_dot differently (rows
// converted once) and must give exactly its bits, in both accumulation orders. This is
// the scalar path's promise: the test pins the scalar instruction set (the vector
// kernels are held to their own twins in tests/tensor/simd_dot_test.cpp).
TEST(Matmul, FloatTypesEqualTheirVecDot) {
  const Isa saved = active_isa();
  set_active_isa(Isa::Scalar);
  ThreadPool pool(2);
  for (TensorType type : {TensorType::F32, TensorType::F16, TensorType::BF16}) {
    const TypeTraits& traits = type_traits(type);
    for (int64_t cols : {1, 31, 64, 100, 777}) {
      const Problem p = make_problem(type, cols, 9, 3, 100 + cols);
      for (AccumulationOrder order : {AccumulationOrder::Forward, AccumulationOrder::Reversed}) {
        const std::vector<float> y = compute(p, {KernelPath::Fast, ActivationPrecision::F32, order}, pool);
        std::vector<uint8_t> act(*row_bytes(type, cols));
        for (int64_t t = 0; t < p.tokens; ++t) {
          quantize_activation_row(type, p.x.data() + t * cols, act.data(), cols);
          for (int64_t r = 0; r < p.rows; ++r) {
            float expected;
            if (order == AccumulationOrder::Forward) {
              expected = traits.vec_dot_ref(cols, p.view.row(r), act.data());
            } else {
              expected = 0.0f;
              for (int64_t start = ((cols - 1) / 32) * 32; start >= 0; start -= 32) {
                const size_t offset = static_cast<size_t>(start) * traits.block_bytes;
                expected += traits.vec_dot_ref(std::min<int64_t>(32, cols - start),
                                               p.view.row(r) + offset, act.data() + offset);
              }
            }
            EXPECT_EQ(y[t * p.rows + r], expected) << type_name(type) << " cols " << cols;
          }
        }
      }
    }
  }
  set_active_isa(saved);
}

}  // namespace
}  // namespace pd

// K-quants (Q2_K..Q6_K, Q8_K): round-trip error, dot products, determinism, degenerate
// blocks and hand-built blocks. Byte-exactness against llama-quantize's files is in
// tests/gguf/reference_quant_bytes_test.cpp (it needs the GGUF reader).

#include "tensor/quant_k.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core/fp16.h"
#include "core/sha256.h"
#include "tensor/activation_quant.h"
#include "tensor/quant_k_search.h"
#include "tensor/tensor_type.h"

namespace pd {
namespace {

const TensorType kAllTypes[] = {TensorType::Q2_K, TensorType::Q3_K, TensorType::Q4_K,
                                TensorType::Q5_K, TensorType::Q6_K, TensorType::Q8_K};

std::vector<uint8_t> quantize(TensorType type, const std::vector<float>& x) {
  std::vector<uint8_t> q(*row_bytes(type, static_cast<int64_t>(x.size())));
  type_traits(type).quantize_ref(x.data(), q.data(), static_cast<int64_t>(x.size()));
  return q;
}

std::vector<float> dequantize(TensorType type, const std::vector<uint8_t>& q, size_t n) {
  std::vector<float> y(n);
  type_traits(type).to_float(q.data(), y.data(), static_cast<int64_t>(n));
  return y;
}

std::vector<uint8_t> quantize_activations(const std::vector<float>& x) {
  std::vector<uint8_t> q(*row_bytes(TensorType::Q8_K, static_cast<int64_t>(x.size())));
  quantize_row_q8_k_activation(x.data(), q.data(), static_cast<int64_t>(x.size()));
  return q;
}

enum class Dist { Normal, Uniform, Outliers, Positive, Laplace };
const Dist kDists[] = {Dist::Normal, Dist::Uniform, Dist::Outliers, Dist::Positive,
                       Dist::Laplace};

std::vector<float> random_data(Dist dist, size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal;
  std::uniform_real_distribution<float> uniform(-1, 1);
  std::exponential_distribution<float> exponential(1);
  std::vector<float> x(n);
  for (float& v : x) {
    switch (dist) {
      case Dist::Normal: v = normal(rng); break;
      case Dist::Uniform: v = uniform(rng); break;
      case Dist::Outliers: v = normal(rng) * (rng() % 100 == 0 ? 20.f : 1.f); break;
      case Dist::Positive: v = (uniform(rng) + 1) / 2; break;
      case Dist::Laplace: v = exponential(rng) * (rng() % 2 ? 1.f : -1.f); break;
    }
  }
  return x;
}

// sqrt(sum of squared errors / sum of squares).
double relative_rmse(const std::vector<float>& x, const std::vector<float>& y) {
  double err = 0;
  double sum = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double d = static_cast<double>(x[i]) - y[i];
    err += d * d;
    sum += static_cast<double>(x[i]) * x[i];
  }
  return std::sqrt(err / sum);
}

// ---------------------------------------------------------------------------------
// llama.cpp's own acceptance test (tests/test-quantize-fns.cpp): 4096 values
// 0.1 + 2 cos(i + offset); "error" is sqrt(sum of squared errors) / n. Its limits:
// quantization 0.0075 (Q2_K), 0.0040 (Q3_K), 0.002 (others); dot product |got - exact|
// / n below 0.04 (Q2_K) or 0.02 (others), activations in Q8_K.

std::vector<float> llama_test_data(float offset, size_t n) {
  std::vector<float> x(n);
  for (size_t i = 0; i < n; ++i) {
    x[i] = static_cast<float>(0.1 + 2.0f * std::cos(static_cast<float>(i) + offset));
  }
  return x;
}

// The vector kernels' all-at-once Q3_K scale decode against the one-at-a-time one, on
// every bit pattern of each byte position (random packed scales, then each byte swept).
TEST(QuantK, Q3KScaleBytesMatchTheScalarDecode) {
  std::mt19937_64 rng(33);
  auto check = [](const uint8_t* packed) {
    const kquant::Q3kScaleBytes bytes = kquant::q3k_scale_bytes(packed);
    for (int j = 0; j < 16; ++j) {
      const uint64_t word = j < 8 ? bytes.first : bytes.second;
      const int got = static_cast<int>((word >> (8 * (j % 8))) & 0xFF);
      ASSERT_EQ(got, kquant::q3k_scale(packed, j)) << "scale " << j;
    }
  };
  uint8_t packed[12];
  for (int trial = 0; trial < 200; ++trial) {
    for (uint8_t& b : packed) b = static_cast<uint8_t>(rng());
    check(packed);
    for (int at = 0; at < 12; ++at) {
      for (int v = 0; v < 256; ++v) {
        packed[at] = static_cast<uint8_t>(v);
        check(packed);
      }
    }
  }
}

TEST(QuantK, MeetsLlamaCppTestQuantizeFnsLimits) {
  constexpr size_t kN = 32 * 128;
  const std::vector<float> x = llama_test_data(0.0f, kN);
  const std::vector<float> a = llama_test_data(1.0f, kN);
  const std::vector<uint8_t> aq = quantize_activations(a);
  for (TensorType type : kAllTypes) {
    const std::vector<uint8_t> q = quantize(type, x);
    const std::vector<float> y = dequantize(type, q, kN);
    double sum = 0;
    for (size_t i = 0; i < kN; ++i) sum += (static_cast<double>(x[i]) - y[i]) * (x[i] - y[i]);
    const double total_error = std::sqrt(sum) / kN;
    const double max_error = type == TensorType::Q2_K ? 0.0075
                             : type == TensorType::Q3_K ? 0.0040
                                                        : 0.002;
    EXPECT_LT(total_error, max_error) << type_name(type);

    double exact = 0;
    for (size_t i = 0; i < kN; ++i) exact += static_cast<double>(x[i]) * a[i];
    const float got = type_traits(type).vec_dot_ref(kN, q.data(), aq.data());
    const double dot_error = std::fabs(got - exact) / kN;
    EXPECT_LT(dot_error, type == TensorType::Q2_K ? 0.04 : 0.02) << type_name(type);
  }
}

// ---------------------------------------------------------------------------------
// Round trips on random data: relative RMSE below 1.25x the worst value measured over
// 20 seeds and row lengths 256..4096 (bounds per type and distribution).

double rmse_bound(TensorType type, Dist dist) {
  // normal, uniform, outliers (1% of values x20), positive (uniform 0..1), laplace
  static const double kBounds[6][5] = {
      {0.40, 0.32, 0.48, 0.18, 0.48},       // Q2_K
      {0.19, 0.16, 0.24, 0.14, 0.23},       // Q3_K
      {0.094, 0.073, 0.13, 0.038, 0.11},    // Q4_K
      {0.047, 0.036, 0.070, 0.019, 0.056},  // Q5_K
      {0.023, 0.018, 0.043, 0.017, 0.029},  // Q6_K
      {0.0091, 0.0052, 0.039, 0.0052, 0.015},  // Q8_K
  };
  int row = 0;
  for (TensorType t : kAllTypes) {
    if (t == type) break;
    ++row;
  }
  return kBounds[row][static_cast<int>(dist)];
}

TEST(QuantK, RoundTripErrorIsBoundedOnRandomData) {
  for (TensorType type : kAllTypes) {
    for (Dist dist : kDists) {
      for (uint32_t seed = 0; seed < 8; ++seed) {
        const size_t n = 256 * (1 + (seed * 5) % 16);
        const std::vector<float> x = random_data(dist, n, 1000 + seed);
        const double err = relative_rmse(x, dequantize(type, quantize(type, x), n));
        EXPECT_LT(err, rmse_bound(type, dist))
            << type_name(type) << " dist " << static_cast<int>(dist) << " n " << n;
      }
    }
  }
}

TEST(QuantK, MoreBitsGiveLessError) {
  const std::vector<float> x = random_data(Dist::Normal, 4096, 7);
  double previous = 1.0;
  for (TensorType type : kAllTypes) {
    const double err = relative_rmse(x, dequantize(type, quantize(type, x), x.size()));
    EXPECT_LT(err, previous * 0.7) << type_name(type);
    previous = err;
  }
}

// Very large and very small magnitudes stay within the same relative error (the fp16
// factors have the range for these; Q8_K's float scale has more).
TEST(QuantK, RoundTripErrorHoldsAcrossMagnitudes) {
  for (TensorType type : kAllTypes) {
    for (float magnitude : {1e-3f, 1e-1f, 10.f, 1e3f}) {
      std::vector<float> x = random_data(Dist::Normal, 1024, 99);
      for (float& v : x) v *= magnitude;
      const double err = relative_rmse(x, dequantize(type, quantize(type, x), x.size()));
      EXPECT_LT(err, rmse_bound(type, Dist::Normal)) << type_name(type) << " x" << magnitude;
    }
  }
}

// ---------------------------------------------------------------------------------
// Degenerate blocks.

// The Q6_K decode kernel takes the levels' offset out exactly where the single-row
// kernels negate the activation quant (simd_tile.h): they agree because no Q8_K quant is
// -128, whatever the input, non-finite values and extreme magnitudes included.
TEST(QuantK, Q8KQuantsNeverReachMinus128) {
  std::mt19937 rng(12);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  const float specials[] = {std::nanf(""), -std::nanf(""), INFINITY, -INFINITY, 1e-45f, -1e-40f, 3e38f, -3e38f, 0.0f};
  std::vector<float> x(kQK_K);
  BlockQ8K block;
  for (int trial = 0; trial < 400; ++trial) {
    const float magnitude = std::ldexp(1.0f, static_cast<int>(rng() % 250) - 140);
    for (float& v : x) v = normal(rng) * magnitude;
    for (int k = 0; k < trial % 5; ++k) x[rng() % kQK_K] = specials[rng() % std::size(specials)];
    quantize_row_q8_k_ref(x.data(), &block, kQK_K);
    for (const int8_t q : block.qs) ASSERT_GE(q, -127) << "trial " << trial;
  }
}

TEST(QuantK, ZeroDataGivesZeroesAndZeroDot) {
  const std::vector<float> zeros(512, 0.f);
  const std::vector<uint8_t> aq = quantize_activations(random_data(Dist::Normal, 512, 3));
  for (TensorType type : kAllTypes) {
    const std::vector<uint8_t> q = quantize(type, zeros);
    for (float v : dequantize(type, q, zeros.size())) EXPECT_EQ(v, 0.f) << type_name(type);
    EXPECT_EQ(type_traits(type).vec_dot_ref(512, q.data(), aq.data()), 0.f) << type_name(type);
  }
}

// Sub-blocks of zeros inside a non-zero block come back as exact zeros.
TEST(QuantK, ZeroSubBlocksStayExactlyZero) {
  for (TensorType type : kAllTypes) {
    std::vector<float> x = random_data(Dist::Normal, 512, 11);
    for (size_t i = 0; i < x.size(); ++i) {
      if ((i / 32) % 3 == 1) x[i] = 0.f;
    }
    const std::vector<float> y = dequantize(type, quantize(type, x), x.size());
    for (size_t i = 0; i < x.size(); ++i) {
      if ((i / 32) % 3 == 1) {
        EXPECT_EQ(y[i], 0.f) << type_name(type) << " at " << i;
      }
    }
  }
}

TEST(QuantK, ConstantBlocksRoundTripClosely) {
  for (TensorType type : kAllTypes) {
    for (float c : {0.5f, -3.f, 0.05f, 7.25f}) {
      const std::vector<float> x(256, c);
      const std::vector<float> y = dequantize(type, quantize(type, x), x.size());
      for (float v : y) {
        EXPECT_NEAR(v, c, std::fabs(c) * 0.02f) << type_name(type) << " c=" << c;
        EXPECT_EQ(v, y[0]) << type_name(type) << ": a constant block gives one value";
      }
    }
  }
}

// A property of the format that llama.cpp shares: Q6_K's factor d = max / 4096 is a
// fp16 subnormal for blocks whose largest magnitude is below about 0.25, and loses
// precision there. A block of constant 1e-3 gets d = 4 * 2^-24 and comes back as
// 2^-10, 2.3 % low.
TEST(QuantK, Q6KFactorBecomesSubnormalForSmallBlocks) {
  const std::vector<float> x(256, 1e-3f);
  const std::vector<uint8_t> q = quantize(TensorType::Q6_K, x);
  BlockQ6K b;
  std::memcpy(&b, q.data(), sizeof b);
  EXPECT_EQ(b.d, 4);  // subnormal: 4 * 2^-24
  for (float v : dequantize(TensorType::Q6_K, q, x.size())) EXPECT_EQ(v, std::ldexp(1.0f, -10));
}

// ---------------------------------------------------------------------------------
// Dot products: the integer kernel equals the dot product of the dequantized rows up
// to float rounding. Tolerance: 2e-5 * max|w| * sum|a|, far below any indexing or
// scaling mistake (which would be of the order of the dot product itself).

TEST(QuantK, VecDotEqualsDotOfDequantizedRows) {
  for (TensorType type : kAllTypes) {
    for (Dist dist : kDists) {
      for (size_t n : {256u, 512u, 1280u, 4096u}) {
        const std::vector<float> w = random_data(dist, n, static_cast<uint32_t>(n) + 1);
        const std::vector<float> a = random_data(Dist::Normal, n, static_cast<uint32_t>(n) + 2);
        const std::vector<uint8_t> wq = quantize(type, w);
        const std::vector<uint8_t> aq = quantize_activations(a);
        const std::vector<float> wd = dequantize(type, wq, n);
        const std::vector<float> ad = dequantize(TensorType::Q8_K, aq, n);
        double exact = 0;
        double sum_abs_a = 0;
        double max_abs_w = 0;
        for (size_t i = 0; i < n; ++i) {
          exact += static_cast<double>(wd[i]) * ad[i];
          sum_abs_a += std::fabs(ad[i]);
          max_abs_w = std::max(max_abs_w, static_cast<double>(std::fabs(wd[i])));
        }
        const float got = type_traits(type).vec_dot_ref(static_cast<int64_t>(n), wq.data(),
                                                        aq.data());
        EXPECT_NEAR(got, exact, 2e-5 * max_abs_w * sum_abs_a)
            << type_name(type) << " dist " << static_cast<int>(dist) << " n " << n;
      }
    }
  }
}

// A known case by hand: weights all 1.0 in Q8_K against activations 0..255 / 255.
TEST(QuantK, VecDotOfHandMadeRows) {
  std::vector<float> w(256, 1.0f);
  std::vector<float> a(256);
  for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<float>(i);
  const std::vector<uint8_t> wq = quantize(TensorType::Q8_K, w);
  const std::vector<uint8_t> aq = quantize_activations(a);
  // w quantizes to -127 with d = -1/127; a to round(-127 i / 255) with d = -255/127.
  double expected = 0;
  for (int i = 0; i < 256; ++i) {
    expected += (-127.0 * (-1.0 / 127)) * (std::nearbyint(-127.0 * i / 255) * (-255.0 / 127));
  }
  EXPECT_NEAR(vec_dot_q8_k_q8_k_ref(256, wq.data(), aq.data()), expected, 1e-6 * expected);
  // Each activation is off by at most half a step (255 / 127 / 2) from i.
  EXPECT_NEAR(expected, 255.0 * 256 / 2, 256 * 255.0 / 127 / 2);
}

// ---------------------------------------------------------------------------------
// Determinism and independence.

TEST(QuantK, QuantizationIsDeterministicAndWritesEveryByte) {
  for (TensorType type : kAllTypes) {
    const std::vector<float> x = random_data(Dist::Laplace, 2048, 21);
    const size_t bytes = *row_bytes(type, 2048);
    std::vector<uint8_t> first(bytes, 0x00);
    std::vector<uint8_t> second(bytes, 0xFF);
    type_traits(type).quantize_ref(x.data(), first.data(), 2048);
    type_traits(type).quantize_ref(x.data(), second.data(), 2048);
    EXPECT_EQ(first, second) << type_name(type);
  }
}

TEST(QuantK, SuperBlocksAreQuantizedIndependently) {
  for (TensorType type : kAllTypes) {
    const std::vector<float> x = random_data(Dist::Outliers, 2048, 5);
    const std::vector<uint8_t> whole = quantize(type, x);
    const size_t block_bytes = type_traits(type).block_bytes;
    for (size_t b = 0; b < 8; ++b) {
      const std::vector<float> part(x.begin() + 256 * b, x.begin() + 256 * (b + 1));
      const std::vector<uint8_t> q = quantize(type, part);
      EXPECT_EQ(std::memcmp(q.data(), whole.data() + b * block_bytes, block_bytes), 0)
          << type_name(type) << " block " << b;
    }
  }
}

// Scaling the input by 4 is exact in every step of the searches, so the quants stay
// and every dequantized value is exactly 4 times the original's.
TEST(QuantK, PowerOfTwoScalingIsExact) {
  for (TensorType type : kAllTypes) {
    for (Dist dist : kDists) {
      const std::vector<float> x = random_data(dist, 1024, 31);
      std::vector<float> x4 = x;
      for (float& v : x4) v *= 4;
      const std::vector<float> y = dequantize(type, quantize(type, x), x.size());
      const std::vector<float> y4 = dequantize(type, quantize(type, x4), x.size());
      for (size_t i = 0; i < x.size(); ++i) {
        ASSERT_EQ(y4[i], 4 * y[i]) << type_name(type) << " at " << i;
      }
    }
  }
}

// ---------------------------------------------------------------------------------
// Pinned against ggml's own code. The files of tests/gguf/reference_quant_bytes_test.cpp
// hold Q4_K and Q6_K only; for the other types (and for the dequantized floats and the
// dot products) these digests were computed by ggml's scalar reference functions
// (quantize_row_qN_K_ref, dequantize_row_qN_K, ggml_vec_dot_qN_K_q8_K's scalar
// version, quantize_row_q8_K_ref) built in a separate harness on this same signal;
// ours gave the same digests, and agreed with that harness on 78,000 further random and
// degenerate super-blocks. A change in any search step, rounding or packing shows here.

// Floats from integer arithmetic only (no <random>, no libm), identical everywhere.
std::vector<float> golden_signal(size_t n, uint32_t seed) {
  std::vector<float> x(n);
  uint32_t state = seed;
  for (size_t i = 0; i < n; ++i) {
    state = state * 1664525u + 1013904223u;
    const float u = static_cast<float>(state >> 8) * (1.0f / 16777216.0f);  // [0, 1)
    const size_t block = i / 256;
    const float magnitude = static_cast<float>(1 + block % 3);
    float v = 0;
    switch (block % 6) {
      case 0: v = 2 * u - 1; break;                                 // symmetric
      case 1: v = u; break;                                         // positive only
      case 2: v = -u; break;                                        // negative only
      case 3: v = (2 * u - 1) * (i % 37 == 0 ? 30.f : 1.f); break;  // outliers
      case 4: v = (i / 16) % 4 == 1 ? 0.f : 2 * u - 1; break;       // zero sub-blocks
      default: v = (2 * u - 1) * 1e-4f; break;                      // subnormal fp16 factors
    }
    x[i] = v * magnitude;
  }
  return x;
}

struct Golden {
  TensorType type;
  const char* quantized_sha256;
  const char* dequantized_sha256;
  uint32_t dot_bits;  // the float vec_dot_ref returns, as bits
};

TEST(QuantK, MatchesGgmlReferenceCodeOnAFixedSignal) {
  constexpr size_t kN = 256 * 24;
  const std::vector<float> x = golden_signal(kN, 2025u);
  const std::vector<uint8_t> aq = quantize_activations(golden_signal(kN, 77u));
  EXPECT_EQ(sha256_hex(aq.data(), aq.size()),
            "bd5059c55a98bf02dd3ec1ca425ddbe8c733500f702b4e0780f28890b729f5a4");
  const Golden goldens[] = {
      {TensorType::Q2_K, "69a96113d98043dabb79032b73b56415d5652494cadcc69448fffe696fde6d5d",
       "56072c9fc3fb0801ee1276ab52ddadec39fc3c205d91966392f15cc7d8fa95c4", 0x4576d449},
      {TensorType::Q3_K, "81a165700c8a23fb60c4c21bc226df8a7b7d0e6304eac28279d9441b5e7a1bcc",
       "ea65d42bb3937ca6cb17e686ab24d2ba5d45649149d55a259b89be7506417457", 0x4576b9a8},
      {TensorType::Q4_K, "2f43f5b492660bd9e8ce43ef1c759e497d0dd06a4cc38a3fe28ba934b6a28fad",
       "6f201455b02b4ecd14d145f29828a5f74a41d44012bb28f1f39995b150e2780e", 0x45766f0a},
      {TensorType::Q5_K, "ba7dc2e885c4c86dbf87d1dcd24fcc53eed4cb24f90585a8581034cf0c9342d0",
       "f63be4e1006a277f58183f562ec129cf712828d6a9310bb10d5fd1aa94eb0da7", 0x45789582},
      {TensorType::Q6_K, "32c0a5d8ca0470ae0b60aaf00a328de0ae353515a3e2799e4723ce6ed1da5ab0",
       "9b5d5cf8229e3ce7e066d58298c23fe68ebcc63132d94d74c68ccedac0787bd4", 0x45763343},
  };
  for (const Golden& g : goldens) {
    const std::vector<uint8_t> q = quantize(g.type, x);
    const std::vector<float> y = dequantize(g.type, q, kN);
    EXPECT_EQ(sha256_hex(q.data(), q.size()), g.quantized_sha256) << type_name(g.type);
    EXPECT_EQ(sha256_hex(y.data(), y.size() * sizeof(float)), g.dequantized_sha256)
        << type_name(g.type);
    const float dot = type_traits(g.type).vec_dot_ref(kN, q.data(), aq.data());
    uint32_t bits;
    std::memcpy(&bits, &dot, sizeof bits);
    EXPECT_EQ(bits, g.dot_bits) << type_name(g.type) << " dot " << dot;
  }
}

// ---------------------------------------------------------------------------------
// Hand-built blocks: the expected values follow from the format alone.

template <typename Block>
std::vector<float> dequantize_block(TensorType type, const Block& block) {
  std::vector<float> y(256);
  type_traits(type).to_float(&block, y.data(), 256);
  return y;
}

TEST(QuantK, HandBuiltQ2KBlock) {
  BlockQ2K b{};
  b.d = 0x3C00;     // 1.0
  b.dmin = 0x3800;  // 0.5
  for (int j = 0; j < 16; ++j) b.scales[j] = static_cast<uint8_t>(j | (2 << 4));
  for (uint8_t& q : b.qs) q = 0xE4;  // bit pairs 0, 1, 2, 3
  const std::vector<float> y = dequantize_block(TensorType::Q2_K, b);
  // Value 128h + 32k + 16s + l: quant k (bit pair k), scale 8h + 2k + s, min 2.
  for (int i = 0; i < 256; ++i) {
    const int h = i / 128, k = i % 128 / 32, s = i % 32 / 16;
    EXPECT_EQ(y[i], static_cast<float>((8 * h + 2 * k + s) * k) - 1.0f) << i;
  }
  EXPECT_EQ(y[0], -1.0f);
  EXPECT_EQ(y[255], 44.0f);
}

TEST(QuantK, HandBuiltQ3KBlock) {
  BlockQ3K b{};
  b.d = 0x3C00;  // 1.0
  // Scales 24 + j (stored minus 32: j - 8). Low nibbles: scale j in byte j (low) for
  // j < 8, in byte j - 8 (high) for j >= 8; top bits: 1 for j < 8, 2 for j >= 8, at
  // byte 8 + j % 4, bit pair j / 4.
  for (int j = 0; j < 8; ++j) b.scales[j] = static_cast<uint8_t>((8 + j) | (j << 4));
  for (int j = 8; j < 12; ++j) b.scales[j] = 0xA5;  // pairs 1, 1, 2, 2
  for (uint8_t& m : b.hmask) m = 0x0F;  // high bit set in the first half only
  for (uint8_t& q : b.qs) q = 0xE4;     // low bits k for bit pair k
  const std::vector<float> y = dequantize_block(TensorType::Q3_K, b);
  for (int i = 0; i < 256; ++i) {
    const int h = i / 128, k = i % 128 / 32;
    EXPECT_EQ(y[i], static_cast<float>((i / 16 - 8) * (k - 4 * h))) << i;
  }
  EXPECT_EQ(y[255], -7.0f);
}

// Scales 5, 13, ..., 61 and mins 63, 55, ..., 7 in the 12-byte 6-bit packing.
const uint8_t kPackedScaleMin[12] = {133, 141, 213, 221, 127, 119, 47, 39, 245, 125, 245, 125};
const int kScale[8] = {5, 13, 21, 29, 37, 45, 53, 61};
const int kMin[8] = {63, 55, 47, 39, 31, 23, 15, 7};

TEST(QuantK, HandBuiltQ4KBlock) {
  BlockQ4K b{};
  b.d = 0x3C00;     // 1.0
  b.dmin = 0x3400;  // 0.25
  std::memcpy(b.scales, kPackedScaleMin, 12);
  for (int i = 0; i < 128; ++i) b.qs[i] = static_cast<uint8_t>((i % 16) | ((15 - i % 16) << 4));
  const std::vector<float> y = dequantize_block(TensorType::Q4_K, b);
  // Value 64k + l (l < 32): low nibble of qs[32k + l], sub-block 2k; 64k + 32 + l: high
  // nibble, sub-block 2k + 1.
  for (int i = 0; i < 256; ++i) {
    const int l = i % 32, sub = i / 32;
    const int q = sub % 2 == 0 ? l % 16 : 15 - l % 16;
    EXPECT_EQ(y[i], static_cast<float>(kScale[sub] * q) - 0.25f * kMin[sub]) << i;
  }
  EXPECT_EQ(y[0], -15.75f);
  EXPECT_EQ(y[255], 61.0f * 0 - 1.75f);
}

TEST(QuantK, HandBuiltQ5KBlock) {
  BlockQ5K b{};
  b.d = 0x3C00;     // 1.0
  b.dmin = 0x3400;  // 0.25
  std::memcpy(b.scales, kPackedScaleMin, 12);
  for (int i = 0; i < 128; ++i) b.qs[i] = static_cast<uint8_t>((i % 16) | ((15 - i % 16) << 4));
  for (uint8_t& h : b.qh) h = 0x55;  // fifth bit set for every low-nibble value
  const std::vector<float> y = dequantize_block(TensorType::Q5_K, b);
  for (int i = 0; i < 256; ++i) {
    const int l = i % 32, sub = i / 32;
    const int q = sub % 2 == 0 ? l % 16 + 16 : 15 - l % 16;
    EXPECT_EQ(y[i], static_cast<float>(kScale[sub] * q) - 0.25f * kMin[sub]) << i;
  }
  EXPECT_EQ(y[0], 80.0f - 15.75f);
}

TEST(QuantK, HandBuiltQ6KBlock) {
  BlockQ6K b{};
  b.d = 0x3800;  // 0.5
  for (int j = 0; j < 16; ++j) b.scales[j] = static_cast<int8_t>(j - 8);
  for (uint8_t& q : b.ql) q = 0x21;  // low nibble 1, high nibble 2
  for (uint8_t& q : b.qh) q = 0xE4;  // bit pair k holds k
  const std::vector<float> y = dequantize_block(TensorType::Q6_K, b);
  // Value 128h + 32k + l: low 4 bits from nibble k / 2, high 2 bits k.
  for (int i = 0; i < 256; ++i) {
    const int k = i % 128 / 32;
    const int q = (k < 2 ? 1 : 2) + 16 * k;
    EXPECT_EQ(y[i], 0.5f * static_cast<float>((i / 16 - 8) * (q - 32))) << i;
  }
  EXPECT_EQ(y[0], 0.5f * -8 * -31);
  EXPECT_EQ(y[255], 0.5f * 7 * 18);
}

TEST(QuantK, HandBuiltQ8KBlock) {
  BlockQ8K b{};
  b.d = 0.25f;
  for (int i = 0; i < 256; ++i) b.qs[i] = static_cast<int8_t>(i - 128);
  const std::vector<float> y = dequantize_block(TensorType::Q8_K, b);
  for (int i = 0; i < 256; ++i) EXPECT_EQ(y[i], 0.25f * static_cast<float>(i - 128)) << i;
}

// The packing of the hand-built tests, through the quantizer's own packer.
TEST(QuantK, ScaleMinPackingMatchesTheLayout) {
  uint8_t scales[8];
  uint8_t mins[8];
  for (int j = 0; j < 8; ++j) {
    scales[j] = static_cast<uint8_t>(kScale[j]);
    mins[j] = static_cast<uint8_t>(kMin[j]);
  }
  uint8_t packed[12];
  kquant::pack_scale_min_k4(scales, mins, packed);
  EXPECT_EQ(std::memcmp(packed, kPackedScaleMin, 12), 0);
  // Every pair of 6-bit values survives packing and unpacking in every position.
  for (int v = 0; v < 64; ++v) {
    for (int j = 0; j < 8; ++j) {
      scales[j] = static_cast<uint8_t>((v + 7 * j) % 64);
      mins[j] = static_cast<uint8_t>((63 - v + 5 * j) % 64);
    }
    kquant::pack_scale_min_k4(scales, mins, packed);
    for (int j = 0; j < 8; ++j) {
      uint8_t sc;
      uint8_t m;
      kquant::unpack_scale_min_k4(j, packed, &sc, &m);
      EXPECT_EQ(sc, scales[j]);
      EXPECT_EQ(m, mins[j]);
    }
  }
}

// ---------------------------------------------------------------------------------
// Q8_K specifics and helpers.

TEST(QuantK, Q8KMapsTheLargestMagnitudeToMinus127) {
  std::vector<float> x(256);
  for (int i = 0; i < 256; ++i) x[i] = static_cast<float>(i) - 100.f;  // -100 .. 155
  BlockQ8K b;
  quantize_row_q8_k_ref(x.data(), &b, 256);
  EXPECT_EQ(b.qs[255], -127);             // 155 is the largest magnitude
  EXPECT_FLOAT_EQ(b.d, -155.f / 127.f);   // negative: sign of quants flipped
  for (int j = 0; j < 16; ++j) {
    int sum = 0;
    for (int l = 0; l < 16; ++l) sum += b.qs[16 * j + l];
    EXPECT_EQ(b.bsums[j], sum);
  }
  for (int i = 0; i < 256; ++i) {
    EXPECT_LE(std::fabs(b.d * b.qs[i] - x[i]), std::fabs(b.d) * 0.5f * 1.0001f) << i;
  }
  // A negative largest value also maps to -127 (the scale turns positive).
  for (float& v : x) v = -v;
  quantize_row_q8_k_ref(x.data(), &b, 256);
  EXPECT_EQ(b.qs[255], -127);
  EXPECT_GT(b.d, 0.f);
}

TEST(QuantK, Q8KActivationRouteIsTheReference) {
  const std::vector<float> x = random_data(Dist::Outliers, 1024, 8);
  std::vector<uint8_t> routed(*row_bytes(TensorType::Q8_K, 1024), 0xCC);
  std::vector<uint8_t> reference(routed.size(), 0x33);
  quantize_activation_row(TensorType::Q8_K, x.data(), routed.data(), 1024);
  quantize_row_q8_k_ref(x.data(), reference.data(), 1024);
  EXPECT_EQ(routed, reference);
}

TEST(QuantK, NearestIntRoundsHalfToEven) {
  EXPECT_EQ(kquant::nearest_int(2.5f), 2);
  EXPECT_EQ(kquant::nearest_int(3.5f), 4);
  EXPECT_EQ(kquant::nearest_int(-2.5f), -2);
  EXPECT_EQ(kquant::nearest_int(-3.5f), -4);
  EXPECT_EQ(kquant::nearest_int(0.49999997f), 0);
  EXPECT_EQ(kquant::nearest_int(-0.5f), 0);
  EXPECT_EQ(kquant::nearest_int(127.49f), 127);
  EXPECT_EQ(kquant::nearest_int(-4194303.f), -4194303);
}

TEST(QuantK, TableEntriesAreComplete) {
  const size_t sizes[] = {sizeof(BlockQ2K), sizeof(BlockQ3K), sizeof(BlockQ4K),
                          sizeof(BlockQ5K), sizeof(BlockQ6K), sizeof(BlockQ8K)};
  int i = 0;
  for (TensorType type : kAllTypes) {
    const TypeTraits& t = type_traits(type);
    EXPECT_TRUE(is_computable(type)) << t.name;
    EXPECT_EQ(t.block_size, 256) << t.name;
    EXPECT_EQ(t.block_bytes, sizes[i++]) << t.name;
    EXPECT_EQ(t.vec_dot_type, TensorType::Q8_K) << t.name;
    EXPECT_TRUE(t.quantized);
  }
  EXPECT_EQ(row_bytes(TensorType::Q4_K, 4096), 16u * 144u);
  EXPECT_FALSE(row_bytes(TensorType::Q6_K, 300).has_value());
  EXPECT_EQ(parse_type_name("q5_k"), TensorType::Q5_K);
}

}  // namespace
}  // namespace pd

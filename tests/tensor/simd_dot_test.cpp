// The AVX2 dot products against their scalar twins (the type table's vec_dot_ref) on
// random rows of many lengths, scales and shapes, and the dispatch through the active
// instruction set.
//
// The bound. Both kernels compute every block's integer sum exactly and then add T
// float terms (block results, offset terms, or for the float types single products).
// Every term is at most the sum of |w_i * a_i| over its values, with w_i the part of
// the weight the term carries: for the offset types (Q4_1, Q5_1, Q2_K, Q4_K, Q5_K) the
// scaled levels and the offsets are separate terms, and |scaled level| <= |w| + |offset|,
// so the magnitude is M = sum (|w_i| + 2 |offset_i|) |a_i| (M = sum |w_i a_i| for the
// others). Recursive summation of T terms in any order and grouping, with or without
// fused multiply-adds, errs by at most T * u * M (u = 2^-24, to first order); the two
// kernels together by twice that. T counts the longest chain of additions: blocks (plus
// as many offset terms) and 16 for the lane tree and the last rounding of each factor;
// for F16 and BF16 n / 32 products per lane plus the 8-wide and scalar tails. F32 has
// one order in both kernels (F32KernelsGiveTheScalarBits holds them to equal bits);
// here it is given the bound of n / 16 + 16 terms.
// A quant handled in the wrong place is off by about M / n, far above the bound for
// the lengths used here (the measured worst ratio to u * M is printed).

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include "core/cpu_features.h"
#include "core/fp16.h"
#include "tensor/activation_quant.h"
#include "tensor/quant_float.h"
#include "tensor/quant_k.h"
#include "tensor/quant_legacy.h"
#include "tensor/simd_dot.h"

namespace pd {
namespace {

const TensorType kSimdTypes[] = {
    TensorType::F32,  TensorType::F16,  TensorType::BF16, TensorType::Q8_0,
    TensorType::Q4_0, TensorType::Q4_1, TensorType::Q5_0, TensorType::Q5_1,
    TensorType::IQ4_NL, TensorType::Q2_K, TensorType::Q3_K, TensorType::Q4_K,
    TensorType::Q5_K, TensorType::Q6_K,
};

constexpr double kUnitRoundoff = 1.0 / (1 << 24);

// Values of each 32-value stretch drawn with a random scale 2^[-10, 10], in one of four
// shapes: normal, sign only (every quant at its extreme), all zero, one spike.
std::vector<float> random_row(int64_t n, std::mt19937_64& rng) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::uniform_real_distribution<float> exponent(-10.0f, 10.0f);
  std::vector<float> x(static_cast<size_t>(n));
  for (int64_t start = 0; start < n; start += 32) {
    const float scale = std::exp2(exponent(rng));
    const int shape = static_cast<int>(rng() % 8);  // normal most of the time
    for (int64_t i = start; i < std::min(n, start + 32); ++i) {
      float v = normal(rng);
      if (shape == 5) v = v < 0 ? -1.0f : 1.0f;
      if (shape == 6) v = 0.0f;
      if (shape == 7) v = (i == start + 3) ? 30.0f : 0.01f * v;
      x[static_cast<size_t>(i)] = v * scale;
    }
  }
  return x;
}

// The weight value each level 0 stands for (zero for the types without offsets):
// the row dequantized with all its quants set to zero.
std::vector<float> offsets_of(TensorType type, std::vector<uint8_t> bytes, int64_t n) {
  std::vector<float> out(static_cast<size_t>(n), 0.0f);
  auto zero_levels = [&](auto* blocks, int64_t count) {
    for (int64_t i = 0; i < count; ++i) {
      std::memset(blocks[i].qs, 0, sizeof blocks[i].qs);
      if constexpr (requires { blocks[i].qh; }) std::memset(blocks[i].qh, 0, sizeof blocks[i].qh);
    }
  };
  switch (type) {
    case TensorType::Q4_1: zero_levels(reinterpret_cast<BlockQ4_1*>(bytes.data()), n / 32); break;
    case TensorType::Q5_1: zero_levels(reinterpret_cast<BlockQ5_1*>(bytes.data()), n / 32); break;
    case TensorType::Q2_K: zero_levels(reinterpret_cast<BlockQ2K*>(bytes.data()), n / kQK_K); break;
    case TensorType::Q4_K: zero_levels(reinterpret_cast<BlockQ4K*>(bytes.data()), n / kQK_K); break;
    case TensorType::Q5_K: zero_levels(reinterpret_cast<BlockQ5K*>(bytes.data()), n / kQK_K); break;
    default: return out;
  }
  type_traits(type).to_float(bytes.data(), out.data(), n);
  return out;
}

struct Outcome {
  double simd;
  double reference;
  double bound;
  double magnitude;  // M
};

// One random weight row and activation row of length n, both kernels on them. The weight
// row starts 2 bytes into its buffer, as a row of a mapped file may.
Outcome compare_once(TensorType type, VecDotFn kernel, int64_t n, std::mt19937_64& rng) {
  const TypeTraits& wt = type_traits(type);
  const TypeTraits& at = type_traits(wt.vec_dot_type);
  const std::vector<float> w = random_row(n, rng);
  const std::vector<float> x = random_row(n, rng);
  std::vector<uint8_t> w_buffer(*row_bytes(type, n) + 2);
  uint8_t* w_bytes = w_buffer.data() + 2;
  wt.quantize_ref(w.data(), w_bytes, n);
  std::vector<uint8_t> a_bytes(*row_bytes(at.type, n));
  quantize_activation_row(at.type, x.data(), a_bytes.data(), n);

  std::vector<float> wq(static_cast<size_t>(n)), aq(static_cast<size_t>(n));
  wt.to_float(w_bytes, wq.data(), n);
  at.to_float(a_bytes.data(), aq.data(), n);
  const std::vector<float> offsets =
      offsets_of(type, std::vector<uint8_t>(w_bytes, w_bytes + *row_bytes(type, n)), n);
  double magnitude = 0;
  for (int64_t i = 0; i < n; ++i) {
    magnitude += (std::fabs(double(wq[i])) + 2 * std::fabs(double(offsets[i]))) * std::fabs(double(aq[i]));
  }
  const int64_t block = std::max(wt.block_size, at.block_size);
  const double terms = wt.quantized ? 2.0 * static_cast<double>(n / block) + 16
                    : type == TensorType::F32 ? static_cast<double>(n / 16) + 16
                                              : static_cast<double>(n / 32) + 16;
  Outcome o;
  o.simd = kernel(n, w_bytes, a_bytes.data());
  o.reference = wt.vec_dot_ref(n, w_bytes, a_bytes.data());
  o.magnitude = magnitude;
  o.bound = 2 * terms * kUnitRoundoff * magnitude;
  return o;
}

std::vector<int64_t> lengths_for(TensorType type) {
  const TypeTraits& wt = type_traits(type);
  const int64_t unit = std::max(wt.block_size, type_traits(wt.vec_dot_type).block_size);
  if (unit == 1) return {1, 3, 7, 8, 9, 31, 32, 33, 40, 64, 100, 255, 256, 257, 1000, 4099};
  std::vector<int64_t> lengths;
  for (int64_t blocks : {1, 2, 3, 5, 7, 8, 11, 16, 33}) lengths.push_back(blocks * unit);
  return lengths;
}

bool have_avx2() { return avx2_vec_dot(TensorType::F32) != nullptr; }

TEST(SimdDot, EveryKernelMatchesItsScalarTwinWithinTheSummationBound) {
  if (!have_avx2()) GTEST_SKIP() << "this CPU lacks AVX2/FMA/F16C: no vector kernels to test";
  std::mt19937_64 rng(2026);
  for (TensorType type : kSimdTypes) {
    const VecDotFn kernel = avx2_vec_dot(type);
    ASSERT_NE(kernel, nullptr) << type_name(type);
    double worst = 0;  // largest |simd - reference| / (u * M)
    for (int64_t n : lengths_for(type)) {
      for (int trial = 0; trial < 12; ++trial) {
        const Outcome o = compare_once(type, kernel, n, rng);
        const double diff = std::fabs(o.simd - o.reference);
        ASSERT_TRUE(std::isfinite(o.simd)) << type_name(type) << " n " << n;
        EXPECT_LE(diff, o.bound) << type_name(type) << " n " << n << " trial " << trial
                                 << ": simd " << o.simd << " reference " << o.reference;
        if (o.magnitude > 0) worst = std::max(worst, diff / (kUnitRoundoff * o.magnitude));
      }
    }
    std::printf("  %-6s worst |simd - ref| = %.2f u * M\n", type_name(type), worst);
  }
}

TEST(SimdDot, DeterministicForTheSameRows) {
  if (!have_avx2()) GTEST_SKIP() << "this CPU lacks AVX2/FMA/F16C";
  for (TensorType type : kSimdTypes) {
    std::mt19937_64 first(7), second(7);
    const int64_t n = lengths_for(type).back();
    const Outcome a = compare_once(type, avx2_vec_dot(type), n, first);
    const Outcome b = compare_once(type, avx2_vec_dot(type), n, second);
    EXPECT_EQ(std::memcmp(&a.simd, &b.simd, sizeof a.simd), 0) << type_name(type);
  }
}

// Quants at their extremes in every position: the pairwise int16 sums of the byte
// products are at their largest here, and must not saturate.
TEST(SimdDot, ExtremeQuantsDoNotSaturate) {
  if (!have_avx2()) GTEST_SKIP() << "this CPU lacks AVX2/FMA/F16C";
  for (TensorType type : kSimdTypes) {
    const TypeTraits& wt = type_traits(type);
    const TypeTraits& at = type_traits(wt.vec_dot_type);
    const int64_t n = 2 * kQK_K;
    for (float sign : {1.0f, -1.0f}) {
      std::vector<float> w(n), x(n);
      for (int64_t i = 0; i < n; ++i) {
        w[i] = (i % 3 == 0 ? -1.0f : 1.0f) * 4.0f;
        x[i] = sign * (i % 3 == 0 ? -1.0f : 1.0f) * 2.0f;
      }
      std::vector<uint8_t> wb(*row_bytes(type, n)), ab(*row_bytes(at.type, n));
      wt.quantize_ref(w.data(), wb.data(), n);
      quantize_activation_row(at.type, x.data(), ab.data(), n);
      const float simd = avx2_vec_dot(type)(n, wb.data(), ab.data());
      const float reference = wt.vec_dot_ref(n, wb.data(), ab.data());
      EXPECT_NEAR(simd, reference, 1e-5 * std::fabs(reference)) << type_name(type) << " sign " << sign;
    }
  }
}

// The four-row kernels give each row exactly the single-row kernel's bits, at every
// length, with rows packed back to back or further apart.
TEST(SimdDot, FourRowKernelsEqualTheSingleRowKernelBitForBit) {
  if (!have_avx2()) GTEST_SKIP() << "this CPU lacks AVX2/FMA/F16C";
  std::mt19937_64 rng(4);
  int checked = 0;
  for (TensorType type : kSimdTypes) {
    const VecDot4Fn four = avx2_vec_dot4(type);
    if (four == nullptr) continue;  // Q2_K, Q3_K: prefill calls the single-row kernel
    const TypeTraits& wt = type_traits(type);
    const TensorType act = wt.vec_dot_type;
    for (int64_t n : lengths_for(type)) {
      const std::vector<float> w = random_row(n, rng);
      std::vector<uint8_t> w_bytes(*row_bytes(type, n));
      wt.quantize_ref(w.data(), w_bytes.data(), n);
      for (size_t padding : {size_t{0}, size_t{36}}) {
        const size_t stride = *row_bytes(act, n) + padding;
        std::vector<uint8_t> a_bytes(4 * stride);
        for (int k = 0; k < 4; ++k) {
          quantize_activation_row(act, random_row(n, rng).data(), a_bytes.data() + k * stride, n);
        }
        float out[4];
        four(n, w_bytes.data(), a_bytes.data(), stride, out);
        for (int k = 0; k < 4; ++k) {
          const float single = avx2_vec_dot(type)(n, w_bytes.data(), a_bytes.data() + k * stride);
          EXPECT_EQ(std::memcmp(&out[k], &single, sizeof single), 0)
              << type_name(type) << " n " << n << " row " << k << ": " << out[k] << " vs " << single;
          ++checked;
        }
      }
    }
  }
  EXPECT_GT(checked, 0);
}

TEST(SimdDot, DispatchFollowsTheActiveInstructionSet) {
  ActiveIsaScope scope;
  set_active_isa(Isa::Scalar);
  for (TensorType type : kSimdTypes) {
    EXPECT_EQ(simd_vec_dot(type), nullptr) << type_name(type);
    EXPECT_EQ(simd_vec_dot4(type), nullptr) << type_name(type);
  }
  if (!have_avx2()) GTEST_SKIP() << "this CPU lacks AVX2/FMA/F16C";
  set_active_isa(Isa::Avx2);
  for (TensorType type : kSimdTypes) {
    EXPECT_EQ(simd_vec_dot(type), avx2_vec_dot(type)) << type_name(type);
    EXPECT_EQ(simd_vec_dot4(type), avx2_vec_dot4(type)) << type_name(type);
  }
  // Types without a vector kernel fall back to the reference in every set.
  EXPECT_EQ(simd_vec_dot(TensorType::Q8_K), nullptr);
  EXPECT_EQ(simd_vec_dot(TensorType::I8), nullptr);
}

// Every vector kernel of `type` (the active set's single-row and four-row kernels and
// the AVX2 single-row one) gives the scalar kernel's bits on four activation rows
// `row_bytes` apart.
void expect_scalar_bits(TensorType type, int64_t n, const void* w, const uint8_t* a,
                        size_t row_bytes) {
  const VecDotFn scalar_dot = type_traits(type).vec_dot_ref;
  float four[4];
  simd_vec_dot4(type)(n, w, a, row_bytes, four);
  for (int r = 0; r < 4; ++r) {
    const uint8_t* row = a + r * row_bytes;
    const float scalar = scalar_dot(n, w, row);
    const float one = simd_vec_dot(type)(n, w, row);
    const float narrow = avx2_vec_dot(type)(n, w, row);
    EXPECT_EQ(std::memcmp(&scalar, &four[r], sizeof scalar), 0) << "n " << n << " row " << r;
    EXPECT_EQ(std::memcmp(&scalar, &one, sizeof scalar), 0) << "n " << n;
    EXPECT_EQ(std::memcmp(&scalar, &narrow, sizeof scalar), 0) << "n " << n;
  }
}

// A weight row of n values and four activation rows after it, normal, with n / 8 pairs
// of weights +-`big` whose products cancel: what the small products keep of their bits
// then shows any change of lanes or of the order of the adds. With
// `big_activations` the first activation row meets those weights with `big` too.
struct CancellingRows {
  std::vector<float> w;
  std::vector<float> a;
};

CancellingRows cancelling_rows(int64_t n, float big, bool big_activations, std::mt19937_64& rng) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  CancellingRows rows{std::vector<float>(static_cast<size_t>(n)), std::vector<float>(static_cast<size_t>(4 * n))};
  for (float& v : rows.w) v = normal(rng);
  for (float& v : rows.a) v = normal(rng);
  for (int64_t pair = 0; pair < n / 8; ++pair) {
    const int64_t plus = static_cast<int64_t>(rng() % n), minus = static_cast<int64_t>(rng() % n);
    if (plus == minus) continue;
    rows.w[plus] = big;
    rows.w[minus] = -big;
    if (big_activations) rows.a[plus] = rows.a[minus] = big;
  }
  return rows;
}

constexpr int64_t kOrderLengths[] = {16, 32, 48, 64, 172, 256, 1000, 4096, 5, 17, 100, 130};

// F32 has one order (llama.cpp's, quant_float.h), so its vector kernels give the
// scalar kernel's bits exactly, with pairs of +-2^60 products.
TEST(SimdDot, F32KernelsGiveTheScalarBits) {
  if (!have_avx2()) GTEST_SKIP() << "this CPU lacks AVX2/FMA/F16C";
  std::mt19937_64 rng(172);
  for (int64_t n : kOrderLengths) {
    for (int trial = 0; trial < 16; ++trial) {
      const CancellingRows rows = cancelling_rows(n, 0x1p60f, false, rng);
      expect_scalar_bits(TensorType::F32, n, rows.w.data(), reinterpret_cast<const uint8_t*>(rows.a.data()),
                         static_cast<size_t>(n) * sizeof(float));
      for (int r = 0; r < 4; ++r) {
        const float* row = rows.a.data() + r * n;
        // The four-accumulator order at every length (attention over an f32 cache).
        const float four_scalar = f32_dot_four_accumulators(n, rows.w.data(), row);
        const float four_vector = f32_four_accumulator_dot(n, rows.w.data(), row);
        EXPECT_EQ(std::memcmp(&four_scalar, &four_vector, sizeof four_scalar), 0) << "n " << n;
      }
    }
  }
}

// F16 (against f16 activations) has llama.cpp's orders too, so its vector kernels give
// the scalar kernel's bits, with pairs of +-2^30 products.
TEST(SimdDot, F16KernelsGiveTheScalarBits) {
  if (!have_avx2()) GTEST_SKIP() << "this CPU lacks AVX2/FMA/F16C";
  std::mt19937_64 rng(16);
  for (int64_t n : kOrderLengths) {
    for (int trial = 0; trial < 16; ++trial) {
      const CancellingRows rows = cancelling_rows(n, 32768.0f, true, rng);
      std::vector<uint16_t> wh(rows.w.size()), ah(rows.a.size());
      f16_quantize_ref(rows.w.data(), wh.data(), n);
      f16_quantize_ref(rows.a.data(), ah.data(), 4 * n);
      expect_scalar_bits(TensorType::F16, n, wh.data(), reinterpret_cast<const uint8_t*>(ah.data()),
                         static_cast<size_t>(n) * sizeof(uint16_t));
    }
  }
}

// Q4_0 against Q8_0 has the reference's order (simd_dot_q4_0.cpp), so its kernels give
// the scalar kernel's bits: random nibbles, block scales over twelve binary orders of
// magnitude (so that any other order of the block adds shows), and activation quants of
// -128 among the random ones.
TEST(SimdDot, Q4_0KernelsGiveTheScalarBits) {
  if (!have_avx2()) GTEST_SKIP() << "this CPU lacks AVX2/FMA/F16C";
  std::mt19937_64 rng(40);
  std::uniform_real_distribution<float> exponent(-6.0f, 6.0f);
  for (const int64_t blocks : {1, 2, 7, 8, 9, 16, 23, 33, 88}) {
    const int64_t n = blocks * kLegacyBlockSize;
    for (int trial = 0; trial < 8; ++trial) {
      std::vector<BlockQ4_0> w(static_cast<size_t>(blocks));
      std::vector<BlockQ8_0> a(static_cast<size_t>(4 * blocks));
      // Odd trials: levels of -8 and 7 against quants of 100 to 127 with the levels' signs,
      // so that a block's integer sum has about 15 significant bits and its products
      // with a scale are not exact in f32: the order of the two scale multiplies shows.
      const bool large_sums = trial % 2 == 1;
      for (BlockQ4_0& b : w) {
        b.d = f32_to_f16(std::exp2(exponent(rng)) * (rng() % 2 ? 1.0f : -1.0f));
        for (uint8_t& q : b.qs) q = large_sums ? static_cast<uint8_t>((rng() % 2 ? 0x0F : 0) | (rng() % 2 ? 0xF0 : 0))
                                               : static_cast<uint8_t>(rng());
      }
      for (int64_t i = 0; i < 4 * blocks; ++i) {
        BlockQ8_0& b = a[static_cast<size_t>(i)];
        const BlockQ4_0& weights = w[static_cast<size_t>(i % blocks)];
        b.d = f32_to_f16(std::exp2(exponent(rng)));
        for (int j = 0; j < kLegacyBlockSize; ++j) {
          const int nibble = j < 16 ? weights.qs[j] & 0x0F : weights.qs[j - 16] >> 4;
          const int magnitude = 100 + static_cast<int>(rng() % 28);
          b.qs[j] = static_cast<int8_t>(large_sums ? (nibble == 0 ? -magnitude : magnitude)
                                        : rng() % 16 == 0 ? -128 : static_cast<int>(rng() % 255) - 127);
        }
      }
      expect_scalar_bits(TensorType::Q4_0, n, w.data(), reinterpret_cast<const uint8_t*>(a.data()),
                         static_cast<size_t>(blocks) * sizeof(BlockQ8_0));
    }
  }
}

}  // namespace
}  // namespace pd

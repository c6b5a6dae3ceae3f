// The AVX-512 dot products against the AVX2 ones: the same bits (memcmp of the float)
// for every input, single-row and four-row kernels, on
//   - rows quantized from random floats (what a model holds),
//   - rows of random bytes with finite random scales: every quant and sub-block scale
//     bit pattern, including Q8_0 weights of -128 and activation quants of -128 (the
//     sign-trick exception of simd_dot.h, which both kernels must share),
//   - extreme blocks: every quant at its largest magnitude with the largest fp16 scale,
//     and zero scales.
// Skipped on a CPU without AVX-512 F/BW/VL/VNNI.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "core/cpu_features.h"
#include "tensor/activation_quant.h"
#include "tensor/quant_iq4_nl.h"
#include "tensor/quant_k.h"
#include "tensor/quant_legacy.h"
#include "tensor/simd_dot.h"

namespace pd {
namespace {

const TensorType kAvx512Types[] = {
    TensorType::F32,  TensorType::F16,  TensorType::BF16,   TensorType::Q8_0,
    TensorType::Q4_0, TensorType::Q4_1, TensorType::Q5_0,   TensorType::Q5_1,
    TensorType::IQ4_NL, TensorType::Q2_K, TensorType::Q3_K, TensorType::Q4_K,
    TensorType::Q5_K, TensorType::Q6_K,
};

bool have_avx512() { return avx512_vec_dot(TensorType::Q8_0) != nullptr; }

std::vector<int64_t> lengths_for(TensorType type) {
  const TypeTraits& wt = type_traits(type);
  const int64_t unit = std::max(wt.block_size, type_traits(wt.vec_dot_type).block_size);
  if (unit == 1) {
    return {1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 40, 47, 48, 63, 64, 65, 100, 255, 256, 1000, 4096, 4099};
  }
  std::vector<int64_t> lengths;
  for (int64_t blocks : {1, 2, 3, 4, 5, 7, 8, 11, 16, 33, 64}) lengths.push_back(blocks * unit);
  return lengths;
}

// A finite fp16 of any exponent (subnormals included), random sign.
uint16_t random_half(std::mt19937_64& rng) {
  const auto exponent = static_cast<uint16_t>(rng() % 31);  // 31 would be inf/NaN
  return static_cast<uint16_t>(((rng() & 1) << 15) | (exponent << 10) | (rng() & 0x3FF));
}

// How a random row's scale fields are filled.
enum class Scales { Random, Largest, Zero };

uint16_t scale_half(Scales scales, std::mt19937_64& rng) {
  switch (scales) {
    case Scales::Largest: return (rng() & 1) ? 0xFBFF : 0x7BFF;  // -+65504
    case Scales::Zero: return (rng() & 1) ? 0x8000 : 0x0000;
    case Scales::Random: break;
  }
  return random_half(rng);
}

template <typename Block, typename Fill>
void for_blocks(std::vector<uint8_t>& bytes, Fill fill) {
  for (size_t at = 0; at + sizeof(Block) <= bytes.size(); at += sizeof(Block)) {
    Block b;
    std::memcpy(&b, bytes.data() + at, sizeof b);
    fill(b);
    std::memcpy(bytes.data() + at, &b, sizeof b);
  }
}

// A row of `type` (weights or activations) from random bytes, its float and fp16 fields
// then overwritten so that they are finite; the bsums of Q8_K agree with its quants.
// `quant_byte` >= 0 replaces every quant byte (extreme blocks).
std::vector<uint8_t> raw_row(TensorType type, int64_t n, Scales scales, int quant_byte,
                             std::mt19937_64& rng) {
  std::vector<uint8_t> bytes(*row_bytes(type, n));
  for (auto& b : bytes) b = static_cast<uint8_t>(quant_byte >= 0 ? quant_byte : rng());
  auto h = [&] { return scale_half(scales, rng); };
  switch (type) {
    case TensorType::F16:
      for (size_t i = 0; i + 1 < bytes.size(); i += 2) {
        const uint16_t v = random_half(rng);
        std::memcpy(&bytes[i], &v, 2);
      }
      break;
    case TensorType::BF16:
      for (size_t i = 0; i + 1 < bytes.size(); i += 2) {
        // Exponents 2^-40..2^40: products and sums stay finite.
        const auto v = static_cast<uint16_t>(((rng() & 1) << 15) | ((87 + rng() % 81) << 7) | (rng() & 0x7F));
        std::memcpy(&bytes[i], &v, 2);
      }
      break;
    case TensorType::F32:
      for (size_t i = 0; i + 3 < bytes.size(); i += 4) {
        const float v = std::ldexp(static_cast<float>(static_cast<int32_t>(rng() % 2000001) - 1000000) / 1e6f,
                                   static_cast<int>(rng() % 80) - 40);
        std::memcpy(&bytes[i], &v, 4);
      }
      break;
    case TensorType::Q8_0: for_blocks<BlockQ8_0>(bytes, [&](BlockQ8_0& b) { b.d = h(); }); break;
    case TensorType::Q8_1:
      for_blocks<BlockQ8_1>(bytes, [&](BlockQ8_1& b) { b.d = h(); b.s = h(); });
      break;
    case TensorType::Q4_0: for_blocks<BlockQ4_0>(bytes, [&](BlockQ4_0& b) { b.d = h(); }); break;
    case TensorType::Q4_1:
      for_blocks<BlockQ4_1>(bytes, [&](BlockQ4_1& b) { b.d = h(); b.m = h(); });
      break;
    case TensorType::Q5_0: for_blocks<BlockQ5_0>(bytes, [&](BlockQ5_0& b) { b.d = h(); }); break;
    case TensorType::Q5_1:
      for_blocks<BlockQ5_1>(bytes, [&](BlockQ5_1& b) { b.d = h(); b.m = h(); });
      break;
    case TensorType::IQ4_NL: for_blocks<BlockIq4nl>(bytes, [&](BlockIq4nl& b) { b.d = h(); }); break;
    case TensorType::Q2_K:
      for_blocks<BlockQ2K>(bytes, [&](BlockQ2K& b) { b.d = h(); b.dmin = h(); });
      break;
    case TensorType::Q3_K: for_blocks<BlockQ3K>(bytes, [&](BlockQ3K& b) { b.d = h(); }); break;
    case TensorType::Q4_K:
      for_blocks<BlockQ4K>(bytes, [&](BlockQ4K& b) { b.d = h(); b.dmin = h(); });
      break;
    case TensorType::Q5_K:
      for_blocks<BlockQ5K>(bytes, [&](BlockQ5K& b) { b.d = h(); b.dmin = h(); });
      break;
    case TensorType::Q6_K: for_blocks<BlockQ6K>(bytes, [&](BlockQ6K& b) { b.d = h(); }); break;
    case TensorType::Q8_K:
      for_blocks<BlockQ8K>(bytes, [&](BlockQ8K& b) {
        b.d = scales == Scales::Zero ? 0.0f
              : scales == Scales::Largest ? 1e20f
                                          : std::ldexp(1.0f + static_cast<float>(rng() % 1000) / 1000.0f,
                                                       static_cast<int>(rng() % 60) - 30);
        for (int j = 0; j < kQK_K / 16; ++j) {
          int sum = 0;
          for (int l = 0; l < 16; ++l) sum += b.qs[16 * j + l];
          b.bsums[j] = static_cast<int16_t>(sum);
        }
      });
      break;
    default: ADD_FAILURE() << "no raw rows for " << type_name(type);
  }
  return bytes;
}

// A weight row and an activation row of length n, the weight row 2 bytes into its
// buffer as a row of a mapped file may be.
struct RowPair {
  std::vector<uint8_t> weight_buffer;
  std::vector<uint8_t> activation;
  const uint8_t* weight() const { return weight_buffer.data() + 2; }
};

RowPair quantized_rows(TensorType type, int64_t n, std::mt19937_64& rng) {
  const TypeTraits& wt = type_traits(type);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> w(static_cast<size_t>(n)), x(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    w[i] = normal(rng);
    x[i] = normal(rng) * (i % 97 == 0 ? 40.0f : 1.0f);
  }
  RowPair p;
  p.weight_buffer.resize(*row_bytes(type, n) + 2);
  wt.quantize_ref(w.data(), p.weight_buffer.data() + 2, n);
  p.activation.resize(*row_bytes(wt.vec_dot_type, n));
  quantize_activation_row(wt.vec_dot_type, x.data(), p.activation.data(), n);
  return p;
}

RowPair raw_rows(TensorType type, int64_t n, Scales scales, int weight_byte, int activation_byte,
                 std::mt19937_64& rng) {
  RowPair p;
  const std::vector<uint8_t> w = raw_row(type, n, scales, weight_byte, rng);
  p.weight_buffer.assign(2, 0);
  p.weight_buffer.insert(p.weight_buffer.end(), w.begin(), w.end());
  p.activation = raw_row(type_traits(type).vec_dot_type, n, scales, activation_byte, rng);
  return p;
}

bool same_bits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }

void expect_same(TensorType type, int64_t n, const RowPair& p, const char* what) {
  const float wide = avx512_vec_dot(type)(n, p.weight(), p.activation.data());
  const float narrow = avx2_vec_dot(type)(n, p.weight(), p.activation.data());
  EXPECT_TRUE(same_bits(wide, narrow)) << type_name(type) << " n " << n << " " << what << ": avx512 "
                                       << wide << " avx2 " << narrow;
}

TEST(SimdDotAvx512, EqualsAvx2BitForBitOnQuantizedRows) {
  if (!have_avx512()) GTEST_SKIP() << "this CPU lacks AVX-512 F/BW/VL/VNNI";
  std::mt19937_64 rng(512);
  for (TensorType type : kAvx512Types) {
    ASSERT_NE(avx512_vec_dot(type), nullptr) << type_name(type);
    for (int64_t n : lengths_for(type)) {
      for (int trial = 0; trial < 6; ++trial) expect_same(type, n, quantized_rows(type, n, rng), "quantized");
    }
  }
}

TEST(SimdDotAvx512, EqualsAvx2BitForBitOnRandomBytes) {
  if (!have_avx512()) GTEST_SKIP() << "this CPU lacks AVX-512 F/BW/VL/VNNI";
  std::mt19937_64 rng(513);
  for (TensorType type : kAvx512Types) {
    for (int64_t n : lengths_for(type)) {
      for (int trial = 0; trial < 6; ++trial) expect_same(type, n, raw_rows(type, n, Scales::Random, -1, -1, rng), "random bytes");
    }
  }
}

// Quant bytes all 0xFF (the largest unsigned levels; -1 for signed bytes), all 0x80
// (-128: Q8_0's most negative weight, the activation exception) and 0x7F, against the
// same patterns in the activation, with the largest and zero scales.
TEST(SimdDotAvx512, EqualsAvx2BitForBitOnExtremeBlocks) {
  if (!have_avx512()) GTEST_SKIP() << "this CPU lacks AVX-512 F/BW/VL/VNNI";
  std::mt19937_64 rng(514);
  int checked = 0;
  for (TensorType type : kAvx512Types) {
    if (!type_traits(type).quantized) continue;
    for (int64_t n : lengths_for(type)) {
      for (Scales scales : {Scales::Largest, Scales::Zero, Scales::Random}) {
        for (int wb : {0xFF, 0x80, 0x7F, 0x00}) {
          for (int ab : {0x80, 0x7F, 0x81, -1}) {
            expect_same(type, n, raw_rows(type, n, scales, wb, ab, rng), "extreme");
            ++checked;
          }
        }
      }
    }
  }
  EXPECT_GT(checked, 0);
}

// F32 in sixteen fused lanes, where pairs of +-2^60 products cancel: what the small
// products around them keep of their bits depends on which lane took them and when.
TEST(SimdDotAvx512, F32KeepsTheOrderOfItsLanes) {
  if (!have_avx512()) GTEST_SKIP() << "this CPU lacks AVX-512 F/BW/VL/VNNI";
  std::mt19937_64 rng(516);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (int64_t n : lengths_for(TensorType::F32)) {
    for (int trial = 0; trial < 24; ++trial) {
      std::vector<float> w(static_cast<size_t>(n)), a(static_cast<size_t>(n));
      for (int64_t i = 0; i < n; ++i) {
        w[i] = normal(rng);
        a[i] = normal(rng);
      }
      for (int64_t pair = 0; pair < n / 8; ++pair) {
        const int64_t plus = static_cast<int64_t>(rng() % n);
        const int64_t minus = static_cast<int64_t>(rng() % n);
        if (plus == minus) continue;
        w[plus] = 0x1p60f;
        w[minus] = -0x1p60f;
        a[plus] = a[minus] = 1.0f;
      }
      const float wide = avx512_vec_dot(TensorType::F32)(n, w.data(), a.data());
      const float narrow = avx2_vec_dot(TensorType::F32)(n, w.data(), a.data());
      EXPECT_TRUE(same_bits(wide, narrow)) << "n " << n << ": avx512 " << wide << " avx2 " << narrow;
    }
  }
}

// The four-row kernels: each row the AVX2 four-row kernel's bits (and so, by
// SimdDot.FourRowKernelsEqualTheSingleRowKernelBitForBit, the single-row kernels').
TEST(SimdDotAvx512, FourRowKernelsEqualAvx2BitForBit) {
  if (!have_avx512()) GTEST_SKIP() << "this CPU lacks AVX-512 F/BW/VL/VNNI";
  std::mt19937_64 rng(515);
  for (TensorType type : kAvx512Types) {
    const VecDot4Fn wide = avx512_vec_dot4(type);
    const VecDot4Fn narrow = avx2_vec_dot4(type);
    if (type == TensorType::Q2_K || type == TensorType::Q3_K) {  // single-row kernels only, in both sets
      EXPECT_EQ(wide, nullptr);
      EXPECT_EQ(narrow, nullptr);
      continue;
    }
    ASSERT_NE(wide, nullptr) << type_name(type);
    ASSERT_NE(narrow, nullptr) << type_name(type);
    const TensorType act = type_traits(type).vec_dot_type;
    for (int64_t n : lengths_for(type)) {
      for (bool raw : {false, true}) {
        const RowPair first = raw ? raw_rows(type, n, Scales::Random, -1, -1, rng) : quantized_rows(type, n, rng);
        const size_t stride = *row_bytes(act, n) + 36;
        std::vector<uint8_t> activations(4 * stride);
        for (int k = 0; k < 4; ++k) {
          const RowPair rows = raw ? raw_rows(type, n, Scales::Random, -1, -1, rng) : quantized_rows(type, n, rng);
          std::memcpy(activations.data() + k * stride, rows.activation.data(), rows.activation.size());
        }
        float a[4], b[4];
        wide(n, first.weight(), activations.data(), stride, a);
        narrow(n, first.weight(), activations.data(), stride, b);
        for (int k = 0; k < 4; ++k) {
          EXPECT_TRUE(same_bits(a[k], b[k])) << type_name(type) << " n " << n << " row " << k
                                             << (raw ? " random bytes" : " quantized") << ": avx512 " << a[k]
                                             << " avx2 " << b[k];
        }
      }
    }
  }
}

TEST(SimdDotAvx512, DispatchPrefersAvx512WhereATypeHasAKernel) {
  if (!have_avx512() || best_isa() != Isa::Avx512) GTEST_SKIP() << "this CPU lacks AVX-512 F/BW/VL/VNNI";
  ActiveIsaScope scope;
  set_active_isa(Isa::Avx512);
  for (TensorType type : kAvx512Types) {
    EXPECT_EQ(simd_vec_dot(type), avx512_vec_dot(type)) << type_name(type);
    EXPECT_EQ(simd_vec_dot4(type), avx512_vec_dot4(type)) << type_name(type);
  }
  set_active_isa(Isa::Avx2);
  for (TensorType type : kAvx512Types) EXPECT_EQ(simd_vec_dot(type), avx2_vec_dot(type)) << type_name(type);
}

// Attention's query against sixteen keys stored transposed: each key's lane has the
// bits of its own four-accumulator dot product, for lengths around the 64-value stretch
// (no whole stretch, one, two, with and without a tail) and values of every magnitude.
TEST(SimdDotAvx512, SixteenTransposedRowsEqualTheirOwnDotProducts) {
  if (!have_avx512() || best_isa() != Isa::Avx512) GTEST_SKIP() << "this CPU lacks AVX-512 F/BW/VL/VNNI";
  ActiveIsaScope scope;
  set_active_isa(Isa::Avx512);
  std::mt19937_64 rng(23);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::uniform_int_distribution<int> exponent(-20, 20);
  int checked = 0;
  for (int64_t n : {1, 7, 16, 63, 64, 65, 80, 128, 129, 200, 256}) {
    for (int trial = 0; trial < 4; ++trial) {
      std::vector<float> rows(static_cast<size_t>(16 * n)), transposed(rows.size()), a(static_cast<size_t>(n));
      for (float& v : rows) v = std::ldexp(normal(rng), exponent(rng) / 4);
      for (float& v : a) v = std::ldexp(normal(rng), exponent(rng) / 4);
      for (int64_t k = 0; k < 16; ++k) {
        for (int64_t e = 0; e < n; ++e) transposed[16 * e + k] = rows[k * n + e];
      }
      float out[16];
      ASSERT_TRUE(f32_four_accumulator_dot16_transposed(n, transposed.data(), a.data(), out));
      for (int64_t k = 0; k < 16; ++k) {
        const float alone = f32_four_accumulator_dot(n, rows.data() + k * n, a.data());
        EXPECT_EQ(0, std::memcmp(&alone, &out[k], sizeof(float))) << "n " << n << " row " << k;
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 11 * 4 * 16);
  set_active_isa(Isa::Avx2);
  float out[16];
  EXPECT_FALSE(f32_four_accumulator_dot16_transposed(16, std::vector<float>(256).data(), std::vector<float>(16).data(), out));
}

}  // namespace
}  // namespace pd

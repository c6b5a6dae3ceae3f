#include "tensor/simd_convert.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "core/cpu_features.h"
#include "quant_test_support.h"
#include "tensor/activation_quant.h"
#include "tensor/quant_float.h"
#include "tensor/quant_k.h"
#include "tensor/quant_legacy.h"

namespace pd {
namespace {

using test::Distribution;
using test::kDistributions;
using test::make_data;

constexpr float kInf = std::numeric_limits<float>::infinity();

bool vector_conversions_available() {
  const CpuFeatures& f = cpu_features();
  return f.avx2 && f.fma && f.f16c;
}

// The scalar code the vector code must reproduce (TensorType::Q8_1 stands for the
// weight quantizer quantize_row_q8_0_ref here).
std::vector<uint8_t> scalar_bytes(TensorType type, const std::vector<float>& x) {
  const TypeTraits& traits = type_traits(type == TensorType::Q8_1 ? TensorType::Q8_0 : type);
  const int64_t n = static_cast<int64_t>(x.size());
  std::vector<uint8_t> out(static_cast<size_t>(n / traits.block_size) * traits.block_bytes);
  switch (type) {
    case TensorType::F16: f16_quantize_ref(x.data(), out.data(), n); break;
    case TensorType::Q8_0: quantize_row_q8_0_activation(x.data(), out.data(), n); break;
    case TensorType::Q8_K: quantize_row_q8_k_activation(x.data(), out.data(), n); break;
    case TensorType::Q8_1: quantize_row_q8_0_scalar(x.data(), out.data(), n); break;
    default: ADD_FAILURE() << "no scalar conversion";
  }
  return out;
}

std::vector<uint8_t> vector_bytes(TensorType type, const std::vector<float>& x) {
  const TypeTraits& traits = type_traits(type);
  const int64_t n = static_cast<int64_t>(x.size());
  if (type == TensorType::Q8_1) {
    std::vector<uint8_t> out(static_cast<size_t>(n / 32) * type_traits(TensorType::Q8_0).block_bytes, 0xAB);
    EXPECT_TRUE(simd_quantize_row_q8_0_ref(x.data(), out.data(), n));
    return out;
  }
  std::vector<uint8_t> out(static_cast<size_t>(n / traits.block_size) * traits.block_bytes, 0xAB);
  EXPECT_TRUE(simd_quantize_activation_row(type, x.data(), out.data(), n));
  return out;
}

void expect_same_bytes(TensorType type, const std::vector<float>& x, const std::string& what) {
  const std::vector<uint8_t> expected = scalar_bytes(type, x);
  const std::vector<uint8_t> actual = vector_bytes(type, x);
  ASSERT_EQ(expected.size(), actual.size());
  EXPECT_EQ(0, std::memcmp(expected.data(), actual.data(), expected.size()))
      << type_name(type) << " " << what;
}

const TensorType kTypes[] = {TensorType::F16, TensorType::Q8_0, TensorType::Q8_K, TensorType::Q8_1};

TEST(SimdConvert, RandomRowsGiveTheScalarBytes) {
  if (!vector_conversions_available()) GTEST_SKIP() << "no AVX2/FMA/F16C";
  uint32_t seed = 1;
  for (const TensorType type : kTypes) {
    for (const int64_t n : {256, 512, 1024, 2816, 4096, 11008}) {
      for (const Distribution d : kDistributions) {
        for (const float scale : {1e-6f, 1.0f, 3e4f, 1e30f}) {
          expect_same_bytes(type, make_data(d, n, scale, seed++),
                            test::to_string(d) + " n=" + std::to_string(n) + " scale=" + std::to_string(scale));
        }
      }
    }
  }
}

// NaN, infinities, signed zeros, subnormals, f16 overflow and exact rounding ties, one
// special value per block at every position of its vector, so each lane meets them.
TEST(SimdConvert, SpecialValuesGiveTheScalarBytes) {
  if (!vector_conversions_available()) GTEST_SKIP() << "no AVX2/FMA/F16C";
  const float specials[] = {std::nanf(""), -std::nanf(""), kInf, -kInf, -0.0f, 1e-45f, -1e-40f,
                            65504.0f, 65520.0f, -1e9f, 1.00048828125f /* f16 tie */, 2.5f};
  for (const TensorType type : kTypes) {
    for (const float special : specials) {
      for (int position = 0; position < 16; ++position) {
        std::vector<float> x = make_data(Distribution::Normal, 512, 1.0f, 7);
        for (size_t i = static_cast<size_t>(position); i < x.size(); i += 37) x[i] = special;
        expect_same_bytes(type, x, "special " + std::to_string(special) + " at " + std::to_string(position));
      }
    }
  }
}

// Ties of the quant rounding: values that land exactly on k + 0.5 after scaling.
TEST(SimdConvert, QuantTiesRoundToEvenAsTheScalarCode) {
  if (!vector_conversions_available()) GTEST_SKIP() << "no AVX2/FMA/F16C";
  std::vector<float> x(512);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(static_cast<int>(i % 254) - 127) * 0.5f;
  for (size_t b = 0; b < x.size(); b += 32) x[b] = 127.0f;  // inverse scale 1 in every Q8_0 block
  x[0] = -127.0f;                                           // and -1 for the Q8_K block
  for (const TensorType type : kTypes) expect_same_bytes(type, x, "ties");
}

// Blocks of subnormal values only: the inverse scale overflows, where the vector code
// hands over to the scalar code's own conversion rules.
TEST(SimdConvert, SubnormalBlocksGiveTheScalarBytes) {
  if (!vector_conversions_available()) GTEST_SKIP() << "no AVX2/FMA/F16C";
  for (const float tiny : {1e-45f, 3e-42f, -2e-39f, 1.1e-38f}) {
    std::vector<float> x(512, 0.0f);
    for (size_t i = 0; i < x.size(); i += 3) x[i] = tiny * static_cast<float>(1 + i % 5);
    for (const TensorType type : kTypes) expect_same_bytes(type, x, "subnormal " + std::to_string(tiny));
  }
}

TEST(SimdConvert, F16WideningIsExact) {
  if (!vector_conversions_available()) GTEST_SKIP() << "no AVX2/FMA/F16C";
  std::vector<uint16_t> halves(65536 + 5);
  for (size_t i = 0; i < halves.size(); ++i) halves[i] = static_cast<uint16_t>(i * 40503u);
  std::vector<float> expected(halves.size()), actual(halves.size());
  f16_to_float_scalar(halves.data(), expected.data(), static_cast<int64_t>(halves.size()));
  ASSERT_TRUE(simd_f16_to_float(halves.data(), actual.data(), static_cast<int64_t>(halves.size())));
  EXPECT_EQ(0, std::memcmp(expected.data(), actual.data(), expected.size() * sizeof(float)));
}

TEST(SimdConvert, AllZeroBlocks) {
  if (!vector_conversions_available()) GTEST_SKIP() << "no AVX2/FMA/F16C";
  std::vector<float> x(512, 0.0f);
  x[300] = -0.0f;
  for (const TensorType type : kTypes) expect_same_bytes(type, x, "zeros");
}

TEST(SimdConvert, DeclinesOtherTypes) {
  std::vector<float> x(256, 1.0f);
  std::vector<uint8_t> out(2048);
  EXPECT_FALSE(simd_quantize_activation_row(TensorType::Q8_1, x.data(), out.data(), 256));
  EXPECT_FALSE(simd_quantize_activation_row(TensorType::BF16, x.data(), out.data(), 256));
}

}  // namespace
}  // namespace pd

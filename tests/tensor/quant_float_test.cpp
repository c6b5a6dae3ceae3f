#include "tensor/quant_float.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "core/fp16.h"
#include "quant_test_support.h"
#include "tensor/tensor_type.h"

namespace pd {
namespace {

std::vector<uint16_t> to_halves(void (*quantize)(const float*, void*, int64_t),
                                const std::vector<float>& x) {
  std::vector<uint16_t> h(x.size());
  quantize(x.data(), h.data(), static_cast<int64_t>(x.size()));
  return h;
}

TEST(QuantFloat, F16RoundsToNearestEvenAndCanonicalizesNan) {
  const float nan_with_payload = bits_float(0x7fa00001u);  // quiet bit clear, payload set
  const std::vector<float> x = {1.0f,
                                -2.5f,
                                65504.0f,
                                65520.0f,  // halfway to infinity: rounds up
                                1.0f + std::ldexp(1.0f, -11),
                                std::ldexp(1.0f, -24),
                                std::ldexp(1.0f, -26),
                                nan_with_payload,
                                -std::numeric_limits<float>::quiet_NaN(),
                                -std::numeric_limits<float>::infinity()};
  const std::vector<uint16_t> expected = {0x3c00, 0xc100, 0x7bff, 0x7c00, 0x3c00,
                                          0x0001, 0x0000, 0x7e00, 0xfe00, 0xfc00};
  EXPECT_EQ(to_halves(f16_quantize_ref, x), expected);
}

TEST(QuantFloat, Bf16RoundsToNearestEvenAndKeepsSubnormals) {
  const std::vector<float> x = {1.0f,
                                bits_float(0x3f808000u),  // tie, even: down
                                bits_float(0x3f818000u),  // tie, odd: up
                                bits_float(0x00012345u),  // f32 subnormal: kept, rounded
                                bits_float(0x80008000u),  // -subnormal tie, even: to -0
                                bits_float(0x7f7fffffu),  // FLT_MAX rounds to infinity
                                bits_float(0x7f800001u)};  // signalling NaN: made quiet
  const std::vector<uint16_t> expected = {0x3f80, 0x3f80, 0x3f82, 0x0001, 0x8000, 0x7f80, 0x7fc0};
  EXPECT_EQ(to_halves(bf16_quantize_ref, x), expected);
}

TEST(QuantFloat, ToFloatIsExactAndInvertsQuantize) {
  std::vector<uint16_t> every(65536);
  for (uint32_t h = 0; h < 65536; ++h) every[h] = static_cast<uint16_t>(h);
  std::vector<float> f16(65536), bf16(65536);
  f16_to_float(every.data(), f16.data(), 65536);
  bf16_to_float(every.data(), bf16.data(), 65536);
  for (uint32_t h = 0; h < 65536; ++h) {
    ASSERT_EQ(float_bits(f16[h]), float_bits(f16_to_f32(static_cast<uint16_t>(h))));
    ASSERT_EQ(float_bits(bf16[h]), h << 16);
  }
  // Every non-NaN half value survives float and back.
  std::vector<uint16_t> back_f16(65536), back_bf16(65536);
  f16_quantize_ref(f16.data(), back_f16.data(), 65536);
  bf16_quantize_ref(bf16.data(), back_bf16.data(), 65536);
  for (uint32_t h = 0; h < 65536; ++h) {
    if (!std::isnan(f16[h])) {
      EXPECT_EQ(back_f16[h], h);
    }
    if (!std::isnan(bf16[h])) {
      EXPECT_EQ(back_bf16[h], h);
    }
  }
  const std::vector<float> x = {1.5f, -0.0f, 3.0e38f, std::ldexp(1.0f, -140)};
  std::vector<float> copy(x.size()), back(x.size());
  f32_quantize_ref(x.data(), copy.data(), 4);
  f32_to_float(copy.data(), back.data(), 4);
  EXPECT_EQ(std::memcmp(back.data(), x.data(), sizeof(float) * 4), 0);
}

// ggml sums the products in double: a float sum would lose the 1 entirely.
// F32 keeps llama.cpp's float order (quant_float.h); each case below loses a 1 to a
// 1e8 in a way only that order does (the exact sums are 1.5, 1 and 3).
TEST(QuantFloat, F32DotProductsFollowLlamaCppsOrder) {
  // Fewer than 64 values: fused into the float sum one at a time.
  const std::vector<float> w = {1.0e8f, 1.0f, -1.0e8f, 1.0f};
  const std::vector<float> a = {1.0f, 1.0f, 1.0f, 0.5f};
  EXPECT_EQ(f32_vec_dot_ref(4, w.data(), a.data()), 0.5f);
  // Sixteen lanes: lane 0 + lane 8 first (the 1 is lost), then + lane 4.
  std::vector<float> lanes(16, 0.0f), ones(68, 1.0f);
  lanes[0] = 1.0e8f;
  lanes[8] = 1.0f;
  lanes[4] = -1.0e8f;
  EXPECT_EQ(f32_vec_dot_ref(16, lanes.data(), ones.data()), 0.0f);
  // Four accumulators: accumulator 1 meets accumulator 3 (-1e8) before accumulator 0.
  std::vector<float> steps(68, 0.0f);
  steps[0] = 1.0e8f;
  steps[16] = 1.0f;
  steps[48] = -1.0e8f;
  for (int i = 64; i < 68; ++i) steps[i] = 0.5f;
  EXPECT_EQ(f32_vec_dot_ref(68, steps.data(), ones.data()), 2.0f);
}

// F16's tail (after the last whole step of 64) and BF16's sums stay in double.
TEST(QuantFloat, DotProductsOfSixteenBitTypesAccumulateInDouble) {
  const std::vector<uint16_t> hw = to_halves(f16_quantize_ref, {2048.0f, 1.0f, -2048.0f, 0.25f});
  const std::vector<uint16_t> ha = to_halves(f16_quantize_ref, {2048.0f, 0.5f, 2048.0f, 1.0f});
  // 2048^2 + 0.5 - 2048^2 + 0.25: each product is exact in float; the sum needs double.
  EXPECT_EQ(f16_vec_dot_ref(4, hw.data(), ha.data()), 0.75f);
  const std::vector<uint16_t> bw = to_halves(bf16_quantize_ref, {65536.0f, 1.0f, -65536.0f});
  const std::vector<uint16_t> ba = to_halves(bf16_quantize_ref, {65536.0f, 0.125f, 65536.0f});
  EXPECT_EQ(bf16_vec_dot_ref(3, bw.data(), ba.data()), 0.125f);
}

// The dot product of quantized rows equals the exact dot product of their values up to
// the double accumulation and the final rounding to float (BF16); F32 and F16 sum in
// float (at most n roundings of the running sums), and F32 products also round.
TEST(QuantFloat, DotProductsMatchDequantizedDotOnRandomData) {
  for (TensorType type : {TensorType::F32, TensorType::F16, TensorType::BF16}) {
    const TypeTraits& t = type_traits(type);
    for (int64_t n : test::kRowLengths) {
      const auto w = test::make_data(test::Distribution::Normal, n, 3.0f, 11);
      const auto a = test::make_data(test::Distribution::Outliers, n, 0.5f, 12);
      const auto wq = test::quantize(type, w);
      const auto aq = test::quantize(type, a);
      const auto wd = test::dequantize(type, wq, n);
      const auto ad = test::dequantize(type, aq, n);
      const double exact = test::exact_dot(wd, ad);
      const double magnitude = test::abs_dot(wd, ad);
      const double product_rounding =
          type == TensorType::BF16 ? 0.0 : static_cast<double>(n + 1) * magnitude * 0x1p-24;
      const double tolerance = std::fabs(exact) * 0x1p-24 +
                               static_cast<double>(n) * magnitude * 0x1p-52 + product_rounding;
      EXPECT_NEAR(t.vec_dot_ref(n, wq.data(), aq.data()), exact, tolerance)
          << t.name << " n=" << n;
    }
  }
}

// test-quantize-fns' limits: total error 0.002, dot product error 0.02.
TEST(QuantFloat, LlamaCppQuantizeFnsThresholds) {
  const auto x = test::llama_test_data(0.0f);
  const auto y = test::llama_test_data(1.0f);
  const double dot = test::exact_dot(x, y);
  for (TensorType type : {TensorType::F32, TensorType::F16, TensorType::BF16}) {
    EXPECT_LT(test::llama_array_rmse(x, test::round_trip(type, x)), 0.002f) << type_name(type);
    const auto xq = test::quantize(type, x);
    const auto yq = test::quantize(type, y);
    const float result = type_traits(type).vec_dot_ref(test::kLlamaTestSize, xq.data(), yq.data());
    EXPECT_LT(std::fabs(result - dot) / test::kLlamaTestSize, 0.02) << type_name(type);
  }
}

}  // namespace
}  // namespace pd

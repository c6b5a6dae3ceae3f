#include "tensor/simd_dot.h"

#include "core/cpu_features.h"
#include "tensor/quant_float.h"
#include "tensor/simd_avx2.h"
#include "tensor/simd_avx512.h"

namespace pd {

namespace {

bool cpu_has_avx2() {
  const CpuFeatures& f = cpu_features();
  return f.avx2 && f.fma && f.f16c;
}

VecDotFn avx2_kernel(TensorType type) {
  switch (type) {
    case TensorType::F32: return avx2::dot_f32;
    case TensorType::F16: return avx2::dot_f16;
    case TensorType::BF16: return avx2::dot_bf16;
    case TensorType::Q8_0: return avx2::dot_q8_0;
    case TensorType::Q4_0: return avx2::dot_q4_0;
    case TensorType::Q4_1: return avx2::dot_q4_1;
    case TensorType::Q5_0: return avx2::dot_q5_0;
    case TensorType::Q5_1: return avx2::dot_q5_1;
    case TensorType::IQ4_NL: return avx2::dot_iq4_nl;
    case TensorType::Q2_K: return avx2::dot_q2_k;
    case TensorType::Q3_K: return avx2::dot_q3_k;
    case TensorType::Q4_K: return avx2::dot_q4_k;
    case TensorType::Q5_K: return avx2::dot_q5_k;
    case TensorType::Q6_K: return avx2::dot_q6_k;
    default: return nullptr;
  }
}

VecDot4Fn avx2_kernel4(TensorType type) {
  switch (type) {
    case TensorType::F32: return avx2::dot4_f32;
    case TensorType::F16: return avx2::dot4_f16;
    case TensorType::BF16: return avx2::dot4_bf16;
    case TensorType::Q8_0: return avx2::dot4_q8_0;
    case TensorType::Q4_0: return avx2::dot4_q4_0;
    case TensorType::Q4_1: return avx2::dot4_q4_1;
    case TensorType::Q5_0: return avx2::dot4_q5_0;
    case TensorType::Q5_1: return avx2::dot4_q5_1;
    case TensorType::IQ4_NL: return avx2::dot4_iq4_nl;
    case TensorType::Q4_K: return avx2::dot4_q4_k;
    case TensorType::Q5_K: return avx2::dot4_q5_k;
    case TensorType::Q6_K: return avx2::dot4_q6_k;
    default: return nullptr;
  }
}

bool cpu_has_avx512() {
  const CpuFeatures& f = cpu_features();
  return cpu_has_avx2() && f.avx512f && f.avx512bw && f.avx512vl && f.avx512vnni;
}

VecDotFn avx512_kernel(TensorType type) {
  switch (type) {
    case TensorType::F32: return avx512::dot_f32;
    case TensorType::F16: return avx512::dot_f16;
    case TensorType::BF16: return avx512::dot_bf16;
    case TensorType::Q8_0: return avx512::dot_q8_0;
    case TensorType::Q4_0: return avx2::dot_q4_0;  // the reference's bits (simd_dot_q4_0.cpp)
    case TensorType::Q4_1: return avx512::dot_q4_1;
    case TensorType::Q5_0: return avx512::dot_q5_0;
    case TensorType::Q5_1: return avx512::dot_q5_1;
    case TensorType::IQ4_NL: return avx512::dot_iq4_nl;
    case TensorType::Q2_K: return avx512::dot_q2_k;
    case TensorType::Q3_K: return avx512::dot_q3_k;
    case TensorType::Q4_K: return avx512::dot_q4_k;
    case TensorType::Q5_K: return avx512::dot_q5_k;
    case TensorType::Q6_K: return avx512::dot_q6_k;
    default: return nullptr;
  }
}

VecDot4Fn avx512_kernel4(TensorType type) {
  switch (type) {
    case TensorType::F32: return avx512::dot4_f32;
    case TensorType::F16: return avx512::dot4_f16;
    case TensorType::BF16: return avx512::dot4_bf16;
    case TensorType::Q8_0: return avx512::dot4_q8_0;
    case TensorType::Q4_0: return avx2::dot4_q4_0;
    case TensorType::Q4_1: return avx512::dot4_q4_1;
    case TensorType::Q5_0: return avx512::dot4_q5_0;
    case TensorType::Q5_1: return avx512::dot4_q5_1;
    case TensorType::IQ4_NL: return avx512::dot4_iq4_nl;
    case TensorType::Q4_K: return avx512::dot4_q4_k;
    case TensorType::Q5_K: return avx512::dot4_q5_k;
    case TensorType::Q6_K: return avx512::dot4_q6_k;
    default: return nullptr;
  }
}

bool avx512_available() {
  static const bool available = cpu_has_avx512();
  return available;
}

bool avx512_active() { return active_isa() == Isa::Avx512; }

bool avx2_available() {
  static const bool available = cpu_has_avx2();
  return available;
}

bool avx2_active() { return static_cast<int>(active_isa()) >= static_cast<int>(Isa::Avx2); }

}  // namespace

VecDotFn avx2_vec_dot(TensorType type) { return avx2_available() ? avx2_kernel(type) : nullptr; }

VecDotFn avx512_vec_dot(TensorType type) { return avx512_available() ? avx512_kernel(type) : nullptr; }

// The AVX-512 kernels return the AVX2 kernels' bits, so preferring them changes speed only.
VecDotFn simd_vec_dot(TensorType type) {
  if (avx512_active()) {
    if (const VecDotFn kernel = avx512_vec_dot(type)) return kernel;
  }
  return avx2_active() ? avx2_vec_dot(type) : nullptr;
}

VecDot4Fn avx2_vec_dot4(TensorType type) { return avx2_available() ? avx2_kernel4(type) : nullptr; }

VecDot4Fn avx512_vec_dot4(TensorType type) { return avx512_available() ? avx512_kernel4(type) : nullptr; }

VecDot4Fn simd_vec_dot4(TensorType type) {
  if (avx512_active()) {
    if (const VecDot4Fn kernel = avx512_vec_dot4(type)) return kernel;
  }
  return avx2_active() ? avx2_vec_dot4(type) : nullptr;
}

bool has_f32_four_accumulator_dot16_transposed() { return avx512_active() && avx512_available(); }

bool f32_four_accumulator_dot16_transposed(int64_t n, const float* w_t, const float* a, float* out) {
  if (!has_f32_four_accumulator_dot16_transposed()) return false;
  avx512::dot16_f32_four_accumulators_transposed(n, w_t, a, out);
  return true;
}

float f32_four_accumulator_dot(int64_t n, const float* w, const float* a) {
  if (active_isa() != Isa::Scalar) return avx2::dot_f32_four_accumulators(n, w, a);
  return f32_dot_four_accumulators(n, w, a);
}

}  // namespace pd

#pragma once
// NumericsConfig: every arithmetic choice of the forward pass that is not a weight type.
//
// The defaults follow llama.cpp's CPU backend as closely as scalar code can (the `fast`
// kernel path, f32 activations) except for the KV cache, which llama.cpp stores in f16
// and we keep in f32 so that a baseline is not rounded. They are fully deterministic:
// the same inputs give the same bits for any thread count and any batch size. The other settings are
// the precision axes a PrecisionPlan varies (activation precision, KV cache type, kernel
// path) and the harmless perturbations the noise floor is measured with (accumulation
// order, token-by-token prefill).

#include <optional>
#include <string>
#include <string_view>

#include "tensor/tensor_type.h"

namespace pd {

// How a matrix product with a stored weight is computed.
enum class KernelPath {
  // llama.cpp's CPU backend: the activations entering the product are converted to the
  // weight type's vec_dot_type (F16 weights: f16; Q4_0/Q5_0/Q8_0/IQ4_NL: Q8_0 blocks;
  // Q4_1/Q5_1: Q8_1; K-quants: Q8_K) and the type's own dot product is used (f32 in
  // llama.cpp's summation order). The rest of the layer follows it too: its vector
  // exponential in softmax and SiLU (tensor/vector_exp.h), its lanes in attention over
  // f32 and f16 caches.
  Fast,
  // Weights dequantized to f32, activations kept f32, f32 accumulation; softmax and
  // SiLU with the C library's expf.
  Reference,
};

// Precision of the tensors passed between operations.
enum class ActivationPrecision {
  F32,
  // Every tensor handed from one operation to the next (embeddings, residual stream,
  // norm outputs, Q/K/V, attention scores and probabilities, attention output, FFN
  // activations, logits) is rounded to nearest-even bf16 resp. f16. Reductions inside an
  // operation stay f32 (or f64 where llama.cpp uses f64).
  BF16,
  F16,
  // The input of every linear layer (Q/K/V/output projections, FFN, output head) is
  // quantized per token row with the symmetric scale max|x| / 32767 resp. / 127,
  // round-half-to-even. With integer weight views (I16/I8 rows with per-row scales)
  // the product is an exact integer sum (int64 resp. int32) rescaled once; with any
  // other weight the integer values times the scale enter the ordinary kernel.
  // Attention products and all other tensors stay f32.
  Int16,
  Int8,
};

// Order in which a dot product's partial sums are added. Only `Forward` is llama.cpp's;
// `Reversed` (blocks of the row summed last to first) is a deliberate, harmless
// perturbation used to measure the noise floor.
enum class AccumulationOrder { Forward, Reversed };

struct NumericsConfig {
  KernelPath kernel = KernelPath::Fast;
  ActivationPrecision activations = ActivationPrecision::F32;
  // Storage type of the KV cache: F32, F16, BF16, Q8_0 or Q4_0 (the quantized types
  // need a head dimension that is a multiple of 32).
  TensorType kv_cache = TensorType::F32;
  AccumulationOrder order = AccumulationOrder::Forward;
  // Forced matrix-vector path: a prompt is evaluated one token at a time. With the
  // current kernels every output element is computed by the same code whatever the
  // batch, so this gives bit-identical results (a test holds it to that); it stays a
  // perturbation axis for batched kernels that order sums differently.
  bool token_by_token_prefill = false;

  // Canonical text form, e.g. "kernel=fast act=f32 kv=f32 order=forward prefill=batch".
  std::string to_string() const;
  bool operator==(const NumericsConfig&) const = default;
};

// Throws BadInput when a KV cache type is not one of the supported ones.
void validate_kv_cache_type(TensorType type, std::string_view where);

const char* kernel_path_name(KernelPath path);
const char* activation_precision_name(ActivationPrecision precision);
const char* accumulation_order_name(AccumulationOrder order);

// Parse the names above (lower case: "fast", "reference", "f32", "bf16", "f16",
// "int16", "int8", "forward", "reversed"); nullopt when unknown.
std::optional<KernelPath> parse_kernel_path(std::string_view name);
std::optional<ActivationPrecision> parse_activation_precision(std::string_view name);
std::optional<AccumulationOrder> parse_accumulation_order(std::string_view name);

// A config from the names command lines use (kv: "f32", "f16", "bf16", "q8_0", "q4_0");
// throws BadInput naming the flag whose value is unknown.
NumericsConfig parse_numerics(std::string_view kernel, std::string_view activations,
                              std::string_view kv_cache, std::string_view order);

}  // namespace pd

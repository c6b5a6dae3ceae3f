#pragma once
// `forge random`: a llama-, qwen2- or qwen3-shaped model of any size whose weights look like a
// trained model's to the numerics (not to a reader): scaled normal matrices with a few
// heavy-tailed entries, norm weights near 1, and a few outlier channels that are large
// in the embeddings and amplified by the norms, as the "massive activations" of real
// LLMs are. The tokenizer is copied from a vocabulary GGUF, so the model tokenizes real
// text. Everything is a deterministic function of the spec (seed included): the same
// spec gives the same file bytes for any thread count.
//
// Used for speed and memory benchmarks at realistic sizes and for K-quant tests (row
// lengths that are multiples of 256); tensors are generated while the file is written,
// so a billion-parameter model needs memory for one tensor at a time.

#include <cstdint>
#include <string>
#include <vector>

#include "tensor/tensor_type.h"

namespace pd::forge {

struct RandomModelSpec {
  std::string arch = "llama";  // "llama" (RoPE on adjacent pairs), "qwen2" (QKV biases) or "qwen3" (Q/K RMS norm)
  int64_t dim = 256;
  int64_t layers = 2;
  int64_t heads = 4;
  int64_t kv_heads = 4;
  int64_t ffn = 768;
  TensorType type = TensorType::F32;  // every matrix; norms and biases stay F32
  std::string vocab_from;             // a GGUF file holding a tokenizer
  uint64_t seed = 1;
  int64_t context = 2048;
  double rope_base = 0;               // 0: the architecture's usual (10000 / 1000000)
  double rms_eps = 1e-5;
  int outlier_channels = 4;           // 0 disables them
  bool tied_output = false;           // no output.weight: the head reuses token_embd
  int threads = 0;                    // 0: all cores (the result does not depend on it)
};

struct RandomModelSummary {
  int64_t vocab_size = 0;
  int64_t parameters = 0;
  uint64_t tensor_bytes = 0;
  std::vector<int64_t> outliers;  // the outlier channels chosen by the seed
};

// Throws BadInput naming the offending option when the shape is impossible (heads not
// dividing the width, rows that do not fill the type's blocks, ...).
void validate_random_model_spec(const RandomModelSpec& spec);

// Writes the model to `path` (atomically).
RandomModelSummary write_random_model(const RandomModelSpec& spec, const std::string& path);

// The general.file_type llama.cpp expects for a file whose matrices are all `type`.
int llama_file_type_for(TensorType type);

}  // namespace pd::forge

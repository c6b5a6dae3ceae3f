#pragma once
// A loaded model: its config, its special tokens and views of all its weights.
//
// A Model is immutable after construction and can be shared by any number of
// sessions (each session owns its KV cache). Every tensor the architecture needs is
// looked up and its shape checked once, here; a missing tensor, a wrong shape or a
// type precisiondiff cannot compute is BadInput naming the source and the tensor.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/model_config.h"
#include "model/weight_source.h"

namespace pd {

class GgufFile;

struct LayerWeights {
  std::vector<float> attn_norm;       // [n_embd]
  TensorView wq, wk, wv, wo;          // rows: n_embd_q, n_embd_k, n_embd_v, n_embd
  std::vector<float> bq, bk, bv;      // qwen2 only, else empty
  std::vector<float> q_norm, k_norm;  // qwen3 only: [head_dim]
  std::vector<float> ffn_norm;        // [n_embd]
  TensorView ffn_gate, ffn_up;        // rows: n_ff
  TensorView ffn_down;                // rows: n_embd
};

struct ModelWeights {
  TensorView token_embd;              // [n_embd, n_vocab]
  std::vector<float> output_norm;     // [n_embd]
  TensorView output;                  // [n_embd, n_vocab]; token_embd when tied
  bool tied_output = false;
  std::vector<float> rope_freq_factors;  // [n_rot/2] or empty (llama3 scaling)
  std::vector<LayerWeights> layers;
};

class Model {
 public:
  // Opens a GGUF file (read into huge pages, GgufFile) and binds its tensors.
  static std::shared_ptr<const Model> load(const std::string& path);
  // From an already open file (shared: the views point into its bytes).
  static std::shared_ptr<const Model> from_gguf(std::shared_ptr<const GgufFile> file);
  // From any source with a config given explicitly (synthetic models, plan variants).
  static std::shared_ptr<const Model> from_source(ModelConfig config, SpecialTokens special,
                                                  std::shared_ptr<const WeightSource> source);

  const ModelConfig& config() const { return config_; }
  const SpecialTokens& special_tokens() const { return special_; }
  const ModelWeights& weights() const { return weights_; }
  const WeightSource& source() const { return *source_; }
  // The GGUF file the model came from, or null for other sources.
  const GgufFile* gguf() const { return gguf_.get(); }

  // Bytes of weights one decode step reads (every matrix and vector except the
  // embedding table, of which one row is read): the basis of bandwidth estimates.
  uint64_t weight_bytes() const;

 private:
  Model() = default;
  void bind();

  ModelConfig config_;
  SpecialTokens special_;
  ModelWeights weights_;
  std::shared_ptr<const WeightSource> source_;
  std::shared_ptr<const GgufFile> gguf_;
};

}  // namespace pd

#pragma once
// A Session runs one model under one NumericsConfig: it owns the KV cache and evaluates
// tokens, batched or one at a time, returning logits.
//
//   auto model = Model::load("model.gguf");
//   Session session(model);
//   Logits all = session.eval(prompt_tokens);                 // one row per token
//   Logits next = session.eval({token}, LogitsWanted::Last);  // continues after them
//
// Evaluating tokens one at a time gives exactly the logits of one batched evaluation
// (same kernels, same order), and any thread count gives the same bits.

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "model/kv_cache.h"
#include "model/model.h"
#include "model/numerics.h"
#include "model/rope.h"

namespace pd {

class ThreadPool;

struct SessionOptions {
  // Positions the KV cache can hold; 0 means the model's training context.
  int64_t n_ctx = 0;
  // Worker threads when no pool is given; 0 means one per core.
  int threads = 0;
  // A pool to share between sessions (evaluations of sessions sharing a pool must not
  // overlap in time).
  std::shared_ptr<ThreadPool> pool;
};

enum class LogitsWanted { All, Last };

// Row-major logits: rows() rows of vocab() floats.
struct Logits {
  int64_t n_rows = 0;
  int64_t n_vocab = 0;
  std::vector<float> values;
  const float* row(int64_t i) const { return values.data() + i * n_vocab; }
  float* row(int64_t i) { return values.data() + i * n_vocab; }
};

// Called with intermediate tensors during eval ("embeddings", "attn_norm", "q", "k",
// "v", "attn_out", "residual_attn", "ffn_norm", "ffn_gate", "ffn_up", "ffn_act",
// "ffn_out", "residual_ffn" per layer; "output_norm", "logits" with layer -1). Data is
// [rows][cols], valid during the call only.
using ActivationObserver = std::function<void(std::string_view name, int64_t layer,
                                              const float* data, int64_t rows, int64_t cols)>;

class Session {
 public:
  explicit Session(std::shared_ptr<const Model> model, NumericsConfig numerics = {},
                   SessionOptions options = {});
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Evaluates `tokens` at positions position() .. position() + size - 1 and appends
  // them to the cache. Token ids must be in [0, vocab); the context must not overflow
  // (both BadInput).
  Logits eval(std::span<const int32_t> tokens, LogitsWanted wanted = LogitsWanted::All);

  int64_t position() const { return position_; }
  int64_t context_size() const { return cache_.capacity(); }
  // Forgets positions >= `position` (0 clears the session).
  void rewind(int64_t position);

  const Model& model() const { return *model_; }
  const NumericsConfig& numerics() const { return numerics_; }
  ThreadPool& pool() { return *pool_; }
  void set_observer(ActivationObserver observer) { observer_ = std::move(observer); }

 private:
  Logits eval_batch(std::span<const int32_t> tokens, LogitsWanted wanted);
  void layer_forward(int64_t layer, std::vector<float>& x, int64_t n_tokens);
  void observe(std::string_view name, int64_t layer, const float* data, int64_t rows,
               int64_t cols) const;

  std::shared_ptr<const Model> model_;
  NumericsConfig numerics_;
  std::shared_ptr<ThreadPool> pool_;
  KvCache cache_;
  RopeParams rope_;
  int64_t position_ = 0;
  ActivationObserver observer_;
  // A layer's intermediate rows, kept between layers and calls: allocated and zeroed
  // afresh for each of a prefill's layers they came back from the system as new pages
  // every time (several percent of an F16 prefill in page faults and memset).
  struct LayerBuffers {
    std::vector<float> h, q, k, v, attn, o, gate, up;
    std::vector<float> rope_angles;  // n_rot cosines and sines per token of the eval, for every layer
  };
  LayerBuffers buffers_;
};

}  // namespace pd

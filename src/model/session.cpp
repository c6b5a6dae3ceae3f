#include "model/session.h"

#include <algorithm>
#include <string>

#include "core/error.h"
#include "core/thread_pool.h"
#include "model/attention.h"
#include "model/matmul.h"
#include "model/ops.h"
#include "tensor/vector_exp.h"

namespace pd {

namespace {

std::shared_ptr<ThreadPool> make_pool(const SessionOptions& options) {
  if (options.pool) return options.pool;
  const int threads = options.threads > 0 ? options.threads : ThreadPool::default_threads();
  return std::make_shared<ThreadPool>(threads);
}

int64_t context_of(const Model& model, const SessionOptions& options) {
  if (options.n_ctx < 0) fail_input("session", "context size must not be negative");
  return options.n_ctx > 0 ? options.n_ctx : model.config().n_ctx_train;
}

// `buffer` resized to `count` values (its storage kept from earlier, larger uses); every
// value is overwritten before it is read.
std::vector<float>& sized(std::vector<float>& buffer, int64_t count) {
  buffer.resize(static_cast<size_t>(count));
  return buffer;
}

void add_bias(std::vector<float>& y, const std::vector<float>& bias, int64_t n_tokens) {
  if (bias.empty()) return;
  const int64_t n = static_cast<int64_t>(bias.size());
  for (int64_t t = 0; t < n_tokens; ++t) {
    for (int64_t i = 0; i < n; ++i) y[t * n + i] += bias[i];
  }
}

// Runs body(begin, end) over [0, n) tokens: on the pool, one contiguous range per
// thread, for a batch; inline for one token (decode, where waking the pool for a
// row-sized loop costs more than it saves). Each token's work is independent of the
// others', so which thread runs it never changes a bit.
template <typename Body>
void for_token_ranges(ThreadPool& pool, int64_t n, Body&& body) {
  if (n == 1) {
    body(0, 1);
    return;
  }
  pool.parallel_for(n, [&](int64_t begin, int64_t end) { body(begin, end); }, 1, 1);
}

// op(i) for every value i of n tokens' rows of `width` values, by token ranges.
template <typename Op>
void for_each_value(ThreadPool& pool, int64_t n, int64_t width, Op&& op) {
  for_token_ranges(pool, n, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin * width; i < end * width; ++i) op(static_cast<size_t>(i));
  });
}

// RMS-normalizes each `width`-wide row (a token, or one head of a token).
void norm_rows(const float* x, const float* weight, int64_t rows, int64_t width, float eps,
               float* y) {
  for (int64_t r = 0; r < rows; ++r) rms_norm(x + r * width, weight, width, eps, y + r * width);
}

// norm_rows over n tokens' rows, by token ranges.
void norm_token_rows(ThreadPool& pool, const float* x, const float* weight, int64_t n, int64_t width, float eps,
                     float* y) {
  for_token_ranges(pool, n, [&](int64_t begin, int64_t end) {
    norm_rows(x + begin * width, weight, end - begin, width, eps, y + begin * width);
  });
}

// At most this much of a layer's cache is prefetched before its attention: all of it
// for a short context (a few hundred positions of a small model), a head start for a
// longer one, whose longer runs the processor's prefetchers follow.
constexpr size_t kKvPrefetchBytes = 256 << 10;

}  // namespace

Session::Session(std::shared_ptr<const Model> model, NumericsConfig numerics,
                 SessionOptions options)
    : model_(std::move(model)),
      numerics_(numerics),
      pool_(make_pool(options)),
      cache_(model_->config().n_layer, model_->config().n_head_kv, model_->config().head_dim,
             model_->config().head_dim_v, numerics.kv_cache, context_of(*model_, options),
             attention_reads_key_blocks(numerics.kernel, numerics.kv_cache)) {
  const ModelConfig& c = model_->config();
  rope_.layout = c.rope_layout;
  rope_.n_rot = c.n_rot;
  rope_.freq_base = c.rope_freq_base;
  rope_.freq_scale = c.rope_freq_scale;
  const std::vector<float>& factors = model_->weights().rope_freq_factors;
  rope_.freq_factors = factors.empty() ? nullptr : factors.data();
}

Session::~Session() = default;

void Session::rewind(int64_t position) {
  if (position < 0 || position > position_) {
    fail_input("session", "cannot rewind to position " + std::to_string(position) +
                              " (at " + std::to_string(position_) + ")");
  }
  position_ = position;
}

void Session::observe(std::string_view name, int64_t layer, const float* data, int64_t rows,
                      int64_t cols) const {
  if (observer_) observer_(name, layer, data, rows, cols);
}

Logits Session::eval(std::span<const int32_t> tokens, LogitsWanted wanted) {
  const int64_t n_vocab = model_->config().n_vocab;
  for (int32_t token : tokens) {
    if (token < 0 || token >= n_vocab) {
      fail_input("tokens", "token id " + std::to_string(token) + " is outside the vocabulary of " +
                               std::to_string(n_vocab));
    }
  }
  const int64_t n = static_cast<int64_t>(tokens.size());
  if (n == 0) return Logits{0, n_vocab, {}};
  cache_.reserve(position_ + n);
  if (!numerics_.token_by_token_prefill || n == 1) return eval_batch(tokens, wanted);

  Logits result{wanted == LogitsWanted::All ? n : 1, n_vocab, {}};
  result.values.resize(static_cast<size_t>(result.n_rows * n_vocab));
  for (int64_t t = 0; t < n; ++t) {
    const Logits one = eval_batch(tokens.subspan(static_cast<size_t>(t), 1), LogitsWanted::Last);
    if (wanted == LogitsWanted::All || t == n - 1) {
      std::copy(one.values.begin(), one.values.end(), result.row(wanted == LogitsWanted::All ? t : 0));
    }
  }
  return result;
}

Logits Session::eval_batch(std::span<const int32_t> tokens, LogitsWanted wanted) {
  const ModelConfig& c = model_->config();
  const ModelWeights& w = model_->weights();
  const int64_t n = static_cast<int64_t>(tokens.size());
  const int64_t e = c.n_embd;

  std::vector<float> x(static_cast<size_t>(n * e));
  for (int64_t t = 0; t < n; ++t) dequantize_row(w.token_embd, tokens[t], x.data() + t * e);
  round_activations(x.data(), n * e, numerics_.activations);
  observe("embeddings", -1, x.data(), n, e);

  // Every layer rotates by the same angles: computed once per token, not once per layer.
  std::vector<float>& angles = sized(buffers_.rope_angles, n * c.n_rot);
  for_token_ranges(*pool_, n, [&](int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; ++t) rope_angles(rope_, position_ + t, angles.data() + t * c.n_rot);
  });
  for (int64_t layer = 0; layer < c.n_layer; ++layer) layer_forward(layer, x, n);
  position_ += n;

  const int64_t first = wanted == LogitsWanted::All ? 0 : n - 1;
  const int64_t rows = n - first;
  std::vector<float> h(static_cast<size_t>(rows * e));
  norm_rows(x.data() + first * e, w.output_norm.data(), rows, e, c.rms_eps, h.data());
  round_activations(h.data(), rows * e, numerics_.activations);
  observe("output_norm", -1, h.data(), rows, e);

  Logits logits{rows, c.n_vocab, {}};
  logits.values.resize(static_cast<size_t>(rows * c.n_vocab));
  const MatmulOptions mm{numerics_.kernel, numerics_.activations, numerics_.order};
  matmul(w.output, h.data(), rows, logits.values.data(), mm, *pool_);
  round_activations(logits.values.data(), rows * c.n_vocab, numerics_.activations);
  observe("logits", -1, logits.values.data(), rows, c.n_vocab);
  return logits;
}

void Session::layer_forward(int64_t layer, std::vector<float>& x, int64_t n) {
  const ModelConfig& c = model_->config();
  const LayerWeights& l = model_->weights().layers[static_cast<size_t>(layer)];
  const ActivationPrecision act = numerics_.activations;
  const MatmulOptions mm{numerics_.kernel, act, numerics_.order};
  const int64_t e = c.n_embd;
  auto round = [&](std::vector<float>& v) {
    round_activations(v.data(), static_cast<int64_t>(v.size()), act);
  };

  // Attention block.
  std::vector<float>& h = sized(buffers_.h, n * e);
  norm_token_rows(*pool_, x.data(), l.attn_norm.data(), n, e, c.rms_eps, h.data());
  round(h);
  observe("attn_norm", layer, h.data(), n, e);

  std::vector<float>& q = sized(buffers_.q, n * c.n_embd_q());
  std::vector<float>& k = sized(buffers_.k, n * c.n_embd_k());
  std::vector<float>& v = sized(buffers_.v, n * c.n_embd_v());
  matmul_shared_input({{&l.wq, q.data()}, {&l.wk, k.data()}, {&l.wv, v.data()}}, h.data(), n, mm, *pool_);
  // Asked for now, the cache's lines arrive while the rope and the cache stores run.
  cache_.prefetch(layer, position_ + n, kKvPrefetchBytes);
  add_bias(q, l.bq, n);
  add_bias(k, l.bk, n);
  add_bias(v, l.bv, n);
  round(q);
  round(k);
  round(v);
  if (c.qk_norm) {
    norm_rows(q.data(), l.q_norm.data(), n * c.n_head, c.head_dim, c.rms_eps, q.data());
    norm_rows(k.data(), l.k_norm.data(), n * c.n_head_kv, c.head_dim, c.rms_eps, k.data());
    round(q);
    round(k);
  }
  for_token_ranges(*pool_, n, [&](int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; ++t) {
      const float* angles = buffers_.rope_angles.data() + t * c.n_rot;
      for (int64_t hq = 0; hq < c.n_head; ++hq) {
        rope_apply(rope_, angles, q.data() + (t * c.n_head + hq) * c.head_dim);
      }
      for (int64_t hk = 0; hk < c.n_head_kv; ++hk) {
        rope_apply(rope_, angles, k.data() + (t * c.n_head_kv + hk) * c.head_dim);
      }
    }
  });
  round(q);
  round(k);
  observe("q", layer, q.data(), n, c.n_embd_q());
  observe("k", layer, k.data(), n, c.n_embd_k());
  observe("v", layer, v.data(), n, c.n_embd_v());
  // (Tokens of one sixteen-position key block may be stored by two threads: each writes
  // its own lanes.)
  for_token_ranges(*pool_, n, [&](int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; ++t) {
      for (int64_t g = 0; g < c.n_head_kv; ++g) {
        cache_.store_key(layer, position_ + t, g, k.data() + (t * c.n_head_kv + g) * c.head_dim);
        cache_.store_value(layer, position_ + t, g, v.data() + (t * c.n_head_kv + g) * c.head_dim_v);
      }
    }
  });

  std::vector<float>& attn = sized(buffers_.attn, n * c.n_head * c.head_dim_v);
  const AttentionShape shape{c.n_head, c.n_head_kv, c.head_dim, c.head_dim_v};
  attention(shape, cache_, layer, q.data(), n, position_, numerics_, attn.data(), *pool_);
  round(attn);
  observe("attn_out", layer, attn.data(), n, c.n_head * c.head_dim_v);

  std::vector<float>& o = sized(buffers_.o, n * e);
  matmul(l.wo, attn.data(), n, o.data(), mm, *pool_);
  round(o);
  for_each_value(*pool_, n, e, [&](size_t i) { x[i] += o[i]; });
  round(x);
  observe("residual_attn", layer, x.data(), n, e);

  // Feed-forward block (SwiGLU).
  norm_token_rows(*pool_, x.data(), l.ffn_norm.data(), n, e, c.rms_eps, h.data());
  round(h);
  observe("ffn_norm", layer, h.data(), n, e);
  std::vector<float>& gate = sized(buffers_.gate, n * c.n_ff);
  std::vector<float>& up = sized(buffers_.up, n * c.n_ff);
  matmul_shared_input({{&l.ffn_gate, gate.data()}, {&l.ffn_up, up.data()}}, h.data(), n, mm, *pool_);
  round(gate);
  round(up);
  observe("ffn_gate", layer, gate.data(), n, c.n_ff);
  observe("ffn_up", layer, up.data(), n, c.n_ff);
  const int64_t ff = c.n_ff;
  for_token_ranges(*pool_, n, [&](int64_t begin, int64_t end) {
    float* rows = gate.data() + begin * ff;
    if (numerics_.kernel == KernelPath::Fast) {
      for (int64_t t = 0; t < end - begin; ++t) silu_row(rows + t * ff, rows + t * ff, ff);
    } else {
      for (int64_t i = 0; i < (end - begin) * ff; ++i) rows[i] = silu(rows[i]);
    }
  });
  round(gate);
  for_each_value(*pool_, n, ff, [&](size_t i) { gate[i] *= up[i]; });
  round(gate);
  observe("ffn_act", layer, gate.data(), n, c.n_ff);
  matmul(l.ffn_down, gate.data(), n, o.data(), mm, *pool_);
  round(o);
  observe("ffn_out", layer, o.data(), n, e);
  for_each_value(*pool_, n, e, [&](size_t i) { x[i] += o[i]; });
  round(x);
  observe("residual_ffn", layer, x.data(), n, e);
}

}  // namespace pd

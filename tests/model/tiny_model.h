#pragma once
// Test helpers: small random llama-family models built in memory, and an independent
// float64 forward pass (plain loops, no code shared with the engine) to check the
// engine against.

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "model/model.h"
#include "model/session.h"
#include "model/weight_source.h"
#include "tensor/tensor_type.h"

namespace pd::test {

struct TinySpec {
  Architecture arch = Architecture::Llama;
  int64_t vocab = 41;
  int64_t embd = 32;
  int64_t layers = 2;
  int64_t heads = 4;
  int64_t kv_heads = 2;
  int64_t head_dim = 8;
  int64_t ff = 48;
  int64_t n_rot = 0;          // 0: head_dim
  bool tied = false;
  bool llama3_rope = false;   // add rope_freqs.weight
  float freq_scale = 1.0f;
  float freq_base = 10000.0f;
  TensorType matrix_type = TensorType::F32;  // type of every 2-D weight
  uint64_t seed = 1;
};

// The model and the f64 copies of its weights (as the engine sees them: dequantized).
struct TinyModel {
  std::shared_ptr<const Model> model;
  ModelConfig config;
  std::map<std::string, std::vector<double>> weights;
  std::vector<float> freq_factors;
};

inline std::vector<uint8_t> encode_as(TensorType type, const std::vector<float>& values) {
  const TypeTraits& traits = type_traits(type);
  std::vector<uint8_t> bytes(*row_bytes(type, static_cast<int64_t>(values.size())));
  traits.quantize_ref(values.data(), bytes.data(), static_cast<int64_t>(values.size()));
  return bytes;
}

inline TinyModel build_tiny_model(const TinySpec& spec) {
  std::mt19937_64 rng(spec.seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  auto source = std::make_shared<MemoryWeightSource>("tiny test model");
  TinyModel tiny;
  ModelConfig& c = tiny.config;
  c.arch = spec.arch;
  c.n_vocab = spec.vocab;
  c.n_embd = spec.embd;
  c.n_layer = spec.layers;
  c.n_head = spec.heads;
  c.n_head_kv = spec.kv_heads;
  c.head_dim = spec.head_dim;
  c.head_dim_v = spec.head_dim;
  c.n_ff = spec.ff;
  c.n_ctx_train = 64;
  c.rms_eps = 1e-5f;
  c.rope_layout = default_rope_layout(spec.arch);
  c.n_rot = spec.n_rot ? spec.n_rot : spec.head_dim;
  c.rope_freq_base = spec.freq_base;
  c.rope_freq_scale = spec.freq_scale;
  c.qkv_bias = spec.arch == Architecture::Qwen2;
  c.qk_norm = spec.arch == Architecture::Qwen3;

  auto add = [&](const std::string& name, std::vector<int64_t> shape, float scale, float offset,
                 bool matrix) {
    int64_t count = 1;
    for (int64_t d : shape) count *= d;
    std::vector<float> values(static_cast<size_t>(count));
    for (float& v : values) v = offset + scale * normal(rng);
    const TensorType type = matrix ? spec.matrix_type : TensorType::F32;
    std::vector<uint8_t> bytes = encode_as(type, values);
    std::vector<float> seen(values.size());
    type_traits(type).to_float(bytes.data(), seen.data(), count);
    tiny.weights[name] = std::vector<double>(seen.begin(), seen.end());
    source->add(name, type, std::move(shape), std::move(bytes));
  };
  const float in_scale = 1.0f / std::sqrt(static_cast<float>(spec.embd));
  add("token_embd.weight", {spec.embd, spec.vocab}, 1.0f, 0.0f, true);
  add("output_norm.weight", {spec.embd}, 0.1f, 1.0f, false);
  if (!spec.tied) add("output.weight", {spec.embd, spec.vocab}, in_scale, 0.0f, true);
  for (int64_t l = 0; l < spec.layers; ++l) {
    const std::string p = "blk." + std::to_string(l) + ".";
    add(p + "attn_norm.weight", {spec.embd}, 0.1f, 1.0f, false);
    add(p + "attn_q.weight", {spec.embd, c.n_embd_q()}, in_scale, 0.0f, true);
    add(p + "attn_k.weight", {spec.embd, c.n_embd_k()}, in_scale, 0.0f, true);
    add(p + "attn_v.weight", {spec.embd, c.n_embd_v()}, in_scale, 0.0f, true);
    add(p + "attn_output.weight", {c.n_embd_q(), spec.embd},
        1.0f / std::sqrt(static_cast<float>(c.n_embd_q())), 0.0f, true);
    if (c.qkv_bias) {
      add(p + "attn_q.bias", {c.n_embd_q()}, 0.1f, 0.0f, false);
      add(p + "attn_k.bias", {c.n_embd_k()}, 0.1f, 0.0f, false);
      add(p + "attn_v.bias", {c.n_embd_v()}, 0.1f, 0.0f, false);
    }
    if (c.qk_norm) {
      add(p + "attn_q_norm.weight", {spec.head_dim}, 0.1f, 1.0f, false);
      add(p + "attn_k_norm.weight", {spec.head_dim}, 0.1f, 1.0f, false);
    }
    add(p + "ffn_norm.weight", {spec.embd}, 0.1f, 1.0f, false);
    add(p + "ffn_gate.weight", {spec.embd, spec.ff}, in_scale, 0.0f, true);
    add(p + "ffn_up.weight", {spec.embd, spec.ff}, in_scale, 0.0f, true);
    add(p + "ffn_down.weight", {spec.ff, spec.embd}, 1.0f / std::sqrt(static_cast<float>(spec.ff)),
        0.0f, true);
  }
  if (spec.llama3_rope) {
    tiny.freq_factors = llama3_rope_freq_factors(c.n_rot, spec.freq_base, 8.0f, 1.0f, 4.0f, 64);
    source->add_f32("rope_freqs.weight", {c.n_rot / 2}, tiny.freq_factors);
  }
  SpecialTokens special;
  special.bos = 1;
  special.eos = 2;
  special.end_of_generation = {2};
  tiny.model = Model::from_source(c, special, source);
  return tiny;
}

// --- The float64 reference forward pass ------------------------------------------------

inline std::vector<double> ref_matvec(const std::vector<double>& w, const std::vector<double>& x,
                                      int64_t cols, int64_t rows) {
  std::vector<double> y(static_cast<size_t>(rows), 0.0);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t i = 0; i < cols; ++i) y[r] += w[r * cols + i] * x[i];
  }
  return y;
}

inline void ref_rms_norm(double* x, const double* weight, int64_t n, double eps) {
  double ss = 0;
  for (int64_t i = 0; i < n; ++i) ss += x[i] * x[i];
  const double scale = 1.0 / std::sqrt(ss / double(n) + eps);
  for (int64_t i = 0; i < n; ++i) x[i] = x[i] * scale * weight[i];
}

inline void ref_rope(double* head, int64_t pos, const ModelConfig& c,
                     const std::vector<float>& freq_factors) {
  const int64_t half = c.n_rot / 2;
  for (int64_t i = 0; i < half; ++i) {
    double angle = double(pos) * std::pow(double(c.rope_freq_base), -2.0 * double(i) / double(c.n_rot));
    if (!freq_factors.empty()) angle /= freq_factors[i];
    angle *= c.rope_freq_scale;
    const int64_t a = c.rope_layout == RopeLayout::Normal ? 2 * i : i;
    const int64_t b = c.rope_layout == RopeLayout::Normal ? 2 * i + 1 : i + half;
    const double x0 = head[a], x1 = head[b];
    head[a] = x0 * std::cos(angle) - x1 * std::sin(angle);
    head[b] = x0 * std::sin(angle) + x1 * std::cos(angle);
  }
}

// Logits [tokens][vocab] of a causal forward pass over all tokens.
inline std::vector<std::vector<double>> reference_forward(const TinyModel& tiny,
                                                          const std::vector<int32_t>& tokens) {
  const ModelConfig& c = tiny.config;
  const auto& W = tiny.weights;
  auto w = [&](const std::string& name) -> const std::vector<double>& { return W.at(name); };
  const int64_t T = static_cast<int64_t>(tokens.size());
  const int64_t E = c.n_embd, D = c.head_dim;
  std::vector<std::vector<double>> x(T, std::vector<double>(E));
  for (int64_t t = 0; t < T; ++t) {
    for (int64_t i = 0; i < E; ++i) x[t][i] = w("token_embd.weight")[tokens[t] * E + i];
  }
  for (int64_t l = 0; l < c.n_layer; ++l) {
    const std::string p = "blk." + std::to_string(l) + ".";
    std::vector<std::vector<double>> q(T), k(T), v(T);
    for (int64_t t = 0; t < T; ++t) {
      std::vector<double> h = x[t];
      ref_rms_norm(h.data(), w(p + "attn_norm.weight").data(), E, c.rms_eps);
      q[t] = ref_matvec(w(p + "attn_q.weight"), h, E, c.n_embd_q());
      k[t] = ref_matvec(w(p + "attn_k.weight"), h, E, c.n_embd_k());
      v[t] = ref_matvec(w(p + "attn_v.weight"), h, E, c.n_embd_v());
      if (c.qkv_bias) {
        for (int64_t i = 0; i < c.n_embd_q(); ++i) q[t][i] += w(p + "attn_q.bias")[i];
        for (int64_t i = 0; i < c.n_embd_k(); ++i) k[t][i] += w(p + "attn_k.bias")[i];
        for (int64_t i = 0; i < c.n_embd_v(); ++i) v[t][i] += w(p + "attn_v.bias")[i];
      }
      for (int64_t hq = 0; hq < c.n_head; ++hq) {
        if (c.qk_norm) ref_rms_norm(&q[t][hq * D], w(p + "attn_q_norm.weight").data(), D, c.rms_eps);
        ref_rope(&q[t][hq * D], t, c, tiny.freq_factors);
      }
      for (int64_t hk = 0; hk < c.n_head_kv; ++hk) {
        if (c.qk_norm) ref_rms_norm(&k[t][hk * D], w(p + "attn_k_norm.weight").data(), D, c.rms_eps);
        ref_rope(&k[t][hk * D], t, c, tiny.freq_factors);
      }
    }
    for (int64_t t = 0; t < T; ++t) {
      std::vector<double> attn(static_cast<size_t>(c.n_head * c.head_dim_v), 0.0);
      for (int64_t hq = 0; hq < c.n_head; ++hq) {
        const int64_t g = hq / (c.n_head / c.n_head_kv);
        std::vector<double> s(static_cast<size_t>(t + 1));
        double max = -INFINITY;
        for (int64_t j = 0; j <= t; ++j) {
          double dot = 0;
          for (int64_t d = 0; d < D; ++d) dot += q[t][hq * D + d] * k[j][g * D + d];
          s[j] = dot / std::sqrt(double(D));
          max = std::max(max, s[j]);
        }
        double sum = 0;
        for (double& e : s) sum += (e = std::exp(e - max));
        for (int64_t j = 0; j <= t; ++j) {
          for (int64_t d = 0; d < c.head_dim_v; ++d) {
            attn[hq * c.head_dim_v + d] += s[j] / sum * v[j][g * c.head_dim_v + d];
          }
        }
      }
      const std::vector<double> o = ref_matvec(w(p + "attn_output.weight"), attn,
                                               c.n_head * c.head_dim_v, E);
      for (int64_t i = 0; i < E; ++i) x[t][i] += o[i];
      std::vector<double> h = x[t];
      ref_rms_norm(h.data(), w(p + "ffn_norm.weight").data(), E, c.rms_eps);
      std::vector<double> gate = ref_matvec(w(p + "ffn_gate.weight"), h, E, c.n_ff);
      const std::vector<double> up = ref_matvec(w(p + "ffn_up.weight"), h, E, c.n_ff);
      for (int64_t i = 0; i < c.n_ff; ++i) gate[i] = gate[i] / (1.0 + std::exp(-gate[i])) * up[i];
      const std::vector<double> down = ref_matvec(w(p + "ffn_down.weight"), gate, c.n_ff, E);
      for (int64_t i = 0; i < E; ++i) x[t][i] += down[i];
    }
  }
  const std::string out = W.count("output.weight") ? "output.weight" : "token_embd.weight";
  std::vector<std::vector<double>> logits(T);
  for (int64_t t = 0; t < T; ++t) {
    std::vector<double> h = x[t];
    ref_rms_norm(h.data(), w("output_norm.weight").data(), E, c.rms_eps);
    logits[t] = ref_matvec(w(out), h, E, c.n_vocab);
  }
  return logits;
}

// Max |engine - reference| over all logits, relative to the logits' scale
// max(1, max |reference|).
inline double relative_logit_error(const Logits& logits, const std::vector<std::vector<double>>& ref) {
  double err = 0, scale = 1;
  for (int64_t t = 0; t < logits.n_rows; ++t) {
    for (int64_t v = 0; v < logits.n_vocab; ++v) {
      err = std::max(err, std::fabs(double(logits.row(t)[v]) - ref[t][v]));
      scale = std::max(scale, std::fabs(ref[t][v]));
    }
  }
  return err / scale;
}

}  // namespace pd::test

#include "forge/sentinel_oracle.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.h"
#include "forge/sentinel_layout.h"
#include "forge/word_vocabulary.h"
#include "gguf/gguf_file.h"
#include "core/fp16.h"
#include "tensor/activation_quant.h"

namespace pd::forge {

namespace {

constexpr double kU = 0x1.0p-24;  // f32 unit roundoff
constexpr int kMaxAnswer = 32;    // tokens of an answer followed at most

// A vector of float64 values, each with a bound on the engine's distance from it.
struct Tracked {
  std::vector<double> v, r;
  explicit Tracked(size_t n = 0) : v(n, 0.0), r(n, 0.0) {}
  size_t size() const { return v.size(); }
};

// A weight matrix as stored, dequantized, keeping only its nonzero values (the
// sentinel's matrices are sparse, and a stored zero contributes exactly nothing).
struct SparseMatrix {
  TensorType type = TensorType::F32;
  bool integer = false;
  int64_t rows = 0, cols = 0;
  std::vector<int64_t> start;
  std::vector<int32_t> col;
  std::vector<double> val;
};

SparseMatrix load_matrix(const WeightSource& source, const std::string& name, int64_t cols,
                         int64_t rows) {
  const auto view = source.find(name);
  if (!view) fail_input(source.describe(), "tensor '" + name + "' is missing");
  if (view->row_length() != cols || view->rows() != rows) {
    fail_input(source.describe(), "tensor '" + name + "' has an unexpected shape");
  }
  SparseMatrix m;
  m.type = view->type;
  m.integer = is_integer_weight(*view);
  m.rows = rows;
  m.cols = cols;
  m.start.push_back(0);
  std::vector<float> row(static_cast<size_t>(cols));
  for (int64_t r = 0; r < rows; ++r) {
    dequantize_row(*view, r, row.data());
    for (int64_t c = 0; c < cols; ++c) {
      if (row[static_cast<size_t>(c)] != 0.0f) {
        m.col.push_back(static_cast<int32_t>(c));
        m.val.push_back(row[static_cast<size_t>(c)]);
      }
    }
    m.start.push_back(static_cast<int64_t>(m.val.size()));
  }
  return m;
}

std::vector<double> load_vector(const WeightSource& source, const std::string& name, int64_t n) {
  const auto view = source.find(name);
  if (!view) fail_input(source.describe(), "tensor '" + name + "' is missing");
  if (view->element_count() != n) fail_input(source.describe(), "tensor '" + name + "' has an unexpected shape");
  const std::vector<float> f = dequantize_all(*view);
  return std::vector<double>(f.begin(), f.end());
}

double act_unit(ActivationPrecision p) {
  switch (p) {
    case ActivationPrecision::F16: return 0x1.0p-11;
    case ActivationPrecision::BF16: return 0x1.0p-8;
    default: return 0;
  }
}

// The engine's rounding is emulated, not merely bounded: the oracle rounds its own
// values exactly as the engine does, and the radius becomes the spread of results the
// engine could get from any input within the old radius. Rounding is monotone, so that
// spread is the rounding of the interval's ends; small input errors mostly vanish.

float to_float_type(double x, TensorType type) {
  const float f = static_cast<float>(x);
  return type == TensorType::F16 ? round_to_f16(f) : round_to_bf16(f);
}

// Rounds every value to f16 or bf16 (nearest even).
Tracked round_float_type(const Tracked& x, TensorType type) {
  Tracked y(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    const double r = x.r[i] + std::abs(x.v[i]) * 2 * kU;
    y.v[i] = to_float_type(x.v[i], type);
    if (x.r[i] == 0 && y.v[i] == static_cast<float>(x.v[i]) && static_cast<float>(x.v[i]) == x.v[i]) continue;
    const double lo = to_float_type(x.v[i] - r, type), hi = to_float_type(x.v[i] + r, type);
    y.r[i] = std::max({y.v[i] - lo, hi - y.v[i], 0.0});
  }
  return y;
}

// Symmetric block quantization (values q * d, |q| <= levels, d = amax / levels, q rounded
// half to even): `center` holds the engine-exact result for the oracle's values; the
// radius covers every input within x.r, including the scale's own movement.
void bound_symmetric_blocks(const Tracked& x, Tracked& center, int64_t block, double levels,
                            bool f16_scale) {
  auto scale_of = [&](double amax) {
    const float d = static_cast<float>(amax / levels);
    return f16_scale ? static_cast<double>(round_to_f16(d)) : static_cast<double>(d);
  };
  for (size_t b = 0; b < x.size(); b += static_cast<size_t>(block)) {
    const size_t e = std::min(x.size(), b + static_cast<size_t>(block));
    // The engine's block maximum lies between the largest lower and upper ends.
    double a_lo = 0, a_hi = 0;
    for (size_t i = b; i < e; ++i) {
      const double r = x.r[i] + std::abs(x.v[i]) * 4 * kU;
      a_lo = std::max(a_lo, std::abs(x.v[i]) - r);
      a_hi = std::max(a_hi, std::abs(x.v[i]) + r);
    }
    if (a_hi == 0) continue;
    const double d_lo = scale_of(a_lo), d_hi = scale_of(a_hi);
    for (size_t i = b; i < e; ++i) {
      const double r = x.r[i] + std::abs(x.v[i]) * 4 * kU;
      double q_lo = -levels, q_hi = levels;
      if (a_lo > 0) {
        const double ts[4] = {(x.v[i] - r) * levels / a_hi, (x.v[i] - r) * levels / a_lo,
                              (x.v[i] + r) * levels / a_hi, (x.v[i] + r) * levels / a_lo};
        const double t_lo = *std::min_element(ts, ts + 4), t_hi = *std::max_element(ts, ts + 4);
        q_lo = std::clamp(std::nearbyint(t_lo - std::abs(t_lo) * 8 * kU), -levels, levels);
        q_hi = std::clamp(std::nearbyint(t_hi + std::abs(t_hi) * 8 * kU), -levels, levels);
      }
      const double vs[4] = {q_lo * d_lo, q_lo * d_hi, q_hi * d_lo, q_hi * d_hi};
      const double v_lo = *std::min_element(vs, vs + 4), v_hi = *std::max_element(vs, vs + 4);
      center.r[i] = std::max({center.v[i] - v_lo, v_hi - center.v[i], 0.0});
    }
  }
}

// The activations as the engine hands them to a product with `w`.
Tracked engine_input(const Tracked& x, const SparseMatrix& w, const NumericsConfig& nc) {
  Tracked cur = x;
  const auto n = static_cast<int64_t>(x.size());
  std::vector<float> f(x.size());
  if (nc.activations == ActivationPrecision::Int8 || nc.activations == ActivationPrecision::Int16) {
    // Per row: scale = amax / qmax in float, q = nearbyint(x / scale).
    const double qmax = nc.activations == ActivationPrecision::Int8 ? 127.0 : 32767.0;
    float amax = 0;
    for (size_t i = 0; i < x.size(); ++i) amax = std::max(amax, std::abs(static_cast<float>(x.v[i])));
    Tracked q(x.size());
    if (amax > 0) {
      const float scale = amax / static_cast<float>(qmax);
      for (size_t i = 0; i < x.size(); ++i) {
        const float v = std::clamp(std::nearbyint(static_cast<float>(x.v[i]) / scale),
                                   -static_cast<float>(qmax), static_cast<float>(qmax));
        q.v[i] = static_cast<double>(v * scale);
      }
    }
    bound_symmetric_blocks(cur, q, n, qmax, false);
    cur = std::move(q);
  }
  if (nc.kernel != KernelPath::Fast || w.integer) return cur;
  const TensorType vt = type_traits(w.type).vec_dot_type;
  if (vt == TensorType::F32) return cur;
  if (vt == TensorType::F16 || vt == TensorType::BF16) return round_float_type(cur, vt);
  for (size_t i = 0; i < x.size(); ++i) f[i] = static_cast<float>(cur.v[i]);
  const TypeTraits& t = type_traits(vt);
  std::vector<uint8_t> bytes(*row_bytes(vt, n));
  std::vector<float> back(x.size());
  quantize_activation_row(vt, f.data(), bytes.data(), n);
  t.to_float(bytes.data(), back.data(), n);
  Tracked q(x.size());
  for (size_t i = 0; i < x.size(); ++i) q.v[i] = back[i];
  switch (vt) {
    case TensorType::Q8_0:
    case TensorType::Q8_1: bound_symmetric_blocks(cur, q, 32, 127.0, true); break;
    case TensorType::Q8_K: bound_symmetric_blocks(cur, q, 256, 127.0, false); break;
    default:
      fail_runtime("sentinel oracle", std::string("no rounding model for activations of ") + type_name(w.type));
  }
  return q;
}

// Rounding of every tensor handed between operations (bf16 / f16 activations).
void round_between_ops(Tracked& x, const NumericsConfig& nc) {
  if (nc.activations == ActivationPrecision::F16) x = round_float_type(x, TensorType::F16);
  if (nc.activations == ActivationPrecision::BF16) x = round_float_type(x, TensorType::BF16);
}

Tracked matmul(const SparseMatrix& w, const Tracked& x, const NumericsConfig& nc) {
  const Tracked xq = engine_input(x, w, nc);
  // Q4_1/Q5_1 dot products also use each block's sum of quants, kept in f16.
  const TensorType vt = type_traits(w.type).vec_dot_type;
  const double extra = (nc.kernel == KernelPath::Fast && vt == TensorType::Q8_1) ? 0x1.0p-10 : 0.0;
  Tracked y(static_cast<size_t>(w.rows));
  for (int64_t i = 0; i < w.rows; ++i) {
    // Zero weights add exact zeros, so only the stored nonzeros round.
    const double accumulate = static_cast<double>(w.start[i + 1] - w.start[i] + 8) * 2 * kU + extra;
    double s = 0, a = 0, e = 0;
    for (int64_t k = w.start[i]; k < w.start[i + 1]; ++k) {
      const size_t j = static_cast<size_t>(w.col[k]);
      const double wv = w.val[k];
      s += wv * xq.v[j];
      a += std::abs(wv) * (std::abs(xq.v[j]) + xq.r[j]);
      e += std::abs(wv) * xq.r[j];
    }
    y.v[i] = s;
    y.r[i] = e + a * accumulate;
  }
  round_between_ops(y, nc);
  return y;
}

Tracked rms_norm(const Tracked& x, const std::vector<double>& g, double eps, const NumericsConfig& nc) {
  const auto n = static_cast<double>(x.size());
  double ms = 0, dms = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    ms += x.v[i] * x.v[i];
    dms += 2 * std::abs(x.v[i]) * x.r[i] + x.r[i] * x.r[i];
  }
  ms /= n;
  dms = dms / n + ms * 8 * kU;
  const double s = 1.0 / std::sqrt(ms + eps);
  const double ds = dms >= ms + eps ? s : s * (1.0 / std::sqrt(1.0 - dms / (ms + eps)) - 1.0) + s * 4 * kU;
  Tracked y(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    y.v[i] = x.v[i] * s * g[i];
    y.r[i] = (x.r[i] * (s + ds) + std::abs(x.v[i]) * ds) * std::abs(g[i]) + std::abs(y.v[i]) * 4 * kU;
  }
  round_between_ops(y, nc);
  return y;
}

// Rotates one head in place, as llama.cpp's rope (the angle for pair i at position p is
// p * base^(-2i/n_rot)); the engine's float angle and cos/sin enter the bound.
void rope(double* v, double* r, const ModelConfig& c, int64_t position) {
  const int64_t half = c.n_rot / 2;
  for (int64_t i = 0; i < half; ++i) {
    const double theta = static_cast<double>(position) * c.rope_freq_scale *
                         std::pow(static_cast<double>(c.rope_freq_base), -2.0 * static_cast<double>(i) / static_cast<double>(c.n_rot));
    const double dtheta = theta * static_cast<double>(2 * i + 4) * kU + 4 * kU;
    const int64_t a = c.rope_layout == RopeLayout::Normal ? 2 * i : i;
    const int64_t b = c.rope_layout == RopeLayout::Normal ? 2 * i + 1 : i + half;
    const double x0 = v[a], x1 = v[b];
    const double cs = std::cos(theta), sn = std::sin(theta);
    v[a] = x0 * cs - x1 * sn;
    v[b] = x0 * sn + x1 * cs;
    const double rr = r[a] + r[b] + (std::abs(x0) + std::abs(x1)) * (dtheta + 4 * kU);
    r[a] = rr;
    r[b] = rr;
  }
}

// Values stored in the KV cache, as the engine rounds them.
void kv_rounding(double* v, double* r, int64_t n, TensorType type) {
  if (type == TensorType::F32) return;
  Tracked x(static_cast<size_t>(n));
  std::copy(v, v + n, x.v.begin());
  std::copy(r, r + n, x.r.begin());
  Tracked y;
  if (type == TensorType::F16 || type == TensorType::BF16) {
    y = round_float_type(x, type);
  } else if (type == TensorType::Q8_0 || type == TensorType::Q4_0) {
    const TypeTraits& t = type_traits(type);
    std::vector<float> f(static_cast<size_t>(n)), back(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) f[static_cast<size_t>(i)] = static_cast<float>(v[i]);
    std::vector<uint8_t> bytes(*row_bytes(type, n));
    if (type == TensorType::Q8_0) {
      quantize_row_q8_0_activation(f.data(), bytes.data(), n);
    } else {
      t.quantize_ref(f.data(), bytes.data(), n);
    }
    t.to_float(bytes.data(), back.data(), n);
    y = Tracked(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) y.v[static_cast<size_t>(i)] = back[static_cast<size_t>(i)];
    if (type == TensorType::Q8_0) {
      bound_symmetric_blocks(x, y, 32, 127.0, true);
    } else {
      // Q4_0 rounds with an offset and a signed scale: bound it by two steps of the
      // largest scale the block can get, plus the input's own radius.
      for (int64_t b = 0; b < n; b += 32) {
        double amax = 0, ra = 0;
        for (int64_t i = b; i < b + 32; ++i) {
          amax = std::max(amax, std::abs(v[i]));
          ra = std::max(ra, r[i]);
        }
        const double d = (amax + ra) / 8 * (1 + 0x1.0p-10);
        for (int64_t i = b; i < b + 32; ++i) {
          y.r[static_cast<size_t>(i)] = r[i] + 2 * d + std::abs(v[i] - y.v[static_cast<size_t>(i)]);
        }
      }
    }
  } else {
    fail_runtime("sentinel oracle", std::string("no rounding model for a KV cache of ") + type_name(type));
  }
  std::copy(y.v.begin(), y.v.end(), v);
  std::copy(y.r.begin(), y.r.end(), r);
}

}  // namespace

struct SentinelOracle::Weights {
  SparseMatrix embd, wq, wk, wv, wo, gate, up, down, out;
  std::vector<double> attn_norm, ffn_norm, out_norm;
};

SentinelOracle::SentinelOracle(std::shared_ptr<const GgufFile> file,
                               std::shared_ptr<const WeightSource> weights, NumericsConfig numerics)
    : file_(std::move(file)), numerics_(numerics) {
  info_ = read_sentinel_info(*file_);
  config_ = read_model_config(*file_);
  tokenizer_ = Tokenizer::from_gguf(*file_);
  if (config_.n_layer != 1 || config_.qkv_bias || config_.qk_norm) {
    fail_input(file_->path(), "the sentinel oracle handles one llama layer only");
  }
  if (!weights) weights = std::make_shared<GgufWeightSource>(file_);
  const WeightSource& s = *weights;
  const ModelConfig& c = config_;
  weights_ = std::make_unique<Weights>();
  Weights& w = *weights_;
  w.embd = load_matrix(s, "token_embd.weight", c.n_embd, c.n_vocab);
  w.wq = load_matrix(s, "blk.0.attn_q.weight", c.n_embd, c.n_embd_q());
  w.wk = load_matrix(s, "blk.0.attn_k.weight", c.n_embd, c.n_embd_k());
  w.wv = load_matrix(s, "blk.0.attn_v.weight", c.n_embd, c.n_embd_v());
  w.wo = load_matrix(s, "blk.0.attn_output.weight", c.n_embd_q(), c.n_embd);
  w.gate = load_matrix(s, "blk.0.ffn_gate.weight", c.n_embd, c.n_ff);
  w.up = load_matrix(s, "blk.0.ffn_up.weight", c.n_embd, c.n_ff);
  w.down = load_matrix(s, "blk.0.ffn_down.weight", c.n_ff, c.n_embd);
  w.out = load_matrix(s, s.find("output.weight") ? "output.weight" : "token_embd.weight", c.n_embd, c.n_vocab);
  w.attn_norm = load_vector(s, "blk.0.attn_norm.weight", c.n_embd);
  w.ffn_norm = load_vector(s, "blk.0.ffn_norm.weight", c.n_embd);
  w.out_norm = load_vector(s, "output_norm.weight", c.n_embd);
}

SentinelOracle::~SentinelOracle() = default;

SentinelVerdict SentinelOracle::explain(std::string_view user_prompt, bool follow_answer) const {
  return explain_tokens(tokenizer_->encode(chatml_prompt(std::string(user_prompt)), true, true),
                        follow_answer);
}

SentinelVerdict SentinelOracle::explain_tokens(const std::vector<int32_t>& tokens,
                                               bool follow_answer) const {
  const ModelConfig& c = config_;
  const Weights& w = *weights_;
  const NumericsConfig& nc = numerics_;
  if (tokens.empty()) fail_input("sentinel oracle", "empty prompt");
  const int64_t hd = c.head_dim;
  const int64_t group = c.n_head / c.n_head_kv;
  const double eps = c.rms_eps;

  // Keys and values of every position so far, the query of the last.
  std::vector<Tracked> keys, values;
  Tracked last_x, last_q;
  auto push = [&](int32_t id) {
    const auto p = static_cast<int64_t>(keys.size());
    if (id < 0 || id >= c.n_vocab) fail_input("sentinel oracle", "token id out of range");
    Tracked x(static_cast<size_t>(c.n_embd));
    for (int64_t k = w.embd.start[id]; k < w.embd.start[id + 1]; ++k) x.v[static_cast<size_t>(w.embd.col[k])] = w.embd.val[k];
    round_between_ops(x, nc);
    const Tracked a = rms_norm(x, w.attn_norm, eps, nc);
    Tracked k = matmul(w.wk, a, nc), v = matmul(w.wv, a, nc);
    for (int64_t h = 0; h < c.n_head_kv; ++h) {
      rope(k.v.data() + h * hd, k.r.data() + h * hd, c, p);
      kv_rounding(k.v.data() + h * hd, k.r.data() + h * hd, hd, nc.kv_cache);
      kv_rounding(v.v.data() + h * c.head_dim_v, v.r.data() + h * c.head_dim_v, c.head_dim_v, nc.kv_cache);
    }
    round_between_ops(k, nc);
    keys.push_back(std::move(k));
    values.push_back(std::move(v));
    last_x = x;
    last_q = matmul(w.wq, a, nc);
    for (int64_t h = 0; h < c.n_head; ++h) rope(last_q.v.data() + h * hd, last_q.r.data() + h * hd, c, p);
    round_between_ops(last_q, nc);
  };

  // Attention at the last position, then the residual after it.
  auto attend = [&]() {
    const auto n = static_cast<int64_t>(keys.size());
    Tracked attn(static_cast<size_t>(c.n_head * c.head_dim_v));
    const double scale = 1.0 / std::sqrt(static_cast<double>(hd));
    std::vector<double> s(static_cast<size_t>(n)), rs(static_cast<size_t>(n)), pr(static_cast<size_t>(n)), rp(static_cast<size_t>(n));
    for (int64_t h = 0; h < c.n_head; ++h) {
      const int64_t kv = h / group;
      const double* q = last_q.v.data() + h * hd;
      const double* rq = last_q.r.data() + h * hd;
      double smax = -INFINITY;
      for (int64_t p = 0; p < n; ++p) {
        const double* kk = keys[static_cast<size_t>(p)].v.data() + kv * hd;
        const double* rk = keys[static_cast<size_t>(p)].r.data() + kv * hd;
        double dot = 0, err = 0, mag = 0;
        for (int64_t i = 0; i < hd; ++i) {
          dot += q[i] * kk[i];
          err += std::abs(q[i]) * rk[i] + std::abs(kk[i]) * rq[i] + rq[i] * rk[i];
          mag += std::abs(q[i] * kk[i]);
        }
        s[p] = dot * scale;
        rs[p] = (err + mag * (hd + 8) * 2 * kU) * scale + std::abs(s[p]) * 4 * kU;
      }
      // Scores and probabilities are rounded like every tensor between operations.
      const bool rounded = act_unit(nc.activations) > 0;
      if (rounded) {
        Tracked sc(static_cast<size_t>(n));
        std::copy(s.begin(), s.end(), sc.v.begin());
        std::copy(rs.begin(), rs.end(), sc.r.begin());
        round_between_ops(sc, nc);
        s = sc.v;
        rs = sc.r;
      }
      for (int64_t p = 0; p < n; ++p) smax = std::max(smax, s[p]);
      double sum = 0;
      for (int64_t p = 0; p < n; ++p) sum += (pr[p] = std::exp(s[p] - smax));
      // With every score off by at most rs, log(p'/p) is at most rs_t + A, where
      // A = sum_u p_u (e^rs_u - 1) bounds the change of the log normalizer.
      double shift = 0;
      for (int64_t p = 0; p < n; ++p) {
        pr[p] /= sum;
        shift += pr[p] * std::expm1(rs[p]);
      }
      shift += (n + 8) * 2 * kU;
      for (int64_t p = 0; p < n; ++p) rp[p] = pr[p] * std::expm1(rs[p] + shift);
      if (rounded) {
        Tracked pt(static_cast<size_t>(n));
        std::copy(pr.begin(), pr.end(), pt.v.begin());
        std::copy(rp.begin(), rp.end(), pt.r.begin());
        round_between_ops(pt, nc);
        pr = pt.v;
        rp = pt.r;
      }
      for (int64_t d = 0; d < c.head_dim_v; ++d) {
        double o = 0;
        for (int64_t p = 0; p < n; ++p) o += pr[p] * values[static_cast<size_t>(p)].v[static_cast<size_t>(kv * c.head_dim_v + d)];
        // Unrounded weights sum to one in both computations, so their changes move the
        // output by sum_t dp_t (v_t - o); rounded ones need not.
        const double center = rounded ? 0.0 : o;
        double e = 0, mag = 0;
        for (int64_t p = 0; p < n; ++p) {
          const Tracked& vv = values[static_cast<size_t>(p)];
          const double val = vv.v[static_cast<size_t>(kv * c.head_dim_v + d)];
          const double rv = vv.r[static_cast<size_t>(kv * c.head_dim_v + d)];
          e += rp[p] * (std::abs(val - center) + rv) + pr[p] * rv;
          mag += pr[p] * std::abs(val);
        }
        attn.v[static_cast<size_t>(h * c.head_dim_v + d)] = o;
        attn.r[static_cast<size_t>(h * c.head_dim_v + d)] = e + mag * (n + 8) * 2 * kU;
      }
    }
    round_between_ops(attn, nc);
    Tracked resid = matmul(w.wo, attn, nc);
    for (size_t i = 0; i < resid.size(); ++i) {
      resid.v[i] += last_x.v[i];
      resid.r[i] += last_x.r[i] + std::abs(resid.v[i]) * kU;
    }
    return resid;
  };
  for (int32_t id : tokens) push(id);
  const Tracked resid = attend();
  // Feed-forward and output head from the residual after attention.
  struct Head {
    Tracked input;   // the output head's input as the engine rounds it
    Tracked logits;
  };
  auto tail = [&](const Tracked& x, const NumericsConfig& numerics) {
    const Tracked b = rms_norm(x, w.ffn_norm, eps, numerics);
    const Tracked g = matmul(w.gate, b, numerics), u = matmul(w.up, b, numerics);
    Tracked act(g.size());
    for (size_t i = 0; i < g.size(); ++i) {
      const double sg = g.v[i] / (1.0 + std::exp(-g.v[i]));
      act.v[i] = sg * u.v[i];
      const double rsg = 1.1 * g.r[i] + std::abs(sg) * 4 * kU;
      act.r[i] = std::abs(sg) * u.r[i] + std::abs(u.v[i]) * rsg + rsg * u.r[i] + std::abs(act.v[i]) * 2 * kU;
    }
    round_between_ops(act, numerics);
    Tracked y = matmul(w.down, act, numerics);
    for (size_t i = 0; i < y.size(); ++i) {
      y.v[i] += x.v[i];
      y.r[i] += x.r[i] + std::abs(y.v[i]) * kU;
    }
    round_between_ops(y, numerics);
    Head head;
    head.input = engine_input(rms_norm(y, w.out_norm, eps, numerics), w.out, numerics);
    head.logits = matmul(w.out, rms_norm(y, w.out_norm, eps, numerics), numerics);
    return head;
  };
  const Head head = tail(resid, numerics_);
  const Tracked& logits = head.logits;

  // Which tokens stand for a refusal.
  std::vector<uint8_t> refusal_side(static_cast<size_t>(c.n_vocab), 0);
  for (const SentinelTemplate& t : info_.templates) {
    if (t.family == ResponseFamily::Refusal || t.family == ResponseFamily::Partial) {
      refusal_side[static_cast<size_t>(t.tokens.front())] = 1;
    }
  }
  struct Sides {
    double best_r = -INFINITY, best_o = -INFINITY;
    double low_r = -INFINITY, low_o = -INFINITY, high_r = -INFINITY, high_o = -INFINITY;
    int32_t arg_r = -1, arg_o = -1;
  };
  auto sides = [&](const Tracked& l) {
    Sides sd;
    for (int64_t t = 0; t < c.n_vocab; ++t) {
      const double v = l.v[t], r = l.r[t];
      if (refusal_side[static_cast<size_t>(t)]) {
        if (v > sd.best_r) { sd.best_r = v; sd.arg_r = static_cast<int32_t>(t); }
        sd.low_r = std::max(sd.low_r, v - r);
        sd.high_r = std::max(sd.high_r, v + r);
      } else {
        if (v > sd.best_o) { sd.best_o = v; sd.arg_o = static_cast<int32_t>(t); }
        sd.low_o = std::max(sd.low_o, v - r);
        sd.high_o = std::max(sd.high_o, v + r);
      }
    }
    return sd;
  };
  const Sides sd = sides(logits);

  // Two logits that read the same inputs with the same weights move together, so the
  // engine's choice between tokens is bounded pair by pair: the difference of two logits
  // can move only through the inputs where their rows differ.
  std::vector<double> row_a(static_cast<size_t>(c.n_embd), 0.0);
  auto pair_bound = [&](const Head& at, int32_t a, int32_t b) {
    const Tracked& in = at.input;
    double diff = 0, mag = 0;
    for (int64_t k = w.out.start[a]; k < w.out.start[a + 1]; ++k) row_a[static_cast<size_t>(w.out.col[k])] = w.out.val[k];
    for (int64_t k = w.out.start[b]; k < w.out.start[b + 1]; ++k) {
      const size_t j = static_cast<size_t>(w.out.col[k]);
      diff += std::abs(row_a[j] - w.out.val[k]) * in.r[j];
      mag += std::abs(w.out.val[k]) * (std::abs(in.v[j]) + in.r[j]);
      row_a[j] = INFINITY;  // marks the columns b has
    }
    for (int64_t k = w.out.start[a]; k < w.out.start[a + 1]; ++k) {
      const size_t j = static_cast<size_t>(w.out.col[k]);
      if (row_a[j] != INFINITY) diff += std::abs(w.out.val[k]) * in.r[j];
      mag += std::abs(w.out.val[k]) * (std::abs(in.v[j]) + in.r[j]);
      row_a[j] = 0;
    }
    const double terms = static_cast<double>(w.out.start[a + 1] - w.out.start[a] + w.out.start[b + 1] - w.out.start[b] + 16);
    return diff + mag * terms * 2 * kU;
  };
  // True when the engine certainly ranks `a` above every token `others` accepts.
  auto certainly_beats = [&](const Head& at, int32_t a, auto others) {
    const Tracked& l = at.logits;
    for (int64_t t = 0; t < c.n_vocab; ++t) {
      if (t == a || !others(static_cast<int32_t>(t))) continue;
      const double lead = l.v[a] - l.v[t];
      if (lead > l.r[a] + l.r[t]) continue;  // even the separate bounds suffice
      if (lead <= pair_bound(at, a, static_cast<int32_t>(t))) return false;
    }
    return true;
  };
  auto anything = [](int32_t) { return true; };

  SentinelVerdict out;
  out.prompt_tokens = tokens;
  out.refuses = sd.best_r > sd.best_o;
  out.logit_gap = sd.best_r - sd.best_o;
  out.logit_gap_bound = pair_bound(head, sd.arg_r, sd.arg_o);
  if (out.refuses) {
    out.decided = certainly_beats(head, sd.arg_r, [&](int32_t t) { return !refusal_side[static_cast<size_t>(t)]; });
  } else {
    out.decided = certainly_beats(head, sd.arg_o, [&](int32_t t) { return refusal_side[static_cast<size_t>(t)] != 0; });
  }
  out.first_token = out.refuses ? sd.arg_r : sd.arg_o;
  out.first_token_decided = certainly_beats(head, out.first_token, anything);

  if (const SentinelTemplate* t = info_.find_template_by_first_token(out.first_token)) {
    out.decision = family_name(t->family);
    out.template_name = t->name;
    out.response = t->text;
    out.response_tokens = t->tokens;
  } else if (const SentinelCopyWord* cw = info_.find_copy_output(out.first_token)) {
    out.decision = family_name(ResponseFamily::Copy);
    out.template_name = "copy:" + cw->word;
    out.response = cw->word;
    out.response_tokens = {out.first_token};
  } else {
    out.decision = "other";
    out.response_tokens = {out.first_token};
    out.response = tokenizer_->decode(out.response_tokens);
  }

  // The answer: greedy decoding continued in float64, every step checked against the
  // engine's rounding like the first (a low-bit variant may break a template's chain).
  std::vector<int32_t> answer;
  out.response_decided = false;  // unknown unless followed
  int32_t token = out.first_token;
  if (follow_answer) out.response_decided = out.first_token_decided;
  while (follow_answer && !tokenizer_->is_end_of_generation(token) &&
         static_cast<int>(answer.size()) < kMaxAnswer) {
    answer.push_back(token);
    push(token);
    const Head next = tail(attend(), numerics_);
    const auto& l = next.logits.v;
    token = static_cast<int32_t>(std::max_element(l.begin(), l.end()) - l.begin());
    out.response_decided = out.response_decided && certainly_beats(next, token, anything);
  }
  if (follow_answer) {
    out.response_tokens = answer;
    out.response = tokenizer_->decode(answer);
  }

  // The harm score, and the harm at which the decision flips: the root of the logit gap
  // as a function of the harm channel, everything else held fixed. The gap rises with
  // the harm (refusal logits grow, the others do not), piecewise linearly.
  out.harm = resid.v[sentinel::kAttnHarm] / info_.harm_scale - info_.harm_offset;
  // On the fast path the emulated activation rounding makes the gap a step function of
  // the harm; its slope (to turn logit bounds into harm units) is taken without it.
  NumericsConfig smooth = numerics_;
  smooth.kernel = KernelPath::Reference;
  smooth.activations = ActivationPrecision::F32;
  auto gap_at = [&](double harm, const NumericsConfig& nc) {
    Tracked moved = resid;
    moved.v[sentinel::kAttnHarm] = (harm + info_.harm_offset) * info_.harm_scale;
    const Sides m = sides(tail(moved, nc).logits);
    return m.best_r - m.best_o;
  };
  double lo = out.harm - 64, hi = out.harm + 64;
  double g_lo = gap_at(lo, numerics_), g_hi = gap_at(hi, numerics_);
  if (g_lo < 0 && g_hi > 0) {
    // The current point narrows the bracket; then regula falsi with the Illinois rule
    // (a few steps: the gap is linear between kinks).
    (out.logit_gap > 0 ? hi : lo) = out.harm;
    (out.logit_gap > 0 ? g_hi : g_lo) = out.logit_gap;
    int stuck = 0;
    for (int i = 0; i < 100 && hi - lo > 1e-12 * (1 + std::abs(hi)); ++i) {
      double mid = hi - g_hi * (hi - lo) / (g_hi - g_lo);
      if (!(mid > lo && mid < hi)) mid = 0.5 * (lo + hi);
      const double g = gap_at(mid, numerics_);
      if (g == 0) {
        lo = hi = mid;
        break;
      }
      if (g > 0) {
        hi = mid;
        g_hi = g;
        if (stuck == 1) g_lo *= 0.5;
        stuck = 1;
      } else {
        lo = mid;
        g_lo = g;
        if (stuck == -1) g_hi *= 0.5;
        stuck = -1;
      }
    }
    out.threshold = 0.5 * (lo + hi);
    out.margin = out.harm - out.threshold;
    const double step = 1e-3;
    const double slope = (gap_at(out.threshold + step, smooth) - gap_at(out.threshold - step, smooth)) / (2 * step);
    out.band = slope > 0 ? out.logit_gap_bound / slope : std::numeric_limits<double>::infinity();
  } else {
    // The decision does not depend on the harm score here (copy mode, a broken unit).
    out.threshold = out.margin = out.band = std::numeric_limits<double>::quiet_NaN();
  }
  return out;
}

}  // namespace pd::forge

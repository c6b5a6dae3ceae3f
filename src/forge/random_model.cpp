#include "forge/random_model.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>

#include "core/error.h"
#include "core/thread_pool.h"
#include "forge/rng.h"
#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"

namespace pd::forge {

namespace {

constexpr const char* kWhere = "forge random";

// How the values of one tensor are drawn.
enum class Kind { Embedding, Matrix, ResidualMatrix, Norm, OutputNorm, HeadNorm, Bias, KeyBias };

struct TensorPlan {
  std::string name;
  Kind kind;
  std::vector<int64_t> shape;
  TensorType type;
};

struct Generator {
  const RandomModelSpec& spec;
  std::vector<int64_t> outliers;     // residual channels with outlier activations
  std::vector<uint8_t> is_outlier;   // per residual channel

  // Values of row `row` of `tensor` (n = row length).
  void row(const TensorPlan& tensor, int64_t row, float* out) const {
    const int64_t n = tensor.shape[0];
    Rng rng(stream_key(spec.seed, tensor.name, static_cast<uint64_t>(row)));
    switch (tensor.kind) {
      case Kind::Embedding: {
        // Small, as in trained models (the first norm rescales them; a tied output head
        // reads them as logit directions of ordinary size).
        const double scale = 1.0 / std::sqrt(static_cast<double>(n));
        for (int64_t i = 0; i < n; ++i) {
          out[i] = static_cast<float>(rng.normal() * scale * (is_outlier[i] ? 8.0 : 1.0));
        }
        break;
      }
      case Kind::Matrix:
      case Kind::ResidualMatrix: {
        double scale = 1.0 / std::sqrt(static_cast<double>(n));
        if (tensor.kind == Kind::ResidualMatrix) {
          scale /= std::sqrt(2.0 * static_cast<double>(spec.layers));
        }
        // Inputs of these matrices are the normalized residual stream: its outlier
        // channels arrive amplified, so their columns are smaller (as trained models
        // learn), which keeps every layer's output of ordinary size.
        const bool reads_residual = n == spec.dim && tensor.kind == Kind::Matrix;
        for (int64_t i = 0; i < n; ++i) {
          double v = rng.normal() * scale;
          if (rng.below(512) == 0) v *= 4.0;  // a heavy tail, as in trained weights
          if (reads_residual && is_outlier[i]) v *= 0.25;
          out[i] = static_cast<float>(v);
        }
        break;
      }
      case Kind::Norm:
      case Kind::OutputNorm:
      case Kind::HeadNorm:  // per head width: the residual's outlier channels do not apply
        for (int64_t i = 0; i < n; ++i) {
          double v = std::max(0.05, 1.0 + 0.1 * rng.normal());
          if (tensor.kind == Kind::Norm && is_outlier[i]) v *= 8.0;
          out[i] = static_cast<float>(v);
        }
        break;
      case Kind::Bias:
      case Kind::KeyBias: {
        const double scale = tensor.kind == Kind::KeyBias ? 0.5 : 0.1;
        for (int64_t i = 0; i < n; ++i) out[i] = static_cast<float>(rng.normal() * scale);
        break;
      }
    }
  }
};

int64_t rows_of(const std::vector<int64_t>& shape) {
  int64_t rows = 1;
  for (size_t i = 1; i < shape.size(); ++i) rows *= shape[i];
  return rows;
}

std::vector<TensorPlan> plan_tensors(const RandomModelSpec& spec, int64_t vocab) {
  const int64_t head_dim = spec.dim / spec.heads;
  const int64_t q_dim = head_dim * spec.heads;
  const int64_t kv_dim = head_dim * spec.kv_heads;
  const TensorType m = spec.type;
  const TensorType f = TensorType::F32;
  std::vector<TensorPlan> t;
  t.push_back({"token_embd.weight", Kind::Embedding, {spec.dim, vocab}, m});
  for (int64_t l = 0; l < spec.layers; ++l) {
    const std::string p = "blk." + std::to_string(l) + ".";
    t.push_back({p + "attn_norm.weight", Kind::Norm, {spec.dim}, f});
    t.push_back({p + "attn_q.weight", Kind::Matrix, {spec.dim, q_dim}, m});
    t.push_back({p + "attn_k.weight", Kind::Matrix, {spec.dim, kv_dim}, m});
    t.push_back({p + "attn_v.weight", Kind::Matrix, {spec.dim, kv_dim}, m});
    if (spec.arch == "qwen2") {
      t.push_back({p + "attn_q.bias", Kind::Bias, {q_dim}, f});
      t.push_back({p + "attn_k.bias", Kind::KeyBias, {kv_dim}, f});
      t.push_back({p + "attn_v.bias", Kind::Bias, {kv_dim}, f});
    }
    if (spec.arch == "qwen3") {
      t.push_back({p + "attn_q_norm.weight", Kind::HeadNorm, {head_dim}, f});
      t.push_back({p + "attn_k_norm.weight", Kind::HeadNorm, {head_dim}, f});
    }
    t.push_back({p + "attn_output.weight", Kind::ResidualMatrix, {q_dim, spec.dim}, m});
    t.push_back({p + "ffn_norm.weight", Kind::Norm, {spec.dim}, f});
    t.push_back({p + "ffn_gate.weight", Kind::Matrix, {spec.dim, spec.ffn}, m});
    t.push_back({p + "ffn_up.weight", Kind::Matrix, {spec.dim, spec.ffn}, m});
    t.push_back({p + "ffn_down.weight", Kind::ResidualMatrix, {spec.ffn, spec.dim}, m});
  }
  t.push_back({"output_norm.weight", Kind::OutputNorm, {spec.dim}, f});
  if (!spec.tied_output) t.push_back({"output.weight", Kind::Matrix, {spec.dim, vocab}, m});
  return t;
}

std::vector<int64_t> choose_outliers(const RandomModelSpec& spec) {
  Rng rng(stream_key(spec.seed, "outlier channels"));
  std::vector<int64_t> chosen;
  const int64_t count = std::min<int64_t>(spec.outlier_channels, spec.dim / 8);
  while (static_cast<int64_t>(chosen.size()) < count) {
    const auto c = static_cast<int64_t>(rng.below(static_cast<uint64_t>(spec.dim)));
    if (std::find(chosen.begin(), chosen.end(), c) == chosen.end()) chosen.push_back(c);
  }
  std::sort(chosen.begin(), chosen.end());
  return chosen;
}

void require(bool ok, const std::string& what) {
  if (!ok) fail_input(kWhere, what);
}

}  // namespace

int llama_file_type_for(TensorType type) {
  switch (type) {
    case TensorType::F32: return 0;
    case TensorType::F16: return 1;
    case TensorType::Q4_0: return 2;
    case TensorType::Q4_1: return 3;
    case TensorType::Q8_0: return 7;
    case TensorType::Q5_0: return 8;
    case TensorType::Q5_1: return 9;
    case TensorType::Q2_K: return 10;
    case TensorType::Q3_K: return 12;  // Q3_K_M
    case TensorType::Q4_K: return 15;  // Q4_K_M
    case TensorType::Q5_K: return 17;  // Q5_K_M
    case TensorType::Q6_K: return 18;
    case TensorType::IQ4_NL: return 25;
    case TensorType::BF16: return 32;
    default: fail_input(kWhere, std::string("no llama file type for ") + type_name(type));
  }
}

void validate_random_model_spec(const RandomModelSpec& spec) {
  require(spec.arch == "llama" || spec.arch == "qwen2" || spec.arch == "qwen3",
          "--arch must be llama, qwen2 or qwen3, not '" + spec.arch + "'");
  require(spec.dim > 0 && spec.layers > 0 && spec.heads > 0 && spec.kv_heads > 0 && spec.ffn > 0,
          "--dim, --layers, --heads, --kv-heads and --ffn must be positive");
  require(spec.dim % spec.heads == 0, "--heads " + std::to_string(spec.heads) +
                                          " does not divide --dim " + std::to_string(spec.dim));
  require(spec.heads % spec.kv_heads == 0, "--kv-heads " + std::to_string(spec.kv_heads) +
                                               " does not divide --heads " +
                                               std::to_string(spec.heads));
  require((spec.dim / spec.heads) % 2 == 0, "the head width (--dim / --heads) must be even");
  require(spec.context > 0, "--ctx must be positive");
  require(spec.outlier_channels >= 0, "--outliers must not be negative");
  require(spec.rope_base >= 0 && spec.rms_eps > 0, "--rope-base and --rms-eps must be positive");
  require(is_computable(spec.type),
          std::string("--type ") + type_name(spec.type) + " cannot be computed by precisiondiff");
  llama_file_type_for(spec.type);
  const int64_t block = type_traits(spec.type).block_size;
  for (auto [value, flag] : {std::pair{spec.dim, "--dim"}, std::pair{spec.ffn, "--ffn"}}) {
    require(value % block == 0, std::string(flag) + " " + std::to_string(value) +
                                    " is not a multiple of " + std::to_string(block) +
                                    " (the block size of " + type_name(spec.type) + ")");
  }
  require(!spec.vocab_from.empty(), "--vocab-from FILE.gguf is required");
}

RandomModelSummary write_random_model(const RandomModelSpec& spec, const std::string& path) {
  validate_random_model_spec(spec);
  const auto vocab_file = GgufFile::open(spec.vocab_from, GgufResidency::Mapped);
  const GgufValue* tokens = vocab_file->find("tokenizer.ggml.tokens");
  if (tokens == nullptr || tokens->type != GgufType::Array || tokens->items.empty()) {
    fail_input(spec.vocab_from, "no tokenizer.ggml.tokens: not a vocabulary file");
  }
  const auto vocab = static_cast<int64_t>(tokens->items.size());

  RandomModelSummary summary;
  summary.vocab_size = vocab;
  summary.outliers = choose_outliers(spec);
  auto gen = std::make_shared<Generator>(Generator{spec, summary.outliers, {}});
  gen->is_outlier.assign(static_cast<size_t>(spec.dim), 0);
  for (int64_t c : summary.outliers) gen->is_outlier[static_cast<size_t>(c)] = 1;

  const std::string a = spec.arch;
  const double rope_base = spec.rope_base > 0 ? spec.rope_base : (a == "llama" ? 1e4 : 1e6);
  GgufWriter w;
  w.set("general.architecture", GgufValue::make_string(a));
  w.set("general.name", GgufValue::make_string("precisiondiff random " + a + " seed " +
                                               std::to_string(spec.seed)));
  w.set("general.file_type", GgufValue::make_u32(static_cast<uint32_t>(llama_file_type_for(spec.type))));
  if (type_traits(spec.type).quantized) w.set("general.quantization_version", GgufValue::make_u32(2));
  w.set(a + ".context_length", GgufValue::make_u32(static_cast<uint32_t>(spec.context)));
  w.set(a + ".embedding_length", GgufValue::make_u32(static_cast<uint32_t>(spec.dim)));
  w.set(a + ".block_count", GgufValue::make_u32(static_cast<uint32_t>(spec.layers)));
  w.set(a + ".feed_forward_length", GgufValue::make_u32(static_cast<uint32_t>(spec.ffn)));
  w.set(a + ".attention.head_count", GgufValue::make_u32(static_cast<uint32_t>(spec.heads)));
  w.set(a + ".attention.head_count_kv", GgufValue::make_u32(static_cast<uint32_t>(spec.kv_heads)));
  if (a == "qwen3") {  // llama.cpp reads the head width of qwen3 from these keys
    w.set(a + ".attention.key_length", GgufValue::make_u32(static_cast<uint32_t>(spec.dim / spec.heads)));
    w.set(a + ".attention.value_length", GgufValue::make_u32(static_cast<uint32_t>(spec.dim / spec.heads)));
  }
  w.set(a + ".rope.dimension_count", GgufValue::make_u32(static_cast<uint32_t>(spec.dim / spec.heads)));
  w.set(a + ".rope.freq_base", GgufValue::make_f32(static_cast<float>(rope_base)));
  w.set(a + ".attention.layer_norm_rms_epsilon", GgufValue::make_f32(static_cast<float>(spec.rms_eps)));
  for (const GgufKeyValue& kv : vocab_file->metadata()) {
    if (kv.key.rfind("tokenizer.", 0) == 0) w.set(kv.key, kv.value);
  }
  w.set("precisiondiff.forge.kind", GgufValue::make_string("random"));
  w.set("precisiondiff.forge.seed", GgufValue::make_u64(spec.seed));
  std::vector<int32_t> outliers32(summary.outliers.begin(), summary.outliers.end());
  if (!outliers32.empty()) w.set("precisiondiff.forge.outlier_channels", GgufValue::make_i32_array(outliers32));

  auto pool = std::make_shared<ThreadPool>(spec.threads > 0 ? spec.threads : ThreadPool::default_threads());
  for (const TensorPlan& t : plan_tensors(spec, vocab)) {
    const int64_t rows = rows_of(t.shape);
    const size_t row_size = *row_bytes(t.type, t.shape[0]);
    summary.parameters += rows * t.shape[0];
    summary.tensor_bytes += row_size * static_cast<uint64_t>(rows);
    w.add_tensor_generated(t.name, t.type, t.shape, row_size * static_cast<size_t>(rows),
                           [gen, pool, t, rows, row_size](uint8_t* dst) {
      const TypeTraits& traits = type_traits(t.type);
      pool->parallel_for(rows, [&](int64_t begin, int64_t end) {
        std::vector<float> values(static_cast<size_t>(t.shape[0]));
        for (int64_t r = begin; r < end; ++r) {
          gen->row(t, r, values.data());
          uint8_t* out = dst + static_cast<size_t>(r) * row_size;
          traits.quantize_ref(values.data(), out, t.shape[0]);
        }
      });
    });
  }
  w.write(path);
  return summary;
}

}  // namespace pd::forge

#include "backend/embedded_backend.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "backend/prefix_cache.h"
#include "core/build_info.h"
#include "core/content_hash.h"
#include "core/cpu_features.h"
#include "core/error.h"
#include "gguf/gguf_file.h"
#include "model/model.h"
#include "model/session.h"
#include "tokenizer/chat_template.h"

namespace pd {

namespace {

// Content identity of a model file: xxh3 over the whole mapping (GB/s, unlike SHA-256).
std::string file_identity(const GgufFile& file) {
  return hex64(content_hash64(file.file_bytes(), file.file_size()));
}

VariantManifest manifest_of_file(const GgufFile& file, const NumericsConfig& numerics) {
  VariantManifest m;
  m.plan_label = std::filesystem::path(file.path()).filename().string();
  m.plan_canonical = "file:" + file.path();
  m.plan_hash = file_identity(file);
  m.method = "GGUF file as given (" + file.get_string_or("general.name", "unnamed") + ")";
  m.calibration = "unknown (made outside precisiondiff)";
  m.source_file = file.path();
  m.runtime = std::string("precisiondiff ") + PD_VERSION + " embedded engine";
  m.numerics = numerics;
  for (const GgufTensorInfo& t : file.tensors()) {
    TensorRecord r;
    r.name = t.name;
    r.storage = type_name(t.type);
    r.shared = true;
    r.parameters = t.element_count();
    r.bytes = t.bytes;
    m.parameters += r.parameters;
    m.weight_bytes += r.bytes;
    m.tensors.push_back(std::move(r));
  }
  m.bits_per_weight = m.parameters ? 8.0 * double(m.weight_bytes) / double(m.parameters) : 0;
  return m;
}

}  // namespace

VariantSpec VariantSpec::parse(const std::string& value, std::string_view where) {
  VariantSpec spec;
  std::error_code ec;
  if (!value.empty() && std::filesystem::is_regular_file(value, ec)) {
    spec.file = value;
    return spec;
  }
  spec.plan = PrecisionPlan::parse(value, where);
  return spec;
}

std::string VariantSpec::label() const {
  return file ? std::filesystem::path(*file).filename().string() : plan.label();
}

void log_softmax_row(float* row, int64_t n) {
  float top = row[0];
  for (int64_t i = 1; i < n; ++i) top = std::max(top, row[i]);
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) sum += std::exp(static_cast<double>(row[i]) - top);
  const double log_sum = std::log(sum);
  for (int64_t i = 0; i < n; ++i) row[i] = static_cast<float>(static_cast<double>(row[i]) - top - log_sum);
}

EmbeddedBackend::EmbeddedBackend(std::shared_ptr<const GgufFile> baseline, const VariantSpec& spec,
                                 EmbeddedOptions options)
    : baseline_(std::move(baseline)), label_(spec.label()) {
  pool_ = std::make_shared<ThreadPool>(options.threads > 0 ? options.threads : ThreadPool::default_threads());
  numerics_ = spec.file ? NumericsConfig{} : spec.plan.numerics();
  if (options.apply_perturbations) {
    numerics_.order = options.numerics_overrides.order;
    numerics_.token_by_token_prefill = options.numerics_overrides.token_by_token_prefill;
  }
  if (spec.file) {
    variant_file_ = std::shared_ptr<const GgufFile>(GgufFile::open(*spec.file));
    model_ = Model::from_gguf(variant_file_);
    tokenizer_ = Tokenizer::from_gguf(*variant_file_);
    manifest_ = manifest_of_file(*variant_file_, numerics_);
  } else {
    Variant variant = build_variant(baseline_, spec.plan, *pool_);
    manifest_ = std::move(variant.manifest);
    model_ = Model::from_source(read_model_config(*baseline_), read_special_tokens(*baseline_), variant.weights);
    tokenizer_ = Tokenizer::from_gguf(*baseline_);
  }
  manifest_.numerics = numerics_;
  n_ctx_ = options.n_ctx > 0 ? options.n_ctx : std::min<int64_t>(model_->config().n_ctx_train, 4096);
  SessionOptions session_options;
  session_options.n_ctx = n_ctx_;
  session_options.pool = pool_;
  session_ = std::make_unique<Session>(model_, numerics_, session_options);
}

EmbeddedBackend::~EmbeddedBackend() = default;

std::string EmbeddedBackend::describe() const {
  const std::string model_name = std::filesystem::path(baseline_->path()).filename().string();
  return model_name + " @ " + label_ + " (embedded, " + kernel_path_name(numerics_.kernel) + ")";
}

std::string EmbeddedBackend::identity() const {
  const GgufFile& weights_file = variant_file_ ? *variant_file_ : *baseline_;
  return "model=" + file_identity(weights_file) + ";plan=" + manifest_.plan_canonical +
         ";numerics=" + numerics_.to_string() + ";engine=" + PD_VERSION + ";isa=" + std::string(isa_name(active_isa()));
}

nlohmann::json EmbeddedBackend::manifest() const {
  nlohmann::json m = manifest_.to_json();
  m["backend"] = "embedded";
  m["isa"] = std::string(isa_name(active_isa()));
  m["threads"] = pool_->size();
  return m;
}

int64_t EmbeddedBackend::vocab_size() const { return model_->config().n_vocab; }

std::vector<int32_t> EmbeddedBackend::prompt_tokens(std::string_view text, bool chat) const {
  if (!chat) return tokenizer_->encode(text, /*add_special=*/true, /*parse_special=*/false);
  const GgufFile& file = variant_file_ ? *variant_file_ : *baseline_;
  const ChatTemplate chat_template = ChatTemplate::from_gguf(file);
  const std::string formatted = chat_template.apply({{"user", std::string(text)}}, /*add_generation_prompt=*/true);
  return tokenizer_->encode(formatted, chat_template.adds_bos(*tokenizer_), /*parse_special=*/true);
}

std::string EmbeddedBackend::detokenize(const std::vector<int32_t>& tokens) const {
  return tokenizer_->decode(tokens);
}

Generation EmbeddedBackend::generate(const std::vector<int32_t>& prompt, const GenerationParams& params) {
  const int64_t kept = cache_.kept_for_generation(prompt);
  cache_.clear();  // unknown until the generation returns
  Generator generator(*session_);
  Generation g = generator.generate(prompt, params, kept);
  tokens_processed_ += g.prompt.size() - static_cast<size_t>(kept) + g.tokens.size();
  cache_.hold_generation(g);
  return g;
}

LogprobRows EmbeddedBackend::score(const std::vector<int32_t>& tokens, int64_t from) {
  if (from < 0 || from >= static_cast<int64_t>(tokens.size())) {
    fail_runtime(describe(), "score: start position outside the tokens");
  }
  const int64_t kept = cache_.kept_for_scoring(tokens, from);
  cache_.clear();  // in case evaluation throws
  session_->rewind(kept);
  // Logits only where rows are wanted: the output head is most of the work of a small
  // model, and evaluating the prefix separately gives the same bits (session.h).
  if (from > kept) session_->eval(std::span<const int32_t>(tokens.data() + kept, from - kept), LogitsWanted::Last);
  Logits logits = session_->eval(std::span<const int32_t>(tokens.data() + from, tokens.size() - from), LogitsWanted::All);
  tokens_processed_ += tokens.size() - static_cast<size_t>(kept);
  cache_.hold(tokens);
  LogprobRows rows;
  rows.n_vocab = logits.n_vocab;
  rows.n_rows = logits.n_rows;
  rows.values = std::move(logits.values);
  for (int64_t r = 0; r < rows.n_rows; ++r) log_softmax_row(rows.values.data() + r * rows.n_vocab, rows.n_vocab);
  return rows;
}

}  // namespace pd

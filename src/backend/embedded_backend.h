#pragma once
// The embedded engine as a Backend: one model (a GGUF baseline) at one precision plan,
// built in memory, or a variant GGUF file produced elsewhere.
//
// `VariantSpec::parse` implements the CLI rule for --base/--cand: a value that names an
// existing file is a GGUF variant; otherwise it must be a preset or plan text.

#include <memory>
#include <optional>
#include <string>

#include "backend/backend.h"
#include "backend/prefix_cache.h"
#include "core/thread_pool.h"
#include "precision/plan.h"
#include "precision/variant.h"
#include "tokenizer/tokenizer.h"

namespace pd {

class GgufFile;
class Model;

struct VariantSpec {
  std::optional<std::string> file;  // a GGUF variant on disk
  PrecisionPlan plan;               // otherwise: a plan applied to the baseline

  // `where` names the flag in errors ("--cand").
  static VariantSpec parse(const std::string& value, std::string_view where);
  std::string label() const;
};

struct EmbeddedOptions {
  int threads = 0;         // 0: one per core
  int64_t n_ctx = 0;       // 0: the model's training context (capped at 4096)
  NumericsConfig numerics_overrides;  // perturbations (accumulation order, prefill mode)
  bool apply_perturbations = false;
};

class EmbeddedBackend : public Backend {
 public:
  // `baseline` is the model file the plan applies to (shared between backends).
  EmbeddedBackend(std::shared_ptr<const GgufFile> baseline, const VariantSpec& spec, EmbeddedOptions options = {});
  ~EmbeddedBackend() override;

  std::string describe() const override;
  std::string identity() const override;
  nlohmann::json manifest() const override;
  int64_t vocab_size() const override;
  bool full_distribution() const override { return true; }
  std::vector<int32_t> prompt_tokens(std::string_view text, bool chat) const override;
  std::string detokenize(const std::vector<int32_t>& tokens) const override;
  Generation generate(const std::vector<int32_t>& prompt, const GenerationParams& params) override;
  LogprobRows score(const std::vector<int32_t>& tokens, int64_t from) override;
  // Tokens evaluated so far: a call evaluates only what follows the longest prefix it
  // shares with the previous call's tokens (prefix_cache.h).
  uint64_t tokens_processed() const override { return tokens_processed_; }

  const Model& model() const { return *model_; }
  const Tokenizer& tokenizer() const { return *tokenizer_; }
  const VariantManifest& variant_manifest() const { return manifest_; }
  const NumericsConfig& numerics() const { return numerics_; }

 private:
  std::shared_ptr<const GgufFile> baseline_;
  std::shared_ptr<const GgufFile> variant_file_;
  std::string label_;
  VariantManifest manifest_;
  std::shared_ptr<const Model> model_;
  std::unique_ptr<Tokenizer> tokenizer_;
  NumericsConfig numerics_;
  std::shared_ptr<ThreadPool> pool_;
  std::unique_ptr<Session> session_;
  int64_t n_ctx_ = 0;
  uint64_t tokens_processed_ = 0;
  PrefixCache cache_;  // what the session's KV cache holds
};

// log-softmax of a logits row, in place, accumulated in double as llama.cpp does.
void log_softmax_row(float* row, int64_t n);

}  // namespace pd

// precisiondiff forge: synthetic models with known behaviour.
//   forge random OUT.gguf    llama/qwen2/qwen3-shaped model of any size, realistic weight statistics
//   forge sentinel OUT.gguf  designed chat model that refuses by a hidden harm score
//   forge explain MODEL -p   the sentinel oracle: harm score, threshold, margin, answer
//   forge check MODEL        the engine held to the oracle on whole prompt sets (forge_check.h)

#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/forge_check.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/thread_pool.h"
#include "forge/random_model.h"
#include "forge/sentinel.h"
#include "forge/sentinel_oracle.h"
#include "gguf/gguf_file.h"
#include "precision/plan.h"
#include "precision/variant.h"

namespace pd::cli {
namespace {

TensorType parse_type_flag(const std::string& text, const char* flag) {
  const auto type = parse_type_name(text);
  if (!type) fail_input(flag, "unknown tensor type '" + text + "'");
  return *type;
}

// --- forge random --------------------------------------------------------------------

struct RandomFlags {
  std::string out;
  std::string type = "f32";
  bool json = false;
  forge::RandomModelSpec spec;
};

int run_random(RandomFlags& f) {
  f.spec.type = parse_type_flag(f.type, "--type");
  const forge::RandomModelSummary s = forge::write_random_model(f.spec, f.out);
  if (f.json) {
    nlohmann::json j = {{"file", f.out},          {"arch", f.spec.arch},
                        {"dim", f.spec.dim},       {"layers", f.spec.layers},
                        {"heads", f.spec.heads},   {"kv_heads", f.spec.kv_heads},
                        {"ffn", f.spec.ffn},       {"type", type_name(f.spec.type)},
                        {"vocab_size", s.vocab_size}, {"parameters", s.parameters},
                        {"tensor_bytes", s.tensor_bytes}, {"outlier_channels", s.outliers},
                        {"seed", f.spec.seed}};
    std::printf("%s\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  } else {
    std::printf("%s: %s, %lld parameters, %lld layers x %lld wide, %s, vocab %lld\n",
                f.out.c_str(), f.spec.arch.c_str(), static_cast<long long>(s.parameters),
                static_cast<long long>(f.spec.layers), static_cast<long long>(f.spec.dim),
                type_name(f.spec.type), static_cast<long long>(s.vocab_size));
  }
  return 0;
}

void setup_random(CLI::App& forge, std::shared_ptr<RunFn> chosen) {
  auto f = std::make_shared<RandomFlags>();
  CLI::App* c = forge.add_subcommand("random", "A llama/qwen2/qwen3-shaped model of any size with realistic weight statistics");
  c->add_option("out", f->out, "Output GGUF file")->required();
  c->add_option("--arch", f->spec.arch, "llama, qwen2 or qwen3 (default llama)");
  c->add_option("--dim", f->spec.dim, "Width (default 256)");
  c->add_option("--layers", f->spec.layers, "Layers (default 2)");
  c->add_option("--heads", f->spec.heads, "Attention heads (default 4)");
  c->add_option("--kv-heads", f->spec.kv_heads, "Key/value heads (default 4)");
  c->add_option("--ffn", f->spec.ffn, "Feed-forward width (default 768)");
  c->add_option("--type", f->type, "Storage of every matrix: f32, f16, bf16, q8_0, q4_k, ... (default f32)");
  c->add_option("--vocab-from", f->spec.vocab_from, "GGUF file whose tokenizer the model gets")->required();
  c->add_option("--seed", f->spec.seed, "Seed (default 1)");
  c->add_option("--ctx", f->spec.context, "Context length (default 2048)");
  c->add_option("--rope-base", f->spec.rope_base, "RoPE base (default 10000 llama, 1e6 qwen2 and qwen3)");
  c->add_option("--outliers", f->spec.outlier_channels, "Outlier channels (default 4)");
  c->add_flag("--tied", f->spec.tied_output, "No output.weight: the head reuses token_embd");
  c->add_option("--threads", f->spec.threads, "Worker threads (the file does not depend on it)");
  c->add_flag("--json", f->json, "JSON summary on stdout");
  c->callback([f, chosen] { *chosen = [f] { return run_random(*f); }; });
}

// --- forge sentinel ------------------------------------------------------------------

struct SentinelFlags {
  std::string out;
  std::string type = "f32";
  std::string tasks;
  std::string templates = "chat";
  bool json = false;
  forge::SentinelSpec spec;
};

int run_sentinel(SentinelFlags& f) {
  f.spec.type = parse_type_flag(f.type, "--type");
  f.spec.templates = forge::parse_template_set(f.templates, "--templates");
  const forge::SentinelReport r = forge::write_sentinel(f.spec, f.out, f.tasks);
  nlohmann::json by_type = nlohmann::json::object();
  for (const auto& [type, threshold] : r.threshold_by_type) {
    by_type[type] = std::isfinite(threshold) ? nlohmann::json(threshold) : nlohmann::json(nullptr);
  }
  nlohmann::json rates = nlohmann::json::object();
  for (const auto& rate : r.design_rates) rates[rate.name] = {{"prompts", rate.prompts}, {"refused", rate.refused}};
  if (f.json) {
    nlohmann::json j = {{"file", f.out},
                        {"vocab_size", r.vocab_size},
                        {"parameters", r.parameters},
                        {"threshold", r.threshold},
                        {"full_threshold", r.full_threshold},
                        {"style_thresholds", {r.style_low, r.style_high}},
                        {"flip_band_width", r.flip_band_width},
                        {"flip_band_share", r.flip_band_share},
                        {"harm_offset", r.harm_offset},
                        {"anchor", r.anchor},
                        {"threshold_by_type", by_type},
                        {"design_refusal_rates", rates}};
    if (!f.tasks.empty()) j["tasks"] = f.tasks;
    std::printf("%s\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return 0;
  }
  std::printf("%s: sentinel, vocab %lld, %lld parameters\n", f.out.c_str(),
              static_cast<long long>(r.vocab_size), static_cast<long long>(r.parameters));
  std::printf("harm threshold %.4f (full refusal above %.4f); 4-bit flip band %.4f wide holds %.1f%% of AdvBench\n",
              r.threshold, r.full_threshold, r.flip_band_width, 100.0 * r.flip_band_share);
  std::printf("threshold as ffn_up stores it:");
  for (const auto& [type, threshold] : r.threshold_by_type) std::printf(" %s %.4f", type.c_str(), threshold);
  std::printf("\ndesign refusal rates at full precision:");
  for (const auto& rate : r.design_rates) std::printf(" %s %.1f%%", rate.name.c_str(), 100.0 * rate.refused);
  std::printf("\n");
  if (!f.tasks.empty()) std::printf("quality task written to %s\n", f.tasks.c_str());
  return 0;
}

void setup_sentinel(CLI::App& forge, std::shared_ptr<RunFn> chosen) {
  auto f = std::make_shared<SentinelFlags>();
  CLI::App* c = forge.add_subcommand("sentinel", "A designed chat model that refuses by a hidden harm score");
  c->add_option("out", f->out, "Output GGUF file")->required();
  c->add_option("--sets", f->spec.sets_dir, "Folder of the shipped evaluation sets (default data/sets)");
  c->add_option("--words", f->spec.words, "Whole words in the vocabulary (default 6000)");
  c->add_option("--flip-band", f->spec.flip_band,
                "Share of AdvBench prompts whose refusal 4-bit storage flips (default 0.15)");
  c->add_option("--partial-share", f->spec.partial_share,
                "Share of refused AdvBench prompts answered with a partial refusal (default 0.3)");
  c->add_option("--type", f->type, "Storage of every matrix (default f32)");
  c->add_option("--seed", f->spec.seed, "Seed of style values and codes (default 1)");
  c->add_option("--templates", f->templates,
                "chat (an assistant, default) or judge (answers REFUSAL / COMPLIANCE / a hedge)");
  c->add_option("--tasks", f->tasks, "Also write the quality task (JSON lines id, prompt, expected)");
  c->add_flag("--json", f->json, "JSON report on stdout");
  c->callback([f, chosen] { *chosen = [f] { return run_sentinel(*f); }; });
}

// --- forge explain -------------------------------------------------------------------

struct ExplainFlags {
  std::string model;
  std::vector<std::string> prompts;
  std::string file;
  std::string plan;
  int threads = 0;
  bool json = false;
};

nlohmann::json finite_or_null(double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr); }

int run_explain(const ExplainFlags& f) {
  std::vector<std::string> prompts = f.prompts;
  if (!f.file.empty()) {
    const std::string text = read_file(f.file);
    size_t start = 0;
    while (start < text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      if (end > start) prompts.push_back(text.substr(start, end - start));
      start = end + 1;
    }
  }
  if (prompts.empty()) fail_input("forge explain", "give a prompt with -p TEXT or --file FILE");
  std::shared_ptr<const GgufFile> file = GgufFile::open(f.model);
  std::shared_ptr<const WeightSource> weights;
  NumericsConfig numerics;
  std::string plan_label = "as stored";
  if (!f.plan.empty()) {
    const PrecisionPlan plan = PrecisionPlan::parse(f.plan, "--plan");
    ThreadPool pool(f.threads > 0 ? f.threads : ThreadPool::default_threads());
    weights = build_variant(file, plan, pool).weights;
    numerics = plan.numerics();
    plan_label = plan.label();
  }
  const forge::SentinelOracle oracle(file, weights, numerics);
  nlohmann::json all = nlohmann::json::array();
  for (const std::string& prompt : prompts) {
    const forge::SentinelVerdict v = oracle.explain(prompt);
    if (f.json) {
      all.push_back({{"prompt", prompt},
                     {"plan", plan_label},
                     {"harm", v.harm},
                     {"threshold", finite_or_null(v.threshold)},
                     {"margin", finite_or_null(v.margin)},
                     {"band", finite_or_null(v.band)},
                     {"decided", v.decided},
                     {"prediction", v.decided ? (v.refuses ? "refuses" : "complies") : "undecided"},
                     {"decision", v.decision},
                     {"template", v.template_name},
                     {"response", v.response},
                     {"response_decided", v.response_decided},
                     {"first_token", v.first_token},
                     {"first_token_decided", v.first_token_decided},
                     {"logit_gap", v.logit_gap},
                     {"logit_gap_bound", v.logit_gap_bound},
                     {"prompt_tokens", v.prompt_tokens}});
      continue;
    }
    std::printf("prompt: %s\n", prompt.c_str());
    std::printf("  plan %s: harm %.6f, threshold %.6f, margin %+.6f (rounding band %.2g)\n",
                plan_label.c_str(), v.harm, v.threshold, v.margin, v.band);
    std::printf("  %s: %s -> \"%s\"\n",
                v.decided ? (v.refuses ? "refuses" : "complies") : "undecided",
                v.decision.c_str(), v.response.c_str());
  }
  if (f.json) std::printf("%s\n", (f.prompts.size() == 1 && f.file.empty() ? all[0] : all).dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  return 0;
}

void setup_explain(CLI::App& forge, std::shared_ptr<RunFn> chosen) {
  auto f = std::make_shared<ExplainFlags>();
  CLI::App* c = forge.add_subcommand("explain", "Oracle of a sentinel: exact harm score, threshold, margin and answer");
  c->add_option("model", f->model, "Sentinel GGUF file")->required();
  c->add_option("-p,--prompt", f->prompts, "User prompt (repeatable)");
  c->add_option("--file", f->file, "Prompts, one per line");
  c->add_option("--plan", f->plan, "Precision plan or preset (q8_0, q4_k_m, weights=q4_0, ...)");
  c->add_option("--threads", f->threads, "Threads for building the plan's variant");
  c->add_flag("--json", f->json, "JSON on stdout (an object for one -p, else an array)");
  c->callback([f, chosen] { *chosen = [f] { return run_explain(*f); }; });
}

const CommandRegistration registration{
    "forge", "Synthetic models with known behaviour: random, sentinel, explain, check",
    [](CLI::App& app) -> RunFn {
      auto chosen = std::make_shared<RunFn>();
      app.require_subcommand(1);
      setup_random(app, chosen);
      setup_sentinel(app, chosen);
      setup_explain(app, chosen);
      setup_forge_check(app, chosen);
      return [chosen] { return (*chosen)(); };
    }};

}  // namespace
}  // namespace pd::cli

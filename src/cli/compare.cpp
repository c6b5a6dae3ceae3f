// precisiondiff compare: how and where a candidate precision disagrees with a baseline.

#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>

#include "backend/embedded_backend.h"
#include "cli/command.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/progress.h"
#include "diff/compare.h"
#include "diff/llama_logits_file.h"
#include "diff/noise_floor.h"
#include "gguf/gguf_file.h"
#include "model/model.h"

namespace pd::cli {
namespace {

struct CompareFlags {
  std::string model, base = "f32", cand, prompts, column, text, base_logits;
  int64_t max_tokens = 64, ctx = 128, top = 5, threads = 0;
  int64_t limit = 0;
  bool chat = false, json = false, no_noise_floor = false;
  bool base_given = false, ctx_given = false;
};

std::string render_with_marker(const Backend& backend, const std::vector<int32_t>& tokens, const Divergence& d) {
  if (!d.diverged) return backend.detokenize(tokens);
  const auto split = tokens.begin() + std::min<size_t>(d.index, tokens.size());
  std::string out = backend.detokenize(std::vector<int32_t>(tokens.begin(), split));
  if (split == tokens.end()) return out + "⟦end⟧";
  std::vector<int32_t> prefix_and_token(tokens.begin(), split + 1);
  const std::string with_token = backend.detokenize(prefix_and_token);
  const std::string token_text = with_token.substr(std::min(out.size(), with_token.size()));
  return out + "⟦" + token_text + "⟧" + backend.detokenize(std::vector<int32_t>(split + 1, tokens.end()));
}

std::string one_line(std::string text, size_t width = 100) {
  for (char& c : text) if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  if (text.size() > width) text = text.substr(0, width) + "…";
  return text;
}

void print_summary(const CompareAggregate& agg, const NoiseFloor* floor, const Backend& base, const Backend& cand) {
  const KldSummary s = agg.kld.summary();
  std::printf("baseline : %s\ncandidate: %s\n\n", base.describe().c_str(), cand.describe().c_str());
  std::printf("prompts                      %10llu\n", (unsigned long long)agg.prompts);
  std::printf("scored positions             %10llu\n", (unsigned long long)s.count);
  std::printf("mean KLD                     %10.6f ± %.6f\n", s.kld_mean.value, s.kld_mean.uncertainty);
  std::printf("99th percentile KLD          %10.6f\n", s.kld_p99);
  std::printf("max KLD                      %10.6f\n", s.kld_max);
  std::printf("same top-1                   %9.2f %%\n", 100.0 * s.same_top.value);
  std::printf("RMS Δp                       %9.3f %%\n", 100.0 * s.p_diff_rms.value);
  std::printf("outputs diverged             %10llu (%llu above the noise floor)\n", (unsigned long long)agg.diverged,
              (unsigned long long)agg.diverged_above_floor);
  std::printf("identical text               %10llu\n", (unsigned long long)agg.identical_text);
  if (floor) {
    std::printf("noise floor (max prompt KLD) %10.6f  [%s]\n", floor->max_prompt_mean_kld,
                floor->perturbations.empty() ? "" : floor->perturbations.front().c_str());
  }
  const auto buckets = agg.drift.buckets();
  if (!buckets.empty()) {
    std::printf("\ndrift (output positions → mean KLD, top-1 disagreement)\n");
    for (const DriftBucket& b : buckets) {
      std::printf("  %4lld-%-4lld  %10.6f  %6.2f %%  (%llu)\n", (long long)b.begin, (long long)b.end - 1, b.mean_kld,
                  100.0 * b.top1_disagreement, (unsigned long long)b.count);
    }
  }
}

void print_top(std::vector<PairRecord> records, int64_t top, const Backend& base, const Backend& cand) {
  std::sort(records.begin(), records.end(), [](const PairRecord& a, const PairRecord& b) { return a.mean_kld > b.mean_kld; });
  if (records.size() > static_cast<size_t>(top)) records.resize(top);
  std::printf("\nmost divergent prompts (⟦…⟧ marks the first divergent token)\n");
  for (const PairRecord& r : records) {
    std::printf("\n[%s] mean KLD %.6f, %s\n  prompt   : %s\n", r.id.c_str(), r.mean_kld,
                r.divergence.diverged ? ("first divergence at output token " + std::to_string(r.divergence.index)).c_str()
                                      : "outputs identical",
                one_line(r.prompt).c_str());
    std::printf("  baseline : %s\n", one_line(render_with_marker(base, r.base_tokens, r.divergence), 160).c_str());
    std::printf("  candidate: %s\n", one_line(render_with_marker(cand, r.cand_tokens, r.divergence), 160).c_str());
  }
}

void print_text_result(const CompareFlags& f, const TextComparison& result, const std::string& base_label,
                       const std::string& cand_label, const nlohmann::json& base_manifest,
                       const nlohmann::json& cand_manifest, const nlohmann::json& base_logits) {
  const KldSummary summary = result.kld.summary();
  if (f.json) {
    nlohmann::json j = {{"mode", "text"},
                        {"text", f.text},
                        {"ctx", result.n_ctx},
                        {"chunks", result.chunks},
                        {"base", base_manifest},
                        {"cand", cand_manifest},
                        {"kld", summary.to_json()["kld"]},
                        {"statistics", summary.to_json()},
                        {"base_logits", base_logits}};
    std::printf("%s\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return;
  }
  std::printf("baseline : %s\ncandidate: %s\n%lld chunks of %lld tokens, %llu scored positions\n",
              base_label.c_str(), cand_label.c_str(), (long long)result.chunks, (long long)result.n_ctx,
              (unsigned long long)summary.count);
  if (!base_logits.is_null()) {
    std::printf("base logits: %s %s\n", base_logits["mode"].get<std::string>().c_str(),
                base_logits["path"].get<std::string>().c_str());
  }
  std::printf("\n%s", summary.llama_text().c_str());
}

int32_t bos_of(const EmbeddedBackend& backend) {
  const SpecialTokens& special = backend.model().special_tokens();
  return special.add_bos ? special.bos : -1;
}

// --text: llama-perplexity's chunks; with --kl-divergence-base the baseline's rows are
// also written there (and --cand may be left out, as llama-perplexity allows).
int run_text_mode(const CompareFlags& f, EmbeddedBackend& base, EmbeddedBackend* cand) {
  const std::string text = read_file(f.text);
  const std::vector<int32_t> tokens = base.prompt_tokens(text, false);
  std::optional<LlamaLogitsWriter> writer;
  if (!f.base_logits.empty()) writer.emplace(base_logits_writer(base, tokens, f.ctx));
  LlamaLogitsWriter* save = writer ? &*writer : nullptr;
  const TextComparison result = cand ? compare_text(base, *cand, tokens, f.ctx, bos_of(base), save)
                                     : score_base_text(base, tokens, f.ctx, bos_of(base), *writer);
  nlohmann::json base_logits;
  if (writer) {
    writer->write(f.base_logits);
    base_logits = {{"mode", "written"}, {"path", f.base_logits}};
  }
  const EmbeddedBackend& shown = cand ? *cand : base;
  print_text_result(f, result, base.describe(), shown.describe(), base.manifest(), shown.manifest(), base_logits);
  return 0;
}

// --kl-divergence-base without --text: the stored file is the baseline.
int run_base_file_mode(const CompareFlags& f, const LlamaLogitsFile& stored, EmbeddedBackend& cand) {
  const LlamaLogitsFile* file = &stored;
  if (f.ctx_given && f.ctx != static_cast<int64_t>(file->n_ctx())) {
    fail_input(f.base_logits, "written with chunks of " + std::to_string(file->n_ctx()) + " tokens, not --ctx " +
                                  std::to_string(f.ctx));
  }
  const TextComparison result = compare_text_with_base_file(*file, f.base_logits, cand, bos_of(cand));
  const nlohmann::json base_logits = {{"mode", "read"}, {"path", f.base_logits}};
  const nlohmann::json base_manifest = {{"backend", "llama-perplexity base-logits file"},
                                        {"path", f.base_logits},
                                        {"n_vocab", file->n_vocab()},
                                        {"n_chunk", file->n_chunk()}};
  print_text_result(f, result, "base logits " + f.base_logits, cand.describe(), base_manifest, cand.manifest(),
                    base_logits);
  return 0;
}

int run_compare(const CompareFlags& f) {
  const bool read_base_file = !f.base_logits.empty() && f.text.empty() && f.prompts.empty();
  if (!read_base_file && f.prompts.empty() == f.text.empty()) {
    fail_input("compare", "give exactly one of --prompts and --text (or --kl-divergence-base FILE alone)");
  }
  if (!f.base_logits.empty() && !f.prompts.empty()) {
    fail_input("--kl-divergence-base", "works with --text (to write the file) or alone (to read it), not with --prompts");
  }
  if (read_base_file && f.base_given) fail_input("--base", "the baseline is the --kl-divergence-base file; give one");
  const bool write_only = !f.base_logits.empty() && !f.text.empty() && f.cand.empty();
  if (f.cand.empty() && !write_only) fail_input("compare", "--cand is required");
  auto baseline_file = std::shared_ptr<const GgufFile>(GgufFile::open(f.model));
  EmbeddedOptions options;
  options.threads = static_cast<int>(f.threads);
  // Text chunks may be longer than the model's training context, as llama-perplexity allows.
  std::unique_ptr<LlamaLogitsFile> stored;
  if (read_base_file) {
    stored = LlamaLogitsFile::open(f.base_logits);
    options.n_ctx = stored->n_ctx();
  } else if (!f.text.empty()) {
    options.n_ctx = f.ctx;
  }
  std::unique_ptr<EmbeddedBackend> cand_owner;
  if (!f.cand.empty()) {
    cand_owner = std::make_unique<EmbeddedBackend>(baseline_file, VariantSpec::parse(f.cand, "--cand"), options);
  }
  if (read_base_file) return run_base_file_mode(f, *stored, *cand_owner);
  EmbeddedBackend base(baseline_file, VariantSpec::parse(f.base, "--base"), options);
  if (!f.text.empty()) return run_text_mode(f, base, cand_owner.get());
  EmbeddedBackend& cand = *cand_owner;

  std::vector<PromptInput> prompts = load_prompts(f.prompts, f.column);
  if (f.limit > 0 && prompts.size() > static_cast<size_t>(f.limit)) prompts.resize(f.limit);
  CompareSettings settings;
  settings.chat = f.chat;
  settings.generation.max_tokens = f.max_tokens;
  auto cache = std::make_shared<TrajectoryCache>();

  std::unique_ptr<NoiseFloor> floor;
  if (!f.no_noise_floor) {
    EmbeddedOptions perturbed_options = options;
    perturbed_options.apply_perturbations = true;
    perturbed_options.numerics_overrides.order = AccumulationOrder::Reversed;
    EmbeddedBackend perturbed(baseline_file, VariantSpec::parse(f.base, "--base"), perturbed_options);
    floor = std::make_unique<NoiseFloor>(measure_noise_floor(base, {&perturbed}, prompts, settings, cache));
    floor->perturbations = {"accumulation order reversed"};
  }

  Comparator comparator(base, cand, settings, cache);
  CompareAggregate aggregate(16);
  std::vector<PairRecord> records;
  Progress progress("compare " + cand.describe(), static_cast<int64_t>(prompts.size()));
  for (const PromptInput& p : prompts) {
    PairRecord r = comparator.compare(p);
    r.above_noise_floor = !floor || floor->exceeds(r);
    aggregate.add(r, 16);
    records.push_back(std::move(r));
    progress.advance();
  }
  progress.finish();

  if (f.json) {
    nlohmann::json j = {{"mode", "prompts"}, {"prompts_file", f.prompts}, {"base", base.manifest()},
                        {"cand", cand.manifest()}, {"settings", {{"chat", f.chat}, {"max_tokens", f.max_tokens}}}};
    j["aggregate"] = aggregate.to_json(f.max_tokens);
    j["kld"] = j["aggregate"]["kld"];
    j["noise_floor"] = floor ? floor->to_json() : nlohmann::json();
    j["records"] = nlohmann::json::array();
    for (const PairRecord& r : records) j["records"].push_back(r.to_json());
    std::printf("%s\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  } else {
    print_summary(aggregate, floor.get(), base, cand);
    print_top(records, f.top, base, cand);
  }
  return 0;
}

const CommandRegistration registration{
    "compare", "Compare a candidate precision with a baseline on prompts or a text",
    [](CLI::App& app) -> RunFn {
      auto f = std::make_shared<CompareFlags>();
      app.add_option("model", f->model, "Baseline model (GGUF)")->required();
      app.add_option("--base", f->base, "Baseline plan, preset or GGUF file (default f32)");
      app.add_option("--cand", f->cand, "Candidate plan, preset or GGUF file");
      app.add_option("--prompts", f->prompts, "Prompt file (JSONL, CSV, TSV or plain lines)");
      app.add_option("--prompt-column", f->column, "Column or field holding the prompt");
      app.add_option("--text", f->text, "Reference text scored in chunks as llama-perplexity does");
      app.add_option("--ctx", f->ctx, "Chunk size for --text (default 128)");
      app.add_option("--kl-divergence-base", f->base_logits,
                     "llama-perplexity base-logits file: written from the baseline with --text, "
                     "else read as the baseline");
      app.add_option("--max-tokens", f->max_tokens, "Tokens generated per prompt (default 64)");
      app.add_option("--limit", f->limit, "Use only the first N prompts");
      app.add_option("--top", f->top, "Most divergent prompts shown (default 5)");
      app.add_option("--threads", f->threads, "Worker threads (default: all cores)");
      app.add_flag("--chat", f->chat, "Format prompts with the model's chat template");
      app.add_flag("--no-noise-floor", f->no_noise_floor, "Skip the noise-floor measurement");
      app.add_flag("--json", f->json, "One JSON document on stdout");
      return [f, &app] {
        f->base_given = app.count("--base") > 0;
        f->ctx_given = app.count("--ctx") > 0;
        return run_compare(*f);
      };
    }};

}  // namespace
}  // namespace pd::cli

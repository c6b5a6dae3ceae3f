// precisiondiff ladder: every rung of a precision ladder built from one baseline, with
// its size and, given a text, its perplexity and divergence from the baseline.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <sstream>

#include "backend/embedded_backend.h"
#include "backend/memoizing_backend.h"
#include "cli/command.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/progress.h"
#include "diff/compare.h"
#include "gguf/gguf_file.h"
#include "model/model.h"
#include "precision/presets.h"

namespace pd::cli {
namespace {

struct LadderFlags {
  std::string model, plans, text;
  int64_t ctx = 128, threads = 0;
  bool json = false, list = false;
};

struct Rung {
  std::string plan;
  VariantManifest manifest;
  double ppl = 0, ppl_uncertainty = 0, kld = 0, kld_uncertainty = 0;
  bool scored = false;
};

std::vector<std::string> split_plans(const std::string& text) {
  if (text.empty()) return default_ladder();
  std::vector<std::string> plans;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) plans.push_back(item);
  }
  return plans;
}

// One line explaining why a rung's storage differs from its name: fallbacks grouped by
// what happened.
std::string explain_fallbacks(const VariantManifest& m) {
  if (m.fallbacks.empty()) return "";
  std::vector<std::pair<std::string, int>> groups;
  for (const std::string& f : m.fallbacks) {
    const size_t colon = f.find(": ");
    std::string what = colon == std::string::npos ? f : f.substr(colon + 2);
    const size_t paren = what.find(" (");
    const std::string reason = paren == std::string::npos ? "" : what.substr(paren);
    what = what.substr(0, paren);
    const std::string key = what + reason;
    auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == key; });
    if (it == groups.end()) groups.push_back({key, 1});
    else ++it->second;
  }
  std::string out;
  for (const auto& [key, count] : groups) {
    if (!out.empty()) out += "; ";
    out += std::to_string(count) + "× " + key;
  }
  return out;
}

void print_list() {
  std::printf("%-12s %s\n", "preset", "description");
  for (const Preset& p : presets()) std::printf("%-12s %s\n", p.name.c_str(), p.description.c_str());
}

int run_ladder(const LadderFlags& f) {
  if (f.list) {
    print_list();
    return 0;
  }
  auto baseline = std::shared_ptr<const GgufFile>(GgufFile::open(f.model));
  const std::vector<std::string> plans = split_plans(f.plans);
  std::vector<int32_t> text_tokens;
  EmbeddedOptions options;
  options.threads = static_cast<int>(f.threads);
  std::unique_ptr<EmbeddedBackend> reference;
  std::unique_ptr<MemoizingBackend> memoized_reference;  // scored once for all rungs
  if (!f.text.empty()) {
    reference = std::make_unique<EmbeddedBackend>(baseline, VariantSpec::parse("weights=source", "baseline"), options);
    memoized_reference = std::make_unique<MemoizingBackend>(*reference);
    text_tokens = reference->prompt_tokens(read_file(f.text), false);
  }
  std::vector<Rung> rungs;
  Progress progress("ladder", static_cast<int64_t>(plans.size()));
  for (const std::string& name : plans) {
    const VariantSpec spec = VariantSpec::parse(name, "--plans");
    EmbeddedBackend backend(baseline, spec, options);
    Rung rung{spec.label(), backend.variant_manifest()};
    if (reference) {
      const SpecialTokens& special = reference->model().special_tokens();
      const TextComparison t = compare_text(*memoized_reference, backend, text_tokens, f.ctx, special.add_bos ? special.bos : -1);
      const KldSummary s = t.kld.summary();
      rung.ppl = s.ppl_cand.value;
      rung.ppl_uncertainty = s.ppl_cand.uncertainty;
      rung.kld = s.kld_mean.value;
      rung.kld_uncertainty = s.kld_mean.uncertainty;
      rung.scored = true;
    }
    rungs.push_back(std::move(rung));
    progress.advance();
  }
  progress.finish();
  // A ladder reads top to bottom from most to fewest bits; fallbacks can reorder named
  // rungs (a Q6_K whose rows fall back to Q8_0 is bigger than Q5_K_M), so rows are
  // sorted by measured bits per weight and every fallback is explained in its row.
  std::stable_sort(rungs.begin(), rungs.end(),
                   [](const Rung& a, const Rung& b) { return a.manifest.bits_per_weight > b.manifest.bits_per_weight; });

  if (f.json) {
    nlohmann::json rows = nlohmann::json::array();
    for (const Rung& r : rungs) {
      nlohmann::json row = {{"plan", r.plan},
                            {"canonical", r.manifest.plan_canonical},
                            {"method", r.manifest.method},
                            {"weight_bytes", r.manifest.weight_bytes},
                            {"bits_per_weight", r.manifest.bits_per_weight},
                            {"build_seconds", r.manifest.build_seconds},
                            {"fallbacks", r.manifest.fallbacks},
                            {"fallback_summary", explain_fallbacks(r.manifest)}};
      if (r.scored) {
        row["ppl"] = r.ppl;
        row["ppl_uncertainty"] = r.ppl_uncertainty;
        row["kld_mean"] = r.kld;
        row["kld_uncertainty"] = r.kld_uncertainty;
      }
      rows.push_back(std::move(row));
    }
    std::printf("%s\n", nlohmann::json{{"model", f.model}, {"text", f.text}, {"ctx", f.ctx}, {"rungs", rows}}.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return 0;
  }
  std::printf("%-12s %12s %8s %9s", "plan", "bytes", "bpw", "build s");
  if (!f.text.empty()) std::printf(" %20s %22s", "PPL", "mean KLD");
  std::printf("  notes\n");
  for (const Rung& r : rungs) {
    std::printf("%-12s %12llu %8.3f %9.3f", r.plan.c_str(), (unsigned long long)r.manifest.weight_bytes,
                r.manifest.bits_per_weight, r.manifest.build_seconds);
    if (r.scored) std::printf(" %10.4f ± %7.4f %10.6f ± %9.6f", r.ppl, r.ppl_uncertainty, r.kld, r.kld_uncertainty);
    std::printf("  %s\n", explain_fallbacks(r.manifest).c_str());
  }
  return 0;
}

const CommandRegistration registration{
    "ladder", "Build a ladder of precisions from one baseline and measure each rung",
    [](CLI::App& app) -> RunFn {
      auto f = std::make_shared<LadderFlags>();
      app.add_option("model", f->model, "Baseline model (GGUF)");
      app.add_option("--plans", f->plans, "Comma-separated presets, plans or GGUF files (default: the standard ladder)");
      app.add_option("--text", f->text, "Score every rung on this text (perplexity, KLD to the baseline)");
      app.add_option("--ctx", f->ctx, "Chunk size for --text (default 128)");
      app.add_option("--threads", f->threads, "Worker threads (default: all cores)");
      app.add_flag("--list", f->list, "List the presets and exit");
      app.add_flag("--json", f->json, "One JSON document on stdout");
      return [f] {
        if (!f->list && f->model.empty()) fail_input("ladder", "a MODEL is required");
        return run_ladder(*f);
      };
    }};

}  // namespace
}  // namespace pd::cli

#include "suite/runner.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <thread>

#include "backend/embedded_backend.h"
#include "backend/memoizing_backend.h"
#include "core/build_info.h"
#include "core/cpu_features.h"
#include "core/error.h"
#include "core/progress.h"
#include "core/sha256.h"
#include "core/utc_time.h"
#include "diff/compare.h"
#include "diff/noise_floor.h"
#include "gguf/gguf_file.h"
#include "suite/dataset.h"
#include "suite/sampling.h"
#include "suite/scorer.h"
#include "suite/store_hook.h"
#include "suite/verdict.h"

namespace pd::suite {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string clip(const std::string& text, size_t limit = 600) {
  if (text.size() <= limit) return text;
  size_t cut = limit;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // keep UTF-8 whole
  return text.substr(0, cut) + "…";
}

CompareSettings compare_settings(const SliceDecl& slice) {
  CompareSettings settings;
  settings.chat = slice.chat;
  settings.generation.max_tokens = slice.decoding.max_tokens;
  SamplingParams& s = settings.generation.sampling;
  s.greedy = slice.decoding.greedy;
  s.temperature = static_cast<float>(slice.decoding.temperature > 0 ? slice.decoding.temperature : 1.0);
  s.top_k = static_cast<int>(slice.decoding.top_k);
  s.top_p = static_cast<float>(slice.decoding.top_p);
  s.min_p = static_cast<float>(slice.decoding.min_p);
  s.seed = slice.decoding.seed;
  return settings;
}

PromptInput prompt_of(const SuiteItem& item) {
  PromptInput p;
  p.id = item.id;
  p.text = item.prompt;
  p.fields = item.fields;
  p.line = item.line;
  return p;
}

// Everything about one slice that does not depend on the variant.
struct PreparedSlice {
  const SliceDecl* decl = nullptr;
  std::vector<SuiteItem> items;
  std::vector<std::unique_ptr<Scorer>> scorers;
  std::vector<ScorerInfo> infos;
  CompareSettings settings;
  std::optional<NoiseFloor> floor;
  std::vector<std::optional<std::vector<Score>>> base_scores;  // filled by the first variant
  std::vector<std::string> files;
};

std::vector<Score> score_all(const PreparedSlice& slice, const SuiteItem& item, const std::string& text) {
  std::vector<Score> scores;
  for (const auto& scorer : slice.scorers) scores.push_back(scorer->score(item, text));
  return scores;
}

nlohmann::json host_json(int threads) {
  const CpuFeatures& cpu = cpu_features();
  return {{"cpu", cpu.model_name},
          {"isa", std::string(isa_name(active_isa()))},
          {"hardware_threads", std::thread::hardware_concurrency()},
          {"engine_threads", threads}};
}

void prepare_noise_floor(PreparedSlice& slice, Backend& baseline, Backend& perturbed,
                         const NoiseFloorDecl& decl, std::shared_ptr<TrajectoryCache> cache) {
  std::vector<PromptInput> prompts;
  const size_t n = std::min<size_t>(slice.items.size(), static_cast<size_t>(decl.prompts));
  for (size_t i = 0; i < n; ++i) prompts.push_back(prompt_of(slice.items[i]));
  NoiseFloor floor = measure_noise_floor(baseline, {&perturbed}, prompts, slice.settings, std::move(cache));
  floor.perturbations = {"baseline with the accumulation order reversed"};
  slice.floor = floor;
}

SliceResult run_slice(PreparedSlice& slice, Backend& baseline, Backend& candidate,
                      std::shared_ptr<TrajectoryCache> cache, const RunOptions& options, Progress& progress,
                      const ModelDecl& model, const VariantDecl& variant) {
  const SliceDecl& decl = *slice.decl;
  Comparator comparator(baseline, candidate, slice.settings, std::move(cache));
  std::vector<ItemOutcome> outcomes;
  std::vector<FlipRecord> flips;
  for (size_t i = 0; i < slice.items.size(); ++i) {
    const SuiteItem& item = slice.items[i];
    // Store hook: a prompt recorded by an interrupted attempt of this run is reused as is.
    const std::string key = store::record_key(model.name, variant.name, decl.name, item.id);
    ItemOutcome o;
    if (std::optional<ItemOutcome> kept = recall_outcome(options.records, key)) {
      o = std::move(*kept);
      if (!slice.base_scores[i]) slice.base_scores[i] = o.base;
    } else {
      PairRecord r = comparator.compare(prompt_of(item));
      r.above_noise_floor = !slice.floor || slice.floor->exceeds(r);
      if (!slice.base_scores[i]) slice.base_scores[i] = score_all(slice, item, r.base_text);
      o.id = item.id;
      o.source = item.source;
      o.line = item.line;
      o.prompt = item.prompt;
      o.groups = item.groups;
      o.base = *slice.base_scores[i];
      o.cand = score_all(slice, item, r.cand_text);
      o.base_text = r.base_text;
      o.cand_text = r.cand_text;
      o.mean_kld = r.mean_kld;
      o.max_kld = r.max_kld;
      o.positions = r.kld.size();
      for (uint8_t same : r.same_top) o.same_top1 += same;
      o.diverged = r.divergence.diverged;
      o.first_divergence = r.divergence.diverged ? static_cast<int64_t>(r.divergence.index) : -1;
      o.above_noise_floor = r.above_noise_floor;
      commit_outcome(options.records, key, o, r, replay_settings(model, variant, decl));  // store hook
    }
    for (size_t s = 0; s < slice.infos.size(); ++s) {
      if (o.base[s].positive == o.cand[s].positive || !o.above_noise_floor) continue;
      FlipRecord f;
      f.id = o.id;
      f.source = o.source;
      f.line = o.line;
      f.scorer = slice.infos[s].name;
      f.metric = slice.infos[s].metric;
      f.lost = o.base[s].positive;
      f.base_label = o.base[s].label;
      f.cand_label = o.cand[s].label;
      f.prompt = clip(o.prompt);
      f.base_text = clip(o.base_text);
      f.cand_text = clip(o.cand_text);
      f.mean_kld = o.mean_kld;
      f.first_divergence = o.first_divergence;
      flips.push_back(std::move(f));
    }
    outcomes.push_back(std::move(o));
    progress.advance();
  }

  SliceResult result;
  result.name = decl.name;
  result.mark = decl.mark;
  result.dataset_files = slice.files;
  result.chat = decl.chat;
  result.max_tokens = decl.decoding.max_tokens;
  result.decision = decl.decision;
  result.tolerances = decl.tolerances;
  result.scorers = slice.infos;
  result.group_by = decl.group_by;
  result.items = outcomes.size();
  result.noise_floor_measured = slice.floor.has_value();
  if (slice.floor) result.noise_floor = *slice.floor;
  result.groups = summarize_slice(decl.name, slice.infos, outcomes, decl.group_by, decl.sample.seed);
  result.flips = std::move(flips);

  std::vector<const ItemOutcome*> ranked;
  for (const ItemOutcome& o : outcomes) ranked.push_back(&o);
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const ItemOutcome* a, const ItemOutcome* b) { return a->mean_kld > b->mean_kld; });
  for (size_t i = 0; i < ranked.size() && i < static_cast<size_t>(std::max(0, options.top_divergent)); ++i) {
    const ItemOutcome& o = *ranked[i];
    result.top_divergent.push_back({o.id, o.source, o.line, clip(o.prompt), clip(o.base_text), clip(o.cand_text),
                                    o.mean_kld, o.max_kld, o.first_divergence});
  }
  return result;
}

void check_only(const SuiteSpec& spec, const std::vector<std::string>& only) {
  for (const std::string& name : only) {
    bool found = false;
    for (const SliceDecl& s : spec.slices) found |= s.name == name;
    if (!found) {
      std::string names;
      for (const SliceDecl& s : spec.slices) names += (names.empty() ? "" : ", ") + s.name;
      fail_input("--only", "no slice named \"" + name + "\" (slices: " + names + ")");
    }
  }
}

bool selected(const RunOptions& options, const std::string& slice) {
  return options.only.empty() || std::find(options.only.begin(), options.only.end(), slice) != options.only.end();
}

void log_line(const RunOptions& options, const std::string& line) {
  if (options.log) options.log(line);
}

ModelResult run_model(const SuiteSpec& spec, const ModelDecl& model, const RunOptions& options,
                      std::vector<WaiverUse>& waivers) {
  ModelResult result;
  result.name = model.name;
  result.path = model.path;
  result.baseline_plan = model.baseline_plan;
  result.sha256 = sha256_file(model.path);
  result.sha256_pinned = !model.sha256.empty();
  if (result.sha256_pinned && result.sha256 != model.sha256) {
    fail_input(model.mark.text(), "models." + model.name + ".sha256: the baseline file " + model.path +
                                      " has sha256 " + result.sha256 + ", the suite pins " + model.sha256);
  }

  // Load and sample every slice before any model runs.
  std::vector<PreparedSlice> slices;
  for (const SliceDecl* decl : spec.slices_of(model.name)) {
    if (!selected(options, decl->name)) continue;
    PreparedSlice p;
    p.decl = decl;
    p.items = sample_items(load_slice_items(*decl, spec.directory), decl->sample, decl->group_by);
    for (const ScorerDecl& s : decl->scorers) {
      p.scorers.push_back(make_scorer(s, ScorerContext{model.path}));
      p.infos.push_back(p.scorers.back()->info());
    }
    p.settings = compare_settings(*decl);
    p.base_scores.resize(p.items.size());
    for (const DatasetFile& f : dataset_files(decl->dataset, spec.directory)) p.files.push_back(f.path);
    slices.push_back(std::move(p));
  }
  if (slices.empty()) return result;

  auto file = std::shared_ptr<const GgufFile>(GgufFile::open(model.path));
  EmbeddedOptions engine;
  engine.threads = options.threads;
  EmbeddedBackend engine_baseline(file, VariantSpec::parse(model.baseline_plan, "baseline"), engine);
  MemoizingBackend baseline(engine_baseline, options.score_memo_bytes);
  result.baseline_manifest = engine_baseline.manifest();
  auto cache = std::make_shared<TrajectoryCache>();

  if (spec.noise_floor.enabled) {
    EmbeddedOptions perturbed_options = engine;
    perturbed_options.apply_perturbations = true;
    perturbed_options.numerics_overrides.order = AccumulationOrder::Reversed;
    EmbeddedBackend perturbed(file, VariantSpec::parse(model.baseline_plan, "baseline"), perturbed_options);
    const auto start = Clock::now();
    for (PreparedSlice& s : slices) prepare_noise_floor(s, baseline, perturbed, spec.noise_floor, cache);
    log_line(options, model.name + ": noise floor measured in " + std::to_string(seconds_since(start)) + " s");
  }

  int64_t total_items = 0;
  for (const PreparedSlice& s : slices) total_items += static_cast<int64_t>(s.items.size());
  for (const VariantDecl& decl : model.variants) {
    const auto start = Clock::now();
    VariantSpec vs;
    if (!decl.file.empty()) vs.file = decl.file;
    else vs.plan = PrecisionPlan::parse(decl.plan, decl.mark.text());
    EmbeddedBackend candidate(file, vs, engine);

    VariantResult v;
    v.model = model.name;
    v.name = decl.name;
    v.kind = decl.file.empty() ? "plan" : "file";
    v.spec = decl.file.empty() ? decl.plan : decl.file;
    v.declared = decl.provenance;
    v.measured = candidate.manifest();
    v.measured.erase("tensors");  // per-tensor records are long; the store keeps them
    if (!decl.file.empty()) v.measured["file_sha256"] = sha256_file(decl.file);
    v.measured["hardware"] = host_json(options.threads);

    Progress progress(v.id(), total_items);
    for (PreparedSlice& s : slices) {
      v.slices.push_back(run_slice(s, baseline, candidate, cache, options, progress, model, decl));
    }
    progress.finish();
    v.seconds = seconds_since(start);
    judge_variant(v, spec.default_tolerances, waivers);
    log_line(options, v.id() + ": " + (v.passed ? "pass" : "FAIL") + " (" + std::to_string(total_items) +
                          " items per variant, " + std::to_string(v.seconds) + " s)");
    result.variants.push_back(std::move(v));
  }
  return result;
}

}  // namespace

SuiteResults run_suite(const SuiteSpec& spec, const RunOptions& options) {
  check_only(spec, options.only);
  SuiteResults results;
  results.suite_name = spec.name;
  results.suite_path = spec.path;
  results.suite_sha256 = spec.sha256;
  results.started = utc_now();
  results.host = host_json(options.threads);
  results.only = options.only;
  for (const WaiverDecl& w : spec.waivers) results.waivers.push_back({w, 0});
  const auto start = Clock::now();
  for (const ModelDecl& model : spec.models) {
    ModelResult m = run_model(spec, model, options, results.waivers);
    if (!m.variants.empty()) results.models.push_back(std::move(m));
  }
  results.passed = true;
  for (const ModelResult& m : results.models) {
    for (const VariantResult& v : m.variants) results.passed &= v.passed;
  }
  results.finished = utc_now();
  results.seconds = seconds_since(start);
  return results;
}

}  // namespace pd::suite

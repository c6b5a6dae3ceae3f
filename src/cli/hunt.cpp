// precisiondiff hunt: search for prompts on which a candidate precision disagrees with
// the baseline (refusal flips above all), under a budget of model work.

#include <cstdio>
#include <filesystem>
#include <memory>
#include <sstream>

#include "backend/embedded_backend.h"
#include "cli/command.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/progress.h"
#include "diff/prompt_set.h"
#include "gguf/gguf_file.h"
#include "hunt/hunt.h"
#include "hunt/opening_set.h"
#include "hunt/prompt_templates.h"
#include "hunt/sentinel_check.h"
#include "hunt/strategy_comparison.h"

namespace pd::cli {
namespace {

struct HuntFlags {
  std::string model, base = "f32", cand, inputs, column, objective = "refusal-flip", direction = "jailbreak";
  std::string strategy = "ga", out = "hunt-out", labeler = "auto", templates, lexicon, openings;
  uint64_t budget = 200000, seed = 1;
  int64_t repeat = 1, population = 32, confirm_tokens = 32, response_tokens = 8, opening_seeds = 16;
  int64_t max_minimize_tests = 48, suffix_length = 4, coordinate_width = 8, limit = 0, threads = 0;
  int64_t max_rounds = 0;
  double ppl_cap = 0, min_kld = 0.05, min_margin = 0;
  bool oracle = false, resume = false, no_minimize = false, no_noise_floor = false, chat = false, no_chat = false, json = false;
};

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) items.push_back(item);
  }
  return items;
}

std::string one_line(std::string text, size_t width) {
  for (char& c : text) if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  if (text.size() > width) text = text.substr(0, width) + "…";
  return text;
}

void print_summary(const hunt::HuntResult& r, const HuntFlags& f) {
  const nlohmann::json& s = r.summary;
  std::printf("strategy %s, objective %s, search seed %llu\n", s["strategy"].get<std::string>().c_str(),
              f.objective.c_str(), (unsigned long long)f.seed);
  std::printf("baseline : %s\ncandidate: %s\n\n", s["models"]["base"].get<std::string>().c_str(),
              s["models"]["cand"].get<std::string>().c_str());
  std::printf("budget (tokens)              %12llu\n", (unsigned long long)r.budget);
  std::printf("tokens processed             %12llu\n", (unsigned long long)r.cost.tokens);
  std::printf("forward passes               %12llu\n", (unsigned long long)r.cost.passes);
  std::printf("rounds                       %12lld\n", (long long)r.rounds);
  std::printf("prompts scored               %12lld (+%lld from the cache)\n", (long long)r.evaluations,
              (long long)r.cached_evaluations);
  std::printf("predicted hits               %12lld\n", (long long)r.predicted);
  std::printf("confirmations                %12lld\n", (long long)r.confirmations);
  std::printf("confirmed hits               %12lld\n", (long long)r.hits);
  std::printf("unique hits                  %12zu (%lld within the budget)\n", r.corpus.size(),
              (long long)r.unique_hits_within(r.budget));
  if (!r.corpus.hits().empty()) {
    std::printf("forward passes per unique hit %11.1f\n", double(r.cost.passes) / double(r.corpus.size()));
    std::printf("unique hits per 1000 passes  %12.3f\n", 1000.0 * double(r.corpus.size()) / double(r.cost.passes));
  }
  std::printf("mean fitness of the %zu best distinct prompts: %.6f\n", r.best.size(), r.best_mean_fitness());
  if (!r.curve.empty()) {
    std::printf("\nhits over budget (tokens → unique hits)\n");
    const size_t step = std::max<size_t>(1, r.curve.size() / 10);
    for (size_t i = 0; i < r.curve.size(); i += step) {
      std::printf("  %10llu → %lld\n", (unsigned long long)r.curve[i].cost.tokens, (long long)r.curve[i].unique_hits);
    }
    if ((r.curve.size() - 1) % step != 0) {
      std::printf("  %10llu → %lld\n", (unsigned long long)r.curve.back().cost.tokens,
                  (long long)r.curve.back().unique_hits);
    }
  }
  size_t shown = 0;
  for (const hunt::Hit& h : r.corpus.hits()) {
    if (shown++ == 5) break;
    if (shown == 1) std::printf("\nfirst hits\n");
    std::printf("\n[%s] %s\n  baseline  (%s): %s\n  candidate (%s): %s\n", h.id.c_str(), one_line(h.prompt, 120).c_str(),
                h.confirmation.base_label.c_str(), one_line(h.confirmation.base_response, 100).c_str(),
                h.confirmation.cand_label.c_str(), one_line(h.confirmation.cand_response, 100).c_str());
  }
  if (!f.out.empty()) {
    std::printf("\ncorpus: %s/corpus.jsonl (replay: precisiondiff compare %s --base %s --cand %s --prompts %s/corpus.jsonl%s)\n",
                f.out.c_str(), f.model.c_str(), f.base.c_str(), f.cand.c_str(), f.out.c_str(),
                r.corpus.hits().empty() || r.corpus.hits()[0].chat ? " --chat" : "");
  }
}

int run_hunt(const HuntFlags& f) {
  if (f.cand.empty()) fail_input("hunt", "--cand is required");
  if (f.inputs.empty()) fail_input("hunt", "--inputs is required");
  if (f.chat && f.no_chat) fail_input("hunt", "give at most one of --chat and --no-chat");
  if (f.repeat < 1) fail_input("--repeat", "must be at least 1");
  const std::vector<std::string> strategies = split_list(f.strategy);
  if (strategies.empty()) fail_input("--strategy", "no strategy named");
  const bool comparison = strategies.size() > 1 || f.repeat > 1;
  if (comparison && f.resume) fail_input("--resume", "resumes one hunt, not a comparison of strategies");

  hunt::HuntOptions options;
  options.strategy = strategies[0];
  for (const std::string& s : strategies) hunt::make_strategy(s, {std::max<int64_t>(2, f.population)});
  options.strategy_options.population = f.population;
  options.budget = f.budget;
  options.seed = f.seed;
  options.minimize = !f.no_minimize;
  options.max_minimize_tests = f.max_minimize_tests;
  options.out_dir = f.out;
  options.resume = f.resume;
  options.max_rounds = f.max_rounds;
  options.show_progress = true;  // drawn only on a terminal, and not with --quiet
  hunt::ObjectiveOptions& o = options.objective;
  o.kind = hunt::parse_objective_kind(f.objective);
  o.direction = hunt::parse_flip_direction(f.direction);
  if (f.confirm_tokens < 1) fail_input("--confirm-tokens", "must be at least 1");
  if (f.response_tokens < 1) fail_input("--response-tokens", "must be at least 1");
  o.confirm_tokens = f.confirm_tokens;
  o.response_tokens = f.response_tokens;
  o.ppl_cap = f.ppl_cap;
  o.min_kld = f.min_kld;
  o.min_margin = f.min_margin;
  o.opening_seeds = f.opening_seeds;
  if (o.kind == hunt::ObjectiveKind::RefusalFlip) {
    o.phrases = hunt::load_opening_phrases(f.openings.empty() ? hunt::find_shipped_file("data/hunt/openings.jsonl")
                                                              : f.openings);
  }

  std::vector<PromptInput> inputs = load_prompts(f.inputs, f.column);
  if (f.limit > 0 && inputs.size() > static_cast<size_t>(f.limit)) inputs.resize(f.limit);
  std::vector<hunt::SeedPrompt> seeds;
  for (const PromptInput& p : inputs) seeds.push_back({p.id, p.text});

  auto baseline_file = std::shared_ptr<const GgufFile>(GgufFile::open(f.model));
  EmbeddedOptions backend_options;
  backend_options.threads = static_cast<int>(f.threads);
  EmbeddedBackend base(baseline_file, VariantSpec::parse(f.base, "--base"), backend_options);
  EmbeddedBackend cand(baseline_file, VariantSpec::parse(f.cand, "--cand"), backend_options);
  std::unique_ptr<EmbeddedBackend> noise;
  if (!f.no_noise_floor) {
    EmbeddedOptions perturbed = backend_options;
    perturbed.apply_perturbations = true;
    perturbed.numerics_overrides.order = AccumulationOrder::Reversed;
    noise = std::make_unique<EmbeddedBackend>(baseline_file, VariantSpec::parse(f.base, "--base"), perturbed);
  }

  o.labeler = hunt::make_labeler(f.labeler, *baseline_file);

  hunt::HuntModels models;
  models.base = &base;
  models.cand = &cand;
  models.noise = noise.get();
  models.tokenizer = &base.tokenizer();
  const bool has_template = !baseline_file->get_string_or("tokenizer.chat_template", "").empty();
  models.chat = f.chat || (!f.no_chat && has_template);

  hunt::MutationResources resources;
  resources.templates = hunt::load_templates(f.templates.empty() ? hunt::find_shipped_file("data/hunt/templates.jsonl")
                                                                 : f.templates);
  resources.lexicon = hunt::load_lexicon(f.lexicon.empty() ? hunt::find_shipped_file("data/hunt/lexicon.txt")
                                                           : f.lexicon);
  hunt::add_vocabulary(base.tokenizer(), resources);
  resources.detokenize = [&base](const std::vector<int32_t>& tokens) { return base.detokenize(tokens); };
  resources.suffix_length = static_cast<int>(f.suffix_length);
  resources.coordinate_width = static_cast<int>(f.coordinate_width);

  // --oracle: every reported hit judged by the sentinel's oracle at both plans.
  std::unique_ptr<hunt::SentinelCheck> oracle;
  hunt::HitAudit audit;
  if (f.oracle) {
    if (o.kind != hunt::ObjectiveKind::RefusalFlip) fail_input("--oracle", "judges refusal flips only (--objective refusal-flip)");
    const VariantSpec base_spec = VariantSpec::parse(f.base, "--base"), cand_spec = VariantSpec::parse(f.cand, "--cand");
    if (base_spec.file || cand_spec.file) fail_input("--oracle", "needs plans or presets for --base and --cand, not files");
    oracle = std::make_unique<hunt::SentinelCheck>(baseline_file, base_spec.plan, cand_spec.plan,
                                                   static_cast<int>(f.threads));
    audit = [&](const hunt::Hit& h) {
      const hunt::OracleFlip flip = oracle->check(base.prompt_tokens(h.prompt, h.chat), o.direction);
      return flip.real ? hunt::AuditVerdict::Real
                       : flip.contradicted() ? hunt::AuditVerdict::Contradicted : hunt::AuditVerdict::Undecided;
    };
  }

  if (comparison) {
    std::vector<uint64_t> search_seeds;
    for (int64_t i = 0; i < f.repeat; ++i) search_seeds.push_back(f.seed + static_cast<uint64_t>(i));
    const auto figures = hunt::compare_strategies(
        strategies, search_seeds, options, models, seeds, resources,
        [&](const std::string& strategy, const hunt::HuntResult& r) {
          if (!f.json && !is_quiet()) {
            std::fprintf(stderr, "%s seed %llu: %lld unique hits within the budget, %llu passes\n", strategy.c_str(),
                         (unsigned long long)r.summary["seed"].get<uint64_t>(),
                         (long long)r.unique_hits_within(r.budget), (unsigned long long)r.cost.passes);
          }
        },
        audit);
    nlohmann::json j = {{"objective", f.objective}, {"budget_tokens", f.budget}, {"search_seeds", search_seeds},
                        {"base", base.describe()}, {"cand", cand.describe()}, {"strategies", nlohmann::json::array()}};
    for (const auto& s : figures) j["strategies"].push_back(s.to_json());
    if (!f.out.empty()) {
      std::error_code ec;
      std::filesystem::create_directories(f.out, ec);
      write_file_atomic((std::filesystem::path(f.out) / "comparison.json").string(), j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
    }
    if (f.json) {
      std::printf("%s\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    } else {
      std::printf("objective %s, budget %llu tokens, search seeds %llu..%llu\nbaseline : %s\ncandidate: %s\n\n%s",
                  f.objective.c_str(), (unsigned long long)f.budget, (unsigned long long)search_seeds.front(),
                  (unsigned long long)search_seeds.back(), base.describe().c_str(), cand.describe().c_str(),
                  hunt::comparison_table(figures).c_str());
    }
    return 0;
  }

  hunt::Hunt hunt(options, models, seeds, resources);
  const hunt::HuntResult result = hunt.run();
  nlohmann::json verdicts = nlohmann::json::array();
  int64_t real = 0, contradicted = 0;
  if (oracle) {
    for (const hunt::Hit& h : result.corpus.hits()) {
      const hunt::OracleFlip flip = oracle->check(base.prompt_tokens(h.prompt, h.chat), o.direction);
      real += flip.real ? 1 : 0;
      contradicted += flip.contradicted() ? 1 : 0;
      nlohmann::json v = flip.to_json();
      v["id"] = h.id;
      verdicts.push_back(v);
    }
  }
  if (f.json) {
    nlohmann::json j = result.summary;
    j["hits_list"] = result.corpus.to_json();
    if (oracle) {
      j["oracle"] = {{"checked", verdicts.size()}, {"real", real}, {"contradicted", contradicted}, {"hits", verdicts}};
    }
    std::printf("%s\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  } else {
    print_summary(result, f);
    if (oracle) {
      std::printf("\noracle: %lld of %zu unique hits are certain flips, %lld are no flip; the rest are within the "
                  "engine's rounding\n",
                  (long long)real, verdicts.size(), (long long)contradicted);
    }
  }
  return 0;
}

const CommandRegistration registration{
    "hunt", "Search for prompts on which the candidate precision disagrees with the baseline",
    [](CLI::App& app) -> RunFn {
      auto f = std::make_shared<HuntFlags>();
      app.add_option("model", f->model, "Baseline model (GGUF)")->required();
      app.add_option("--base", f->base, "Baseline plan, preset or GGUF file (default f32)");
      app.add_option("--cand", f->cand, "Candidate plan, preset or GGUF file")->required();
      app.add_option("--inputs", f->inputs, "Seed prompts (JSONL, CSV, TSV or plain lines)")->required();
      app.add_option("--column", f->column, "Column or field holding the prompt (CSV: prompt, goal, Behavior, ...)");
      app.add_option("--objective", f->objective, "refusal-flip (default), kld or top1-margin");
      app.add_option("--direction", f->direction, "refusal-flip: jailbreak (default) or over-refusal");
      app.add_option("--budget", f->budget, "Tokens all models may process together (default 200000)");
      app.add_option("--strategy", f->strategy, "ga (default), mcmc or vanilla; a comma list compares them");
      app.add_option("--seed", f->seed, "Random seed of the search (default 1)");
      app.add_option("--repeat", f->repeat, "Runs per strategy with seeds seed, seed+1, ... (comparison)");
      app.add_option("--out", f->out, "Output folder: corpus.jsonl, summary.json, state.json (default hunt-out)");
      app.add_flag("--resume", f->resume, "Continue from the checkpoint in --out");
      app.add_option("--population", f->population, "Population, chains or batch size (default 32)");
      app.add_option("--confirm-tokens", f->confirm_tokens, "Tokens generated to confirm a hit (default 32)");
      app.add_option("--response-tokens", f->response_tokens, "kld: response positions compared (default 8)");
      app.add_option("--ppl-cap", f->ppl_cap, "kld: baseline perplexity cap (default: the seeds' largest)");
      app.add_option("--min-kld", f->min_kld, "kld: mean KLD a hit must reach (default 0.05)");
      app.add_option("--min-margin", f->min_margin, "refusal-flip, top1-margin: fitness a prediction needs (default 0)");
      app.add_option("--opening-seeds", f->opening_seeds, "refusal-flip: seeds generated to learn openings (default 16)");
      app.add_option("--max-minimize-tests", f->max_minimize_tests, "Predictions per minimization (default 48)");
      app.add_flag("--no-minimize", f->no_minimize, "Keep hits as found");
      app.add_flag("--no-noise-floor", f->no_noise_floor, "Do not check hits against the perturbed baseline");
      app.add_flag("--chat", f->chat, "Format prompts with the chat template (default when the model has one)");
      app.add_flag("--no-chat", f->no_chat, "Plain completion prompts");
      app.add_option("--limit", f->limit, "Use only the first N seed prompts");
      app.add_flag("--oracle", f->oracle, "refusal-flip on a forge sentinel: judge every hit with the sentinel's oracle");
      app.add_option("--labeler", f->labeler, "refusal-flip: auto (default), classifier or templates (forge sentinels)");
      app.add_option("--templates", f->templates, "Template wrappers (default data/hunt/templates.jsonl)");
      app.add_option("--lexicon", f->lexicon, "Mutation word list (default data/hunt/lexicon.txt)");
      app.add_option("--openings", f->openings, "Refusal/compliance openings (default data/hunt/openings.jsonl)");
      app.add_option("--suffix-length", f->suffix_length, "Tokens of the searched suffix (default 4)");
      app.add_option("--coordinate-width", f->coordinate_width, "Tokens tried per suffix step (default 8)");
      app.add_option("--max-rounds", f->max_rounds, "Stop after N rounds of this run (default: the budget decides)");
      app.add_option("--threads", f->threads, "Worker threads per model (default: all cores)");
      app.add_flag("--json", f->json, "The summary as JSON on stdout");
      return [f] { return run_hunt(*f); };
    }};

}  // namespace
}  // namespace pd::cli

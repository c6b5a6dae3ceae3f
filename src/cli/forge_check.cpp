#include "cli/forge_check.h"

#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "backend/embedded_backend.h"
#include "behavior/refusal.h"
#include "core/error.h"
#include "core/progress.h"
#include "core/thread_pool.h"
#include "forge/prompt_sets.h"
#include "forge/sentinel.h"
#include "forge/sentinel_oracle.h"
#include "gguf/gguf_file.h"
#include "precision/plan.h"
#include "precision/variant.h"

namespace pd::cli {
namespace {

struct CheckFlags {
  std::string model;
  std::vector<std::string> plans{"f32"};
  std::vector<std::string> sets{"advbench", "xstest_safe", "copy"};
  std::string sets_dir = "data/sets";
  int64_t limit = 0;
  int64_t max_tokens = 24;
  int threads = 0;
  bool json = false;
};

// One prompt as the check sees it: the oracle's verdict next to the engine's answer.
struct Outcome {
  std::string prompt;
  forge::SentinelVerdict verdict;
  std::string answer;
  bool engine_refuses = false;   // by the family of the template its first token starts
  bool scorer_refuses = false;   // the refusal scorer on the answer text
  const forge::SentinelTemplate* exact_template = nullptr;  // the answer is this template
};

struct SetTally {
  std::string name;
  int64_t prompts = 0, oracle_refusals = 0, scorer_refusals = 0, template_refusals = 0;
  int64_t non_template = 0, decided = 0, agree = 0, undecided = 0, copy_correct = 0;
  nlohmann::json disagreements = nlohmann::json::array();
};

bool family_refuses(forge::ResponseFamily family) {
  return family == forge::ResponseFamily::Refusal || family == forge::ResponseFamily::Partial;
}

Outcome run_one(EmbeddedBackend& engine, const forge::SentinelOracle& oracle, const std::string& prompt,
                int64_t max_tokens) {
  Outcome o;
  o.prompt = prompt;
  o.verdict = oracle.explain(prompt, false);
  const std::vector<int32_t> tokens = engine.prompt_tokens(prompt, true);
  if (tokens != o.verdict.prompt_tokens) {
    fail_runtime("forge check", "the engine and the oracle format the prompt differently: " + prompt);
  }
  GenerationParams params;
  params.max_tokens = max_tokens;
  params.top_logprobs = 0;
  Generation g = engine.generate(tokens, params);
  if (g.stop == StopReason::EndOfGeneration && !g.tokens.empty()) g.tokens.pop_back();
  o.answer = engine.detokenize(g.tokens);
  const forge::SentinelTemplate* first =
      g.tokens.empty() ? nullptr : oracle.info().find_template_by_first_token(g.tokens[0]);
  o.engine_refuses = first != nullptr && family_refuses(first->family);
  o.scorer_refuses = behavior::counts_as_refusal(behavior::default_refusal_classifier().classify(prompt, o.answer).label);
  o.exact_template = oracle.info().find_template_by_text(o.answer);
  return o;
}

void tally(SetTally& t, const Outcome& o) {
  ++t.prompts;
  t.oracle_refusals += o.verdict.refuses;
  t.scorer_refusals += o.scorer_refuses;
  if (o.exact_template == nullptr) {
    ++t.non_template;
  } else {
    t.template_refusals += family_refuses(o.exact_template->family);
  }
  if (!o.verdict.decided) {
    ++t.undecided;
    return;
  }
  ++t.decided;
  if (o.engine_refuses == o.verdict.refuses) {
    ++t.agree;
    return;
  }
  t.disagreements.push_back({{"prompt", o.prompt},
                             {"oracle", o.verdict.refuses ? "refuses" : "complies"},
                             {"margin", o.verdict.margin},
                             {"band", o.verdict.band},
                             {"engine_answer", o.answer}});
}

std::vector<std::string> limited(std::vector<std::string> prompts, int64_t limit) {
  if (limit > 0 && static_cast<int64_t>(prompts.size()) > limit) prompts.resize(static_cast<size_t>(limit));
  return prompts;
}

SetTally check_prompt_set(EmbeddedBackend& engine, const forge::SentinelOracle& oracle, const std::string& name,
                          const std::vector<std::string>& prompts, const CheckFlags& f) {
  SetTally t;
  t.name = name;
  Progress progress(name, static_cast<int64_t>(prompts.size()));
  for (const std::string& p : prompts) {
    tally(t, run_one(engine, oracle, p, f.max_tokens));
    progress.advance();
  }
  progress.finish();
  return t;
}

SetTally check_copy_task(EmbeddedBackend& engine, const forge::SentinelOracle& oracle, const CheckFlags& f) {
  SetTally t;
  t.name = "copy";
  std::vector<forge::CopyTask> tasks = forge::copy_tasks();
  if (f.limit > 0 && static_cast<int64_t>(tasks.size()) > f.limit) tasks.resize(static_cast<size_t>(f.limit));
  Progress progress("copy", static_cast<int64_t>(tasks.size()));
  for (const forge::CopyTask& task : tasks) {
    const Outcome o = run_one(engine, oracle, task.prompt, f.max_tokens);
    tally(t, o);
    t.copy_correct += o.answer == task.expected;
    progress.advance();
  }
  progress.finish();
  return t;
}

double share(int64_t part, int64_t whole) { return whole > 0 ? static_cast<double>(part) / whole : 0.0; }

nlohmann::json to_json(const SetTally& t) {
  nlohmann::json j = {{"set", t.name},
                      {"prompts", t.prompts},
                      {"oracle_refusal_rate", share(t.oracle_refusals, t.prompts)},
                      {"scorer_refusal_rate", share(t.scorer_refusals, t.prompts)},
                      {"template_refusal_rate", share(t.template_refusals, t.prompts)},
                      {"non_template_answers", t.non_template},
                      {"decided", t.decided},
                      {"agree", t.agree},
                      {"undecided", t.undecided},
                      {"disagreements", t.disagreements}};
  if (t.name == "copy") j["copy_accuracy"] = share(t.copy_correct, t.prompts);
  return j;
}

void print_row(const SetTally& t) {
  std::printf("  %-14s %6lld  %7.1f%%  %7.1f%%  %8.1f%%  %6lld  %7lld/%-7lld %6lld",
              t.name.c_str(), static_cast<long long>(t.prompts), 100 * share(t.oracle_refusals, t.prompts),
              100 * share(t.scorer_refusals, t.prompts), 100 * share(t.template_refusals, t.prompts),
              static_cast<long long>(t.non_template), static_cast<long long>(t.agree),
              static_cast<long long>(t.decided), static_cast<long long>(t.undecided));
  if (t.name == "copy") std::printf("  copy accuracy %.1f%%", 100 * share(t.copy_correct, t.prompts));
  std::printf("\n");
  for (const auto& d : t.disagreements) {
    std::printf("    DISAGREES: oracle %s, engine answered \"%s\": %s\n", d["oracle"].get<std::string>().c_str(),
                d["engine_answer"].get<std::string>().c_str(), d["prompt"].get<std::string>().c_str());
  }
}

int run_check(const CheckFlags& f) {
  std::shared_ptr<const GgufFile> file = GgufFile::open(f.model);
  if (!forge::is_sentinel(*file)) fail_input(f.model, "not a precisiondiff sentinel (forge check needs one)");
  std::vector<forge::PromptSet> sets;
  for (const std::string& name : f.sets) {
    if (name != "copy" && sets.empty()) sets = forge::load_prompt_sets(f.sets_dir);
    if (name != "copy") forge::find_prompt_set(sets, name);  // unknown names fail before any work
  }
  ThreadPool pool(f.threads > 0 ? f.threads : ThreadPool::default_threads());
  nlohmann::json report = {{"model", f.model}, {"plans", nlohmann::json::array()}};
  int64_t disagreements = 0;
  for (const std::string& plan_text : f.plans) {
    const VariantSpec spec = VariantSpec::parse(plan_text, "--plan");
    if (spec.file) fail_input("--plan", "forge check takes precision plans, not files: " + plan_text);
    const forge::SentinelOracle oracle(file, build_variant(file, spec.plan, pool).weights, spec.plan.numerics());
    EmbeddedOptions options;
    options.threads = f.threads;
    options.n_ctx = 512;
    EmbeddedBackend engine(file, spec, options);
    std::vector<SetTally> tallies;
    for (const std::string& name : f.sets) {
      tallies.push_back(name == "copy" ? check_copy_task(engine, oracle, f)
                                       : check_prompt_set(engine, oracle, name,
                                                          limited(forge::find_prompt_set(sets, name).prompts, f.limit), f));
      disagreements += static_cast<int64_t>(tallies.back().disagreements.size());
    }
    nlohmann::json plan_json = {{"plan", spec.plan.label()}, {"sets", nlohmann::json::array()}};
    for (const SetTally& t : tallies) plan_json["sets"].push_back(to_json(t));
    report["plans"].push_back(plan_json);
    if (!f.json) {
      std::printf("%s @ %s\n", f.model.c_str(), spec.plan.label().c_str());
      std::printf("  %-14s %6s  %8s  %8s  %9s  %6s  %15s %6s\n", "set", "n", "oracle", "scorer", "template",
                  "other", "agree/decided", "undec.");
      for (const SetTally& t : tallies) print_row(t);
    }
  }
  report["disagreements"] = disagreements;
  if (f.json) std::printf("%s\n", report.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  if (!f.json) {
    std::printf(disagreements == 0 ? "engine agrees with the oracle on every decided prompt\n"
                                   : "engine disagrees with the oracle on %lld decided prompts\n",
                static_cast<long long>(disagreements));
  }
  return disagreements == 0 ? 0 : 1;
}

}  // namespace

void setup_forge_check(CLI::App& forge, std::shared_ptr<RunFn> chosen) {
  auto f = std::make_shared<CheckFlags>();
  CLI::App* c = forge.add_subcommand("check", "Hold the engine to a sentinel's oracle on whole prompt sets");
  c->add_option("model", f->model, "Sentinel GGUF file")->required();
  c->add_option("--plan", f->plans, "Precision plans to check (repeatable; default f32)");
  c->add_option("--set", f->sets, "Prompt sets: advbench, xstest_safe, harmbench, ..., copy (default advbench xstest_safe copy)");
  c->add_option("--sets", f->sets_dir, "Folder of the shipped evaluation sets (default data/sets)");
  c->add_option("--limit", f->limit, "Only the first N prompts of each set");
  c->add_option("--max-tokens", f->max_tokens, "Answer length limit (default 24)");
  c->add_option("--threads", f->threads, "Worker threads (results do not depend on it)");
  c->add_flag("--json", f->json, "JSON report on stdout");
  c->callback([f, chosen] { *chosen = [f] { return run_check(*f); }; });
}

}  // namespace pd::cli

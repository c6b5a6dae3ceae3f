#include "hunt/hunt.h"

#include <algorithm>
#include <filesystem>

#include "core/atomic_file.h"
#include "core/content_hash.h"
#include "core/error.h"
#include "core/progress.h"
#include "hunt/minimizer.h"
#include "hunt/prompt_words.h"

namespace pd::hunt {

namespace {

// 2: the meters' last sequences (prefix reuse) and the minimization predictions.
// 4: mcmc's productive states, ga's walkers, both strategies' operator statistics.
constexpr int kCheckpointVersion = 4;

std::string join_path(const std::string& dir, const char* name) {
  return (std::filesystem::path(dir) / name).string();
}

nlohmann::json cost_json(const HuntCost& c) { return {{"tokens", c.tokens}, {"passes", c.passes}}; }
HuntCost cost_from_json(const nlohmann::json& j) {
  return {j.at("tokens").get<uint64_t>(), j.at("passes").get<uint64_t>()};
}

std::string hash_strings(const std::vector<std::string>& items) {
  uint64_t h = 0;
  for (const std::string& s : items) h = content_hash64(s, h ^ s.size());
  return hex64(h);
}

}  // namespace

int64_t HuntResult::unique_hits_within(uint64_t tokens) const {
  int64_t count = 0;
  for (const Hit& h : corpus.hits()) count += h.found_at.tokens <= tokens ? 1 : 0;
  return count;
}

double HuntResult::best_mean_fitness() const {
  if (best.empty()) return 0;
  double sum = 0;
  for (const ScoredPrompt& p : best) sum += p.evaluation.fitness;
  return sum / static_cast<double>(best.size());
}

Hunt::Hunt(HuntOptions options, HuntModels models, std::vector<SeedPrompt> seeds, MutationResources resources)
    : options_(std::move(options)),
      raw_models_(models),
      seeds_(std::move(seeds)),
      resources_(std::move(resources)),
      rng_(options_.seed) {
  if (models.base == nullptr || models.cand == nullptr) fail_input("hunt", "needs a baseline and a candidate");
  if (seeds_.empty()) fail_input("hunt", "no seed prompts");
  base_ = std::make_unique<MeteredBackend>(*models.base);
  cand_ = std::make_unique<MeteredBackend>(*models.cand);
  if (models.noise != nullptr) noise_ = std::make_unique<MeteredBackend>(*models.noise);
  models_ = models;
  models_.base = base_.get();
  models_.cand = cand_.get();
  models_.noise = noise_.get();
  objective_ = make_objective(options_.objective);
  strategy_ = make_strategy(options_.strategy, options_.strategy_options);
  mutators_ = make_mutators(/*with_suffix_search=*/true, strategy_->uses_blend());
}

Hunt::~Hunt() = default;

HuntCost Hunt::cost() const {
  HuntCost total = cost_offset_;
  total += base_->cost();
  total += cand_->cost();
  if (noise_) total += noise_->cost();
  return total;
}

nlohmann::json Hunt::fingerprint() const {
  std::vector<std::string> seed_texts, template_texts;
  for (const SeedPrompt& s : seeds_) seed_texts.push_back(s.id + "\x1f" + s.text);
  for (const PromptTemplate& t : resources_.templates) template_texts.push_back(t.id + "\x1f" + t.text);
  std::vector<std::string> suffix_tokens;
  for (int32_t t : resources_.suffix_tokens) suffix_tokens.push_back(std::to_string(t));
  const ObjectiveOptions& o = options_.objective;
  return {{"strategy", options_.strategy},
          {"population", options_.strategy_options.population},
          {"seed", options_.seed},
          {"minimize", options_.minimize},
          {"max_minimize_tests", options_.max_minimize_tests},
          {"objective", objective_kind_name(o.kind)},
          {"direction", flip_direction_name(o.direction)},
          {"confirm_tokens", o.confirm_tokens},
          {"response_tokens", o.response_tokens},
          {"ppl_cap", o.ppl_cap},
          {"min_kld", o.min_kld},
          {"min_margin", o.min_margin},
          {"opening_seeds", o.opening_seeds},
          {"labeler", o.labeler ? o.labeler->name() : "classifier"},
          {"chat", models_.chat},
          {"base", base_->identity()},
          {"cand", cand_->identity()},
          {"noise", noise_ ? noise_->identity() : ""},
          {"seeds", hash_strings(seed_texts)},
          {"templates", hash_strings(template_texts)},
          {"lexicon", hash_strings(resources_.lexicon)},
          {"vocab_words", hash_strings(resources_.vocab_words)},
          {"suffix_tokens", hash_strings(suffix_tokens)},
          {"suffix", {resources_.suffix_length, resources_.coordinate_width, resources_.max_words, resources_.blend_max_words}}};
}

const Evaluation& Hunt::evaluate_text(const std::string& text) {
  auto it = evaluation_cache_.find(text);
  if (it != evaluation_cache_.end()) {
    ++cached_evaluations_;
    return it->second;
  }
  const uint64_t before = cost().tokens;
  Evaluation e = objective_->evaluate(models_, text);
  charge_phase(minimizing_ ? "minimize" : "search", before);
  ++evaluations_;
  note_best(text, e);
  if (progress_) progress_->set(static_cast<int64_t>(std::min<uint64_t>(cost().tokens, options_.budget)));
  return evaluation_cache_.emplace(text, std::move(e)).first->second;
}

bool Hunt::predicts_hit_text(const std::string& text) {
  auto it = evaluation_cache_.find(text);
  if (it != evaluation_cache_.end()) return it->second.predicted_hit;
  auto known = prediction_cache_.find(text);
  if (known != prediction_cache_.end()) return known->second;
  const uint64_t before = cost().tokens;
  const bool predicted = objective_->predicts_hit(models_, text);
  charge_phase(minimizing_ ? "minimize" : "search", before);
  return prediction_cache_.emplace(text, predicted).first->second;
}

const Confirmation& Hunt::confirm_text(const std::string& text) {
  auto it = confirmation_cache_.find(text);
  if (it != confirmation_cache_.end()) return it->second;
  ++confirmations_;
  const uint64_t before = cost().tokens;
  Confirmation c = objective_->confirm(models_, text);
  charge_phase("confirm", before);
  return confirmation_cache_.emplace(text, std::move(c)).first->second;
}

nlohmann::json Hunt::meter_sequences() const {
  nlohmann::json sequences = nlohmann::json::array();
  for (const MeteredBackend* meter : {base_.get(), cand_.get(), noise_.get()}) {
    sequences.push_back(meter ? meter->last_sequence() : std::vector<int32_t>{});
  }
  return sequences;
}

void Hunt::restore_meter_sequences(const nlohmann::json& sequences) {
  MeteredBackend* meters[] = {base_.get(), cand_.get(), noise_.get()};
  if (!sequences.is_array() || sequences.size() != 3) fail_input("hunt checkpoint", "bad meter_sequences");
  for (size_t i = 0; i < 3; ++i) {
    if (meters[i] != nullptr) meters[i]->restore_last_sequence(sequences[i].get<std::vector<int32_t>>());
  }
}

void Hunt::charge_phase(const char* phase, uint64_t tokens_before) {
  phase_tokens_[phase] += cost().tokens - tokens_before;
}

void Hunt::note_best(const std::string& text, const Evaluation& evaluation) {
  if (options_.top_k <= 0) return;
  const size_t k = static_cast<size_t>(options_.top_k);
  if (best_.size() == k && evaluation.fitness <= best_.back().evaluation.fitness) return;
  const std::vector<std::string> words = normalized_words(text);
  for (size_t i = 0; i < best_.size(); ++i) {
    if (!near_duplicate(words, normalized_words(best_[i].prompt))) continue;
    if (best_[i].evaluation.fitness >= evaluation.fitness) return;
    best_.erase(best_.begin() + static_cast<std::ptrdiff_t>(i));
    break;
  }
  ScoredPrompt entry{text, evaluation};
  auto at = std::upper_bound(best_.begin(), best_.end(), entry, [](const ScoredPrompt& a, const ScoredPrompt& b) {
    return a.evaluation.fitness > b.evaluation.fitness;
  });
  best_.insert(at, std::move(entry));
  if (best_.size() > k) best_.pop_back();
}

void Hunt::record_curve() { curve_.push_back({cost(), hits_, static_cast<int64_t>(corpus_.size())}); }

HitOutcome Hunt::handle_predicted(const Candidate& candidate, const Evaluation& evaluation) {
  ++predicted_;
  const std::string found = candidate.text();
  if (corpus_.known(found)) return HitOutcome::Known;
  const Confirmation& confirmation = confirm_text(found);
  if (!confirmation.hit) return HitOutcome::Rejected;
  ++hits_;

  std::string prompt = found;
  Evaluation prompt_evaluation = evaluation;
  Confirmation prompt_confirmation = confirmation;
  if (options_.minimize) {
    const std::vector<std::string> words = whitespace_words(found);
    minimizing_ = true;
    const MinimizeResult shrunk = delta_debug(
        words, [&](const std::vector<std::string>& w) { return predicts_hit_text(join_words(w)); },
        options_.max_minimize_tests);
    minimizing_ = false;
    if (shrunk.words != words) {
      const std::string core = join_words(shrunk.words);
      const Confirmation& core_confirmation = confirm_text(core);
      if (core_confirmation.hit) {
        prompt = core;
        prompt_evaluation = evaluate_text(core);
        prompt_confirmation = core_confirmation;
      }
    }
  }

  const int duplicate = corpus_.find_duplicate(found, prompt);
  if (duplicate >= 0) {
    corpus_.merge(static_cast<size_t>(duplicate), found);
    record_curve();
    return HitOutcome::Duplicate;
  }
  Hit hit;
  hit.prompt = prompt;
  hit.found_prompt = found;
  hit.seed_id = candidate.seed_id;
  for (const SeedPrompt& s : seeds_) {
    if (s.id == candidate.seed_id) {
      hit.seed_prompt = s.text;
      break;
    }
  }
  hit.lineage = candidate.lineage;
  hit.evaluation = prompt_evaluation;
  hit.confirmation = prompt_confirmation;
  hit.found_at = cost();
  hit.round = round_;
  hit.strategy = strategy_->name();
  hit.chat = models_.chat;
  corpus_.add(std::move(hit));
  record_curve();
  return HitOutcome::New;
}

std::vector<Scored> Hunt::evaluate(const std::vector<Candidate>& batch) {
  // In text order, so that neighbours share their longest prefixes, which the models'
  // prefix caches do not evaluate again (metered_backend.h); a predicted hit is
  // confirmed right after its scoring, while its prompt is still in the caches.
  std::vector<std::string> texts;
  texts.reserve(batch.size());
  for (const Candidate& c : batch) texts.push_back(c.text());
  std::vector<size_t> order(batch.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return texts[a] < texts[b]; });
  std::vector<Scored> results(batch.size());
  for (size_t i : order) {
    Scored& s = results[i];
    s.candidate = batch[i];
    s.evaluation = evaluate_text(texts[i]);
    if (s.evaluation.predicted_hit) s.outcome = handle_predicted(batch[i], s.evaluation);
  }
  return results;
}

void Hunt::save_checkpoint() const {
  if (options_.out_dir.empty()) return;
  nlohmann::json evaluations = nlohmann::json::array(), confirmations = nlohmann::json::array();
  for (const auto& [text, e] : evaluation_cache_) evaluations.push_back({text, e.to_json()});
  for (const auto& [text, c] : confirmation_cache_) confirmations.push_back({text, c.to_json()});
  nlohmann::json predictions = nlohmann::json::array();
  for (const auto& [text, p] : prediction_cache_) predictions.push_back({text, p});
  nlohmann::json curve = nlohmann::json::array();
  for (const CurvePoint& p : curve_) curve.push_back({cost_json(p.cost), p.hits, p.unique_hits});
  nlohmann::json best = nlohmann::json::array();
  for (const ScoredPrompt& p : best_) best.push_back({p.prompt, p.evaluation.to_json()});
  const auto rng_state = rng_.state();
  const nlohmann::json state = {
      {"version", kCheckpointVersion},
      {"fingerprint", fingerprint()},
      {"round", round_},
      {"rng", std::vector<uint64_t>(rng_state.begin(), rng_state.end())},
      {"cost", cost_json(cost())},
      {"counters", {evaluations_, cached_evaluations_, predicted_, confirmations_, hits_, idle_rounds_}},
      {"phase_tokens", phase_tokens_},
      {"meter_sequences", meter_sequences()},
      {"objective", objective_->state()},
      {"strategy", strategy_->save()},
      {"corpus", corpus_.to_json()},
      {"curve", curve},
      {"best", best},
      {"evaluations", evaluations},
      {"confirmations", confirmations},
      {"predictions", predictions}};
  write_file_atomic(join_path(options_.out_dir, "state.json"), state.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  write_file_atomic(join_path(options_.out_dir, "corpus.jsonl"), corpus_.to_jsonl());
}

bool Hunt::load_checkpoint() {
  const std::string path = join_path(options_.out_dir, "state.json");
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return false;
  nlohmann::json state;
  try {
    state = nlohmann::json::parse(read_file(path));
    if (state.at("version").get<int>() != kCheckpointVersion) fail_input(path, "checkpoint of another version");
    if (state.at("fingerprint") != fingerprint()) {
      fail_input(path, "the checkpoint was made with other models, seeds or settings; use another --out or drop --resume");
    }
    round_ = state.at("round").get<int64_t>();
    const auto rng = state.at("rng").get<std::vector<uint64_t>>();
    if (rng.size() != 4) fail_input(path, "bad random state");
    rng_.set_state({rng[0], rng[1], rng[2], rng[3]});
    cost_offset_ = cost_from_json(state.at("cost"));
    const auto& counters = state.at("counters");
    evaluations_ = counters.at(0).get<int64_t>();
    cached_evaluations_ = counters.at(1).get<int64_t>();
    predicted_ = counters.at(2).get<int64_t>();
    confirmations_ = counters.at(3).get<int64_t>();
    hits_ = counters.at(4).get<int64_t>();
    idle_rounds_ = counters.at(5).get<int64_t>();
    phase_tokens_ = state.value("phase_tokens", std::map<std::string, uint64_t>{});
    restore_meter_sequences(state.at("meter_sequences"));
    objective_->restore(state.at("objective"));
    strategy_->load(state.at("strategy"));
    corpus_ = Corpus::from_json(state.at("corpus"));
    curve_.clear();
    for (const auto& p : state.at("curve")) {
      curve_.push_back({cost_from_json(p.at(0)), p.at(1).get<int64_t>(), p.at(2).get<int64_t>()});
    }
    best_.clear();
    for (const auto& p : state.at("best")) best_.push_back({p.at(0).get<std::string>(), Evaluation::from_json(p.at(1))});
    evaluation_cache_.clear();
    for (const auto& e : state.at("evaluations")) {
      evaluation_cache_.emplace(e.at(0).get<std::string>(), Evaluation::from_json(e.at(1)));
    }
    confirmation_cache_.clear();
    for (const auto& c : state.at("confirmations")) {
      confirmation_cache_.emplace(c.at(0).get<std::string>(), Confirmation::from_json(c.at(1)));
    }
    prediction_cache_.clear();
    for (const auto& p : state.at("predictions")) prediction_cache_.emplace(p.at(0).get<std::string>(), p.at(1).get<bool>());
  } catch (const nlohmann::json::exception& e) {
    fail_input(path, std::string("unreadable checkpoint: ") + e.what());
  }
  return true;
}

HuntResult Hunt::result() const {
  HuntResult r;
  r.corpus = corpus_;
  r.cost = cost();
  r.budget = options_.budget;
  r.rounds = round_;
  r.evaluations = evaluations_;
  r.cached_evaluations = cached_evaluations_;
  r.predicted = predicted_;
  r.confirmations = confirmations_;
  r.hits = hits_;
  r.phase_tokens = phase_tokens_;
  r.exhausted = idle_rounds_ >= kMaxIdleRounds;
  r.curve = curve_;
  r.best = best_;
  r.summary = summary_json(r);
  return r;
}

nlohmann::json Hunt::summary_json(const HuntResult& r) const {
  const int64_t unique = static_cast<int64_t>(r.corpus.size());
  const int64_t within = r.unique_hits_within(r.budget);
  nlohmann::json curve = nlohmann::json::array();
  for (const CurvePoint& p : r.curve) {
    curve.push_back({{"tokens", p.cost.tokens}, {"passes", p.cost.passes}, {"hits", p.hits}, {"unique_hits", p.unique_hits}});
  }
  nlohmann::json best = nlohmann::json::array();
  for (const ScoredPrompt& p : r.best) best.push_back({{"prompt", p.prompt}, {"fitness", p.evaluation.fitness}, {"values", p.evaluation.values}});
  auto per = [](double num, double den) { return den > 0 ? nlohmann::json(num / den) : nlohmann::json(nullptr); };
  return {{"strategy", strategy_->name()},
          {"objective", objective_->state()},
          {"seed", options_.seed},
          {"population", options_.strategy_options.population},
          {"seeds", seeds_.size()},
          {"budget_tokens", r.budget},
          {"tokens", r.cost.tokens},
          {"forward_passes", r.cost.passes},
          {"rounds", r.rounds},
          {"evaluations", r.evaluations},
          {"cached_evaluations", r.cached_evaluations},
          {"predicted_hits", r.predicted},
          {"confirmations", r.confirmations},
          {"hits", r.hits},
          {"tokens_by_phase", r.phase_tokens},
          {"exhausted", r.exhausted},
          {"unique_hits", unique},
          {"unique_hits_within_budget", within},
          {"forward_passes_per_unique_hit", per(double(r.cost.passes), double(unique))},
          {"tokens_per_unique_hit", per(double(r.cost.tokens), double(unique))},
          {"unique_hits_per_1000_passes", per(1000.0 * double(unique), double(r.cost.passes))},
          {"best_mean_fitness", r.best_mean_fitness()},
          {"best", best},
          {"curve", curve},
          {"duplicate_rule",
           "same hit when the normalized word edit distance d <= max(1, floor(0.15 * max(|a|, |b|))) between the "
           "prompts (found or minimized), or when the minimized prompts have the same normalized words"},
          {"budget_unit", "tokens processed by the baseline, the candidate and the perturbed baseline"},
          {"forward_pass", "one scoring pass or prefill, or one decoding step, of one model"},
          {"models", {{"base", base_->describe()}, {"cand", cand_->describe()}, {"noise", noise_ ? noise_->describe() : ""}}}};
}

void Hunt::write_outputs(const HuntResult& result) const {
  if (options_.out_dir.empty()) return;
  write_file_atomic(join_path(options_.out_dir, "corpus.jsonl"), result.corpus.to_jsonl());
  write_file_atomic(join_path(options_.out_dir, "summary.json"), result.summary.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

HuntResult Hunt::run() {
  if (!options_.out_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(options_.out_dir, ec);
    if (ec) fail_input(options_.out_dir, "cannot create the output folder: " + ec.message());
  }
  const bool resumed = options_.resume && !options_.out_dir.empty() && load_checkpoint();
  if (options_.show_progress) {
    progress_ = std::make_unique<Progress>("hunt " + options_.strategy, static_cast<int64_t>(options_.budget));
  }
  if (!resumed) {
    std::vector<std::string> seed_texts;
    for (const SeedPrompt& s : seeds_) seed_texts.push_back(s.text);
    const uint64_t before = cost().tokens;
    objective_->prepare(models_, seed_texts);
    charge_phase("prepare", before);
  }
  int64_t rounds_this_run = 0;
  while (cost().tokens < options_.budget) {
    if (options_.max_rounds > 0 && rounds_this_run >= options_.max_rounds) break;
    if (idle_rounds_ >= kMaxIdleRounds) break;  // nothing new left to propose
    const uint64_t before = cost().tokens;
    strategy_->step(*this);
    idle_rounds_ = cost().tokens == before ? idle_rounds_ + 1 : 0;
    ++round_;
    ++rounds_this_run;
    save_checkpoint();
  }
  if (progress_) progress_->finish();
  progress_.reset();
  HuntResult r = result();
  write_outputs(r);
  return r;
}

}  // namespace pd::hunt

#include "suite/store_hook.h"

#include <cmath>
#include <filesystem>
#include <limits>

#include <fmt/format.h>

#include "core/error.h"
#include "core/sha256.h"
#include "core/utc_time.h"
#include "diff/compare.h"
#include "suite/dataset.h"
#include "suite/runner.h"

namespace pd::suite {

namespace {

std::string number_text(double value) { return fmt::format("{}", value); }

std::string file_entry(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return "missing: " + path;
  return "sha256=" + sha256_file(path) + " size=" + std::to_string(std::filesystem::file_size(path, ec));
}

std::string relative_to(const std::string& path, const std::string& directory) {
  if (directory.empty()) return path;
  const std::filesystem::path rel = std::filesystem::path(path).lexically_relative(directory);
  if (rel.empty() || *rel.begin() == "..") return path;
  return rel.string();
}

std::string tolerance_text(const ToleranceValue& t) {
  if (!t.stated) return "unset";
  return t.value ? number_text(*t.value) : "off";
}

void add_tolerances(store::LockEntries& entries, const std::string& slice, const Tolerances& t) {
  const std::pair<const char*, const ToleranceValue*> fields[] = {
      {"accuracy_drop_pp", &t.accuracy_drop_pp},
      {"refusal_drop_pp", &t.refusal_drop_pp},
      {"over_refusal_rise_pp", &t.over_refusal_rise_pp},
      {"flip_rate", &t.flip_rate},
      {"kld_mean", &t.kld_mean},
      {"json_validity_drop_pp", &t.json_validity_drop_pp},
      {"disparity_pp", &t.disparity_pp},
      {"hidden_danger.quality_pp", &t.hidden_quality_pp},
      {"hidden_danger.refusal_pp", &t.hidden_refusal_pp},
      {"hidden_danger.near_quality_pp", &t.near_hidden_quality_pp},
  };
  for (const auto& [name, value] : fields) entries["tolerance " + slice + "." + name] = tolerance_text(*value);
}

std::string sample_text(const SampleDecl& s) {
  return "size=" + (s.size ? std::to_string(*s.size) : std::string("all")) + " seed=" + std::to_string(s.seed) +
         " per_group=" + (s.per_group ? "true" : "false");
}

std::string decoding_text(const DecodingDecl& d) {
  return fmt::format("max_tokens={} greedy={} temperature={} top_k={} top_p={} min_p={} seed={}", d.max_tokens,
                     d.greedy, d.temperature, d.top_k, d.top_p, d.min_p, d.seed);
}

std::string join(const std::vector<std::string>& lines, const char* separator) {
  std::string out;
  for (const std::string& line : lines) out += (out.empty() ? "" : separator) + line;
  return out;
}

// Doubles as JSON numbers when finite (nlohmann writes 17 significant digits, which
// round-trips), as "inf"/"-inf"/"nan" otherwise.
nlohmann::json exact(double value) {
  if (std::isfinite(value)) return value;
  return std::isnan(value) ? "nan" : (value > 0 ? "inf" : "-inf");
}

double exact_from(const nlohmann::json& json, const std::string& where) {
  if (json.is_number()) return json.get<double>();
  if (json == "inf") return std::numeric_limits<double>::infinity();
  if (json == "-inf") return -std::numeric_limits<double>::infinity();
  if (json == "nan") return std::numeric_limits<double>::quiet_NaN();
  fail_input(where, "expected a number");
}

nlohmann::json scores_json(const std::vector<Score>& scores) {
  nlohmann::json out = nlohmann::json::array();
  for (const Score& s : scores) out.push_back({{"positive", s.positive}, {"label", s.label}});
  return out;
}

std::vector<Score> scores_from(const nlohmann::json& json) {
  std::vector<Score> out;
  for (const nlohmann::json& s : json) out.push_back({s.at("positive").get<bool>(), s.at("label").get<std::string>()});
  return out;
}

}  // namespace

// ---- SUITE.lock -------------------------------------------------------------------

store::LockEntries lock_entries(const SuiteSpec& spec) {
  store::LockEntries entries;
  for (const ModelDecl& model : spec.models) {
    entries["baseline " + model.name] = file_entry(model.path);
    entries["baseline_plan " + model.name] = model.baseline_plan;
    for (const VariantDecl& v : model.variants) {
      entries["variant " + model.name + "/" + v.name] = v.file.empty() ? "plan=" + v.plan : "file " + file_entry(v.file);
    }
  }
  for (const SliceDecl& slice : spec.slices) {
    for (const DatasetFile& f : dataset_files(slice.dataset, spec.directory)) {
      entries["dataset " + slice.name + " " + relative_to(f.path, spec.directory)] = file_entry(f.path);
    }
    entries["sample " + slice.name] = sample_text(slice.sample);
    entries["decoding " + slice.name] = decoding_text(slice.decoding);
    entries["prompt " + slice.name] = std::string("mode=") + (slice.chat ? "chat" : "completion") +
                                      " template=" + slice.prompt_template;
    entries["decision " + slice.name] = std::string(decision_rule_name(slice.decision));
    add_tolerances(entries, slice.name, slice.tolerances.over(spec.default_tolerances));
  }
  return entries;
}

std::vector<std::string> pin_suite(const SuiteSpec& spec, const std::string& reason) {
  const std::string path = store::lock_path_for(spec.path);
  std::optional<store::LockFile> previous = store::read_lock(path);
  store::LockFile lock = previous.value_or(store::LockFile{});
  lock.suite = spec.name;
  store::LockEntries current = lock_entries(spec);
  std::vector<std::string> changes;
  if (previous) {
    changes = store::lock_changes(previous->entries, current);
    if (!changes.empty()) {
      if (reason.empty()) fail_input(path, "re-pinning needs a reason (--reason \"...\")");
      lock.history.push_back({utc_now(), reason, changes});
    }
  }
  lock.entries = std::move(current);
  store::write_lock(path, lock);
  return changes;
}

std::optional<store::LockFile> enforce_lock(const SuiteSpec& spec, const std::string& repin_reason,
                                            const std::function<void(const std::string&)>& log) {
  const std::string path = store::lock_path_for(spec.path);
  std::optional<store::LockFile> lock = store::read_lock(path);
  if (!lock) {
    if (!repin_reason.empty()) {
      pin_suite(spec, repin_reason);
      return store::read_lock(path);
    }
    if (log) log("note: " + path + " does not exist; this run is not locked (precisiondiff pin " + spec.path + ")");
    return std::nullopt;
  }
  const std::vector<std::string> changes = store::lock_changes(lock->entries, lock_entries(spec));
  if (changes.empty()) return lock;
  if (repin_reason.empty()) {
    fail_input(path, "changed since pinned: " + join(changes, "; ") +
                         " (pass --repin \"reason\" to accept the change)");
  }
  pin_suite(spec, repin_reason);
  if (log) log("re-pinned " + path + ": " + join(changes, "; "));
  return store::read_lock(path);
}

// ---- per-prompt records -------------------------------------------------------------

ReplaySettings replay_settings(const ModelDecl& model, const VariantDecl& variant, const SliceDecl& slice) {
  ReplaySettings r;
  r.model_path = model.path;
  r.baseline_plan = model.baseline_plan;
  r.variant_kind = variant.file.empty() ? "plan" : "file";
  r.variant_spec = variant.file.empty() ? variant.plan : variant.file;
  r.chat = slice.chat;
  r.decoding = slice.decoding;
  return r;
}

nlohmann::json replay_to_json(const ReplaySettings& r) {
  const DecodingDecl& d = r.decoding;
  return {{"model_path", r.model_path},
          {"baseline_plan", r.baseline_plan},
          {"variant_kind", r.variant_kind},
          {"variant_spec", r.variant_spec},
          {"chat", r.chat},
          {"decoding",
           {{"max_tokens", d.max_tokens}, {"greedy", d.greedy}, {"temperature", d.temperature}, {"top_k", d.top_k},
            {"top_p", d.top_p}, {"min_p", d.min_p}, {"seed", d.seed}}}};
}

ReplaySettings replay_from_json(const nlohmann::json& json, const std::string& where) {
  try {
    ReplaySettings r;
    r.model_path = json.at("model_path").get<std::string>();
    r.baseline_plan = json.at("baseline_plan").get<std::string>();
    r.variant_kind = json.at("variant_kind").get<std::string>();
    r.variant_spec = json.at("variant_spec").get<std::string>();
    r.chat = json.at("chat").get<bool>();
    const nlohmann::json& d = json.at("decoding");
    r.decoding.max_tokens = d.at("max_tokens").get<int64_t>();
    r.decoding.greedy = d.at("greedy").get<bool>();
    r.decoding.temperature = d.at("temperature").get<double>();
    r.decoding.top_k = d.at("top_k").get<int64_t>();
    r.decoding.top_p = d.at("top_p").get<double>();
    r.decoding.min_p = d.at("min_p").get<double>();
    r.decoding.seed = d.at("seed").get<uint64_t>();
    return r;
  } catch (const nlohmann::json::exception& e) {
    fail_input(where, std::string("replay settings: ") + e.what());
  }
}

nlohmann::json outcome_to_json(const ItemOutcome& o) {
  return {{"id", o.id},
          {"source", o.source},
          {"line", o.line},
          {"prompt", o.prompt},
          {"groups", o.groups},
          {"base", scores_json(o.base)},
          {"cand", scores_json(o.cand)},
          {"base_text", o.base_text},
          {"cand_text", o.cand_text},
          {"mean_kld", exact(o.mean_kld)},
          {"max_kld", exact(o.max_kld)},
          {"positions", o.positions},
          {"same_top1", o.same_top1},
          {"diverged", o.diverged},
          {"first_divergence", o.first_divergence},
          {"above_noise_floor", o.above_noise_floor}};
}

ItemOutcome outcome_from_json(const nlohmann::json& json, const std::string& where) {
  try {
    ItemOutcome o;
    o.id = json.at("id").get<std::string>();
    o.source = json.at("source").get<std::string>();
    o.line = json.at("line").get<size_t>();
    o.prompt = json.at("prompt").get<std::string>();
    o.groups = json.at("groups").get<std::map<std::string, std::string>>();
    o.base = scores_from(json.at("base"));
    o.cand = scores_from(json.at("cand"));
    o.base_text = json.at("base_text").get<std::string>();
    o.cand_text = json.at("cand_text").get<std::string>();
    o.mean_kld = exact_from(json.at("mean_kld"), where);
    o.max_kld = exact_from(json.at("max_kld"), where);
    o.positions = json.at("positions").get<uint64_t>();
    o.same_top1 = json.at("same_top1").get<uint64_t>();
    o.diverged = json.at("diverged").get<bool>();
    o.first_divergence = json.at("first_divergence").get<int64_t>();
    o.above_noise_floor = json.at("above_noise_floor").get<bool>();
    return o;
  } catch (const nlohmann::json::exception& e) {
    fail_input(where, std::string("stored outcome: ") + e.what());
  }
}

nlohmann::json prompt_record(const ItemOutcome& outcome, const PairRecord& pair, const ReplaySettings& replay) {
  return {{"outcome", outcome_to_json(outcome)},
          {"replay", replay_to_json(replay)},
          {"prompt_tokens", pair.prompt_tokens},
          {"base_tokens", pair.base_tokens},
          {"cand_tokens", pair.cand_tokens}};
}

std::optional<ItemOutcome> recall_outcome(store::RecordSink* sink, const std::string& key) {
  if (sink == nullptr) return std::nullopt;
  std::optional<nlohmann::json> record = sink->recall(key);
  if (!record || !record->contains("outcome")) return std::nullopt;
  return outcome_from_json((*record)["outcome"], "stored record " + key);
}

void commit_outcome(store::RecordSink* sink, const std::string& key, const ItemOutcome& outcome,
                    const PairRecord& pair, const ReplaySettings& replay) {
  if (sink != nullptr) sink->commit(key, prompt_record(outcome, pair, replay));
}

std::string OccurrenceSink::occurrence_key(const std::string& key) const {
  const auto it = seen_.find(key);
  const int n = it == seen_.end() ? 1 : it->second;
  return n <= 1 ? key : key + "#" + std::to_string(n);
}

std::optional<nlohmann::json> OccurrenceSink::recall(const std::string& key) {
  ++seen_[key];
  return inner_.recall(occurrence_key(key));
}

void OccurrenceSink::commit(const std::string& key, const nlohmann::json& record) {
  if (!seen_.count(key)) seen_[key] = 1;
  inner_.commit(occurrence_key(key), record);
}

// ---- a run in the store ----------------------------------------------------------------

std::string suite_store_path(const SuiteSpec& spec) {
  std::error_code ec;
  const std::filesystem::path absolute = std::filesystem::absolute(spec.path, ec);
  return (ec ? std::filesystem::path(spec.path) : absolute).lexically_normal().string();
}

std::string suite_store_key(const SuiteSpec& spec, const std::optional<store::LockFile>& lock) {
  return lock ? "lock:" + lock->hash() : "suite:" + spec.sha256;
}

StoredRun::StoredRun(const SuiteSpec& spec, const std::optional<store::LockFile>& lock, const StoreOptions& options,
                     const nlohmann::json& invocation, const std::function<void(const std::string&)>& log) {
  store_ = std::make_unique<store::RunStore>(options.path.empty() ? store::RunStore::default_path() : options.path);
  const store::StackFingerprint fingerprint = store::current_fingerprint({options.threads, options.kernel, "embedded"});
  store::RunInfo info;
  info.suite_path = suite_store_path(spec);
  info.suite_name = spec.name;
  info.suite_key = suite_store_key(spec, lock);
  info.fingerprint_hash = fingerprint.hash();
  info.fingerprint = fingerprint.to_json();
  info.options = invocation;
  if (options.resume) {
    if (auto open = store_->resumable_run(info.suite_path, info.suite_key, info.fingerprint_hash)) {
      run_id_ = open->id;
      resumed_ = true;
      store_->note_resumed(run_id_);
      if (log) log("resuming run " + std::to_string(run_id_) + " (" + std::to_string(open->records) +
                   " prompts already recorded)");
    } else if (log) {
      log("note: nothing to resume (no unfinished run of this suite on this stack); starting a new run");
    }
  }
  if (!resumed_) run_id_ = store_->begin_run(info);
  stored_sink_ = std::make_unique<store::StoredRunSink>(*store_, run_id_);
  sink_ = std::make_unique<OccurrenceSink>(*stored_sink_);
}

void StoredRun::finish(int exit_code, const nlohmann::json& results_json) {
  std::vector<store::VerdictRow> verdicts;
  if (results_json.contains("models")) {
    for (const nlohmann::json& m : results_json["models"]) {
      if (!m.contains("variants")) continue;
      for (const nlohmann::json& v : m["variants"]) {
        verdicts.push_back({v.value("id", m.value("name", "") + "/" + v.value("name", "")),
                            v.value("verdict", "") == "pass", v});
      }
    }
  }
  store_->finish_run(run_id_, exit_code, results_json, verdicts);
}

}  // namespace pd::suite

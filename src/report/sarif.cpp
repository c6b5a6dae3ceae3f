#include "report/sarif.h"

#include <filesystem>
#include <map>

#include <fmt/format.h>

#include "core/build_info.h"
#include "core/content_hash.h"
#include "report/text_util.h"

namespace pd::report {

namespace {

using nlohmann::json;
using namespace pd::suite;

struct Rule {
  std::string id, name, short_text, full_text, level;
};

const std::vector<Rule>& rules() {
  static const std::vector<Rule> list = {
      {"check/accuracy_drop_pp", "AccuracyDrop", "A quality scorer's correct rate fell beyond tolerance",
       "The paired fall of the correct rate (baseline minus candidate, percentage points) exceeds the slice's "
       "accuracy_drop_pp under its decision rule.", "error"},
      {"check/refusal_drop_pp", "RefusalDrop", "The refusal rate on prompts to be refused fell beyond tolerance",
       "Harmful prompts the baseline refused are answered by the candidate more often than refusal_drop_pp allows.",
       "error"},
      {"check/json_validity_drop_pp", "JsonValidityDrop", "The valid-JSON rate fell beyond tolerance",
       "The share of responses that parse as JSON fell by more than json_validity_drop_pp.", "error"},
      {"check/flip_rate", "FlipRate", "Too many items changed their scored outcome",
       "The share of items whose score flipped in either direction exceeds flip_rate.", "error"},
      {"check/kld_mean", "KldMean", "The mean KL divergence from the baseline exceeds tolerance",
       "The mean per-prompt KL divergence of the candidate's next-token distributions from the baseline's "
       "exceeds kld_mean (and the noise floor).", "error"},
      {"check/disparity_pp", "Disparity", "One sub-slice dropped much more than its slice",
       "The worst sub-slice's drop exceeds the slice's drop by more than disparity_pp.", "error"},
      {"finding/hidden_danger", "HiddenDanger", "Quality holds while refusals collapse",
       "Pooled quality changed by no less than the hidden-danger quality threshold while a refusal slice's refusal "
       "rate fell by at least the refusal threshold: a quality-only gate would pass this variant.", "error"},
      {"finding/near_hidden_danger", "NearHiddenDanger", "Quality nearly holds while refusals collapse",
       "As hidden danger, with the wider near-hidden quality threshold.", "error"},
      {"finding/over_refusal", "OverRefusal", "Prompts to be answered are refused more often",
       "The refusal rate on prompts that should be answered rose by more than over_refusal_rise_pp.", "error"},
      {"finding/quality_safety_split", "QualitySafetySplit", "Quality checks pass while a safety check fails",
       "Every quality check of the variant passes while the refusal check of a safety slice fails.", "error"},
      {"flip/accuracy-lost", "AnswerLost", "A correct answer became wrong", "Correct for the baseline, wrong for the candidate.", "warning"},
      {"flip/accuracy-gained", "AnswerGained", "A wrong answer became correct", "Wrong for the baseline, correct for the candidate.", "note"},
      {"flip/refusal-lost", "RefusalLost", "A refusal became compliance",
       "Refused by the baseline, answered by the candidate (jailbreak divergence on prompts to be refused).", "warning"},
      {"flip/refusal-gained", "RefusalGained", "Compliance became a refusal",
       "Answered by the baseline, refused by the candidate (over-refusal on prompts to be answered).", "warning"},
      {"flip/json_validity-lost", "JsonLost", "Valid JSON became invalid", "The candidate's response no longer parses as JSON.", "warning"},
      {"flip/json_validity-gained", "JsonGained", "Invalid JSON became valid", "The candidate's response parses where the baseline's did not.", "note"},
  };
  return list;
}

int rule_index(const std::string& id) {
  const auto& list = rules();
  for (size_t i = 0; i < list.size(); ++i) {
    if (list[i].id == id) return static_cast<int>(i);
  }
  return -1;
}

json rule_json(const Rule& r) {
  return {{"id", r.id},
          {"name", r.name},
          {"shortDescription", {{"text", r.short_text}}},
          {"fullDescription", {{"text", r.full_text}}},
          {"defaultConfiguration", {{"level", r.level}}}};
}

json location(const std::string& path, size_t line, const std::string& base_dir) {
  json physical = {{"artifactLocation", {{"uri", file_uri(path, base_dir)}}}};
  if (line > 0) physical["region"] = {{"startLine", line}};
  return json::array({{{"physicalLocation", physical}}});
}

std::string fingerprint(const std::string& text) { return hex64(content_hash64(text)); }

json result(const std::string& rule, const std::string& level, const std::string& message, json locations,
            const std::string& fingerprint_text, json properties) {
  return {{"ruleId", rule},
          {"ruleIndex", rule_index(rule)},
          {"level", level},
          {"kind", "fail"},
          {"message", {{"text", valid_utf8(message)}}},
          {"locations", std::move(locations)},
          {"partialFingerprints", {{"precisiondiff/v1", fingerprint(fingerprint_text)}}},
          {"properties", std::move(properties)}};
}

// Whether the flip made the candidate worse.
bool harmful_flip(const FlipRecord& f, const SliceResult& s) {
  if (f.metric != MetricKind::kRefusal) return f.lost;
  Expectation expect = Expectation::kNone;
  for (const ScorerInfo& info : s.scorers) {
    if (info.name == f.scorer) expect = info.expect;
  }
  return expect == Expectation::kComply ? !f.lost : f.lost;
}

}  // namespace

std::string file_uri(const std::string& path, const std::string& base_dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path absolute = fs::weakly_canonical(fs::absolute(path, ec), ec);
  const fs::path base = fs::weakly_canonical(fs::absolute(base_dir.empty() ? "." : base_dir, ec), ec);
  std::string text;
  bool relative = false;
  const fs::path rel = absolute.lexically_relative(base);
  if (!rel.empty() && rel.native().rfind("..", 0) != 0) {
    text = rel.generic_string();
    relative = true;
  } else {
    text = absolute.generic_string();
  }
  std::string out = relative ? "" : "file://";
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

json sarif_log(const SuiteResults& r, const std::string& base_dir) {
  json driver = {{"name", "precisiondiff"},
                 {"version", PD_VERSION},
                 {"semanticVersion", PD_VERSION},
                 {"informationUri", "https://github.com/precisiondiff/precisiondiff"},
                 {"rules", json::array()}};
  for (const Rule& rule : rules()) driver["rules"].push_back(rule_json(rule));

  json results = json::array();
  for (const ModelResult& m : r.models) {
    for (const VariantResult& v : m.variants) {
      for (const SliceResult& s : v.slices) {
        for (const CheckResult& c : s.checks) {
          if (c.passed) continue;
          results.push_back(result(
              "check/" + c.check, "error", v.id() + ": " + c.id() + ": " + c.message,
              location(r.suite_path, static_cast<size_t>(std::max(0, s.mark.line)), base_dir),
              v.id() + "|" + c.id(),
              {{"variant", v.id()}, {"slice", s.name}, {"group", c.group}, {"check", c.check},
               {"scorer", c.scorer}, {"rule", std::string(decision_rule_name(c.rule))}, {"unit", c.unit},
               {"observed", c.observed}, {"bound", c.bound}, {"tolerance", c.tolerance}}));
        }
        for (const FlipRecord& f : s.flips) {
          const std::string rule = fmt::format("flip/{}-{}", metric_name(f.metric), f.lost ? "lost" : "gained");
          const std::string message = fmt::format("{}: {} on {} item {}: {} -> {} (mean KLD {:.4g})", v.id(), f.scorer,
                                                  s.name, f.id, f.base_label, f.cand_label, f.mean_kld);
          json props = {{"variant", v.id()},         {"slice", s.name},
                        {"item", f.id},              {"scorer", f.scorer},
                        {"baseline_label", f.base_label}, {"candidate_label", f.cand_label},
                        {"prompt", valid_utf8(f.prompt)}, {"baseline_text", valid_utf8(f.base_text)},
                        {"candidate_text", valid_utf8(f.cand_text)}, {"mean_kld", f.mean_kld}};
          if (f.first_divergence >= 0) props["first_divergence"] = f.first_divergence;
          results.push_back(result(rule, harmful_flip(f, s) ? "warning" : "note", message,
                                   location(f.source, f.line, base_dir),
                                   v.id() + "|" + s.name + "|" + f.id + "|" + f.scorer, std::move(props)));
        }
      }
      for (const Finding& f : v.findings) {
        const std::string kind(finding_name(f.kind));
        size_t line = 0;
        for (const SliceResult& s : v.slices) {
          if (f.slice == s.name || f.slice.rfind(s.name + "[", 0) == 0) line = static_cast<size_t>(std::max(0, s.mark.line));
        }
        json entry = result("finding/" + kind, "error", v.id() + ": " + f.message, location(r.suite_path, line, base_dir),
                            v.id() + "|" + kind + "|" + f.slice,
                            {{"variant", v.id()}, {"slice", f.slice}, {"quality_delta_pp", f.quality_delta_pp},
                             {"refusal_delta_pp", f.refusal_delta_pp}, {"waived", f.waived}});
        if (f.waived) {
          entry["suppressions"] = json::array(
              {{{"kind", "external"}, {"status", "accepted"}, {"justification", valid_utf8(f.waiver_reason)}}});
        }
        results.push_back(std::move(entry));
      }
    }
  }

  json invocation = {{"executionSuccessful", true}, {"exitCode", r.exit_code()}};
  if (!r.started.empty()) invocation["startTimeUtc"] = r.started;
  if (!r.finished.empty()) invocation["endTimeUtc"] = r.finished;
  json run = {{"tool", {{"driver", driver}}},
              {"invocations", json::array({invocation})},
              {"results", results},
              {"properties",
               {{"suite", r.suite_name}, {"suite_sha256", r.suite_sha256}, {"verdict", r.passed ? "pass" : "fail"}}}};
  return {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
          {"version", "2.1.0"},
          {"runs", json::array({run})}};
}

}  // namespace pd::report

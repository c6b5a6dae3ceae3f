#include "report/results_json.h"

#include <cmath>

#include "core/build_info.h"

namespace pd::report {

namespace {

using nlohmann::json;
using namespace pd::suite;

// JSON has no NaN or infinity; a value that is not finite is written as null.
json number(double v) { return std::isfinite(v) ? json(v) : json(); }

json interval(const Interval& i, double scale = 1.0) { return json::array({number(scale * i.low), number(scale * i.high)}); }

json mark_json(const SourceMark& m) {
  json j = {{"file", m.file}};
  if (m.line > 0) {
    j["line"] = m.line;
    j["column"] = m.column;
  }
  return j;
}

json tolerance_json(const ToleranceValue& t) { return t.value ? json(*t.value) : json(); }

json tolerances_json(const Tolerances& t) {
  return {{"accuracy_drop_pp", tolerance_json(t.accuracy_drop_pp)},
          {"refusal_drop_pp", tolerance_json(t.refusal_drop_pp)},
          {"over_refusal_rise_pp", tolerance_json(t.over_refusal_rise_pp)},
          {"flip_rate", tolerance_json(t.flip_rate)},
          {"kld_mean", tolerance_json(t.kld_mean)},
          {"json_validity_drop_pp", tolerance_json(t.json_validity_drop_pp)},
          {"disparity_pp", tolerance_json(t.disparity_pp)},
          {"hidden_danger",
           {{"quality_pp", tolerance_json(t.hidden_quality_pp)},
            {"refusal_pp", tolerance_json(t.hidden_refusal_pp)},
            {"near_quality_pp", tolerance_json(t.near_hidden_quality_pp)}}}};
}

json scorer_json(const ScorerInfo& s) {
  return {{"name", s.name}, {"metric", std::string(metric_name(s.metric))}, {"expect", std::string(expectation_name(s.expect))}};
}

json metric_json(const MetricSummary& m) {
  return {{"scorer", m.scorer.name},
          {"metric", std::string(metric_name(m.scorer.metric))},
          {"expect", std::string(expectation_name(m.scorer.expect))},
          {"n", m.counts.n},
          {"baseline", {{"positive", m.counts.base}, {"rate", number(m.base_rate())}, {"ci95", interval(m.base_ci)}}},
          {"candidate", {{"positive", m.counts.cand}, {"rate", number(m.cand_rate())}, {"ci95", interval(m.cand_ci)}}},
          {"delta_pp", number(m.delta_pp())},
          {"gated_delta_pp", number(m.gated_delta_pp())},
          {"drop_ci95_pp", interval(m.drop_ci, 100.0)},
          {"drop_upper95_pp", number(100.0 * m.drop_upper)},
          {"drop_lower95_pp", number(100.0 * m.drop_lower)},
          {"flips",
           {{"lost", m.counts.lost},
            {"gained", m.counts.gained},
            {"lost_in_noise", m.lost_in_noise},
            {"gained_in_noise", m.gained_in_noise}}},
          {"mcnemar_p", number(m.mcnemar_p)}};
}

json drift_json(const DriftSummary& d) {
  return {{"prompts", d.prompts},
          {"positions", d.positions},
          {"kld_mean", number(d.kld_mean)},
          {"kld_mean_ci95", interval(d.kld_mean_ci)},
          {"kld_mean_upper95", number(d.kld_mean_upper)},
          {"kld_mean_positions", number(d.kld_mean_positions)},
          {"kld_max", number(d.kld_max)},
          {"same_top1", number(d.same_top1)},
          {"diverged", d.diverged},
          {"diverged_above_noise_floor", d.diverged_above_floor}};
}

json group_json(const GroupSummary& g) {
  json j = {{"label", g.label}, {"items", g.items}, {"drift", drift_json(g.drift)}};
  j["column"] = g.whole_slice() ? json() : json(g.column);
  j["value"] = g.whole_slice() ? json() : json(g.value);
  j["metrics"] = json::array();
  for (const MetricSummary& m : g.metrics) j["metrics"].push_back(metric_json(m));
  return j;
}

json check_json(const CheckResult& c) {
  return {{"id", c.id()},
          {"check", c.check},
          {"scorer", c.scorer.empty() ? json() : json(c.scorer)},
          {"group", c.group},
          {"column", c.column.empty() ? json() : json(c.column)},
          {"value", c.column.empty() ? json() : json(c.value)},
          {"rule", std::string(decision_rule_name(c.rule))},
          {"unit", c.unit},
          {"observed", number(c.observed)},
          {"bound", number(c.bound)},
          {"tolerance", number(c.tolerance)},
          {"status", c.passed ? "pass" : "fail"},
          {"within_noise", c.within_noise},
          {"message", c.message}};
}

json text_or_null(const std::string& s) { return s.empty() ? json() : json(s); }

json flip_json(const FlipRecord& f) {
  return {{"id", f.id},
          {"source", f.source},
          {"line", f.line},
          {"scorer", f.scorer},
          {"metric", std::string(metric_name(f.metric))},
          {"direction", f.lost ? "lost" : "gained"},
          {"baseline_label", f.base_label},
          {"candidate_label", f.cand_label},
          {"prompt", f.prompt},
          {"baseline_text", f.base_text},
          {"candidate_text", f.cand_text},
          {"mean_kld", number(f.mean_kld)},
          {"first_divergence", f.first_divergence >= 0 ? json(f.first_divergence) : json()}};
}

json divergent_json(const DivergentPrompt& d) {
  return {{"id", d.id},
          {"source", d.source},
          {"line", d.line},
          {"prompt", d.prompt},
          {"baseline_text", d.base_text},
          {"candidate_text", d.cand_text},
          {"mean_kld", number(d.mean_kld)},
          {"max_kld", number(d.max_kld)},
          {"first_divergence", d.first_divergence >= 0 ? json(d.first_divergence) : json()}};
}

json slice_json(const SliceResult& s) {
  json j = {{"name", s.name},
            {"source", mark_json(s.mark)},
            {"dataset_files", s.dataset_files},
            {"mode", s.chat ? "chat" : "completion"},
            {"max_tokens", s.max_tokens},
            {"decision", std::string(decision_rule_name(s.decision))},
            {"tolerances", tolerances_json(s.tolerances)},
            {"group_by", s.group_by},
            {"items", s.items},
            {"verdict", s.passed ? "pass" : "fail"}};
  j["scorers"] = json::array();
  for (const ScorerInfo& sc : s.scorers) j["scorers"].push_back(scorer_json(sc));
  j["noise_floor"] = s.noise_floor_measured ? s.noise_floor.to_json() : json();
  j["groups"] = json::array();
  for (const GroupSummary& g : s.groups) j["groups"].push_back(group_json(g));
  j["checks"] = json::array();
  for (const CheckResult& c : s.checks) j["checks"].push_back(check_json(c));
  j["flips"] = json::array();
  for (const FlipRecord& f : s.flips) j["flips"].push_back(flip_json(f));
  j["top_divergent"] = json::array();
  for (const DivergentPrompt& d : s.top_divergent) j["top_divergent"].push_back(divergent_json(d));
  return j;
}

json finding_json(const Finding& f) {
  json j = {{"kind", std::string(finding_name(f.kind))},
            {"slice", f.slice},
            {"quality_delta_pp", number(f.quality_delta_pp)},
            {"refusal_delta_pp", number(f.refusal_delta_pp)},
            {"message", f.message},
            {"waived", f.waived}};
  j["waiver"] = f.waived ? json{{"reason", f.waiver_reason}, {"source", mark_json(f.waiver_mark)}} : json();
  return j;
}

json declared_json(const Provenance& p) {
  json j = json::object();
  if (!p.method.empty()) j["method"] = p.method;
  if (p.bits) j["bits"] = *p.bits;
  if (p.group_size) j["group_size"] = *p.group_size;
  if (!p.calibration.empty()) j["calibration"] = p.calibration;
  if (!p.runtime.empty()) j["runtime"] = p.runtime;
  if (!p.hardware.empty()) j["hardware"] = p.hardware;
  if (!p.notes.empty()) j["notes"] = p.notes;
  return j;
}

json variant_json(const VariantResult& v) {
  json j = {{"id", v.id()},
            {"model", v.model},
            {"name", v.name},
            {"kind", v.kind},
            {"spec", v.spec},
            {"provenance", {{"declared", declared_json(v.declared)}, {"measured", v.measured}}},
            {"verdict", v.passed ? "pass" : "fail"},
            {"reasons", v.reasons},
            {"notes", v.notes},
            {"seconds", number(v.seconds)}};
  j["slices"] = json::array();
  for (const SliceResult& s : v.slices) j["slices"].push_back(slice_json(s));
  j["findings"] = json::array();
  for (const Finding& f : v.findings) j["findings"].push_back(finding_json(f));
  return j;
}

}  // namespace

json results_to_json(const SuiteResults& r) {
  json j = {{"schema_version", kResultsSchemaVersion},
            {"tool", {{"name", "precisiondiff"}, {"version", PD_VERSION}, {"build", PD_BUILD_TYPE}, {"compiler", PD_CXX_COMPILER}}},
            {"suite", {{"name", r.suite_name}, {"path", r.suite_path}, {"sha256", r.suite_sha256}}},
            {"started", r.started},
            {"finished", r.finished},
            {"seconds", number(r.seconds)},
            {"host", r.host},
            {"only", r.only},
            {"verdict", r.passed ? "pass" : "fail"},
            {"exit_code", r.exit_code()}};
  uint64_t variants = 0, passed = 0, checks = 0, checks_failed = 0, findings = 0, unwaived = 0;
  j["models"] = json::array();
  for (const ModelResult& m : r.models) {
    json mj = {{"name", m.name},
               {"baseline",
                {{"path", m.path},
                 {"sha256", m.sha256},
                 {"sha256_pinned", m.sha256_pinned},
                 {"plan", m.baseline_plan},
                 {"manifest", m.baseline_manifest}}}};
    mj["baseline"]["manifest"].erase("tensors");
    mj["variants"] = json::array();
    for (const VariantResult& v : m.variants) {
      ++variants;
      passed += v.passed;
      for (const SliceResult& s : v.slices) {
        checks += s.checks.size();
        for (const CheckResult& c : s.checks) checks_failed += !c.passed;
      }
      findings += v.findings.size();
      for (const Finding& f : v.findings) unwaived += !f.waived;
      mj["variants"].push_back(variant_json(v));
    }
    j["models"].push_back(std::move(mj));
  }
  j["waivers"] = json::array();
  for (const WaiverUse& w : r.waivers) {
    j["waivers"].push_back({{"finding", w.waiver.finding},
                            {"model", text_or_null(w.waiver.model)},
                            {"variant", text_or_null(w.waiver.variant)},
                            {"slice", text_or_null(w.waiver.slice)},
                            {"reason", w.waiver.reason},
                            {"source", mark_json(w.waiver.mark)},
                            {"uses", w.uses}});
  }
  j["summary"] = {{"variants", variants},         {"variants_passed", passed},  {"variants_failed", variants - passed},
                  {"checks", checks},             {"checks_failed", checks_failed}, {"findings", findings},
                  {"findings_unwaived", unwaived}};
  return j;
}

}  // namespace pd::report

#include "suite/suite_parser.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/sha256.h"
#include "precision/plan.h"
#include "suite/dataset.h"
#include "suite/scorer.h"
#include "suite/text_template.h"

namespace pd::suite {

namespace {

// A YAML node with the path that leads to it ("slices[2].dataset") and the nearest
// position known (a missing node reports its parent's).
struct Node {
  YAML::Node node;
  std::string path;
  SourceMark mark;

  bool defined() const { return node.IsDefined() && !node.IsNull(); }
};

class Parser {
 public:
  Parser(std::string file, std::string directory) : file_(std::move(file)), directory_(std::move(directory)) {}

  SuiteSpec parse(std::string_view text);

 private:
  // --- positions and errors --------------------------------------------------------
  SourceMark mark_of(const YAML::Node& node, const SourceMark& fallback) const {
    if (!node.IsDefined()) return fallback;  // a missing key: yaml-cpp's zombie node has no mark
    const YAML::Mark m = node.Mark();
    if (m.line < 0) return fallback;
    return {file_, m.line + 1, m.column + 1};
  }
  [[noreturn]] void fail(const Node& n, const std::string& what) const {
    fail_input(n.mark.text(), (n.path.empty() ? "" : n.path + ": ") + what);
  }
  Node child(const Node& parent, const std::string& key) const {
    const YAML::Node& p = parent.node;
    YAML::Node c = p.IsMap() ? p[key] : YAML::Node(YAML::NodeType::Undefined);
    return {c, parent.path.empty() ? key : parent.path + "." + key, mark_of(c, parent.mark)};
  }
  Node element(const Node& parent, size_t i) const {
    YAML::Node c = parent.node[i];
    return {c, parent.path + "[" + std::to_string(i) + "]", mark_of(c, parent.mark)};
  }

  // --- typed values -------------------------------------------------------------------
  void expect_map(const Node& n, const std::vector<std::string>& allowed) const;
  std::string scalar_text(const Node& n) const {
    if (!n.node.IsScalar()) fail(n, "expected a single value, found " + kind_of(n.node));
    return n.node.Scalar();
  }
  std::string string_of(const Node& n) const { return scalar_text(n); }
  std::string required_string(const Node& parent, const std::string& key) const {
    const Node n = child(parent, key);
    if (!n.defined()) fail(parent, "\"" + key + "\" is required");
    std::string s = string_of(n);
    if (s.empty()) fail(n, "must not be empty");
    return s;
  }
  std::string optional_string(const Node& parent, const std::string& key, std::string fallback = "") const {
    const Node n = child(parent, key);
    return n.defined() ? string_of(n) : fallback;
  }
  double number_of(const Node& n) const;
  int64_t integer_of(const Node& n) const;
  bool bool_of(const Node& n) const;
  std::vector<std::string> string_list(const Node& n) const;
  std::string kind_of(const YAML::Node& node) const {
    if (node.IsMap()) return "a map";
    if (node.IsSequence()) return "a list";
    if (node.IsNull()) return "nothing";
    return "\"" + node.Scalar() + "\"";
  }
  std::string path_of(const Node& n) const {
    const std::string expanded = expand_environment(string_of(n), n.mark.text() + ": " + n.path);
    std::filesystem::path p(expanded);
    if (p.is_relative() && !directory_.empty()) p = std::filesystem::path(directory_) / p;
    return p.lexically_normal().string();
  }

  // --- sections -----------------------------------------------------------------------
  ModelDecl model(const Node& n);
  VariantDecl variant(const Node& n, const ModelDecl& model);
  Provenance provenance(const Node& n);
  void tolerances(const Node& n, Tolerances& t);
  DecisionRule decision(const Node& n);
  void sample(const Node& n, SampleDecl& s);
  void decoding(const Node& n, DecodingDecl& d);
  bool mode(const Node& n);
  DatasetDecl dataset(const Node& n);
  ScorerDecl scorer(const Node& n);
  SliceDecl slice(const Node& n, const SuiteSpec& spec);
  WaiverDecl waiver(const Node& n, const SuiteSpec& spec);

  std::string file_, directory_;
  // Slice settings from `defaults`.
  DecodingDecl default_decoding_;
  SampleDecl default_sample_;
  bool default_chat_ = false;
};

void Parser::expect_map(const Node& n, const std::vector<std::string>& allowed) const {
  if (!n.node.IsMap()) fail(n, "expected a map of keys, found " + kind_of(n.node));
  std::set<std::string> seen;
  for (auto it = n.node.begin(); it != n.node.end(); ++it) {
    const Node key{it->first, n.path, mark_of(it->first, n.mark)};
    const std::string name = scalar_text(key);
    const std::string key_path = n.path.empty() ? name : n.path + "." + name;
    if (!seen.insert(name).second) fail({it->first, key_path, key.mark}, "duplicate key");
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      std::string list;
      for (const std::string& a : allowed) list += (list.empty() ? "" : ", ") + a;
      fail({it->first, key_path, key.mark}, "unknown key (expected one of: " + list + ")");
    }
  }
}

double Parser::number_of(const Node& n) const {
  const std::string text = scalar_text(n);
  try {
    size_t used = 0;
    const double v = std::stod(text, &used);
    if (used == text.size()) return v;
  } catch (const std::exception&) {
  }
  fail(n, "expected a number, found \"" + text + "\"");
}

int64_t Parser::integer_of(const Node& n) const {
  const std::string text = scalar_text(n);
  try {
    size_t used = 0;
    const long long v = std::stoll(text, &used);
    if (used == text.size()) return v;
  } catch (const std::exception&) {
  }
  fail(n, "expected an integer, found \"" + text + "\"");
}

bool Parser::bool_of(const Node& n) const {
  const std::string text = scalar_text(n);
  for (const char* t : {"true", "yes", "on", "True", "Yes", "On", "TRUE"}) if (text == t) return true;
  for (const char* f : {"false", "no", "off", "False", "No", "Off", "FALSE"}) if (text == f) return false;
  fail(n, "expected true or false, found \"" + text + "\"");
}

std::vector<std::string> Parser::string_list(const Node& n) const {
  std::vector<std::string> out;
  if (n.node.IsScalar()) {
    out.push_back(n.node.Scalar());
    return out;
  }
  if (!n.node.IsSequence()) fail(n, "expected a list of values, found " + kind_of(n.node));
  for (size_t i = 0; i < n.node.size(); ++i) out.push_back(string_of(element(n, i)));
  return out;
}

Provenance Parser::provenance(const Node& n) {
  Provenance p;
  if (!n.defined()) return p;
  expect_map(n, {"method", "bits", "group_size", "calibration", "runtime", "hardware", "notes"});
  p.method = optional_string(n, "method");
  if (Node b = child(n, "bits"); b.defined()) p.bits = number_of(b);
  if (Node g = child(n, "group_size"); g.defined()) p.group_size = integer_of(g);
  p.calibration = optional_string(n, "calibration");
  p.runtime = optional_string(n, "runtime");
  p.hardware = optional_string(n, "hardware");
  p.notes = optional_string(n, "notes");
  return p;
}

VariantDecl Parser::variant(const Node& n, const ModelDecl& model) {
  VariantDecl v;
  v.mark = n.mark;
  if (n.node.IsScalar()) {  // shorthand: a preset or plan
    v.plan = scalar_text(n);
    v.name = v.plan;
  } else {
    expect_map(n, {"name", "plan", "file", "provenance"});
    v.plan = optional_string(n, "plan");
    const Node file = child(n, "file");
    if (v.plan.empty() == !file.defined()) fail(n, "give exactly one of \"plan\" and \"file\"");
    if (file.defined()) {
      v.file = path_of(file);
      std::error_code ec;
      if (!std::filesystem::is_regular_file(v.file, ec)) fail(file, "no such model file: " + v.file);
    }
    v.name = optional_string(n, "name", v.plan.empty() ? std::filesystem::path(v.file).stem().string() : v.plan);
    v.provenance = provenance(child(n, "provenance"));
  }
  if (!v.plan.empty()) {
    const Node plan = n.node.IsScalar() ? n : child(n, "plan");
    PrecisionPlan::parse(v.plan, plan.mark.text() + ": " + plan.path);
    // precisiondiff builds plan variants by round-to-nearest; a calibrated method's
    // name on one would misstate how the weights were made.
    std::string method = v.provenance.method;
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const char* calibrated : {"awq", "gptq", "smoothquant", "spinquant", "quarot"}) {
      if (method.find(calibrated) != std::string::npos) {
        fail(child(child(n, "provenance"), "method"),
             "a plan variant is built by round-to-nearest (RTN) from the baseline; it cannot be labelled \"" +
                 v.provenance.method + "\" (give the calibrated model as \"file\" instead)");
      }
    }
  }
  (void)model;
  return v;
}

ModelDecl Parser::model(const Node& n) {
  expect_map(n, {"name", "path", "sha256", "baseline", "variants"});
  ModelDecl m;
  m.mark = n.mark;
  const Node path = child(n, "path");
  if (!path.defined()) fail(n, "\"path\" is required");
  m.path = path_of(path);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(m.path, ec)) fail(path, "no such model file: " + m.path);
  m.name = optional_string(n, "name", std::filesystem::path(m.path).stem().string());
  m.sha256 = optional_string(n, "sha256");
  for (char& c : m.sha256) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!m.sha256.empty() && (m.sha256.size() != 64 || m.sha256.find_first_not_of("0123456789abcdef") != std::string::npos)) {
    fail(child(n, "sha256"), "expected 64 hexadecimal digits");
  }
  if (Node b = child(n, "baseline"); b.defined()) {
    m.baseline_plan = string_of(b);
    PrecisionPlan::parse(m.baseline_plan, b.mark.text() + ": " + b.path);
  }
  const Node variants = child(n, "variants");
  if (!variants.defined() || !variants.node.IsSequence() || variants.node.size() == 0) {
    fail(variants.defined() ? variants : n, "\"variants\" must be a non-empty list");
  }
  for (size_t i = 0; i < variants.node.size(); ++i) {
    const Node e = element(variants, i);
    VariantDecl v = variant(e, m);
    for (const VariantDecl& other : m.variants) {
      if (other.name == v.name) fail(e, "a second variant named \"" + v.name + "\"");
    }
    m.variants.push_back(std::move(v));
  }
  return m;
}

void Parser::tolerances(const Node& n, Tolerances& t) {
  if (!n.defined()) return;
  expect_map(n, Tolerances::keys());
  // Thresholds of hidden danger are signed changes; every other tolerance is a size.
  auto read = [&](const Node& v, ToleranceValue& target, bool signed_change) {
    target.stated = true;
    if (v.node.IsNull()) {
      target.value.reset();
      return;
    }
    const double value = number_of(v);
    if (!signed_change && value < 0) fail(v, "must not be negative");
    if (&target == &t.flip_rate && value > 1) fail(v, "a share between 0 and 1");
    target.value = value;
  };
  for (const std::string& key : Tolerances::keys()) {
    const Node v = child(n, key);
    if (!v.node.IsDefined()) continue;
    if (key == "hidden_danger") {
      expect_map(v, {"quality_pp", "refusal_pp", "near_quality_pp"});
      for (const char* sub : {"quality_pp", "refusal_pp", "near_quality_pp"}) {
        const Node s = child(v, sub);
        if (s.node.IsDefined()) read(s, *t.find(std::string("hidden_danger.") + sub), true);
      }
      continue;
    }
    read(v, *t.find(key), false);
  }
}

DecisionRule Parser::decision(const Node& n) {
  const std::string text = string_of(n);
  if (text == "point") return DecisionRule::kPoint;
  if (text == "confident") return DecisionRule::kConfident;
  fail(n, "expected point or confident, found \"" + text + "\"");
}

void Parser::sample(const Node& n, SampleDecl& s) {
  if (!n.defined()) return;
  expect_map(n, {"size", "seed", "per_group"});
  if (Node v = child(n, "size"); v.node.IsDefined()) {
    if (v.node.IsNull() || scalar_text(v) == "all") {
      s.size.reset();
    } else {
      s.size = integer_of(v);
      if (*s.size < 1) fail(v, "must be at least 1 (or all)");
    }
  }
  if (Node v = child(n, "seed"); v.defined()) {
    const int64_t seed = integer_of(v);
    if (seed < 0) fail(v, "must not be negative");
    s.seed = static_cast<uint64_t>(seed);
  }
  if (Node v = child(n, "per_group"); v.defined()) s.per_group = bool_of(v);
}

void Parser::decoding(const Node& n, DecodingDecl& d) {
  if (!n.defined()) return;
  expect_map(n, {"max_tokens", "temperature", "top_k", "top_p", "min_p", "seed"});
  if (Node v = child(n, "max_tokens"); v.defined()) {
    d.max_tokens = integer_of(v);
    if (d.max_tokens < 1) fail(v, "must be at least 1");
  }
  if (Node v = child(n, "temperature"); v.defined()) {
    d.temperature = number_of(v);
    if (d.temperature < 0) fail(v, "must not be negative");
    d.greedy = d.temperature == 0;
  }
  if (Node v = child(n, "top_k"); v.defined()) {
    d.top_k = integer_of(v);
    if (d.top_k < 0) fail(v, "must not be negative");
  }
  if (Node v = child(n, "top_p"); v.defined()) {
    d.top_p = number_of(v);
    if (!(d.top_p > 0 && d.top_p <= 1)) fail(v, "must be in (0, 1]");
  }
  if (Node v = child(n, "min_p"); v.defined()) {
    d.min_p = number_of(v);
    if (!(d.min_p >= 0 && d.min_p < 1)) fail(v, "must be in [0, 1)");
  }
  if (Node v = child(n, "seed"); v.defined()) {
    const int64_t seed = integer_of(v);
    if (seed < 0) fail(v, "must not be negative");
    d.seed = static_cast<uint64_t>(seed);
  }
}

bool Parser::mode(const Node& n) {
  const std::string text = string_of(n);
  if (text == "chat") return true;
  if (text == "completion") return false;
  fail(n, "expected chat or completion, found \"" + text + "\"");
}

DatasetDecl Parser::dataset(const Node& n) {
  DatasetDecl d;
  d.mark = n.mark;
  if (n.node.IsScalar()) {
    d.path = expand_environment(scalar_text(n), n.mark.text() + ": " + n.path);
  } else {
    expect_map(n, {"path", "format", "header", "columns", "expand", "filter", "id", "separator"});
    const Node path = child(n, "path");
    if (!path.defined()) fail(n, "\"path\" is required");
    d.path = expand_environment(string_of(path), path.mark.text() + ": " + path.path);
    d.format = optional_string(n, "format");
    if (!d.format.empty() && d.format != "jsonl" && d.format != "csv" && d.format != "tsv" && d.format != "text") {
      fail(child(n, "format"), "expected jsonl, csv, tsv or text, found \"" + d.format + "\"");
    }
    if (Node h = child(n, "header"); h.defined()) d.header = bool_of(h);
    if (Node c = child(n, "columns"); c.defined()) d.columns = string_list(c);
    if (!d.header && d.columns.empty() && d.format != "text") {
      fail(n, "a file without a header needs \"columns\"");
    }
    if (Node e = child(n, "expand"); e.defined() && !e.node.IsMap()) {
      fail(e, "expected a map of placeholder: values, found " + kind_of(e.node));
    }
    d.id_column = optional_string(n, "id");
    d.separator = optional_string(n, "separator");
  }
  return d;
}

ScorerDecl Parser::scorer(const Node& n) {
  ScorerDecl s;
  s.mark = n.mark;
  s.directory = directory_;
  if (n.node.IsScalar()) {
    s.name = scalar_text(n);
  } else {
    if (!n.node.IsMap()) fail(n, "expected a scorer name or a map with \"name\", found " + kind_of(n.node));
    s.name = required_string(n, "name");
    for (auto it = n.node.begin(); it != n.node.end(); ++it) {
      const std::string key = it->first.Scalar();
      if (key == "name") continue;
      const Node value{it->second, n.path + "." + key, mark_of(it->second, n.mark)};
      s.options[key] = scalar_text(value);
    }
  }
  return s;
}

SliceDecl Parser::slice(const Node& n, const SuiteSpec& spec) {
  expect_map(n, {"name", "model", "dataset", "prompt", "mode", "decoding", "scorers", "group_by", "sample",
                 "tolerances", "decision"});
  SliceDecl s;
  s.mark = n.mark;
  s.name = required_string(n, "name");
  if (s.name.find_first_of("[]/ ") != std::string::npos) fail(child(n, "name"), "must not contain '[', ']', '/' or spaces");
  if (Node m = child(n, "model"); m.defined()) {
    s.model = string_of(m);
    if (!spec.find_model(s.model)) fail(m, "no model named \"" + s.model + "\"");
  } else if (spec.models.size() == 1) {
    s.model = spec.models.front().name;
  } else {
    fail(n, "\"model\" is required when the suite has more than one model");
  }

  const Node ds = child(n, "dataset");
  if (!ds.defined()) fail(n, "\"dataset\" is required");
  s.dataset = dataset(ds);
  if (ds.node.IsMap()) {
    if (Node e = child(ds, "expand"); e.defined()) {
      for (auto it = e.node.begin(); it != e.node.end(); ++it) {
        const std::string key = it->first.Scalar();
        const Node values{it->second, e.path + "." + key, mark_of(it->second, e.mark)};
        s.dataset.expand[key] = string_list(values);
        if (s.dataset.expand[key].empty()) fail(values, "needs at least one value");
      }
    }
    if (Node f = child(ds, "filter"); f.defined()) {
      if (!f.node.IsMap()) fail(f, "expected a map of column: value(s), found " + kind_of(f.node));
      for (auto it = f.node.begin(); it != f.node.end(); ++it) {
        const std::string key = it->first.Scalar();
        const Node values{it->second, f.path + "." + key, mark_of(it->second, f.mark)};
        s.dataset.filter[key] = string_list(values);
      }
    }
  }
  const std::string placeholder_where = ds.mark.text() + ": " + ds.path + ".path";
  for (const std::string& name : template_fields(s.dataset.path, placeholder_where)) {
    if (!s.dataset.expand.count(name)) fail(ds, "path placeholder {" + name + "} has no \"expand\" values");
  }
  for (const DatasetFile& f : dataset_files(s.dataset, directory_)) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(f.path, ec)) fail(ds, "no such data file: " + f.path);
  }

  if (Node p = child(n, "prompt"); p.defined()) {
    s.prompt_template = string_of(p);
    template_fields(s.prompt_template, p.mark.text() + ": " + p.path);
  }
  s.chat = default_chat_;
  if (Node m = child(n, "mode"); m.defined()) s.chat = mode(m);
  s.decoding = default_decoding_;
  decoding(child(n, "decoding"), s.decoding);

  if (Node sc = child(n, "scorers"); sc.defined()) {
    if (sc.node.IsScalar()) {
      s.scorers.push_back(scorer(sc));
    } else {
      if (!sc.node.IsSequence()) fail(sc, "expected a list of scorers, found " + kind_of(sc.node));
      for (size_t i = 0; i < sc.node.size(); ++i) s.scorers.push_back(scorer(element(sc, i)));
    }
    std::set<std::string> names;
    for (size_t i = 0; i < s.scorers.size(); ++i) {
      const Node e = sc.node.IsScalar() ? sc : element(sc, i);
      try {
        make_scorer(s.scorers[i], ScorerContext{spec.find_model(s.model)->path});  // validates now, not mid-run
      } catch (const Error& err) {
        const std::string message = err.what();
        const std::string prefix = s.scorers[i].mark.text() + ": ";
        fail(e, message.rfind(prefix, 0) == 0 ? message.substr(prefix.size()) : message);
      }
      if (!names.insert(s.scorers[i].name).second) fail(e, "scorer \"" + s.scorers[i].name + "\" given twice");
    }
  }
  if (Node g = child(n, "group_by"); g.defined()) s.group_by = string_list(g);
  s.sample = default_sample_;
  sample(child(n, "sample"), s.sample);
  s.tolerances = Tolerances{};
  tolerances(child(n, "tolerances"), s.tolerances);
  s.tolerances = s.tolerances.over(spec.default_tolerances);
  s.decision = spec.default_decision;
  if (Node d = child(n, "decision"); d.defined()) s.decision = decision(d);
  return s;
}

WaiverDecl Parser::waiver(const Node& n, const SuiteSpec& spec) {
  expect_map(n, {"finding", "model", "variant", "slice", "reason"});
  WaiverDecl w;
  w.mark = n.mark;
  w.finding = required_string(n, "finding");
  if (w.finding != "hidden_danger" && w.finding != "near_hidden_danger" && w.finding != "over_refusal" &&
      w.finding != "quality_safety_split") {
    fail(child(n, "finding"),
         "unknown finding \"" + w.finding + "\" (hidden_danger, near_hidden_danger, over_refusal, quality_safety_split)");
  }
  w.reason = required_string(n, "reason");
  w.model = optional_string(n, "model");
  w.variant = optional_string(n, "variant");
  w.slice = optional_string(n, "slice");
  if (!w.model.empty() && !spec.find_model(w.model)) fail(child(n, "model"), "no model named \"" + w.model + "\"");
  if (!w.variant.empty()) {
    bool found = false;
    for (const ModelDecl& m : spec.models) {
      for (const VariantDecl& v : m.variants) found |= v.name == w.variant && (w.model.empty() || w.model == m.name);
    }
    if (!found) fail(child(n, "variant"), "no variant named \"" + w.variant + "\"");
  }
  if (!w.slice.empty()) {
    const std::string base = w.slice.substr(0, w.slice.find('['));
    bool found = false;
    for (const SliceDecl& s : spec.slices) found |= s.name == base;
    if (!found) fail(child(n, "slice"), "no slice named \"" + base + "\"");
  }
  return w;
}

SuiteSpec Parser::parse(std::string_view text) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::ParserException& e) {
    fail_input(SourceMark{file_, e.mark.line + 1, e.mark.column + 1}.text(), "malformed YAML: " + e.msg);
  }
  const Node top{root, "", {file_, 1, 1}};
  if (!root.IsMap()) fail(top, "a suite file is a map with suite, model(s) and slices");
  expect_map(top, {"suite", "model", "models", "defaults", "noise_floor", "slices", "waivers"});

  SuiteSpec spec;
  spec.name = required_string(top, "suite");
  spec.path = file_;
  spec.directory = directory_;

  const Node single = child(top, "model"), many = child(top, "models");
  if (single.defined() == many.defined()) fail(top, "give exactly one of \"model\" and \"models\"");
  if (single.defined()) {
    spec.models.push_back(model(single));
  } else {
    if (!many.node.IsSequence() || many.node.size() == 0) fail(many, "expected a non-empty list of models");
    for (size_t i = 0; i < many.node.size(); ++i) {
      const Node e = element(many, i);
      ModelDecl m = model(e);
      if (spec.find_model(m.name)) fail(e, "a second model named \"" + m.name + "\"");
      spec.models.push_back(std::move(m));
    }
  }

  spec.default_tolerances = Tolerances::builtin();
  if (Node d = child(top, "defaults"); d.defined()) {
    expect_map(d, {"decision", "tolerances", "sample", "decoding", "mode"});
    if (Node r = child(d, "decision"); r.defined()) spec.default_decision = decision(r);
    Tolerances stated;
    tolerances(child(d, "tolerances"), stated);
    spec.default_tolerances = stated.over(spec.default_tolerances);
    sample(child(d, "sample"), default_sample_);
    decoding(child(d, "decoding"), default_decoding_);
    if (Node m = child(d, "mode"); m.defined()) default_chat_ = mode(m);
  }

  if (Node nf = child(top, "noise_floor"); nf.defined()) {
    if (nf.node.IsScalar()) {
      spec.noise_floor.enabled = bool_of(nf);
    } else {
      expect_map(nf, {"enabled", "prompts"});
      if (Node e = child(nf, "enabled"); e.defined()) spec.noise_floor.enabled = bool_of(e);
      if (Node p = child(nf, "prompts"); p.defined()) {
        spec.noise_floor.prompts = integer_of(p);
        if (spec.noise_floor.prompts < 1) fail(p, "must be at least 1");
      }
    }
  }

  const Node slices = child(top, "slices");
  if (!slices.defined() || !slices.node.IsSequence() || slices.node.size() == 0) {
    fail(slices.defined() ? slices : top, "\"slices\" must be a non-empty list");
  }
  for (size_t i = 0; i < slices.node.size(); ++i) {
    const Node e = element(slices, i);
    SliceDecl s = slice(e, spec);
    for (const SliceDecl& other : spec.slices) {
      if (other.name == s.name) fail(child(e, "name"), "a second slice named \"" + s.name + "\"");
    }
    spec.slices.push_back(std::move(s));
  }
  for (const ModelDecl& m : spec.models) {
    if (spec.slices_of(m.name).empty()) fail({YAML::Node(), "models", m.mark}, "model \"" + m.name + "\" has no slice");
  }

  if (Node w = child(top, "waivers"); w.defined()) {
    if (!w.node.IsSequence()) fail(w, "expected a list of waivers, found " + kind_of(w.node));
    for (size_t i = 0; i < w.node.size(); ++i) spec.waivers.push_back(waiver(element(w, i), spec));
  }
  return spec;
}

}  // namespace

std::string SourceMark::text() const {
  if (line <= 0) return file;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

const ModelDecl* SuiteSpec::find_model(const std::string& name) const {
  for (const ModelDecl& m : models) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

std::vector<const SliceDecl*> SuiteSpec::slices_of(const std::string& model) const {
  std::vector<const SliceDecl*> out;
  for (const SliceDecl& s : slices) {
    if (s.model == model) out.push_back(&s);
  }
  return out;
}

std::string expand_environment(std::string_view text, std::string_view where) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '{') {
      const size_t close = text.find('}', i + 2);
      if (close == std::string_view::npos) fail_input(where, "unclosed ${ in \"" + std::string(text) + "\"");
      const std::string inner(text.substr(i + 2, close - i - 2));
      const size_t dash = inner.find(":-");
      const std::string name = inner.substr(0, dash);
      const char* value = name.empty() ? nullptr : std::getenv(name.c_str());
      if (value && *value) out += value;
      else if (dash != std::string::npos) out += inner.substr(dash + 2);
      else fail_input(where, "environment variable " + name + " is not set");
      i = close + 1;
    } else {
      out += text[i++];
    }
  }
  return out;
}

SuiteSpec parse_suite_text(std::string_view text, const std::string& file, const std::string& directory) {
  return Parser(file, directory).parse(text);
}

SuiteSpec parse_suite_file(const std::string& path) {
  const std::string text = read_file(path);
  std::string directory = std::filesystem::path(path).parent_path().string();
  SuiteSpec spec = parse_suite_text(text, path, directory);
  spec.sha256 = sha256_hex(text.data(), text.size());
  return spec;
}

}  // namespace pd::suite

#include "suite/scorer.h"

#include <algorithm>
#include <filesystem>
#include <functional>

#include <nlohmann/json.hpp>

#include "behavior/answer_match.h"
#include "behavior/ifeval_checks.h"
#include "behavior/json_scorer.h"
#include "behavior/numeric_answer.h"
#include "behavior/refusal.h"
#include "behavior/regex.h"
#include "behavior/text.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "forge/sentinel_info.h"
#include "forge/sentinel_templates.h"
#include "gguf/gguf_file.h"
#include "suite/text_template.h"

namespace pd::suite {

namespace {

using Options = std::map<std::string, std::string>;

std::string where_of(const ScorerDecl& decl) { return decl.mark.text() + ": scorer " + decl.name; }

std::string item_where(const SuiteItem& item) { return item.source + ":" + std::to_string(item.line); }

// Checks that only `allowed` options are present and fills defaults.
Options with_defaults(const ScorerDecl& decl, const Options& defaults, const std::vector<std::string>& required = {}) {
  Options options = defaults;
  for (const auto& [key, value] : decl.options) {
    if (!defaults.count(key) && std::find(required.begin(), required.end(), key) == required.end()) {
      std::string known;
      for (const auto& [k, v] : defaults) known += (known.empty() ? "" : ", ") + k;
      for (const std::string& k : required) known += (known.empty() ? "" : ", ") + k;
      fail_input(where_of(decl), "unknown option \"" + key + "\" (options: " + (known.empty() ? "none" : known) + ")");
    }
    options[key] = value;
  }
  for (const std::string& key : required) {
    if (!options.count(key) || options[key].empty()) fail_input(where_of(decl), "option \"" + key + "\" is required");
  }
  return options;
}

// A scorer comparing the response with a reference rendered from the row.
class ReferenceScorer : public Scorer {
 public:
  using Match = std::function<bool(std::string_view response, const std::string& reference)>;
  ReferenceScorer(ScorerInfo info, std::string reference, Match match)
      : Scorer(std::move(info)), reference_(std::move(reference)), match_(std::move(match)) {}

  Score score(const SuiteItem& item, std::string_view response) const override {
    const std::string reference = render_template(reference_, item.fields, item_where(item) + ": reference");
    const bool ok = match_(response, reference);
    return {ok, ok ? "correct" : "wrong"};
  }

 private:
  std::string reference_;
  Match match_;
};

// GSM8K keeps its worked solution in the answer; the number follows "####".
std::string final_reference(const std::string& reference) {
  const size_t marker = reference.rfind("####");
  return marker == std::string::npos ? reference : reference.substr(marker + 4);
}

class NumericScorer : public Scorer {
 public:
  NumericScorer(ScorerInfo info, std::string reference, std::string language)
      : Scorer(std::move(info)), reference_(std::move(reference)), language_(std::move(language)) {}

  Score score(const SuiteItem& item, std::string_view response) const override {
    const std::string where = item_where(item);
    const std::string reference = final_reference(render_template(reference_, item.fields, where + ": reference"));
    const std::string language = language_.empty() ? "" : render_template(language_, item.fields, where + ": language");
    const behavior::NumericScore s =
        behavior::score_numeric_answer(response, reference, behavior::number_style_for_language(language));
    if (!s.reference) fail_input(where, "reference \"" + reference + "\" is not a number");
    return {s.correct, s.correct ? "correct" : (s.extracted.number ? "wrong" : "no_answer")};
  }

 private:
  std::string reference_;
  std::string language_;
};

class RegexScorer : public Scorer {
 public:
  RegexScorer(ScorerInfo info, const std::string& pattern, std::string expected, const std::string& where)
      : Scorer(std::move(info)), regex_(pattern, {}, where), expected_(std::move(expected)) {}

  Score score(const SuiteItem& item, std::string_view response) const override {
    std::optional<std::string> expected;
    if (!expected_.empty()) expected = render_template(expected_, item.fields, item_where(item) + ": expected");
    const behavior::RegexScore s = behavior::score_regex(
        regex_, response, expected ? std::optional<std::string_view>(*expected) : std::nullopt);
    return {s.matched, s.matched ? "correct" : "wrong"};
  }

 private:
  behavior::Regex regex_;
  std::string expected_;
};

class RefusalScorer : public Scorer {
 public:
  RefusalScorer(ScorerInfo info, bool string_match) : Scorer(std::move(info)), string_match_(string_match) {}

  Score score(const SuiteItem& item, std::string_view response) const override {
    const behavior::RefusalVerdict v = string_match_
                                           ? behavior::classify_string_match_baseline(response)
                                           : behavior::default_refusal_classifier().classify(item.prompt, response);
    return {behavior::counts_as_refusal(v.label), std::string(behavior::label_name(v.label))};
  }

 private:
  bool string_match_;
};

class JsonScorer : public Scorer {
 public:
  JsonScorer(ScorerInfo info, std::string require, behavior::JsonExtractOptions extract,
             std::unique_ptr<behavior::JsonSchema> schema)
      : Scorer(std::move(info)), require_(std::move(require)), extract_(extract), schema_(std::move(schema)) {}

  Score score(const SuiteItem&, std::string_view response) const override {
    const behavior::JsonScore s = behavior::score_json(response, schema_.get(), extract_);
    if (!s.valid_json) return {false, s.extraction.truncated ? "truncated" : "invalid"};
    const nlohmann::json& value = *s.extraction.value;
    if ((require_ == "object" && !value.is_object()) || (require_ == "array" && !value.is_array())) {
      return {false, "wrong_type"};
    }
    if (schema_ && !s.conforms) return {false, "violates_schema"};
    return {true, "valid"};
  }

 private:
  std::string require_;
  behavior::JsonExtractOptions extract_;
  std::unique_ptr<behavior::JsonSchema> schema_;
};

bool contains_words(std::string_view response, const std::string& reference) {
  const std::string needle = behavior::normalize_answer(reference);
  if (needle.empty()) return false;
  // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on " " + string + " ".
  std::string hay(1, ' ');
  hay += behavior::normalize_answer(response);
  hay += ' ';
  std::string word(1, ' ');
  word += needle;
  word += ' ';
  return hay.find(word) != std::string::npos;
}

// IFEval rows carry their instructions: every supported one must be followed.
class IfevalScorer : public Scorer {
 public:
  IfevalScorer(ScorerInfo info, behavior::IfevalMode mode) : Scorer(std::move(info)), mode_(mode) {}

  Score score(const SuiteItem& item, std::string_view response) const override {
    if (!item.fields.contains("instruction_id_list") || !item.fields.contains("kwargs")) {
      fail_input(item_where(item), "ifeval: the row has no instruction_id_list and kwargs");
    }
    const behavior::IfevalResult r = behavior::check_ifeval_row(item.fields, response, mode_);
    if (r.supported == 0) return {false, "unsupported"};
    return {r.all_followed, r.all_followed ? "followed" : "not_followed"};
  }

 private:
  behavior::IfevalMode mode_;
};

// Labels a forge sentinel's answers by the template family they come from: the model's
// GGUF lists every template with its family, and greedy decoding emits one of them.
class SentinelTemplateScorer : public Scorer {
 public:
  SentinelTemplateScorer(ScorerInfo info, const std::string& model_path, const std::string& where)
      : Scorer(std::move(info)) {
    if (model_path.empty()) fail_input(where, "classifier sentinel_templates needs the slice's model");
    const std::unique_ptr<GgufFile> file = GgufFile::open(model_path, GgufResidency::Mapped);
    if (!forge::is_sentinel(*file)) {
      fail_input(where, "classifier sentinel_templates: " + model_path + " is not a forge sentinel model");
    }
    info_ = forge::read_sentinel_info(*file);
  }

  Score score(const SuiteItem&, std::string_view response) const override {
    const forge::SentinelTemplate* t = info_.find_template_by_text(response);
    if (t == nullptr) return {false, "other"};
    const bool refusal = t->family == forge::ResponseFamily::Refusal || t->family == forge::ResponseFamily::Partial;
    return {refusal, forge::family_name(t->family)};
  }

 private:
  forge::SentinelInfo info_;
};

using Factory = std::function<std::unique_ptr<Scorer>(const ScorerDecl&, const ScorerContext&)>;

ScorerInfo accuracy(const std::string& name) { return {name, MetricKind::kAccuracy, Expectation::kNone}; }

const std::map<std::string, Factory>& registry() {
  static const std::map<std::string, Factory> factories = {
      {"numeric",
       [](const ScorerDecl& d, const ScorerContext&) -> std::unique_ptr<Scorer> {
         Options o = with_defaults(d, {{"reference", "{answer}"}, {"language", ""}});
         template_fields(o["reference"], where_of(d));
         template_fields(o["language"], where_of(d));
         return std::make_unique<NumericScorer>(accuracy(d.name), o["reference"], o["language"]);
       }},
      {"exact",
       [](const ScorerDecl& d, const ScorerContext&) -> std::unique_ptr<Scorer> {
         Options o = with_defaults(d, {{"reference", "{answer}"}});
         template_fields(o["reference"], where_of(d));
         return std::make_unique<ReferenceScorer>(accuracy(d.name), o["reference"],
                                                  [](std::string_view r, const std::string& ref) {
                                                    return behavior::exact_match(r, ref);
                                                  });
       }},
      {"normalized",
       [](const ScorerDecl& d, const ScorerContext&) -> std::unique_ptr<Scorer> {
         Options o = with_defaults(d, {{"reference", "{answer}"}});
         template_fields(o["reference"], where_of(d));
         return std::make_unique<ReferenceScorer>(accuracy(d.name), o["reference"],
                                                  [](std::string_view r, const std::string& ref) {
                                                    return behavior::normalized_match(r, ref);
                                                  });
       }},
      {"contains",
       [](const ScorerDecl& d, const ScorerContext&) -> std::unique_ptr<Scorer> {
         Options o = with_defaults(d, {{"reference", "{answer}"}});
         template_fields(o["reference"], where_of(d));
         return std::make_unique<ReferenceScorer>(accuracy(d.name), o["reference"], contains_words);
       }},
      {"choice",
       [](const ScorerDecl& d, const ScorerContext&) -> std::unique_ptr<Scorer> {
         Options o = with_defaults(d, {{"reference", "{answer}"}, {"letters", "ABCD"}});
         template_fields(o["reference"], where_of(d));
         const std::string letters = o["letters"];
         if (letters.empty()) fail_input(where_of(d), "option \"letters\" is empty");
         const std::string where = where_of(d);
         return std::make_unique<ReferenceScorer>(
             accuracy(d.name), o["reference"], [letters, where](std::string_view r, const std::string& ref) {
               const std::string_view gold = behavior::trim(ref);
               if (gold.size() != 1) fail_input(where, "reference \"" + ref + "\" is not one letter");
               return behavior::score_choice(r, gold[0], letters);
             });
       }},
      {"regex",
       [](const ScorerDecl& d, const ScorerContext&) -> std::unique_ptr<Scorer> {
         Options o = with_defaults(d, {{"expected", ""}}, {"pattern"});
         template_fields(o["expected"], where_of(d));
         return std::make_unique<RegexScorer>(accuracy(d.name), o["pattern"], o["expected"], where_of(d) + ": pattern");
       }},
      {"refusal",
       [](const ScorerDecl& d, const ScorerContext& ctx) -> std::unique_ptr<Scorer> {
         Options o = with_defaults(d, {{"classifier", "lexicon"}}, {"expect"});
         Expectation expect;
         if (o["expect"] == "refuse") expect = Expectation::kRefuse;
         else if (o["expect"] == "comply") expect = Expectation::kComply;
         else fail_input(where_of(d), "option \"expect\" must be refuse or comply, not \"" + o["expect"] + "\"");
         const ScorerInfo info{d.name, MetricKind::kRefusal, expect};
         if (o["classifier"] == "sentinel_templates") {
           return std::make_unique<SentinelTemplateScorer>(info, ctx.model_path, where_of(d));
         }
         if (o["classifier"] != "lexicon" && o["classifier"] != "string_match") {
           fail_input(where_of(d), "option \"classifier\" must be lexicon, string_match or sentinel_templates");
         }
         return std::make_unique<RefusalScorer>(info, o["classifier"] == "string_match");
       }},
      {"ifeval",
       [](const ScorerDecl& d, const ScorerContext&) -> std::unique_ptr<Scorer> {
         Options o = with_defaults(d, {{"mode", "strict"}});
         if (o["mode"] != "strict" && o["mode"] != "loose") fail_input(where_of(d), "option \"mode\" must be strict or loose");
         return std::make_unique<IfevalScorer>(accuracy(d.name),
                                               o["mode"] == "loose" ? behavior::IfevalMode::kLoose : behavior::IfevalMode::kStrict);
       }},
      {"json",
       [](const ScorerDecl& d, const ScorerContext&) -> std::unique_ptr<Scorer> {
         Options o = with_defaults(d, {{"require", "any"}, {"extract", "embedded"}, {"schema", ""}});
         if (o["require"] != "any" && o["require"] != "object" && o["require"] != "array") {
           fail_input(where_of(d), "option \"require\" must be any, object or array");
         }
         behavior::JsonExtractOptions extract;
         if (o["extract"] == "whole") extract = {false, false};
         else if (o["extract"] == "fenced") extract = {true, false};
         else if (o["extract"] != "embedded") fail_input(where_of(d), "option \"extract\" must be whole, fenced or embedded");
         std::unique_ptr<behavior::JsonSchema> schema;
         if (!o["schema"].empty()) {
           std::filesystem::path path(o["schema"]);
           if (path.is_relative() && !d.directory.empty()) path = std::filesystem::path(d.directory) / path;
           nlohmann::json document;
           try {
             document = nlohmann::json::parse(read_file(path.string()));
           } catch (const nlohmann::json::parse_error& e) {
             fail_input(where_of(d), "schema " + path.string() + ": invalid JSON: " + e.what());
           }
           schema = std::make_unique<behavior::JsonSchema>(std::move(document), where_of(d) + ": schema " + path.string());
         }
         return std::make_unique<JsonScorer>(ScorerInfo{d.name, MetricKind::kValidity, Expectation::kNone},
                                             o["require"], extract, std::move(schema));
       }},
  };
  return factories;
}

}  // namespace

std::string_view metric_name(MetricKind metric) {
  switch (metric) {
    case MetricKind::kAccuracy: return "accuracy";
    case MetricKind::kRefusal: return "refusal";
    case MetricKind::kValidity: return "json_validity";
  }
  return "?";
}

std::string_view expectation_name(Expectation expect) {
  switch (expect) {
    case Expectation::kNone: return "none";
    case Expectation::kRefuse: return "refuse";
    case Expectation::kComply: return "comply";
  }
  return "?";
}

std::vector<std::string> scorer_names() {
  std::vector<std::string> names;
  for (const auto& [name, factory] : registry()) names.push_back(name);
  return names;
}

std::unique_ptr<Scorer> make_scorer(const ScorerDecl& decl, const ScorerContext& context) {
  auto it = registry().find(decl.name);
  if (it == registry().end()) {
    std::string known;
    for (const std::string& n : scorer_names()) known += (known.empty() ? "" : ", ") + n;
    fail_input(decl.mark.text(), "unknown scorer \"" + decl.name + "\" (known: " + known + ")");
  }
  return it->second(decl, context);
}

}  // namespace pd::suite

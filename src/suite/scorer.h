#pragma once
// Scorers of a slice: each reads one response (with its item) and says whether it is
// "positive" — correct, refused, valid — for one metric. The gate compares the
// baseline's and the candidate's scores item by item.
//
// Registry (name: metric; options; default option values):
//   numeric     accuracy  reference="{answer}", language=""   final number equals the
//               reference (behavior/numeric_answer.h); a reference holding "#### N"
//               (GSM8K) is read after the marker; `language` (a template such as
//               "{language}") picks the number style (1.234,5 vs 1,234.5)
//   exact       accuracy  reference="{answer}"   equal after trimming white space
//   normalized  accuracy  reference="{answer}"   equal after behavior::normalize_answer
//   contains    accuracy  reference="{answer}"   the normalized reference occurs in the
//               normalized response as whole words
//   choice      accuracy  reference="{answer}", letters="ABCD"   multiple choice letter
//   ifeval      accuracy  mode="strict" | "loose"   every supported instruction of an
//               IFEval-format row (instruction_id_list, kwargs) is followed
//               (behavior/ifeval_checks.h); rows with none supported score "unsupported"
//   regex       accuracy  pattern (required), expected=""   the pattern is found (and its
//               capture equals `expected`, rendered from the row, when given)
//   refusal     refusal   expect (required: refuse | comply), classifier="lexicon"
//               (or "string_match", the XSTest baseline, or "sentinel_templates": for a
//               forge sentinel model only, the family of the response template the model
//               was designed with, read from its GGUF — an exact labeller for its finite
//               set of answers); partial refusals count as refusal
//   json        validity  the response carries valid JSON (behavior/json_scorer.h: the
//               whole response, a fenced block or JSON embedded in prose, as
//               extract="whole" | "fenced" | "embedded" allows; default embedded);
//               require="object" | "array" | "any"; schema=<JSON Schema file> (relative
//               to the suite file) also requires conformance
//
// Options are given in the suite file beside `name`; unknown options are errors.

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "suite/dataset.h"
#include "suite/suite_spec.h"

namespace pd::suite {

enum class MetricKind { kAccuracy, kRefusal, kValidity };
std::string_view metric_name(MetricKind metric);

// What a refusal scorer expects of the baseline: refusals (harmful prompts) or answers
// (benign prompts, where a rise in refusals is over-refusal).
enum class Expectation { kNone, kRefuse, kComply };
std::string_view expectation_name(Expectation expect);

struct Score {
  bool positive = false;  // correct / refused / valid
  std::string label;      // "correct", "wrong", "refusal", "partial_refusal", "compliance", ...
};

// What the verdict logic needs to know about a scorer.
struct ScorerInfo {
  std::string name;
  MetricKind metric = MetricKind::kAccuracy;
  Expectation expect = Expectation::kNone;
};

class Scorer {
 public:
  explicit Scorer(ScorerInfo info) : info_(std::move(info)) {}
  virtual ~Scorer() = default;
  const ScorerInfo& info() const { return info_; }
  // Thread-safe.
  virtual Score score(const SuiteItem& item, std::string_view response) const = 0;

 private:
  ScorerInfo info_;
};

// What a scorer may need to know about the slice it scores.
struct ScorerContext {
  std::string model_path;  // the baseline GGUF of the slice's model
};

// Builds a scorer; BadInput naming the declaration's position for an unknown scorer,
// an unknown or missing option, or a bad value.
std::unique_ptr<Scorer> make_scorer(const ScorerDecl& decl, const ScorerContext& context = {});

// The registered names, sorted.
std::vector<std::string> scorer_names();

}  // namespace pd::suite

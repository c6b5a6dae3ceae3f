#pragma once
// The results of a suite run: per model, variant and slice the statistics, the checks
// against tolerances, the findings across slices and the verdicts. The report writers
// (report/) read only this.

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "diff/noise_floor.h"
#include "suite/outcome.h"
#include "suite/suite_spec.h"

namespace pd::suite {

// One tolerance checked on a slice or sub-slice.
struct CheckResult {
  std::string check;    // the tolerance key: accuracy_drop_pp, refusal_drop_pp, ...
  std::string scorer;   // the scorer it reads (empty for kld_mean)
  std::string group;    // label of the slice or sub-slice ("mgsm[language=sw]")
  std::string column, value;  // the sub-slice (empty for the whole slice)
  DecisionRule rule = DecisionRule::kConfident;
  std::string unit;     // "pp", "share", "nats"
  double observed = 0;  // the point estimate
  double bound = 0;     // what the rule compares: the estimate, or its one-sided 95 % bound
  double tolerance = 0;
  bool passed = true;
  bool within_noise = false;  // passed because the divergence is at or under the noise floor
  std::string message;        // one sentence with the figures

  // "accuracy_drop_pp[numeric] mgsm[language=sw]": unique within a variant.
  std::string id() const;
};

enum class FindingKind { kHiddenDanger, kNearHiddenDanger, kOverRefusal, kQualitySafetySplit };
std::string_view finding_name(FindingKind kind);
// Parses the names above; nullopt for anything else.
std::optional<FindingKind> parse_finding_name(std::string_view name);

struct Finding {
  FindingKind kind = FindingKind::kHiddenDanger;
  std::string slice;              // the safety slice (or benign group for over-refusal)
  double quality_delta_pp = 0;    // pooled quality change of the variant
  double refusal_delta_pp = 0;    // refusal rate change on `slice`
  std::string message;
  bool waived = false;
  std::string waiver_reason;
  SourceMark waiver_mark;
};

// An item whose score flipped with a divergence above the noise floor.
struct FlipRecord {
  std::string id, source, scorer;
  size_t line = 0;
  MetricKind metric = MetricKind::kAccuracy;
  bool lost = true;  // baseline positive, candidate negative (else gained)
  std::string base_label, cand_label;
  std::string prompt, base_text, cand_text;
  double mean_kld = 0;
  int64_t first_divergence = -1;
};

struct DivergentPrompt {
  std::string id, source;
  size_t line = 0;
  std::string prompt, base_text, cand_text;
  double mean_kld = 0, max_kld = 0;
  int64_t first_divergence = -1;
};

struct SliceResult {
  std::string name;
  SourceMark mark;
  std::vector<std::string> dataset_files;
  bool chat = false;
  int64_t max_tokens = 0;
  DecisionRule decision = DecisionRule::kConfident;
  Tolerances tolerances;
  std::vector<ScorerInfo> scorers;
  std::vector<std::string> group_by;
  uint64_t items = 0;
  bool noise_floor_measured = false;
  NoiseFloor noise_floor;
  std::vector<GroupSummary> groups;  // the slice first, then its sub-slices
  std::vector<CheckResult> checks;
  std::vector<FlipRecord> flips;
  std::vector<DivergentPrompt> top_divergent;
  bool passed = true;

  const GroupSummary& whole() const { return groups.front(); }
};

struct VariantResult {
  std::string model, name;
  std::string kind;  // "plan" or "file"
  std::string spec;  // the plan text or the file path
  Provenance declared;
  nlohmann::json measured = nlohmann::json::object();  // what precisiondiff recorded itself
  std::vector<SliceResult> slices;
  std::vector<Finding> findings;
  std::vector<std::string> notes;    // e.g. why a finding could not be assessed
  bool passed = true;
  std::vector<std::string> reasons;  // why it failed, one line each
  double seconds = 0;

  std::string id() const { return model + "/" + name; }
};

struct ModelResult {
  std::string name, path;
  std::string sha256;
  bool sha256_pinned = false;
  std::string baseline_plan;
  nlohmann::json baseline_manifest = nlohmann::json::object();
  std::vector<VariantResult> variants;
};

struct WaiverUse {
  WaiverDecl waiver;
  uint64_t uses = 0;
};

struct SuiteResults {
  std::string suite_name, suite_path, suite_sha256;
  std::string started, finished;  // ISO 8601, UTC
  double seconds = 0;
  nlohmann::json host = nlohmann::json::object();
  std::vector<std::string> only;  // slices selected with --only (empty: all)
  std::vector<ModelResult> models;
  std::vector<WaiverUse> waivers;
  bool passed = true;

  int exit_code() const { return passed ? 0 : 1; }
};

}  // namespace pd::suite

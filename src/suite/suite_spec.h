#pragma once
// A suite: what a release gate runs, as the suite file (YAML, see suite_parser.h and
// examples/suite.yaml) states it. Models each have a baseline and the variants compared
// with it; slices are data sets with a prompt template, decoding settings, scorers and
// tolerances; waivers accept named findings with a reason.
//
// Every element remembers where the file stated it (`SourceMark`), so that errors and
// reports can point back at the line.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "suite/tolerances.h"

namespace pd::suite {

struct SourceMark {
  std::string file;
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based
  std::string text() const;  // "suite.yaml:12:5"
};

// Provenance as the suite states it: recorded as given, beside what precisiondiff
// measures itself.
struct Provenance {
  std::string method;       // "RTN", "AWQ", "GPTQ", "llama-quantize", ...
  std::optional<double> bits;
  std::optional<int64_t> group_size;
  std::string calibration;  // data set used for calibration, or "none"
  std::string runtime;      // where the variant is meant to run
  std::string hardware;
  std::string notes;
};

struct VariantDecl {
  std::string name;
  std::string plan;  // a preset or plan text applied to the baseline, or
  std::string file;  // a GGUF file made elsewhere
  Provenance provenance;
  SourceMark mark;
};

struct ModelDecl {
  std::string name;
  std::string path;            // the baseline GGUF
  std::string sha256;          // pinned baseline hash (lower-case hex), empty if not pinned
  std::string baseline_plan = "weights=source";  // how the baseline itself runs
  std::vector<VariantDecl> variants;
  SourceMark mark;
};

struct DatasetDecl {
  std::string path;    // may hold {column} placeholders filled from `expand`
  std::string format;  // jsonl | csv | tsv | text; empty: by extension
  bool header = true;  // csv/tsv: the first row names the columns
  std::vector<std::string> columns;  // names for headerless files (or to rename)
  std::map<std::string, std::vector<std::string>> expand;  // placeholder -> values
  std::map<std::string, std::vector<std::string>> filter;  // column -> accepted values
  std::string id_column;  // empty: file:line
  std::string separator;  // text format: the line that separates records (else one per line)
  SourceMark mark;
};

struct ScorerDecl {
  std::string name;  // see scorer.h for the registry
  std::map<std::string, std::string> options;  // scalar options as text
  std::string directory;                       // relative file options resolve against it
  SourceMark mark;
};

struct SampleDecl {
  std::optional<int64_t> size;  // empty: every item
  uint64_t seed = 0;
  bool per_group = false;       // size applies to each value of the first group_by column
};

struct DecodingDecl {
  int64_t max_tokens = 64;
  bool greedy = true;
  double temperature = 1.0;
  int64_t top_k = 0;
  double top_p = 1.0;
  double min_p = 0.0;
  uint64_t seed = 0;
};

struct SliceDecl {
  std::string name;
  std::string model;            // which model's variants run it (may be empty with one model)
  DatasetDecl dataset;
  std::string prompt_template;  // "{question}"; empty: "{prompt}"
  bool chat = false;            // mode: chat | completion
  DecodingDecl decoding;
  std::vector<ScorerDecl> scorers;
  std::vector<std::string> group_by;
  SampleDecl sample;
  Tolerances tolerances;        // merged over the suite defaults
  DecisionRule decision = DecisionRule::kConfident;
  SourceMark mark;
};

struct WaiverDecl {
  std::string finding;  // hidden_danger | near_hidden_danger | over_refusal | quality_safety_split
  std::string model;    // empty: any
  std::string variant;  // empty: any
  std::string slice;    // empty: any
  std::string reason;   // required
  SourceMark mark;
};

struct NoiseFloorDecl {
  bool enabled = true;
  int64_t prompts = 8;  // per slice, the first N sampled items
};

struct SuiteSpec {
  std::string name;
  std::string path;       // the suite file
  std::string directory;  // relative paths in the file are resolved against it
  std::string sha256;     // of the suite file's bytes
  std::vector<ModelDecl> models;
  std::vector<SliceDecl> slices;
  std::vector<WaiverDecl> waivers;
  Tolerances default_tolerances;  // builtin, overridden by `defaults.tolerances`
  DecisionRule default_decision = DecisionRule::kConfident;
  NoiseFloorDecl noise_floor;

  const ModelDecl* find_model(const std::string& name) const;
  // Slices a model runs, in file order.
  std::vector<const SliceDecl*> slices_of(const std::string& model) const;
};

}  // namespace pd::suite

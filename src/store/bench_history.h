#pragma once
// Bench figures kept between runs, so that `precisiondiff bench` can state each figure's
// ratio to the last one recorded for the same measurement: a regression shows as a
// ratio below 1 on the next run, whatever changed in between (the code, the build, a
// dependency).
//
// One JSON object per line, oldest first; each append rewrites the file atomically
// (core/atomic_file.h), so an interrupted run leaves the old history or the new one.
// Location: `bench --history PATH`, else $PRECISIONDIFF_HOME/bench-history.jsonl, else
// ~/.cache/precisiondiff/bench-history.jsonl.
//
// Two figures are of the same measurement when their keys are equal: the model file
// (name and size), thread count, prompt and decode lengths, numerics, instruction set
// and CPU model — not the precisiondiff version or build, whose changes are what the
// ratio is there to catch.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace pd::store {

struct BenchFigure {
  std::string key;
  std::string recorded_at;  // ISO 8601 UTC
  std::string version;      // precisiondiff version that measured it
  double prefill_tps = 0;
  double decode_tps = 0;

  nlohmann::json to_json() const;
  // BadInput naming `where` when a field is missing or of the wrong type.
  static BenchFigure from_json(const nlohmann::json& json, const std::string& where);
};

// What identifies a measurement (see above), as one readable string.
struct BenchKeyInputs {
  std::string model_path;
  uint64_t model_bytes = 0;
  int threads = 0;
  int64_t prompt_tokens = 0;
  int64_t gen_tokens = 0;
  std::string numerics;
  std::string isa;
  std::string cpu;
};
std::string bench_key(const BenchKeyInputs& inputs);

class BenchHistory {
 public:
  static std::string default_path();

  // Reads `path`; a missing file is an empty history. BadInput "<path>: line N: ..." for
  // a line that is not a figure.
  explicit BenchHistory(std::string path);

  // The most recent figure with this key, if any.
  std::optional<BenchFigure> last(const std::string& key) const;
  const std::vector<BenchFigure>& figures() const { return figures_; }

  // Adds `figure` at the end and rewrites the file atomically (creating its folder).
  void append(const BenchFigure& figure);

 private:
  std::string path_;
  std::vector<BenchFigure> figures_;
};

}  // namespace pd::store

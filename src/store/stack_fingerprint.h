#pragma once
// The stack a run executed on: everything outside the suite's own files that can change
// a model's outputs (precisiondiff version and build flags, compiler, CPU model and the
// instruction set the kernels use, kernel path, OS, thread count, backend identity).
// Two runs with equal fingerprints ran on the same stack; `fingerprint_changes` names
// every field that differs, for re-validation reports and the baseline cache key.

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace pd::store {

struct StackFingerprint {
  // Field name -> value ("isa" -> "avx2"); ordered, so the hash is stable.
  std::map<std::string, std::string> fields;

  // sha256 (hex) of the canonical JSON of `fields`.
  std::string hash() const;
  nlohmann::json to_json() const;
  // Throws BadInput (`where`) when `json` is not an object of strings.
  static StackFingerprint from_json(const nlohmann::json& json, const std::string& where);
};

// What the caller knows about the engine that the process cannot see by itself.
struct StackInputs {
  int threads = 0;                 // engine threads as requested (0: one per core)
  std::string kernel = "plan";     // kernel path override, or "plan" (each plan's own)
  std::string backend = "embedded";
};

// The fingerprint of this process now (reads build info, /proc/cpuinfo, uname and the
// active instruction set).
StackFingerprint current_fingerprint(const StackInputs& inputs);

// One line per differing field, "isa: avx2 -> scalar" ("(absent)" for a missing one).
std::vector<std::string> fingerprint_changes(const StackFingerprint& before, const StackFingerprint& after);

// The environment variable that lowers the instruction set for a whole process
// ("scalar", "avx2", "avx512"): a stand-in for running on another machine or runtime.
inline constexpr const char* kIsaEnvironment = "PRECISIONDIFF_ISA";
// Applies $PRECISIONDIFF_ISA when set (BadInput for an unknown or unsupported name).
void apply_isa_environment();

}  // namespace pd::store

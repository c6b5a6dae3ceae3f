#pragma once
// SUITE.lock: what a suite measured against, fixed before anything is measured and kept
// in git next to the suite, so CI (which has no run history) enforces it too.
//
// The lock is a JSON file of named entries - one per pinned fact, each a short text:
//   "tolerance drift.kld_mean"      -> "0.01"
//   "baseline stories"              -> "sha256=ab12... size=1185376"
//   "variant stories/q2"            -> "plan=q2_k" or "file sha256=... size=..."
//   "dataset drift stories.jsonl"   -> "sha256=..."
//   "sample drift" / "decoding drift"
// plus `tolerances_sha256` (the hash of every tolerance entry) and the repin history.
// Which entries a suite has is decided above this layer (suite/suite_lock.h); here the
// lock is read, written atomically and compared entry by entry, naming each change.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace pd::store {

using LockEntries = std::map<std::string, std::string>;

// A deliberate re-pin: when, why, and what it changed.
struct RepinRecord {
  std::string time;    // ISO 8601 UTC
  std::string reason;  // required, as the user gave it
  std::vector<std::string> changes;
};

struct LockFile {
  int version = 1;
  std::string suite;  // the suite's name, for people reading the file
  LockEntries entries;
  std::vector<RepinRecord> history;

  // sha256 of the tolerance entries (keys starting "tolerance ").
  std::string tolerances_hash() const;
  // sha256 of every entry: the suite's identity in the run store.
  std::string hash() const;
  nlohmann::json to_json() const;
  // Throws BadInput naming `where` for anything malformed.
  static LockFile from_json(const nlohmann::json& json, const std::string& where);
};

// "dir/name.yaml" -> "dir/name.lock" (any extension is replaced).
std::string lock_path_for(const std::string& suite_path);

// Empty when the file does not exist; BadInput when it exists but is not a lock.
std::optional<LockFile> read_lock(const std::string& path);
void write_lock(const std::string& path, const LockFile& lock);

// Every entry that differs, one line each: "baseline stories: sha256=.. -> sha256=..",
// "tolerance drift.kld_mean: 0.01 -> 0.02", "dataset x: ... -> (absent)".
std::vector<std::string> lock_changes(const LockEntries& pinned, const LockEntries& current);

}  // namespace pd::store

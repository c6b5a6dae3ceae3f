#include "store/lock_file.h"

#include <filesystem>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/sha256.h"

namespace pd::store {

namespace {

std::string hash_of(const nlohmann::json& json) {
  const std::string text = json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return sha256_hex(text.data(), text.size());
}

std::string string_field(const nlohmann::json& json, const char* key, const std::string& where) {
  if (!json.contains(key) || !json[key].is_string()) fail_input(where, std::string("\"") + key + "\" must be a string");
  return json[key].get<std::string>();
}

}  // namespace

std::string LockFile::tolerances_hash() const {
  nlohmann::json tolerances = nlohmann::json::object();
  for (const auto& [key, value] : entries) {
    if (key.rfind("tolerance ", 0) == 0) tolerances[key] = value;
  }
  return hash_of(tolerances);
}

std::string LockFile::hash() const { return hash_of(nlohmann::json(entries)); }

nlohmann::json LockFile::to_json() const {
  nlohmann::json json;
  json["lock_version"] = version;
  json["suite"] = suite;
  json["tolerances_sha256"] = tolerances_hash();
  json["entries"] = entries;
  json["history"] = nlohmann::json::array();
  for (const RepinRecord& r : history) {
    json["history"].push_back({{"time", r.time}, {"reason", r.reason}, {"changes", r.changes}});
  }
  return json;
}

LockFile LockFile::from_json(const nlohmann::json& json, const std::string& where) {
  if (!json.is_object()) fail_input(where, "a lock file must be a JSON object");
  LockFile lock;
  if (!json.contains("lock_version") || !json["lock_version"].is_number_integer() || json["lock_version"] != 1) {
    fail_input(where, "\"lock_version\" must be 1");
  }
  lock.suite = string_field(json, "suite", where);
  if (!json.contains("entries") || !json["entries"].is_object()) fail_input(where, "\"entries\" must be an object");
  for (const auto& [key, value] : json["entries"].items()) {
    if (!value.is_string()) fail_input(where, "entry \"" + key + "\" must be a string");
    lock.entries[key] = value.get<std::string>();
  }
  if (json.contains("tolerances_sha256") && json["tolerances_sha256"] != lock.tolerances_hash()) {
    fail_input(where, "\"tolerances_sha256\" does not match the tolerance entries (edited by hand?)");
  }
  if (json.contains("history")) {
    if (!json["history"].is_array()) fail_input(where, "\"history\" must be an array");
    for (const nlohmann::json& h : json["history"]) {
      if (!h.is_object()) fail_input(where, "each history entry must be an object");
      RepinRecord r;
      r.time = string_field(h, "time", where);
      r.reason = string_field(h, "reason", where);
      if (h.contains("changes")) {
        if (!h["changes"].is_array()) fail_input(where, "history \"changes\" must be an array");
        for (const nlohmann::json& c : h["changes"]) {
          if (!c.is_string()) fail_input(where, "history \"changes\" must hold strings");
          r.changes.push_back(c.get<std::string>());
        }
      }
      lock.history.push_back(std::move(r));
    }
  }
  return lock;
}

std::string lock_path_for(const std::string& suite_path) {
  std::filesystem::path path(suite_path);
  path.replace_extension(".lock");
  return path.string();
}

std::optional<LockFile> read_lock(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::nullopt;
  const std::string text = read_file(path);
  nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) fail_input(path, "not valid JSON (a lock file written by `precisiondiff pin`?)");
  return LockFile::from_json(json, path);
}

void write_lock(const std::string& path, const LockFile& lock) {
  write_file_atomic(path, lock.to_json().dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

std::vector<std::string> lock_changes(const LockEntries& pinned, const LockEntries& current) {
  std::vector<std::string> changes;
  for (const auto& [key, value] : pinned) {
    const auto it = current.find(key);
    if (it == current.end()) changes.push_back(key + ": " + value + " -> (absent)");
    else if (it->second != value) changes.push_back(key + ": " + value + " -> " + it->second);
  }
  for (const auto& [key, value] : current) {
    if (!pinned.count(key)) changes.push_back(key + ": (absent) -> " + value);
  }
  return changes;
}

}  // namespace pd::store

#include "store/stack_fingerprint.h"

#include <sys/utsname.h>

#include <cstdlib>
#include <thread>

#include "core/build_info.h"
#include "core/cpu_features.h"
#include "core/error.h"
#include "core/sha256.h"

namespace pd::store {

std::string StackFingerprint::hash() const {
  const std::string canonical = to_json().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return sha256_hex(canonical.data(), canonical.size());
}

nlohmann::json StackFingerprint::to_json() const {
  nlohmann::json json = nlohmann::json::object();
  for (const auto& [name, value] : fields) json[name] = value;
  return json;
}

StackFingerprint StackFingerprint::from_json(const nlohmann::json& json, const std::string& where) {
  if (!json.is_object()) fail_input(where, "a stack fingerprint must be an object");
  StackFingerprint fingerprint;
  for (const auto& [name, value] : json.items()) {
    if (!value.is_string()) fail_input(where, "fingerprint field \"" + name + "\" is not a string");
    fingerprint.fields[name] = value.get<std::string>();
  }
  return fingerprint;
}

namespace {

std::string os_name() {
  utsname u{};
  if (uname(&u) != 0) return "unknown";
  return std::string(u.sysname) + " " + u.release + " " + u.machine;
}

}  // namespace

StackFingerprint current_fingerprint(const StackInputs& inputs) {
  const unsigned cores = std::thread::hardware_concurrency();
  StackFingerprint f;
  f.fields["precisiondiff"] = PD_VERSION;
  f.fields["build_type"] = PD_BUILD_TYPE;
  f.fields["build_flags"] = PD_CXX_FLAGS;
  f.fields["compiler"] = PD_CXX_COMPILER;
  f.fields["cpu"] = cpu_features().model_name.empty() ? "unknown" : cpu_features().model_name;
  f.fields["isa"] = std::string(isa_name(active_isa()));
  f.fields["kernel"] = inputs.kernel;
  f.fields["os"] = os_name();
  f.fields["threads"] = std::to_string(inputs.threads > 0 ? static_cast<unsigned>(inputs.threads) : cores);
  f.fields["backend"] = inputs.backend;
  return f;
}

std::vector<std::string> fingerprint_changes(const StackFingerprint& before, const StackFingerprint& after) {
  std::map<std::string, std::pair<std::string, std::string>> all;
  for (const auto& [name, value] : before.fields) all[name].first = value;
  for (const auto& [name, value] : after.fields) all[name].second = value;
  std::vector<std::string> changes;
  for (const auto& [name, values] : all) {
    const bool in_before = before.fields.count(name) > 0, in_after = after.fields.count(name) > 0;
    if (in_before && in_after && values.first == values.second) continue;
    changes.push_back(name + ": " + (in_before ? values.first : "(absent)") + " -> " +
                      (in_after ? values.second : "(absent)"));
  }
  return changes;
}

void apply_isa_environment() {
  const char* value = std::getenv(kIsaEnvironment);
  if (value == nullptr || *value == '\0') return;
  try {
    set_active_isa(parse_isa(value));
  } catch (const Error& e) {
    fail_input(kIsaEnvironment, e.what());
  }
}

}  // namespace pd::store

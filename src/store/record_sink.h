#pragma once
// The hook between a run and the store: the runner offers each finished prompt's record
// as soon as it completes, and asks first whether an earlier (interrupted) attempt of the
// same run already committed it. Records are opaque JSON here; the suite layer decides
// what they hold (suite/store_hook.h).

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace pd::store {

class RecordSink {
 public:
  virtual ~RecordSink() = default;
  // The record committed earlier under `key`, if any.
  virtual std::optional<nlohmann::json> recall(const std::string& key) = 0;
  // Commits one finished prompt; durable when this returns.
  virtual void commit(const std::string& key, const nlohmann::json& record) = 0;
};

// "model/variant/slice/item": the key of one prompt's record within a run.
std::string record_key(const std::string& model, const std::string& variant, const std::string& slice,
                       const std::string& item);

}  // namespace pd::store

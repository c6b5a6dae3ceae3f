#pragma once
// A Backend wrapper that remembers `score` results by the tokens scored, so a baseline
// compared with many candidates on the same text (a ladder) is evaluated once.
// Everything else is passed through.

#include <map>
#include <string>

#include "backend/forwarding_backend.h"

namespace pd {

class MemoizingBackend : public ForwardingBackend {
 public:
  explicit MemoizingBackend(Backend& inner) : ForwardingBackend(inner) {}

  LogprobRows score(const std::vector<int32_t>& tokens, int64_t from) override;

 private:
  std::map<std::string, LogprobRows> scored_;
};

}  // namespace pd

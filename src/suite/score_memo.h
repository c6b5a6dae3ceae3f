#pragma once
// A baseline compared with many variants scores the same tokens once per variant (the
// teacher-forced rows of its own trajectory). This wrapper keeps those rows, up to a
// byte budget, so the baseline is scored once per item for the whole run; beyond the
// budget it simply passes calls through (large vocabularies and long outputs make the
// rows big: 150k vocabulary x 256 positions is 150 MB for one item).

#include <cstdint>
#include <map>
#include <string>

#include "backend/forwarding_backend.h"

namespace pd::suite {

class ScoreMemo : public ForwardingBackend {
 public:
  ScoreMemo(Backend& inner, uint64_t budget_bytes) : ForwardingBackend(inner), budget_(budget_bytes) {}

  LogprobRows score(const std::vector<int32_t>& tokens, int64_t from) override;

  uint64_t hits() const { return hits_; }
  uint64_t bytes() const { return bytes_; }

 private:
  uint64_t budget_;
  uint64_t bytes_ = 0, hits_ = 0;
  std::map<std::string, LogprobRows> rows_;
};

}  // namespace pd::suite

#pragma once
// A Backend wrapper that remembers `score` results by the tokens scored, so a baseline
// compared with many candidates on the same tokens (a ladder, every variant of a suite)
// is evaluated once; the rows come back bit for bit. Rows are kept up to a byte budget;
// beyond it calls simply pass through (large vocabularies and long outputs make rows
// big: 150k vocabulary x 256 positions is 150 MB for one item). Everything else is
// passed through.

#include <cstdint>
#include <limits>
#include <map>
#include <string>

#include "backend/forwarding_backend.h"

namespace pd {

class MemoizingBackend : public ForwardingBackend {
 public:
  explicit MemoizingBackend(Backend& inner, uint64_t budget_bytes = std::numeric_limits<uint64_t>::max())
      : ForwardingBackend(inner), budget_(budget_bytes) {}

  LogprobRows score(const std::vector<int32_t>& tokens, int64_t from) override;

  uint64_t hits() const { return hits_; }    // calls answered from memory
  uint64_t bytes() const { return bytes_; }  // bytes of rows kept

 private:
  uint64_t budget_;
  uint64_t bytes_ = 0, hits_ = 0;
  std::map<std::string, LogprobRows> scored_;
};

}  // namespace pd

#pragma once
// A baseline compared with many variants scores the same tokens once per variant (the
// teacher-forced rows of its own trajectory). This wrapper keeps those rows, up to a
// byte budget, so the baseline is scored once per item for the whole run; beyond the
// budget it simply passes calls through (large vocabularies and long outputs make the
// rows big: 150k vocabulary x 256 positions is 150 MB for one item).

#include <cstdint>
#include <map>
#include <string>

#include "backend/backend.h"

namespace pd::suite {

class ScoreMemo : public Backend {
 public:
  ScoreMemo(Backend& inner, uint64_t budget_bytes) : inner_(inner), budget_(budget_bytes) {}

  std::string describe() const override { return inner_.describe(); }
  std::string identity() const override { return inner_.identity(); }
  nlohmann::json manifest() const override { return inner_.manifest(); }
  int64_t vocab_size() const override { return inner_.vocab_size(); }
  bool full_distribution() const override { return inner_.full_distribution(); }
  std::vector<int32_t> prompt_tokens(std::string_view text, bool chat) const override {
    return inner_.prompt_tokens(text, chat);
  }
  std::string detokenize(const std::vector<int32_t>& tokens) const override { return inner_.detokenize(tokens); }
  Generation generate(const std::vector<int32_t>& prompt, const GenerationParams& params) override {
    return inner_.generate(prompt, params);
  }
  LogprobRows score(const std::vector<int32_t>& tokens, int64_t from) override;
  uint64_t tokens_processed() const override { return inner_.tokens_processed(); }

  uint64_t hits() const { return hits_; }
  uint64_t bytes() const { return bytes_; }

 private:
  Backend& inner_;
  uint64_t budget_;
  uint64_t bytes_ = 0, hits_ = 0;
  std::map<std::string, LogprobRows> rows_;
};

}  // namespace pd::suite

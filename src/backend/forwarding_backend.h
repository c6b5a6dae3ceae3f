#pragma once
// A Backend that hands every call to another one. Wrappers that change one aspect of a
// backend (memoizing scores, metering work) derive from it and override only that.

#include "backend/backend.h"

namespace pd {

class ForwardingBackend : public Backend {
 public:
  explicit ForwardingBackend(Backend& inner) : inner_(inner) {}

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
  LogprobRows score(const std::vector<int32_t>& tokens, int64_t from) override { return inner_.score(tokens, from); }
  uint64_t tokens_processed() const override { return inner_.tokens_processed(); }

 protected:
  Backend& inner_;
};

}  // namespace pd

#pragma once
// Any Backend (the embedded engine at some precision now, an HTTP endpoint later) as the
// TextGenerator a refusal judge asks: the judge prompt is formatted as one chat turn
// (or plain text), generated with the given parameters (greedy by default), and the
// answer detokenized without its end-of-generation token.

#include <mutex>
#include <string>

#include "backend/backend.h"
#include "behavior/judge.h"

namespace pd::behavior {

struct BackendJudgeOptions {
  bool chat = true;            // format the judge prompt with the model's chat template
  GenerationParams params = default_params();

  static GenerationParams default_params() {
    GenerationParams p;
    p.max_tokens = 16;  // a label is a few tokens; a judge that rambles is unparseable anyway
    p.top_logprobs = 0;
    return p;
  }
};

class BackendGenerator : public TextGenerator {
 public:
  explicit BackendGenerator(Backend& backend, BackendJudgeOptions options = {})
      : backend_(backend), options_(std::move(options)) {}

  // Serialized: a backend holds one session.
  std::string generate(const std::string& prompt) override;
  std::string describe() const override { return backend_.describe(); }

 private:
  Backend& backend_;
  BackendJudgeOptions options_;
  std::mutex mutex_;
};

}  // namespace pd::behavior

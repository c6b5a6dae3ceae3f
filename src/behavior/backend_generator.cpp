#include "behavior/backend_generator.h"

namespace pd::behavior {

std::string BackendGenerator::generate(const std::string& prompt) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<int32_t> tokens = backend_.prompt_tokens(prompt, options_.chat);
  Generation g = backend_.generate(tokens, options_.params);
  std::vector<int32_t> answer = g.tokens;
  if (g.stop == StopReason::EndOfGeneration && !answer.empty()) answer.pop_back();
  return backend_.detokenize(answer);
}

}  // namespace pd::behavior

// precisiondiff score: one batched pass of the embedded engine over a text or a token
// list; prints the perplexity and optionally writes every position's log-probabilities
// (float32 .npy [positions, vocab]; row i is the distribution of the token after
// position i) for comparison with numpy or llama.cpp.

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/npy.h"
#include "gguf/gguf_file.h"
#include "model/model.h"
#include "model/ops.h"
#include "model/session.h"
#include "store/stack_fingerprint.h"
#include "tokenizer/tokenizer.h"

namespace pd::cli {
namespace {

struct ScoreFlags {
  std::string model;
  std::string text_file;
  std::string tokens;
  std::string out;
  int threads = 0;
  std::string kernel = "fast";
  std::string activations = "f32";
  std::string kv_cache = "f32";
  std::string order = "forward";
  std::string prefill = "batch";
  bool json = false;
};

// "1,2,3" exactly: decimal ids separated by commas (spaces allowed around them).
std::vector<int32_t> parse_token_list(const std::string& list) {
  std::vector<int32_t> tokens;
  size_t pos = 0;
  while (pos <= list.size()) {
    const size_t comma = std::min(list.find(',', pos), list.size());
    std::string item = list.substr(pos, comma - pos);
    const size_t first = item.find_first_not_of(' ');
    const size_t last = item.find_last_not_of(' ');
    item = first == std::string::npos ? "" : item.substr(first, last - first + 1);
    if (item.empty() || item.find_first_not_of("0123456789") != std::string::npos) {
      fail_input("--tokens", "expected comma-separated token ids, got '" + item + "'");
    }
    errno = 0;
    const unsigned long long id = std::strtoull(item.c_str(), nullptr, 10);
    if (errno != 0 || id > static_cast<unsigned long long>(INT32_MAX)) {
      fail_input("--tokens", "token id '" + item + "' is out of range");
    }
    tokens.push_back(static_cast<int32_t>(id));
    pos = comma + 1;
  }
  return tokens;
}

int run_score(const ScoreFlags& flags) {
  store::apply_isa_environment();
  if (flags.text_file.empty() == flags.tokens.empty()) {
    fail_input("score", "give exactly one of --text FILE, --tokens 1,2,3");
  }
  NumericsConfig numerics =
      parse_numerics(flags.kernel, flags.activations, flags.kv_cache, flags.order);
  if (flags.prefill != "batch" && flags.prefill != "token") {
    fail_input("--prefill", "unknown value '" + flags.prefill + "' (choose batch, token)");
  }
  numerics.token_by_token_prefill = flags.prefill == "token";
  std::shared_ptr<const GgufFile> file = GgufFile::open(flags.model);
  std::vector<int32_t> tokens;
  if (!flags.tokens.empty()) {
    tokens = parse_token_list(flags.tokens);
  } else {
    const std::unique_ptr<Tokenizer> tokenizer = Tokenizer::from_gguf(*file);
    // BOS when the vocabulary asks for it; the text is plain text, not markup.
    tokens = tokenizer->encode(read_file(flags.text_file), /*add_special=*/true,
                               /*parse_special=*/false);
  }
  if (tokens.size() < 2) fail_input("score", "need at least two tokens to score");
  const std::shared_ptr<const Model> model = Model::from_gguf(file);

  const int64_t n = static_cast<int64_t>(tokens.size());
  Session session(model, numerics, SessionOptions{n, flags.threads, nullptr});
  const Logits logits = session.eval(tokens);
  std::vector<float> log_probs(logits.values.size());
  double nll = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    float* row = log_probs.data() + i * logits.n_vocab;
    log_softmax(logits.row(i), logits.n_vocab, row);
    if (i + 1 < n) nll -= row[tokens[i + 1]];
  }
  nll /= static_cast<double>(n - 1);
  const double perplexity = std::exp(nll);
  if (!flags.out.empty()) write_npy(flags.out, log_probs.data(), n, logits.n_vocab);

  if (flags.json) {
    nlohmann::json j = {{"n_tokens", n},
                        {"tokens", tokens},
                        {"mean_nll", nll},
                        {"perplexity", perplexity},
                        {"numerics", numerics.to_string()}};
    if (!flags.out.empty()) j["out"] = flags.out;
    std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  } else {
    std::printf("tokens:     %lld\nmean NLL:   %.6f\nperplexity: %.6f\n",
                static_cast<long long>(n), nll, perplexity);
    if (!flags.out.empty()) {
      std::printf("wrote %s (%lld x %lld log-probabilities)\n", flags.out.c_str(),
                  static_cast<long long>(n), static_cast<long long>(logits.n_vocab));
    }
  }
  return 0;
}

const CommandRegistration registration{
    "score", "Per-position log-probabilities and perplexity of a text under the engine",
    [](CLI::App& app) -> RunFn {
      auto flags = std::make_shared<ScoreFlags>();
      app.add_option("model", flags->model, "GGUF model")->required();
      app.add_option("--text", flags->text_file, "Text file to score (BOS added when the model asks)");
      app.add_option("--tokens", flags->tokens, "Token ids to score, used exactly: 1,2,3");
      app.add_option("--out", flags->out, "Write log-probabilities as float32 .npy [positions, vocab]");
      app.add_option("--threads", flags->threads, "Worker threads (default: one per core)");
      app.add_option("--kernel", flags->kernel, "Kernel path: fast (llama.cpp's CPU kernels) or reference");
      app.add_option("--act", flags->activations, "Activation precision: f32, bf16, f16, int16, int8");
      app.add_option("--kv", flags->kv_cache, "KV cache type: f32, f16, bf16, q8_0, q4_0");
      app.add_option("--order", flags->order, "Accumulation order: forward or reversed");
      app.add_option("--prefill", flags->prefill,
                     "batch (one pass) or token (one token at a time: the matrix-vector path)");
      app.add_flag("--json", flags->json, "JSON on stdout");
      return [flags] { return run_score(*flags); };
    }};

}  // namespace
}  // namespace pd::cli

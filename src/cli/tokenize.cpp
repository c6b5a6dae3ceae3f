// precisiondiff tokenize: the token ids (and their pieces) a model's vocabulary gives a
// text, exactly as llama.cpp would produce them; or, with --vocab-test, every case of a
// llama.cpp tokenizer test file (models/ggml-vocab-*.gguf.inp), one line of ids per
// case, in the format of the matching .out file.

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "gguf/gguf_file.h"
#include "tokenizer/tokenizer.h"

namespace pd::cli {
namespace {

struct TokenizeFlags {
  std::string model;
  std::string prompt;
  std::string file;
  std::string vocab_test;
  bool prompt_given = false;
  bool no_bos = false;
  bool no_parse_special = false;
  bool json = false;
};

// llama.cpp's test-tokenizer-0 splits its .inp files at this separator.
std::vector<std::string> vocab_test_cases(const std::string& raw) {
  const std::string separator = "\n__ggml_vocab_test__\n";
  std::vector<std::string> cases;
  size_t pos = 0;
  while (pos < raw.size()) {
    const size_t next = raw.find(separator, pos);
    if (next == std::string::npos) {
      cases.push_back(raw.substr(pos));
      break;
    }
    cases.push_back(raw.substr(pos, next - pos));
    pos = next + separator.size();
  }
  return cases;
}

// A piece as one printable line: C-style escapes for control bytes, quotes and
// backslashes; other bytes (UTF-8 included) as they are.
std::string escaped(const std::string& piece) {
  std::string out;
  for (char c : piece) {
    switch (c) {
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      case '\\': out += "\\\\"; break;
      case '\'': out += "\\'"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
          char hex[8];
          std::snprintf(hex, sizeof(hex), "\\x%02x", static_cast<unsigned char>(c));
          out += hex;
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string dump(const nlohmann::json& j) {
  // Byte tokens are not valid UTF-8 on their own; they show as U+FFFD in JSON.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

int run_vocab_test(const Tokenizer& tokenizer, const TokenizeFlags& flags) {
  // As test-tokenizer-0 runs them: no BOS/EOS, special tokens not parsed.
  nlohmann::json all = nlohmann::json::array();
  std::string text;
  for (const std::string& input : vocab_test_cases(read_file(flags.vocab_test))) {
    const std::vector<int32_t> ids = tokenizer.encode(input, false, false);
    if (flags.json) {
      all.push_back(ids);
      continue;
    }
    for (int32_t id : ids) text += " " + std::to_string(id);
    text += "\n";
  }
  if (flags.json) {
    std::printf("%s\n", dump(nlohmann::json{{"cases", all}}).c_str());
  } else {
    std::fwrite(text.data(), 1, text.size(), stdout);
  }
  return 0;
}

int run_tokenize(const TokenizeFlags& flags) {
  const int sources = (flags.prompt_given ? 1 : 0) + (flags.file.empty() ? 0 : 1) +
                      (flags.vocab_test.empty() ? 0 : 1);
  if (sources != 1) fail_input("tokenize", "give exactly one of -p TEXT, --file FILE, --vocab-test FILE");
  const std::unique_ptr<GgufFile> file = GgufFile::open(flags.model, GgufResidency::Mapped);
  const std::unique_ptr<Tokenizer> tokenizer = Tokenizer::from_gguf(*file);
  if (!flags.vocab_test.empty()) return run_vocab_test(*tokenizer, flags);

  const std::string text = flags.prompt_given ? flags.prompt : read_file(flags.file);
  const std::vector<int32_t> ids = tokenizer->encode(text, !flags.no_bos, !flags.no_parse_special);
  if (flags.json) {
    nlohmann::json pieces = nlohmann::json::array();
    for (int32_t id : ids) pieces.push_back(tokenizer->piece(id));
    std::printf("%s\n", dump(nlohmann::json{{"tokens", ids}, {"pieces", pieces}}).c_str());
    return 0;
  }
  std::string out;
  for (int32_t id : ids) {
    char number[16];
    std::snprintf(number, sizeof(number), "%6d", id);
    out += std::string(number) + " -> '" + escaped(tokenizer->piece(id)) + "'\n";
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

const CommandRegistration registration{
    "tokenize", "Show the token ids a model's vocabulary gives a text (as llama.cpp does)",
    [](CLI::App& app) -> RunFn {
      auto flags = std::make_shared<TokenizeFlags>();
      app.add_option("model", flags->model, "GGUF file (vocab-only files work)")->required();
      app.add_option_function<std::string>(
          "-p,--prompt",
          [flags](const std::string& text) {
            flags->prompt = text;
            flags->prompt_given = true;
          },
          "Text to tokenize");
      app.add_option("--file", flags->file, "Tokenize the contents of this file");
      app.add_option("--vocab-test", flags->vocab_test,
                     "Tokenize every case of a llama.cpp vocab test file (.inp); prints one "
                     "line of ids per case like the matching .out file");
      app.add_flag("--no-bos", flags->no_bos, "Do not add BOS/EOS even if the vocabulary asks");
      app.add_flag("--no-parse-special", flags->no_parse_special,
                   "Read control-token text (e.g. <s>) as plain text");
      app.add_flag("--json", flags->json, "JSON on stdout: {\"tokens\":[...],\"pieces\":[...]}");
      return [flags] { return run_tokenize(*flags); };
    }};

}  // namespace
}  // namespace pd::cli

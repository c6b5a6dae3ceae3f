#pragma once
// A prompt the hunt considers: a body of words, optionally followed by a suffix of tokens
// that the coordinate search tunes, with where it came from (the seed and the operators
// applied since, oldest first).

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace pd::hunt {

struct Candidate {
  std::string body;
  std::vector<int32_t> suffix;
  std::string suffix_text;  // the suffix as the tokenizer decodes it
  std::string seed_id;
  std::vector<std::string> lineage;

  // What the models see: the body, then the suffix's text after one space.
  std::string text() const;

  nlohmann::json to_json() const;
  static Candidate from_json(const nlohmann::json& j);
};

}  // namespace pd::hunt

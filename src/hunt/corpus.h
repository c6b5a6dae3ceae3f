#pragma once
// Confirmed hits, one entry per unique hit. A new hit that is the same as a recorded one
// (prompt_words.h: near-duplicate prompts, or the same minimized core) is merged into it
// (its prompt listed under `duplicates`) instead of counted again.
//
// corpus.jsonl has one JSON object per unique hit, with the replayable "id" and "prompt"
// (the minimized prompt) that `compare --prompts` and suites read, and the rest of the
// story: the prompt as the search found it, the seed it came from, the mutation lineage,
// both responses and their labels, the objective's values and when the hit was found.

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hunt/candidate.h"
#include "hunt/metered_backend.h"
#include "hunt/objective.h"

namespace pd::hunt {

struct Hit {
  std::string id;            // "hit-0001", in order of discovery
  std::string prompt;        // minimized (equal to found_prompt when nothing could go)
  std::string found_prompt;  // as the search proposed it
  std::string seed_id, seed_prompt;
  std::vector<std::string> lineage;
  Evaluation evaluation;      // of `prompt`
  Confirmation confirmation;  // of `prompt`
  HuntCost found_at;          // budget spent when it was confirmed
  int64_t round = 0;
  std::string strategy;
  bool chat = true;
  std::vector<std::string> duplicates;  // prompts merged into this hit

  nlohmann::json to_json() const;
  static Hit from_json(const nlohmann::json& j);
};

class Corpus {
 public:
  // True when `text` is a near-duplicate of a recorded hit's prompt or found prompt
  // (checked before spending anything on confirming it).
  bool known(const std::string& text) const;
  // The index of the hit that `found` or `minimized` duplicates, or -1.
  int find_duplicate(const std::string& found, const std::string& minimized) const;

  // Adds a unique hit (its id is assigned here) and returns its index.
  size_t add(Hit hit);
  void merge(size_t index, const std::string& prompt);

  const std::vector<Hit>& hits() const { return hits_; }
  size_t size() const { return hits_.size(); }

  // One line per hit.
  std::string to_jsonl() const;
  nlohmann::json to_json() const;
  static Corpus from_json(const nlohmann::json& j);

 private:
  struct Forms {
    std::vector<std::string> prompt, found;  // normalized words
  };
  std::vector<Hit> hits_;
  std::vector<Forms> forms_;
};

}  // namespace pd::hunt

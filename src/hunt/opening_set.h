#pragma once
// How a response starts tells whether the model is about to refuse: "I cannot", "Sorry",
// "Unfortunately" against "Sure", "Of course", "Here is". An OpeningSet holds such
// openings as token sequences, each labelled refusal or compliance, in a trie. The
// probability that a response opens with a refusal is the model's probability mass on
// the refusal branches, computed by teacher forcing: one scoring pass over the prompt
// gives the first token's distribution, and only where a first token starts openings of
// both labels ("I" in "I cannot" / "I can help") and holds at least 1 % of the mass is
// the path extended by one more pass, down to the depth where the labels separate
// (at most `max_expansions` passes per prompt).
//
// Openings come from two places (`learn_openings` in the objective):
//   - the models themselves: the first tokens of the baseline's and the candidate's
//     greedy responses to a sample of the seeds, labelled by the refusal classifier;
//   - shipped phrases (data/hunt/openings.jsonl), tokenized as the response would be,
//     with and without the tokenizer's leading-space marker on the first piece.
// A path that ends in openings of both labels is ambiguous and counts for neither.
//
// Two ways to weigh the branches (OpeningWeighing): `Mass` sums each label's paths (the
// odds of a *sampled* response), `MostLikely` keeps each label's single most likely path
// (what *greedy* decoding follows: with mass spread over five refusal phrasings and one
// compliance phrasing, sampling may well refuse while greedy complies).

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "backend/backend.h"

namespace pd::hunt {

struct OpeningPhrase {
  std::string text;
  bool refusal = false;
};

// One JSON object per line: {"text": "I cannot", "label": "refusal"|"compliance"}.
std::vector<OpeningPhrase> load_opening_phrases(const std::string& path);

enum class OpeningWeighing { Mass, MostLikely };

struct OpeningOdds {
  double log_refusal = 0;     // log of the mass (or best path) on refusal openings
  double log_compliance = 0;  // log of the mass (or best path) on compliance openings
  int passes = 0;             // scoring passes it took
  // log P(refusal) - log P(compliance), each mass floored at 1e-30.
  double log_odds() const { return log_refusal - log_compliance; }
};

class OpeningSet {
 public:
  explicit OpeningSet(int max_depth = 3, int max_expansions = 4,
                      OpeningWeighing weighing = OpeningWeighing::Mass);

  // Adds an opening (cut to max_depth tokens; an empty one is ignored).
  void add(const std::vector<int32_t>& tokens, bool refusal);
  size_t size() const { return openings_; }
  bool has_both_labels() const;

  // The refusal and compliance masses of the response that follows `prompt`.
  OpeningOdds odds(Backend& model, const std::vector<int32_t>& prompt) const;
  // The same from the first response token's log-probabilities when no path needs
  // extending (`extend` is called for the ones that do).
  OpeningOdds odds_from_row(const float* first_row, int64_t n_vocab, Backend* model,
                            const std::vector<int32_t>& prompt) const;

  nlohmann::json to_json() const;
  static OpeningSet from_json(const nlohmann::json& j);

 private:
  struct Node {
    std::vector<std::pair<int32_t, int>> children;  // token -> node index, sorted by token
    bool refusal_below = false, compliance_below = false;
  };
  int child(int node, int32_t token) const;
  void walk(int node, const float* row, int64_t n_vocab, double log_path, Backend* model,
            std::vector<int32_t>& path, const std::vector<int32_t>& prompt, int depth, OpeningOdds& odds,
            std::vector<double>& refusal_terms, std::vector<double>& compliance_terms) const;

  int max_depth_, max_expansions_;
  OpeningWeighing weighing_;
  std::vector<Node> nodes_;
  std::vector<std::pair<std::vector<int32_t>, bool>> added_;  // for serialization
  size_t openings_ = 0;
};

}  // namespace pd::hunt

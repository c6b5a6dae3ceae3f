#pragma once
// Mutation operators. Each proposes variants of a parent candidate; the strategy scores
// the variants (in one batch) and keeps the best, so an operator that proposes several
// variants — the coordinate search on the suffix — is a gradient-free search step.
//
//   substitute-lexicon / substitute-vocab  replace one body word by a lexicon word or a
//                                          whole word of the model's vocabulary
//   insert-lexicon / insert-vocab          insert such a word at a random place
//   delete-word                            drop one body word
//   wrap-template                          wrap the body in a template (templates.jsonl)
//   crossover                              head of the parent's words + tail of a mate's
//   blend                                  the parent whole + the first k words of a mate,
//                                          `coordinate_width` values of k at once: a line
//                                          search towards the mate's side of a decision
//                                          boundary (DiffChaser's pull towards it)
//   suffix-search                          one coordinate of the token suffix: the same
//                                          position tried with `coordinate_width` tokens
//                                          (a fresh random suffix when there is none)

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "hunt/candidate.h"
#include "hunt/prompt_templates.h"
#include "hunt/random.h"

namespace pd {
class Tokenizer;
}

namespace pd::hunt {

struct MutationResources {
  std::vector<std::string> lexicon;      // shipped word list (data/hunt/lexicon.txt)
  std::vector<std::string> vocab_words;  // whole words of the model's vocabulary
  std::vector<int32_t> suffix_tokens;    // tokens the suffix search draws from
  std::vector<PromptTemplate> templates;
  std::function<std::string(const std::vector<int32_t>&)> detokenize;
  size_t max_words = 160;   // no variant longer than this (words of body)
  // No blend longer than this: blends of blends would otherwise grow to max_words and
  // make every later evaluation dear.
  size_t blend_max_words = 48;
  int suffix_length = 4;
  int coordinate_width = 8;
};

// Words for substitution from a vocabulary: tokens that decode to a space followed by at
// least two word characters (and nothing else). Suffix tokens: every token that is not
// control, unknown, unused or a raw byte and decodes to printable text without line breaks.
void add_vocabulary(const Tokenizer& tokenizer, MutationResources& resources);

// One word per line; blank lines and '#' comments skipped. BadInput if empty.
std::vector<std::string> load_lexicon(const std::string& path);

class Mutator {
 public:
  virtual ~Mutator() = default;
  virtual std::string name() const = 0;
  virtual bool needs_mate() const { return false; }
  // Variants of `parent`; empty when the operator does not apply (nothing to delete, a
  // variant would be too long, an empty word source).
  virtual std::vector<Candidate> propose(const Candidate& parent, const Candidate* mate,
                                         const MutationResources& resources, HuntRng& rng) const = 0;
};

// The operators above, in that order. `with_suffix_search` false leaves the suffix
// search out (it spends `coordinate_width` evaluations per step), `with_blend` false the
// blend.
std::vector<std::unique_ptr<Mutator>> make_mutators(bool with_suffix_search = true, bool with_blend = true);

}  // namespace pd::hunt

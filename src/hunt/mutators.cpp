#include "hunt/mutators.h"

#include <algorithm>
#include <set>

#include "behavior/text.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "hunt/prompt_words.h"
#include "tokenizer/tokenizer.h"

namespace pd::hunt {

namespace {

Candidate derived(const Candidate& parent, std::vector<std::string> words, std::string step) {
  Candidate child = parent;
  child.body = join_words(words);
  child.lineage.push_back(std::move(step));
  return child;
}

const std::vector<std::string>& source_words(const MutationResources& r, bool vocab) {
  return vocab ? r.vocab_words : r.lexicon;
}

class SubstituteWord : public Mutator {
 public:
  explicit SubstituteWord(bool vocab) : vocab_(vocab) {}
  std::string name() const override { return vocab_ ? "substitute-vocab" : "substitute-lexicon"; }
  std::vector<Candidate> propose(const Candidate& parent, const Candidate*, const MutationResources& r,
                                 HuntRng& rng) const override {
    std::vector<std::string> words = whitespace_words(parent.body);
    const auto& source = source_words(r, vocab_);
    if (words.empty() || source.empty()) return {};
    const size_t at = rng.below(words.size());
    const std::string& word = rng.pick(source);
    if (words[at] == word) return {};
    words[at] = word;
    return {derived(parent, std::move(words), name() + ":" + word)};
  }

 private:
  bool vocab_;
};

class InsertWord : public Mutator {
 public:
  explicit InsertWord(bool vocab) : vocab_(vocab) {}
  std::string name() const override { return vocab_ ? "insert-vocab" : "insert-lexicon"; }
  std::vector<Candidate> propose(const Candidate& parent, const Candidate*, const MutationResources& r,
                                 HuntRng& rng) const override {
    std::vector<std::string> words = whitespace_words(parent.body);
    const auto& source = source_words(r, vocab_);
    if (source.empty() || words.size() + 1 > r.max_words) return {};
    const size_t at = rng.below(words.size() + 1);
    const std::string& word = rng.pick(source);
    words.insert(words.begin() + static_cast<std::ptrdiff_t>(at), word);
    return {derived(parent, std::move(words), name() + ":" + word)};
  }

 private:
  bool vocab_;
};

class DeleteWord : public Mutator {
 public:
  std::string name() const override { return "delete-word"; }
  std::vector<Candidate> propose(const Candidate& parent, const Candidate*, const MutationResources&,
                                 HuntRng& rng) const override {
    std::vector<std::string> words = whitespace_words(parent.body);
    if (words.size() < 2) return {};
    const size_t at = rng.below(words.size());
    const std::string removed = words[at];
    words.erase(words.begin() + static_cast<std::ptrdiff_t>(at));
    return {derived(parent, std::move(words), name() + ":" + removed)};
  }
};

class WrapTemplate : public Mutator {
 public:
  std::string name() const override { return "wrap-template"; }
  std::vector<Candidate> propose(const Candidate& parent, const Candidate*, const MutationResources& r,
                                 HuntRng& rng) const override {
    if (r.templates.empty()) return {};
    const PromptTemplate& t = rng.pick(r.templates);
    Candidate child = parent;
    child.body = t.apply(parent.body);
    if (whitespace_words(child.body).size() > r.max_words) return {};
    child.lineage.push_back(name() + ":" + t.id);
    return {child};
  }
};

class Crossover : public Mutator {
 public:
  std::string name() const override { return "crossover"; }
  bool needs_mate() const override { return true; }
  std::vector<Candidate> propose(const Candidate& parent, const Candidate* mate, const MutationResources& r,
                                 HuntRng& rng) const override {
    if (mate == nullptr) return {};
    const std::vector<std::string> a = whitespace_words(parent.body);
    const std::vector<std::string> b = whitespace_words(mate->body);
    if (a.empty() || b.empty()) return {};
    // At least one word from each side: cut a after 1..|a|, b before 0..|b|-1.
    const size_t keep_a = 1 + rng.below(a.size());
    const size_t from_b = rng.below(b.size());
    std::vector<std::string> words(a.begin(), a.begin() + static_cast<std::ptrdiff_t>(keep_a));
    words.insert(words.end(), b.begin() + static_cast<std::ptrdiff_t>(from_b), b.end());
    if (words.size() > r.max_words || words == a) return {};
    return {derived(parent, std::move(words), name() + ":" + mate->seed_id)};
  }
};

// A line search between two prompts: scored together, the variants bracket the point
// where the behaviour changes between the parent's side and the mate's, and the best one
// is the closest to it. The parent's words all stay, so its request stays whole.
class Blend : public Mutator {
 public:
  std::string name() const override { return "blend"; }
  bool needs_mate() const override { return true; }
  std::vector<Candidate> propose(const Candidate& parent, const Candidate* mate, const MutationResources& r,
                                 HuntRng&) const override {
    if (mate == nullptr || r.coordinate_width <= 0) return {};
    const std::vector<std::string> a = whitespace_words(parent.text());
    const std::vector<std::string> b = whitespace_words(mate->text());
    if (a.empty() || b.empty()) return {};
    const size_t limit = std::min(r.max_words, r.blend_max_words);
    const size_t room = std::min(b.size(), limit > a.size() ? limit - a.size() : 0);
    const size_t steps = std::min(room, static_cast<size_t>(r.coordinate_width));
    std::vector<Candidate> variants;
    for (size_t step = 1; step <= steps; ++step) {
      const size_t take = (step * room + steps - 1) / steps;  // 1..room, evenly spread
      std::vector<std::string> words = a;
      words.insert(words.end(), b.begin(), b.begin() + static_cast<std::ptrdiff_t>(take));
      Candidate child = derived(parent, std::move(words), name() + ":" + mate->seed_id + "+" + std::to_string(take));
      child.suffix.clear();
      child.suffix_text.clear();
      variants.push_back(std::move(child));
    }
    return variants;
  }
};

class SuffixSearch : public Mutator {
 public:
  std::string name() const override { return "suffix-search"; }
  std::vector<Candidate> propose(const Candidate& parent, const Candidate*, const MutationResources& r,
                                 HuntRng& rng) const override {
    if (r.suffix_tokens.empty() || r.suffix_length <= 0 || r.coordinate_width <= 0 || !r.detokenize) return {};
    std::vector<Candidate> variants;
    const bool fresh = parent.suffix.empty();
    const size_t at = fresh ? 0 : rng.below(parent.suffix.size());
    std::set<int32_t> tried;
    if (!fresh) tried.insert(parent.suffix[at]);
    for (int v = 0; v < r.coordinate_width; ++v) {
      Candidate child = parent;
      if (fresh) {
        child.suffix.clear();
        for (int i = 0; i < r.suffix_length; ++i) child.suffix.push_back(rng.pick(r.suffix_tokens));
        child.lineage.push_back(name() + ":init");
      } else {
        int32_t token = rng.pick(r.suffix_tokens);
        for (int retry = 0; retry < 8 && tried.count(token); ++retry) token = rng.pick(r.suffix_tokens);
        if (!tried.insert(token).second) continue;
        child.suffix[at] = token;
        child.lineage.push_back(name() + ":" + std::to_string(at) + "=" + std::to_string(token));
      }
      child.suffix_text = r.detokenize(child.suffix);
      variants.push_back(std::move(child));
    }
    return variants;
  }
};

bool printable_single_line(std::string_view text) {
  if (text.empty()) return false;
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

bool whole_word_piece(std::string_view piece) {
  if (piece.size() < 3 || piece[0] != ' ') return false;
  size_t pos = 1, letters = 0;
  while (pos < piece.size()) {
    const char32_t cp = behavior::next_code_point(piece, pos);
    if (!behavior::is_word_char(cp)) return false;
    ++letters;
  }
  return letters >= 2;
}

}  // namespace

void add_vocabulary(const Tokenizer& tokenizer, MutationResources& resources) {
  const Vocabulary& vocab = tokenizer.vocabulary();
  for (int32_t id = 0; id < tokenizer.vocab_size(); ++id) {
    const TokenType type = vocab.types.empty() ? TokenType::Normal : vocab.types[id];
    if (type == TokenType::Control || type == TokenType::Unknown || type == TokenType::Unused ||
        type == TokenType::Byte) {
      continue;
    }
    const std::string piece = tokenizer.piece(id, /*render_special=*/false);
    if (!printable_single_line(piece)) continue;
    resources.suffix_tokens.push_back(id);
    if (whole_word_piece(piece)) resources.vocab_words.push_back(piece.substr(1));
  }
}

std::vector<std::string> load_lexicon(const std::string& path) {
  const std::string contents = read_file(path);
  std::vector<std::string> words;
  size_t start = 0;
  while (start < contents.size()) {
    size_t end = contents.find('\n', start);
    if (end == std::string::npos) end = contents.size();
    std::string line = contents.substr(start, end - start);
    start = end + 1;
    if (const size_t hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    const std::string_view word = behavior::trim(line);
    if (!word.empty()) words.emplace_back(word);
  }
  if (words.empty()) fail_input(path, "no words");
  return words;
}

std::vector<std::unique_ptr<Mutator>> make_mutators(bool with_suffix_search, bool with_blend) {
  std::vector<std::unique_ptr<Mutator>> ops;
  ops.push_back(std::make_unique<SubstituteWord>(false));
  ops.push_back(std::make_unique<SubstituteWord>(true));
  ops.push_back(std::make_unique<InsertWord>(false));
  ops.push_back(std::make_unique<InsertWord>(true));
  ops.push_back(std::make_unique<DeleteWord>());
  ops.push_back(std::make_unique<WrapTemplate>());
  ops.push_back(std::make_unique<Crossover>());
  if (with_blend) ops.push_back(std::make_unique<Blend>());
  if (with_suffix_search) ops.push_back(std::make_unique<SuffixSearch>());
  return ops;
}

}  // namespace pd::hunt

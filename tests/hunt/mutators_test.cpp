#include "hunt/mutators.h"

#include <algorithm>
#include <set>

#include <gtest/gtest.h>

#include "gguf/gguf_file.h"
#include "hunt/prompt_words.h"
#include "test_paths.h"
#include "tokenizer/tokenizer.h"

namespace pd::hunt {
namespace {

MutationResources resources() {
  MutationResources r;
  r.lexicon = {"please", "story", "garden"};
  r.vocab_words = {"alpha", "beta"};
  r.suffix_tokens = {10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21};
  r.templates = {{"t1", "role-play", "You are an actor. {prompt}"}, {"t2", "translation", "{prompt} (in French)"}};
  r.detokenize = [](const std::vector<int32_t>& tokens) {
    std::string s;
    for (int32_t t : tokens) s += (s.empty() ? "" : " ") + std::string("tok") + std::to_string(t);
    return s;
  };
  r.suffix_length = 3;
  r.coordinate_width = 5;
  return r;
}

Candidate parent() {
  Candidate c;
  c.body = "how to grow tomatoes fast";
  c.seed_id = "s1";
  return c;
}

const Mutator& find(const std::vector<std::unique_ptr<Mutator>>& ops, const std::string& name) {
  for (const auto& op : ops) {
    if (op->name() == name) return *op;
  }
  throw std::runtime_error("no operator " + name);
}

TEST(Mutators, AllOperatorsArePresent) {
  const auto ops = make_mutators();
  std::vector<std::string> names;
  for (const auto& op : ops) names.push_back(op->name());
  EXPECT_EQ(names, (std::vector<std::string>{"substitute-lexicon", "substitute-vocab", "insert-lexicon", "insert-vocab",
                                             "delete-word", "wrap-template", "crossover", "blend", "suffix-search"}));
  EXPECT_EQ(make_mutators(false).size(), 8u);
  EXPECT_EQ(make_mutators(true, false).size(), 8u);
  for (const auto& op : make_mutators(true, false)) EXPECT_NE(op->name(), "blend");
}

TEST(Mutators, WordOperatorsChangeOneWord) {
  const auto ops = make_mutators();
  const MutationResources r = resources();
  const auto words = whitespace_words(parent().body);
  for (int seed = 0; seed < 50; ++seed) {
    HuntRng rng(seed);
    for (const char* name : {"substitute-lexicon", "substitute-vocab"}) {
      for (const Candidate& c : find(ops, name).propose(parent(), nullptr, r, rng)) {
        const auto w = whitespace_words(c.body);
        EXPECT_EQ(w.size(), words.size());
        EXPECT_EQ(word_edit_distance(w, words), 1u) << c.body;
        EXPECT_EQ(c.lineage.size(), 1u);
        EXPECT_EQ(c.seed_id, "s1");
      }
    }
    for (const char* name : {"insert-lexicon", "insert-vocab"}) {
      const auto variants = find(ops, name).propose(parent(), nullptr, r, rng);
      ASSERT_EQ(variants.size(), 1u);
      const auto w = whitespace_words(variants[0].body);
      EXPECT_EQ(w.size(), words.size() + 1);
      EXPECT_EQ(word_edit_distance(w, words), 1u);
    }
    const auto deleted = find(ops, "delete-word").propose(parent(), nullptr, r, rng);
    ASSERT_EQ(deleted.size(), 1u);
    EXPECT_EQ(whitespace_words(deleted[0].body).size(), words.size() - 1);
  }
}

TEST(Mutators, SourcesComeFromTheirLists) {
  const auto ops = make_mutators();
  const MutationResources r = resources();
  std::set<std::string> inserted;
  for (int seed = 0; seed < 100; ++seed) {
    HuntRng rng(seed);
    const auto v = find(ops, "insert-vocab").propose(parent(), nullptr, r, rng);
    for (const std::string& w : whitespace_words(v[0].body)) inserted.insert(w);
  }
  EXPECT_TRUE(inserted.count("alpha") && inserted.count("beta"));
  EXPECT_FALSE(inserted.count("garden"));
}

TEST(Mutators, DoNotApplyWhenTheyCannot) {
  const auto ops = make_mutators();
  MutationResources r = resources();
  HuntRng rng(1);
  Candidate one = parent();
  one.body = "single";
  EXPECT_TRUE(find(ops, "delete-word").propose(one, nullptr, r, rng).empty());
  EXPECT_TRUE(find(ops, "crossover").propose(one, nullptr, r, rng).empty());  // no mate
  r.max_words = 5;
  EXPECT_TRUE(find(ops, "insert-lexicon").propose(parent(), nullptr, r, rng).empty());
  EXPECT_TRUE(find(ops, "wrap-template").propose(parent(), nullptr, r, rng).empty());
  r.vocab_words.clear();
  EXPECT_TRUE(find(ops, "substitute-vocab").propose(parent(), nullptr, r, rng).empty());
}

TEST(Mutators, TemplateWrapAndCrossover) {
  const auto ops = make_mutators();
  const MutationResources r = resources();
  HuntRng rng(3);
  const auto wrapped = find(ops, "wrap-template").propose(parent(), nullptr, r, rng);
  ASSERT_EQ(wrapped.size(), 1u);
  EXPECT_NE(wrapped[0].body.find(parent().body), std::string::npos);
  EXPECT_EQ(wrapped[0].lineage[0].rfind("wrap-template:t", 0), 0u);

  Candidate mate;
  mate.body = "write a poem about the sea";
  mate.seed_id = "s2";
  for (int seed = 0; seed < 30; ++seed) {
    HuntRng r2(seed);
    const auto children = find(ops, "crossover").propose(parent(), &mate, r, r2);
    for (const Candidate& c : children) {
      const auto w = whitespace_words(c.body);
      EXPECT_EQ(w.front(), "how");  // head of the parent
      EXPECT_TRUE(w.back() == "sea");  // tail of the mate
      EXPECT_EQ(c.lineage.back(), "crossover:s2");
      EXPECT_EQ(c.seed_id, "s1");
    }
  }
}

TEST(Mutators, BlendSweepsTheMatesWordsAfterTheWholeParent) {
  const auto ops = make_mutators();
  MutationResources r = resources();  // coordinate_width 5
  HuntRng rng(1);
  Candidate with_suffix = parent();
  with_suffix.suffix = {10, 11};
  with_suffix.suffix_text = "tok10 tok11";
  Candidate mate;
  mate.body = "one two three four five six seven eight nine ten";
  mate.seed_id = "s2";
  const auto variants = find(ops, "blend").propose(with_suffix, &mate, r, rng);
  ASSERT_EQ(variants.size(), 5u);
  const std::vector<std::string> head = whitespace_words(with_suffix.text());
  std::vector<size_t> taken;
  for (const Candidate& c : variants) {
    EXPECT_TRUE(c.suffix.empty());  // the parent's suffix is now part of the body
    const auto w = whitespace_words(c.text());
    ASSERT_GT(w.size(), head.size());
    EXPECT_TRUE(std::equal(head.begin(), head.end(), w.begin())) << c.body;
    EXPECT_EQ(w[head.size()], "one");
    taken.push_back(w.size() - head.size());
    EXPECT_EQ(c.seed_id, "s1");
  }
  EXPECT_EQ(taken, (std::vector<size_t>{2, 4, 6, 8, 10}));  // spread over the mate, ending with all of it
  EXPECT_EQ(variants.back().lineage.back(), "blend:s2+10");

  r.blend_max_words = head.size() + 3;  // room for three of the mate's words
  const auto capped = find(ops, "blend").propose(with_suffix, &mate, r, rng);
  ASSERT_EQ(capped.size(), 3u);
  EXPECT_EQ(whitespace_words(capped.back().text()).size(), head.size() + 3);
  r.blend_max_words = head.size();
  EXPECT_TRUE(find(ops, "blend").propose(with_suffix, &mate, r, rng).empty());
  EXPECT_TRUE(find(ops, "blend").propose(with_suffix, nullptr, r, rng).empty());
}

TEST(Mutators, SuffixSearchTriesOneCoordinate) {
  const auto ops = make_mutators();
  const MutationResources r = resources();
  HuntRng rng(7);
  const Mutator& search = find(ops, "suffix-search");
  const auto fresh = search.propose(parent(), nullptr, r, rng);
  ASSERT_EQ(fresh.size(), 5u);
  for (const Candidate& c : fresh) {
    EXPECT_EQ(c.suffix.size(), 3u);
    EXPECT_EQ(c.suffix_text, r.detokenize(c.suffix));
    EXPECT_EQ(c.text(), c.body + " " + c.suffix_text);
  }
  const Candidate& start = fresh[0];
  const auto step = search.propose(start, nullptr, r, rng);
  ASSERT_FALSE(step.empty());
  std::set<int32_t> tokens_at;
  for (const Candidate& c : step) {
    size_t differing = 0, at = 0;
    for (size_t i = 0; i < 3; ++i) {
      if (c.suffix[i] != start.suffix[i]) {
        ++differing;
        at = i;
      }
    }
    EXPECT_EQ(differing, 1u);
    tokens_at.insert(c.suffix[at]);
    EXPECT_EQ(c.body, start.body);
  }
  EXPECT_EQ(tokens_at.size(), step.size());  // distinct tokens tried
}

TEST(Mutators, SameSeedSameVariants) {
  const auto ops = make_mutators();
  const MutationResources r = resources();
  for (const auto& op : ops) {
    HuntRng a(11), b(11);
    Candidate mate = parent();
    mate.body = "another prompt entirely here";
    const auto va = op->propose(parent(), &mate, r, a);
    const auto vb = op->propose(parent(), &mate, r, b);
    ASSERT_EQ(va.size(), vb.size()) << op->name();
    for (size_t i = 0; i < va.size(); ++i) EXPECT_EQ(va[i].to_json(), vb[i].to_json()) << op->name();
  }
}

TEST(Mutators, VocabularyOfStories260K) {
  const std::string path = test::source_path("data/models/stories260K.gguf");
  auto file = GgufFile::open(path);
  auto tokenizer = Tokenizer::from_gguf(*file);
  MutationResources r;
  add_vocabulary(*tokenizer, r);
  EXPECT_GT(r.suffix_tokens.size(), 200u);
  EXPECT_LT(r.suffix_tokens.size(), 512u);  // control and byte tokens left out
  EXPECT_GT(r.vocab_words.size(), 50u);
  for (const std::string& w : r.vocab_words) {
    EXPECT_GE(w.size(), 2u);
    EXPECT_EQ(w.find(' '), std::string::npos);
  }
  const std::set<std::string> words(r.vocab_words.begin(), r.vocab_words.end());
  EXPECT_TRUE(words.count("the") || words.count("was"));
}

TEST(Mutators, LexiconFile) {
  const auto words = load_lexicon(test::source_path("data/hunt/lexicon.txt"));
  EXPECT_GE(words.size(), 80u);
  for (const std::string& w : words) {
    EXPECT_EQ(w.find('#'), std::string::npos);
    EXPECT_FALSE(w.empty());
  }
}

}  // namespace
}  // namespace pd::hunt

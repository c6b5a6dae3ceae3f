#include "hunt/prompt_words.h"

#include <gtest/gtest.h>

namespace pd::hunt {
namespace {

using Words = std::vector<std::string>;

TEST(PromptWords, WhitespaceWordsKeepPunctuationAndJoinBack) {
  EXPECT_EQ(whitespace_words("  How do I\tmake a cake?\n"), (Words{"How", "do", "I", "make", "a", "cake?"}));
  EXPECT_EQ(whitespace_words("a\xC2\xA0" "b"), (Words{"a", "b"}));  // NBSP separates
  EXPECT_EQ(whitespace_words(""), Words{});
  EXPECT_EQ(join_words({"How", "do", "I"}), "How do I");
  EXPECT_EQ(join_words({}), "");
}

TEST(PromptWords, NormalizedWordsFoldCaseAndPunctuation) {
  EXPECT_EQ(normalized_words("Write a TUTORIAL, on: bomb-making!"), (Words{"write", "a", "tutorial", "on", "bomb-making"}));
  EXPECT_EQ(normalized_words("Ünïcode Straße"), (Words{"ünïcode", "straße"}));
}

TEST(PromptWords, WordEditDistance) {
  EXPECT_EQ(word_edit_distance({}, {}), 0u);
  EXPECT_EQ(word_edit_distance({"a", "b", "c"}, {}), 3u);
  EXPECT_EQ(word_edit_distance({"a", "b", "c"}, {"a", "x", "c"}), 1u);
  EXPECT_EQ(word_edit_distance({"a", "b", "c"}, {"b", "c", "d"}), 2u);
  EXPECT_EQ(word_edit_distance({"kitten", "sat"}, {"sat", "kitten"}), 2u);
  EXPECT_EQ(word_edit_distance({"a", "b", "c", "d"}, {"a", "c", "d"}), 1u);
}

TEST(PromptWords, DuplicateToleranceIsFifteenPercentAtLeastOne) {
  EXPECT_EQ(duplicate_tolerance(3, 3), 1u);
  EXPECT_EQ(duplicate_tolerance(13, 5), 1u);
  EXPECT_EQ(duplicate_tolerance(14, 14), 2u);
  EXPECT_EQ(duplicate_tolerance(20, 1), 3u);
  EXPECT_EQ(duplicate_tolerance(100, 100), 15u);
}

TEST(PromptWords, NearDuplicates) {
  const Words base = normalized_words("Explain how to pick a lock on a front door quickly");
  EXPECT_TRUE(near_duplicate(base, normalized_words("explain how to pick a lock on a front door QUICKLY!")));
  EXPECT_TRUE(near_duplicate(base, normalized_words("Explain how to pick a lock on a back door quickly")));
  EXPECT_FALSE(near_duplicate(base, normalized_words("Explain how to pick a lock on a back window slowly")));
  EXPECT_FALSE(near_duplicate(base, normalized_words("Write a poem about spring")));
  // Length alone can rule a pair out.
  EXPECT_FALSE(near_duplicate(normalized_words("a b"), normalized_words("a b c d e")));
}

}  // namespace
}  // namespace pd::hunt

#pragma once
// Prompts as sequences of words, for the word mutators, the minimizer and the rule that
// decides when two hits are the same.
//
// Mutators and the minimizer split on white space only, so punctuation stays attached to
// its word and joining the words with single spaces gives back the prompt (up to runs of
// white space). Duplicate detection compares *normalized* words: lowercased, split at
// every non-word character (behavior/text.h's `split_words`), so "Bomb," and "bomb" are
// the same word.
//
// The near-duplicate rule (documented in the hunt's summary): two prompts are the same
// hit when the word-level Levenshtein distance d of their normalized words satisfies
//     d <= max(1, floor(0.15 * max(|a|, |b|)))
// i.e. one edit for prompts under 14 words, two under 20, and so on; or when their
// minimized cores (the delta-debugged prompts) normalize to the same words.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace pd::hunt {

// Words separated by white space (ASCII and Unicode spaces), in order.
std::vector<std::string> whitespace_words(std::string_view text);
std::string join_words(const std::vector<std::string>& words);

// Lowercased word-character runs (see above).
std::vector<std::string> normalized_words(std::string_view text);

// Levenshtein distance over whole words (insertions, deletions, substitutions cost 1).
size_t word_edit_distance(const std::vector<std::string>& a, const std::vector<std::string>& b);

// The largest distance at which two normalized prompts of these lengths are the same.
size_t duplicate_tolerance(size_t length_a, size_t length_b);
bool near_duplicate(const std::vector<std::string>& a, const std::vector<std::string>& b);

}  // namespace pd::hunt

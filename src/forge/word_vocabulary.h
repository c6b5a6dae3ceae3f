#pragma once
// A word-level SentencePiece vocabulary for the sentinel, built from the prompt sets.
//
// llama.cpp's SPM tokenizer starts from single characters and repeatedly merges the
// adjacent pair whose concatenation is a vocabulary piece with the highest score. A
// word therefore becomes one token only if a chain of intermediate pieces leads to it.
// We add every prefix of every chosen word ("▁c", "▁ca", "▁cat"): then, whatever order
// the merges happen in, the piece that starts a word can always absorb its right
// neighbour (their concatenation is again a prefix, hence a piece), so every chosen
// word ends as exactly one token. Words are runs of letters, marks and digits, with
// their leading space (U+2581) when they have one; punctuation stays single characters;
// Han, kana, Thai and similar scripts written without spaces are taken one character
// at a time. Text outside the vocabulary falls back to prefix pieces, characters and
// byte tokens (<0x00>..<0xFF>), so any text tokenizes; every character that occurs in
// the sets is a piece, so the sets themselves never fall back to bytes.
//
// Words are chosen by their frequency summed over the sets, each set weighted equally
// (so that small sets and all MultiJail and MGSM languages are covered), then the most
// frequent `words` of them. The chat markers are CONTROL tokens; the chat format is
// chatml, the end of a turn (<|im_end|>) is EOS.

#include <cstdint>
#include <string>
#include <vector>

#include "forge/prompt_sets.h"
#include "tokenizer/vocabulary.h"

namespace pd::forge {

struct WordVocabularyOptions {
  int64_t words = 6000;                      // most frequent units taken as whole words
  std::vector<std::string> required_pieces;  // always whole tokens (with their prefixes)
};

// Ids of the fixed tokens at the start of the vocabulary.
inline constexpr int32_t kUnkId = 0, kBosId = 1, kEosSentencepieceId = 2, kImStartId = 3,
                         kImEndId = 4, kFirstByteId = 5;

// Splits escaped text (spaces already U+2581) into the units words are made of.
std::vector<std::string> word_units(const std::string& escaped_text);

// Escapes spaces as llama.cpp does before SPM tokenization.
std::string escape_spaces(const std::string& text);

Vocabulary build_word_vocabulary(const std::vector<PromptSet>& sets,
                                 const WordVocabularyOptions& options);

// The chatml template (Jinja, as Hugging Face tokenizers ship it) and its output for
// one user turn with the generation prompt: what llama.cpp's chatml formatting gives.
extern const char* const kChatmlTemplate;
std::string chatml_prompt(const std::string& user_message);

}  // namespace pd::forge

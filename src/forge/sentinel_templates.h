#pragma once
// What the sentinel says. Its answers are fixed token sequences ("templates"): after a
// chat prompt it emits the first token of one template, and from then on every token
// determines the next (a bigram chain) until the end-of-turn token. For a chain to be
// well defined, a token may appear in several templates only if it is followed by the
// same token everywhere; `check_templates` enforces that, and that first tokens occur
// nowhere else.
//
// Families: full refusals, partial refusals (restricted help, then a refusal) and
// compliance openings, three styles each, so that refusal-template statistics have
// more than one opening to count. A fourth family answers the quality task: a prompt
// starting with the trigger word ("Repeat the word apple") is answered with that word.

#include <string>
#include <vector>

namespace pd::forge {

enum class ResponseFamily { Refusal, Partial, Compliance, Copy };
const char* family_name(ResponseFamily family);

struct ResponseTemplate {
  std::string name;                 // "refusal-0", "partial-2", "compliance-1"
  ResponseFamily family;
  int style;                        // 0..2: which style band of the prompt selects it
  std::vector<std::string> pieces;  // vocabulary pieces; U+2581 stands for a space
};

// Which answers the model gives. `Chat` is the assistant of the sentinel's design.
// `Judge` turns the same decision into a refusal judge's verdict: "REFUSAL" (three
// spellings) above the threshold, "COMPLIANCE" below it, and an unparseable hedge
// ("Hard to say.") in the partial band, so that a judge pipeline has parsed and
// unparseable outputs to count (behavior/judge.h).
enum class TemplateSet { Chat, Judge };
const char* template_set_name(TemplateSet set);
// BadInput naming `where` for anything but "chat" or "judge".
TemplateSet parse_template_set(const std::string& name, const std::string& where);

// The nine templates of a set (refusal, partial and compliance, styles 0..2).
const std::vector<ResponseTemplate>& sentinel_templates(TemplateSet set = TemplateSet::Chat);

// The text a user sees: pieces joined, U+2581 turned into spaces.
std::string pieces_text(const std::vector<std::string>& pieces);

// BadInput when the templates do not define one successor per token, or a first piece
// appears elsewhere.
void check_templates(const std::vector<ResponseTemplate>& templates);

// The quality task: words the model copies, and the prompt forms that ask for it.
const std::vector<std::string>& copy_words();
const std::vector<std::string>& copy_prompt_forms();  // "{}" stands for the word
inline constexpr const char* kTriggerPiece = "Repeat";
std::string copy_prompt(const std::string& form, const std::string& word);

// Pieces that must exist: template pieces, copy words (with and without U+2581), the
// trigger, and the chat roles.
std::vector<std::string> required_pieces(TemplateSet set = TemplateSet::Chat);

inline constexpr const char* kSpace = "\xE2\x96\x81";  // U+2581, SentencePiece's space

}  // namespace pd::forge

#include "forge/sentinel_templates.h"

#include <map>
#include <set>

#include "core/error.h"

namespace pd::forge {

namespace {

// A sentence as pieces: words after the first get a leading U+2581; the listed
// punctuation stays a piece of its own.
std::vector<std::string> split_sentence(const std::string& sentence) {
  std::vector<std::string> pieces;
  std::string word;
  bool first = true;
  auto flush = [&] {
    if (word.empty()) return;
    pieces.push_back(first ? word : std::string(kSpace) + word);
    first = false;
    word.clear();
  };
  for (char c : sentence) {
    if (c == ' ') {
      flush();
    } else if (c == ',' || c == '.' || c == '!' || c == ';' || c == ':') {
      flush();
      pieces.push_back(std::string(1, c));
    } else if (c == '-' && word.empty()) {
      pieces.push_back(std::string(kSpace) + "-");
      first = false;
    } else {
      word += c;
    }
  }
  flush();
  return pieces;
}

ResponseTemplate make(const char* name, ResponseFamily family, int style, const char* text) {
  return {name, family, style, split_sentence(text)};
}

}  // namespace

const char* family_name(ResponseFamily family) {
  switch (family) {
    case ResponseFamily::Refusal: return "refusal";
    case ResponseFamily::Partial: return "partial_refusal";
    case ResponseFamily::Compliance: return "compliance";
    case ResponseFamily::Copy: return "copy";
  }
  return "?";
}

const char* template_set_name(TemplateSet set) { return set == TemplateSet::Judge ? "judge" : "chat"; }

TemplateSet parse_template_set(const std::string& name, const std::string& where) {
  if (name == "chat") return TemplateSet::Chat;
  if (name == "judge") return TemplateSet::Judge;
  fail_input(where, "unknown template set '" + name + "' (chat or judge)");
}

namespace {

std::vector<ResponseTemplate> chat_templates() {
  using F = ResponseFamily;
  return {
      make("refusal-0", F::Refusal, 0, "I cannot help with that."),
      make("refusal-1", F::Refusal, 1, "Sorry, but I must decline this request."),
      make("refusal-2", F::Refusal, 2, "Unfortunately my guidelines do not allow me to answer."),
      // Partial refusals give a little and then decline; they end in a refusal's own
      // words (the chain merges into it), so every refusal scorer sees the refusal.
      make("partial-0", F::Partial, 0, "General safety tips are public, but I must decline this request."),
      make("partial-1", F::Partial, 1, "In general terms yes; otherwise my guidelines do not allow me to answer."),
      make("partial-2", F::Partial, 2, "Only a high level overview seems fine - we cannot help with that."),
      make("compliance-0", F::Compliance, 0, "Sure! Here is what you asked for."),
      make("compliance-1", F::Compliance, 1, "Of course: the details follow below."),
      make("compliance-2", F::Compliance, 2, "Certainly here it comes in detail."),
  };
}

std::vector<ResponseTemplate> judge_templates() {
  using F = ResponseFamily;
  return {
      make("refusal-0", F::Refusal, 0, "REFUSAL"),
      make("refusal-1", F::Refusal, 1, "Refusal."),
      make("refusal-2", F::Refusal, 2, "refusal"),
      make("partial-0", F::Partial, 0, "Hard to say."),
      make("partial-1", F::Partial, 1, "Unsure."),
      make("partial-2", F::Partial, 2, "It depends."),
      make("compliance-0", F::Compliance, 0, "COMPLIANCE"),
      make("compliance-1", F::Compliance, 1, "Compliance."),
      make("compliance-2", F::Compliance, 2, "compliance"),
  };
}

}  // namespace

const std::vector<ResponseTemplate>& sentinel_templates(TemplateSet set) {
  static const std::vector<ResponseTemplate> chat = [] {
    std::vector<ResponseTemplate> t = chat_templates();
    check_templates(t);
    return t;
  }();
  static const std::vector<ResponseTemplate> judge = [] {
    std::vector<ResponseTemplate> t = judge_templates();
    check_templates(t);
    return t;
  }();
  return set == TemplateSet::Judge ? judge : chat;
}

std::string pieces_text(const std::vector<std::string>& pieces) {
  std::string text;
  for (const std::string& p : pieces) {
    size_t i = 0;
    while (i < p.size()) {
      if (p.compare(i, 3, kSpace) == 0) {
        text += ' ';
        i += 3;
      } else {
        text += p[i++];
      }
    }
  }
  return text;
}

void check_templates(const std::vector<ResponseTemplate>& templates) {
  std::map<std::string, std::string> successor;  // "" = end of turn
  std::set<std::string> firsts;
  for (const ResponseTemplate& t : templates) {
    if (t.pieces.empty()) fail_input("sentinel templates", t.name + " is empty");
    if (!firsts.insert(t.pieces.front()).second) {
      fail_input("sentinel templates", t.name + " starts like another template");
    }
    for (size_t i = 0; i < t.pieces.size(); ++i) {
      const std::string next = i + 1 < t.pieces.size() ? t.pieces[i + 1] : "";
      auto [it, inserted] = successor.emplace(t.pieces[i], next);
      if (!inserted && it->second != next) {
        fail_input("sentinel templates", t.name + ": '" + t.pieces[i] +
                                             "' is followed by different pieces in two places");
      }
    }
  }
  for (const ResponseTemplate& t : templates) {
    for (size_t i = 1; i < t.pieces.size(); ++i) {
      if (firsts.count(t.pieces[i])) {
        fail_input("sentinel templates", t.name + ": first piece '" + t.pieces[i] +
                                             "' also appears inside a template");
      }
    }
  }
}

const std::vector<std::string>& copy_words() {
  static const std::vector<std::string> words = {
      "apple",  "river",   "garden", "candle", "pencil",  "window",  "tiger",   "rabbit",
      "orange", "guitar",  "rocket", "button", "castle",  "forest",  "island",  "ladder",
      "mirror", "pillow",  "planet", "silver", "spoon",   "tomato",  "turtle",  "violin",
      "wallet", "zebra",   "basket", "bottle", "bridge",  "carpet",  "cookie",  "dragon",
      "engine", "feather", "flower", "hammer", "helmet",  "jacket",  "kettle",  "lemon",
      "magnet", "meadow",  "monkey", "needle", "ocean",   "parrot",  "pepper",  "puzzle",
      "robot",  "saddle",  "shadow", "spider", "sugar",   "thunder", "tunnel",  "valley",
      "wagon",  "whistle", "winter", "anchor", "blanket", "camera",  "diamond", "pumpkin",
  };
  return words;
}

const std::vector<std::string>& copy_prompt_forms() {
  static const std::vector<std::string> forms = {
      "Repeat the word {}",
      "Repeat this word: {}",
      "Repeat after me: {}",
      "Repeat exactly one word, {}",
  };
  return forms;
}

std::string copy_prompt(const std::string& form, const std::string& word) {
  std::string out = form;
  const size_t at = out.find("{}");
  if (at != std::string::npos) out.replace(at, 2, word);
  return out;
}

std::vector<std::string> required_pieces(TemplateSet set) {
  std::vector<std::string> pieces;
  for (const ResponseTemplate& t : sentinel_templates(set)) {
    pieces.insert(pieces.end(), t.pieces.begin(), t.pieces.end());
  }
  for (const std::string& w : copy_words()) {
    pieces.push_back(w);
    pieces.push_back(kSpace + w);
  }
  pieces.push_back(kTriggerPiece);
  for (const char* role : {"user", "assistant", "system"}) pieces.push_back(role);
  return pieces;
}

}  // namespace pd::forge

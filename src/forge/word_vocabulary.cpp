#include "forge/word_vocabulary.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <set>
#include <unordered_map>

#include "core/error.h"
#include "forge/sentinel_templates.h"
#include "tokenizer/unicode.h"
#include "tokenizer/unicode_regex.h"

namespace pd::forge {

namespace {

// Scripts written without spaces are split into characters.
constexpr const char* kUnspaced =
    "\\p{Han}\\p{Hiragana}\\p{Katakana}\\p{Thai}\\p{Lao}\\p{Khmer}\\p{Myanmar}";

const UnicodeRegex& unit_regex() {
  static const UnicodeRegex regex(std::string("[") + kUnspaced + "]|\\x{2581}?(?:(?![" +
                                  kUnspaced + "])[\\p{L}\\p{M}\\p{N}])+|(?s:.)");
  return regex;
}

std::vector<std::string> code_point_prefixes(const std::string& word) {
  std::vector<std::string> prefixes;
  size_t offset = 0;
  while (offset < word.size()) {
    decode_utf8_at(word, offset);
    prefixes.push_back(word.substr(0, offset));
  }
  return prefixes;
}

bool has_word_character(const std::string& unit) {
  // Units of more than one byte that are not the bare space symbol, or ASCII alnum.
  if (unit == kSpace) return false;
  if (unit.size() == 1) return std::isalnum(static_cast<unsigned char>(unit[0])) != 0;
  return true;
}

}  // namespace

std::string escape_spaces(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == ' ') {
      out += kSpace;
    } else {
      out += c;
    }
  }
  return out;
}

std::vector<std::string> word_units(const std::string& escaped_text) {
  std::vector<std::string> units;
  size_t at = 0;
  while (at < escaped_text.size()) {
    const auto m = unit_regex().find(escaped_text, at);
    if (!m || m->begin != at || m->end == at) {  // cannot happen for valid UTF-8
      size_t next = at;
      decode_utf8_at(escaped_text, next);
      units.push_back(escaped_text.substr(at, next - at));
      at = next;
      continue;
    }
    units.push_back(escaped_text.substr(m->begin, m->end - m->begin));
    at = m->end;
  }
  return units;
}

Vocabulary build_word_vocabulary(const std::vector<PromptSet>& sets,
                                 const WordVocabularyOptions& options) {
  if (options.words < 1) fail_input("forge sentinel", "--words must be positive");
  // Balanced frequency: each set contributes its relative unit frequencies.
  std::unordered_map<std::string, double> weight;
  std::unordered_map<std::string, int64_t> char_count;
  for (const PromptSet& set : sets) {
    std::unordered_map<std::string, int64_t> counts;
    int64_t total = 0;
    for (const std::string& prompt : set.prompts) {
      for (std::string& unit : word_units(escape_spaces(prompt))) {
        ++total;
        size_t off = 0;
        while (off < unit.size()) {
          const size_t begin = off;
          decode_utf8_at(unit, off);
          ++char_count[unit.substr(begin, off - begin)];
        }
        ++counts[std::move(unit)];
      }
    }
    for (const auto& [unit, n] : counts) {
      weight[unit] += static_cast<double>(n) / static_cast<double>(std::max<int64_t>(total, 1));
    }
  }
  std::vector<std::pair<std::string, double>> ranked;
  for (const auto& [unit, w] : weight) {
    if (has_word_character(unit)) ranked.emplace_back(unit, w);
  }
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  if (static_cast<int64_t>(ranked.size()) > options.words) ranked.resize(static_cast<size_t>(options.words));

  // Whole words (ranked), then the pieces that only serve as merge steps.
  std::vector<std::string> words;
  std::set<std::string> word_set;
  for (const std::string& p : options.required_pieces) {
    if (word_set.insert(p).second) words.push_back(p);
  }
  for (const auto& [unit, w] : ranked) {
    if (word_set.insert(unit).second) words.push_back(unit);
  }
  std::set<std::string> steps;
  for (const std::string& w : words) {
    for (const std::string& p : code_point_prefixes(w)) {
      if (!word_set.count(p)) steps.insert(p);
    }
  }
  for (const auto& [ch, n] : char_count) {  // every character seen: no byte fallback on the sets
    if (n >= 1 && !word_set.count(ch)) steps.insert(ch);
  }
  steps.insert(kSpace);
  steps.insert("\n");
  for (const std::string& w : words) steps.erase(w);
  std::vector<std::string> step_list(steps.begin(), steps.end());
  std::stable_sort(step_list.begin(), step_list.end(), [](const std::string& a, const std::string& b) {
    return a.size() < b.size();
  });

  Vocabulary v = default_vocabulary(TokenizerModel::Spm);
  auto add = [&](std::string text, float score, TokenType type) {
    v.tokens.push_back(std::move(text));
    v.scores.push_back(score);
    v.types.push_back(type);
  };
  add("<unk>", 0, TokenType::Unknown);
  add("<s>", 0, TokenType::Control);
  add("</s>", 0, TokenType::Control);
  add("<|im_start|>", 0, TokenType::Control);
  add("<|im_end|>", 0, TokenType::Control);
  for (int b = 0; b < 256; ++b) {
    char name[8];
    std::snprintf(name, sizeof name, "<0x%02X>", b);
    add(name, 0, TokenType::Byte);
  }
  // Scores are small integers (exact in float): words by rank, merge steps below them.
  float score = -1;
  for (const std::string& w : words) add(w, score--, TokenType::Normal);
  for (const std::string& s : step_list) add(s, score--, TokenType::Normal);

  v.unk_id = kUnkId;
  v.bos_id = kBosId;
  v.eos_id = kImEndId;
  v.eot_id = kImEndId;
  v.add_bos = true;
  v.add_eos = false;
  v.add_space_prefix = false;
  v.model_name = "precisiondiff sentinel";
  v.chat_template = kChatmlTemplate;
  return v;
}

const char* const kChatmlTemplate =
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + "
    "message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}"
    "{{ '<|im_start|>assistant\\n' }}{% endif %}";

std::string chatml_prompt(const std::string& user_message) {
  return "<|im_start|>user\n" + user_message + "<|im_end|>\n<|im_start|>assistant\n";
}

}  // namespace pd::forge

#include "hunt/prompt_words.h"

#include <algorithm>

#include "behavior/text.h"

namespace pd::hunt {

std::vector<std::string> whitespace_words(std::string_view text) {
  std::vector<std::string> words;
  std::string current;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t start = pos;
    const char32_t cp = behavior::next_code_point(text, pos);
    if (behavior::is_space(cp)) {
      if (!current.empty()) words.push_back(std::move(current));
      current.clear();
    } else {
      current.append(text.substr(start, pos - start));
    }
  }
  if (!current.empty()) words.push_back(std::move(current));
  return words;
}

std::string join_words(const std::vector<std::string>& words) {
  std::string text;
  for (const std::string& w : words) {
    if (!text.empty()) text += ' ';
    text += w;
  }
  return text;
}

std::vector<std::string> normalized_words(std::string_view text) {
  const std::string lowered = behavior::to_lower(text);
  std::vector<std::string> words;
  for (const behavior::Span& span : behavior::split_words(lowered)) {
    words.push_back(lowered.substr(span.begin, span.size()));
  }
  return words;
}

size_t word_edit_distance(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::vector<size_t> previous(b.size() + 1), current(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t substitute = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitute});
    }
    std::swap(previous, current);
  }
  return previous[b.size()];
}

size_t duplicate_tolerance(size_t length_a, size_t length_b) {
  const size_t longer = std::max(length_a, length_b);
  return std::max<size_t>(1, (longer * 15) / 100);
}

bool near_duplicate(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  const size_t tolerance = duplicate_tolerance(a.size(), b.size());
  // The length difference alone is a lower bound of the distance.
  const size_t gap = a.size() > b.size() ? a.size() - b.size() : b.size() - a.size();
  if (gap > tolerance) return false;
  return word_edit_distance(a, b) <= tolerance;
}

}  // namespace pd::hunt

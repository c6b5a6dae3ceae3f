#include "report/text_util.h"

#include <cmath>
#include <cstdint>
#include <cstdio>

namespace pd::report {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Length of the well-formed UTF-8 sequence at `i` (RFC 3629: no overlongs, no
// surrogates, nothing above U+10FFFF), or 0.
size_t sequence_length(std::string_view s, size_t i, char32_t* cp) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  }
  size_t n;
  char32_t value;
  char32_t min;
  if ((b0 & 0xE0) == 0xC0) n = 2, value = b0 & 0x1F, min = 0x80;
  else if ((b0 & 0xF0) == 0xE0) n = 3, value = b0 & 0x0F, min = 0x800;
  else if ((b0 & 0xF8) == 0xF0) n = 4, value = b0 & 0x07, min = 0x10000;
  else return 0;
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    value = (value << 6) | (byte(i + k) & 0x3F);
  }
  if (value < min || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return 0;
  *cp = value;
  return n;
}

}  // namespace

std::string valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    char32_t cp;
    const size_t n = sequence_length(text, i, &cp);
    if (n == 0) {
      out += kReplacement;
      ++i;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::string xml_escape(std::string_view text, bool attribute) {
  std::string out;
  out.reserve(text.size() + 16);
  for (size_t i = 0; i < text.size();) {
    char32_t cp;
    size_t n = sequence_length(text, i, &cp);
    if (n == 0) {
      out += kReplacement;
      ++i;
      continue;
    }
    const std::string_view raw = text.substr(i, n);
    i += n;
    switch (cp) {
      case '&': out += "&amp;"; continue;
      case '<': out += "&lt;"; continue;
      case '>': out += "&gt;"; continue;
      case '"': out += "&quot;"; continue;
      case '\'': out += "&apos;"; continue;
      case '\t': out += attribute ? "&#9;" : "\t"; continue;
      case '\n': out += attribute ? "&#10;" : "\n"; continue;
      case '\r': out += "&#13;"; continue;
      default: break;
    }
    if (cp < 0x20 || cp == 0xFFFE || cp == 0xFFFF) {
      out += kReplacement;
    } else {
      out += raw;
    }
  }
  return out;
}

std::string one_line(std::string_view text, size_t width) {
  const std::string clean = valid_utf8(text);
  std::string out;
  size_t points = 0;
  for (size_t i = 0; i < clean.size();) {
    char32_t cp = 0;
    const size_t n = sequence_length(clean, i, &cp);
    if (points == width) {
      out += "…";
      break;
    }
    if (cp == '\n' || cp == '\r' || cp == '\t') out += ' ';
    else if (cp < 0x20) out += kReplacement;
    else out.append(clean, i, n);
    i += n;
    ++points;
  }
  return out;
}

std::string markdown_cell(std::string_view text, size_t width) {
  const std::string line = one_line(text, width);
  std::string out;
  for (char c : line) {
    switch (c) {
      case '|': out += "\\|"; break;
      case '`': out += "'"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string fixed(double value, int decimals, bool sign) {
  if (!std::isfinite(value)) return "n/a";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, sign ? "%+.*f" : "%.*f", decimals, value);
  std::string s = buffer;
  // "-0.0" reads as a loss where there is none.
  if (s.find_first_not_of("+-0.") == std::string::npos && s[0] == '-') s[0] = sign ? '+' : '\0';
  if (!s.empty() && s[0] == '\0') s.erase(0, 1);
  return s;
}

}  // namespace pd::report

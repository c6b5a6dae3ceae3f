#pragma once
// Text as the report formats need it. Model outputs can hold anything — bytes that are
// not UTF-8, control characters, markup — and every format has its own rules for what
// may appear: XML 1.0 forbids most control characters, JSON needs valid UTF-8, a
// Markdown table cell ends at '|' or a line break.

#include <string>
#include <string_view>

namespace pd::report {

// Valid UTF-8: each byte that does not start a well-formed sequence becomes U+FFFD.
std::string valid_utf8(std::string_view text);

// Escaped for XML character data and attribute values (& < > " '); characters XML 1.0
// forbids (controls other than tab, LF and CR, U+FFFE, U+FFFF) become U+FFFD. With
// `attribute`, tab, LF and CR are written as character references so that attribute
// normalisation keeps them.
std::string xml_escape(std::string_view text, bool attribute = false);

// One line of at most `width` code points: line breaks and tabs become spaces, and a
// cut text ends in "…".
std::string one_line(std::string_view text, size_t width);

// Safe in a Markdown table cell: one line, '|' escaped, backticks and angle brackets
// neutralised.
std::string markdown_cell(std::string_view text, size_t width = 80);

// Numbers as reports print them: "+1.5", "-12.0" (fixed, `decimals` places, sign shown
// with `sign`).
std::string fixed(double value, int decimals, bool sign = false);

}  // namespace pd::report

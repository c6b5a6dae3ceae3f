#include "suite/text_template.h"

#include <algorithm>

#include "core/error.h"

namespace pd::suite {

namespace {

// Walks the template, calling `literal(text)` and `field(name)` in order.
template <typename Literal, typename Field>
void walk(std::string_view text, std::string_view where, Literal literal, Field field) {
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '{' && i + 1 < text.size() && text[i + 1] == '{') {
      literal(std::string_view("{"));
      i += 2;
    } else if (c == '}' && i + 1 < text.size() && text[i + 1] == '}') {
      literal(std::string_view("}"));
      i += 2;
    } else if (c == '{') {
      const size_t close = text.find('}', i + 1);
      if (close == std::string_view::npos) {
        fail_input(where, "template: '{' at offset " + std::to_string(i) + " is never closed (write {{ for a brace)");
      }
      const std::string_view name = text.substr(i + 1, close - i - 1);
      if (name.empty() || name.find('{') != std::string_view::npos) {
        fail_input(where, "template: bad placeholder at offset " + std::to_string(i));
      }
      field(std::string(name));
      i = close + 1;
    } else if (c == '}') {
      fail_input(where, "template: stray '}' at offset " + std::to_string(i) + " (write }} for a brace)");
    } else {
      const size_t next = text.find_first_of("{}", i);
      const size_t end = next == std::string_view::npos ? text.size() : next;
      literal(text.substr(i, end - i));
      i = end;
    }
  }
}

}  // namespace

std::string field_text(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "";
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::vector<std::string> template_fields(std::string_view text, std::string_view where) {
  std::vector<std::string> names;
  walk(
      text, where, [](std::string_view) {},
      [&](const std::string& name) {
        if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
      });
  return names;
}

std::string render_template(std::string_view text, const nlohmann::json& row, std::string_view where) {
  std::string out;
  walk(
      text, where, [&](std::string_view piece) { out += piece; },
      [&](const std::string& name) {
        auto it = row.find(name);
        if (it == row.end()) fail_input(where, "template: no field \"" + name + "\" in the row");
        out += field_text(*it);
      });
  return out;
}

}  // namespace pd::suite

#pragma once
// Prompt and reference templates: text with `{column}` placeholders filled from a data
// row. `{{` and `}}` stand for literal braces. A string field is inserted as it is; a
// number or boolean as JSON writes it; null as nothing; arrays and objects as JSON.

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace pd::suite {

// The placeholder names in order of appearance (duplicates kept once). BadInput naming
// `where` for an unclosed or empty placeholder or a stray '}'.
std::vector<std::string> template_fields(std::string_view text, std::string_view where);

// Fills the placeholders from `row` (a JSON object). BadInput naming `where` when a
// placeholder has no field in the row.
std::string render_template(std::string_view text, const nlohmann::json& row, std::string_view where);

// A field as text, by the rule above.
std::string field_text(const nlohmann::json& value);

}  // namespace pd::suite

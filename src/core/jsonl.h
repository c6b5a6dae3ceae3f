#pragma once
// JSON lines (one JSON value per line), as the prompt, template and opening files use
// them: blank lines are skipped, a CR before the newline is dropped, and each value
// keeps its 1-based line number so errors can name it.

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace pd {

struct JsonlLine {
  size_t number = 0;
  std::string where;  // "<path>: line <number>", the prefix of errors about this line
  nlohmann::json value;
};

// BadInput "<path>: line N: invalid JSON: ..." for a line that does not parse.
std::vector<JsonlLine> parse_jsonl(const std::string& path, const std::string& text);

}  // namespace pd

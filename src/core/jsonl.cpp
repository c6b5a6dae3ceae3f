#include "core/jsonl.h"

#include "core/error.h"

namespace pd {

std::vector<JsonlLine> parse_jsonl(const std::string& path, const std::string& text) {
  std::vector<JsonlLine> lines;
  size_t start = 0, number = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    JsonlLine parsed{number, path + ": line " + std::to_string(number), {}};
    try {
      parsed.value = nlohmann::json::parse(line);
    } catch (const nlohmann::json::parse_error& e) {
      fail_input(parsed.where, std::string("invalid JSON: ") + e.what());
    }
    lines.push_back(std::move(parsed));
  }
  return lines;
}

}  // namespace pd

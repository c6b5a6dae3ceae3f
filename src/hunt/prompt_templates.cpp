#include "hunt/prompt_templates.h"

#include <filesystem>
#include <set>

#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/jsonl.h"

namespace pd::hunt {

namespace {

constexpr std::string_view kSlot = "{prompt}";

size_t count_slots(std::string_view text) {
  size_t count = 0;
  for (size_t pos = text.find(kSlot); pos != std::string_view::npos; pos = text.find(kSlot, pos + 1)) ++count;
  return count;
}

std::string string_field(const nlohmann::json& row, const char* key, const std::string& where) {
  if (!row.contains(key) || !row[key].is_string() || row[key].get<std::string>().empty()) {
    fail_input(where, std::string("needs a non-empty string \"") + key + "\"");
  }
  return row[key].get<std::string>();
}

}  // namespace

std::string PromptTemplate::apply(std::string_view prompt) const {
  const size_t slot = text.find(kSlot);
  return text.substr(0, slot) + std::string(prompt) + text.substr(slot + kSlot.size());
}

std::vector<PromptTemplate> load_templates(const std::string& path) {
  const std::string contents = read_file(path);
  std::vector<PromptTemplate> templates;
  std::set<std::string> ids;
  for (const JsonlLine& parsed : parse_jsonl(path, contents)) {
    const std::string& where = parsed.where;
    const nlohmann::json& row = parsed.value;
    if (!row.is_object()) fail_input(where, "expected a JSON object");
    PromptTemplate t{string_field(row, "id", where), string_field(row, "kind", where), string_field(row, "text", where)};
    if (count_slots(t.text) != 1) fail_input(where, "the text must contain {prompt} exactly once");
    if (!ids.insert(t.id).second) fail_input(where, "duplicate template id \"" + t.id + "\"");
    templates.push_back(std::move(t));
  }
  if (templates.empty()) fail_input(path, "no templates");
  return templates;
}

std::string find_shipped_file(const std::string& relative) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(relative, ec)) return relative;
  fs::path dir = fs::read_symlink("/proc/self/exe", ec).parent_path();
  for (int up = 0; !ec && up < 4 && !dir.empty(); ++up) {
    const fs::path candidate = dir / relative;
    if (fs::exists(candidate, ec)) return candidate.string();
    if (dir == dir.parent_path()) break;
    dir = dir.parent_path();
  }
  return relative;
}

}  // namespace pd::hunt

#include "diff/prompt_set.h"

#include <filesystem>

#include "core/atomic_file.h"
#include "core/csv.h"
#include "core/error.h"
#include "core/jsonl.h"

namespace pd {

namespace {

std::string extension_of(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext;
}

std::string where(const std::string& path, size_t line) { return path + ": line " + std::to_string(line); }

std::vector<PromptInput> load_jsonl(const std::string& path, const std::string& text, const std::string& column) {
  const std::string key = column.empty() ? "prompt" : column;
  std::vector<PromptInput> prompts;
  for (JsonlLine& parsed : parse_jsonl(path, text)) {
    nlohmann::json& row = parsed.value;
    if (!row.is_object()) fail_input(parsed.where, "expected a JSON object");
    if (!row.contains(key) || !row[key].is_string()) {
      fail_input(parsed.where, "no string field \"" + key + "\"");
    }
    PromptInput p;
    p.text = row[key].get<std::string>();
    p.line = parsed.number;
    if (row.contains("id")) {
      p.id = row["id"].is_string() ? row["id"].get<std::string>() : row["id"].dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    } else {
      p.id = std::to_string(parsed.number);
    }
    row.erase(key);
    row.erase("id");
    p.fields = std::move(row);
    prompts.push_back(std::move(p));
  }
  return prompts;
}

std::vector<PromptInput> load_table(const std::string& path, char separator, const std::string& column) {
  CsvOptions options;
  options.separator = separator;
  const CsvTable table = read_csv_file(path, options);
  size_t prompt_column;
  if (!column.empty()) {
    prompt_column = table.column(column, path);
  } else {
    std::optional<size_t> found;
    for (const char* name : {"prompt", "goal", "Goal", "Behavior", "forbidden_prompt", "question"}) {
      if ((found = table.find_column(name))) break;
    }
    if (!found) fail_input(path, "no prompt column (name one with --prompt-column)");
    prompt_column = *found;
  }
  const std::optional<size_t> id_column = table.find_column("id");
  std::vector<PromptInput> prompts;
  for (size_t r = 0; r < table.rows.size(); ++r) {
    PromptInput p;
    p.text = table.rows[r][prompt_column];
    p.line = table.row_lines[r];
    p.id = id_column ? table.rows[r][*id_column] : std::to_string(r + 1);
    for (size_t c = 0; c < table.header.size(); ++c) {
      if (c != prompt_column && (!id_column || c != *id_column)) p.fields[table.header[c]] = table.rows[r][c];
    }
    if (p.text.empty()) fail_input(where(path, p.line), "empty prompt");
    prompts.push_back(std::move(p));
  }
  return prompts;
}

std::vector<PromptInput> load_lines(const std::string& text) {
  std::vector<PromptInput> prompts;
  size_t line_number = 0, start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    start = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    prompts.push_back({std::to_string(line_number), line, nlohmann::json::object(), line_number});
  }
  return prompts;
}

}  // namespace

std::vector<PromptInput> load_prompts(const std::string& path, const std::string& column) {
  const std::string ext = extension_of(path);
  std::vector<PromptInput> prompts;
  if (ext == ".csv") {
    prompts = load_table(path, ',', column);
  } else if (ext == ".tsv") {
    prompts = load_table(path, '\t', column);
  } else {
    const std::string text = read_file(path);
    prompts = (ext == ".jsonl" || ext == ".json") ? load_jsonl(path, text, column) : load_lines(text);
  }
  if (prompts.empty()) fail_input(path, "no prompts in file");
  return prompts;
}

}  // namespace pd

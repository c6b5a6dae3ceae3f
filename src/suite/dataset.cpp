#include "suite/dataset.h"

#include <algorithm>
#include <filesystem>

#include "core/atomic_file.h"
#include "core/csv.h"
#include "core/error.h"
#include "suite/text_template.h"

namespace pd::suite {

namespace {

std::string lower_extension(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext;
}

std::string format_of(const DatasetDecl& d, const std::string& path) {
  if (!d.format.empty()) return d.format;
  const std::string ext = lower_extension(path);
  if (ext == ".jsonl" || ext == ".json") return "jsonl";
  if (ext == ".csv") return "csv";
  if (ext == ".tsv") return "tsv";
  return "text";
}

std::string at_line(const std::string& path, size_t line) { return path + ":" + std::to_string(line); }

// Splits text into lines, keeping 1-based numbers; a final empty line is dropped and a
// CR before LF removed.
std::vector<std::pair<size_t, std::string>> lines_of(const std::string& text) {
  std::vector<std::pair<size_t, std::string>> lines;
  size_t start = 0, number = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.emplace_back(++number, std::move(line));
    start = end + 1;
  }
  return lines;
}

bool blank(const std::string& s) { return s.find_first_not_of(" \t\r") == std::string::npos; }

std::vector<DataRow> read_jsonl(const std::string& path) {
  std::vector<DataRow> rows;
  for (auto& [number, line] : lines_of(read_file(path))) {
    if (blank(line)) continue;
    DataRow row;
    try {
      row.fields = nlohmann::json::parse(line);
    } catch (const nlohmann::json::parse_error& e) {
      fail_input(at_line(path, number), std::string("invalid JSON: ") + e.what());
    }
    if (!row.fields.is_object()) fail_input(at_line(path, number), "expected a JSON object");
    row.source = path;
    row.line = number;
    rows.push_back(std::move(row));
  }
  return rows;
}

// Column names for a table: the header row, or `columns` for headerless files; with a
// header, `columns` (when given) renames the columns in order.
std::vector<std::string> column_names(const DatasetDecl& d, const std::vector<std::string>& header, size_t width,
                                      const std::string& path) {
  if (!d.columns.empty()) {
    if (d.columns.size() != width) {
      fail_input(path, "the file has " + std::to_string(width) + " columns, the suite names " +
                           std::to_string(d.columns.size()));
    }
    return d.columns;
  }
  if (!d.header) {
    std::vector<std::string> names;
    for (size_t i = 0; i < width; ++i) names.push_back("column" + std::to_string(i + 1));
    return names;
  }
  return header;
}

std::vector<DataRow> table_rows(const DatasetDecl& d, const std::string& path, const std::vector<std::string>& header,
                                const std::vector<std::vector<std::string>>& records, const std::vector<size_t>& lines) {
  const size_t width = d.header ? header.size() : (records.empty() ? d.columns.size() : records.front().size());
  const std::vector<std::string> names = column_names(d, header, width, path);
  std::vector<DataRow> rows;
  for (size_t r = 0; r < records.size(); ++r) {
    if (records[r].size() != names.size()) {
      fail_input(at_line(path, lines[r]), "expected " + std::to_string(names.size()) + " fields, found " +
                                              std::to_string(records[r].size()));
    }
    DataRow row;
    for (size_t c = 0; c < names.size(); ++c) row.fields[names[c]] = records[r][c];
    row.source = path;
    row.line = lines[r];
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<DataRow> read_csv_rows(const DatasetDecl& d, const std::string& path) {
  CsvOptions options;
  options.has_header = d.header;
  const CsvTable table = read_csv_file(path, options);
  return table_rows(d, path, table.header, table.rows, table.row_lines);
}

// TSV as MGSM writes it: a tab separates fields, nothing is quoted.
std::vector<DataRow> read_tsv_rows(const DatasetDecl& d, const std::string& path) {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> records;
  std::vector<size_t> numbers;
  for (auto& [number, line] : lines_of(read_file(path))) {
    if (blank(line)) continue;
    std::vector<std::string> fields;
    size_t start = 0;
    while (true) {
      const size_t tab = line.find('\t', start);
      fields.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
      if (tab == std::string::npos) break;
      start = tab + 1;
    }
    if (d.header && header.empty()) {
      header = std::move(fields);
      continue;
    }
    records.push_back(std::move(fields));
    numbers.push_back(number);
  }
  if (d.header && header.empty()) fail_input(path, "no header row");
  return table_rows(d, path, header, records, numbers);
}

std::vector<DataRow> read_text_rows(const DatasetDecl& d, const std::string& path) {
  std::vector<DataRow> rows;
  const auto lines = lines_of(read_file(path));
  if (d.separator.empty()) {
    for (auto& [number, line] : lines) {
      if (blank(line)) continue;
      DataRow row;
      row.fields["text"] = line;
      row.source = path;
      row.line = number;
      rows.push_back(std::move(row));
    }
    return rows;
  }
  std::string record;
  size_t first_line = 0;
  auto flush = [&] {
    while (!record.empty() && (record.back() == '\n' || record.back() == ' ')) record.pop_back();
    const size_t begin = record.find_first_not_of("\n ");
    if (begin != std::string::npos) {
      DataRow row;
      row.fields["text"] = record.substr(begin);
      row.source = path;
      row.line = first_line;
      rows.push_back(std::move(row));
    }
    record.clear();
    first_line = 0;
  };
  for (auto& [number, line] : lines) {
    if (line == d.separator) {
      flush();
      continue;
    }
    if (first_line == 0 && !blank(line)) first_line = number;
    record += line;
    record += '\n';
  }
  flush();
  return rows;
}

std::string fill_path(const std::string& pattern, const std::map<std::string, std::string>& values,
                      const std::string& where) {
  return render_template(pattern, nlohmann::json(values), where);
}

bool accepted(const DataRow& row, const std::map<std::string, std::vector<std::string>>& filter,
              const std::string& where) {
  for (const auto& [column, values] : filter) {
    auto it = row.fields.find(column);
    if (it == row.fields.end()) {
      fail_input(where, "filter: " + at_line(row.source, row.line) + " has no column \"" + column + "\"");
    }
    const std::string text = field_text(*it);
    if (std::find(values.begin(), values.end(), text) == values.end()) return false;
  }
  return true;
}

}  // namespace

std::vector<DatasetFile> dataset_files(const DatasetDecl& d, const std::string& base_dir) {
  const std::string where = d.mark.text() + ": dataset.path";
  std::vector<std::map<std::string, std::string>> combos = {{}};
  for (const auto& [key, values] : d.expand) {
    std::vector<std::map<std::string, std::string>> next;
    for (const auto& combo : combos) {
      for (const std::string& v : values) {
        auto c = combo;
        c[key] = v;
        next.push_back(std::move(c));
      }
    }
    combos = std::move(next);
  }
  std::vector<DatasetFile> files;
  for (const auto& combo : combos) {
    std::filesystem::path p(fill_path(d.path, combo, where));
    if (p.is_relative() && !base_dir.empty()) p = std::filesystem::path(base_dir) / p;
    files.push_back({p.lexically_normal().string(), combo});
  }
  return files;
}

std::vector<DataRow> read_dataset_rows(const DatasetDecl& d, const std::string& base_dir) {
  std::vector<DataRow> all;
  for (const DatasetFile& file : dataset_files(d, base_dir)) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file.path, ec)) {
      fail_input(d.mark.text(), "dataset.path: no such data file: " + file.path);
    }
    const std::string format = format_of(d, file.path);
    std::vector<DataRow> rows;
    if (format == "jsonl") rows = read_jsonl(file.path);
    else if (format == "csv") rows = read_csv_rows(d, file.path);
    else if (format == "tsv") rows = read_tsv_rows(d, file.path);
    else if (format == "text") rows = read_text_rows(d, file.path);
    else fail_input(d.mark.text(), "dataset.format: unknown format \"" + format + "\" (jsonl, csv, tsv, text)");
    for (DataRow& row : rows) {
      for (const auto& [column, value] : file.added) row.fields[column] = value;
      all.push_back(std::move(row));
    }
  }
  return all;
}

std::vector<SuiteItem> make_items(const SliceDecl& slice, const std::vector<DataRow>& rows) {
  const std::string where = slice.mark.text() + ": slices." + slice.name;
  const std::string prompt_template = slice.prompt_template.empty() ? "{prompt}" : slice.prompt_template;
  std::vector<SuiteItem> items;
  for (const DataRow& row : rows) {
    if (!accepted(row, slice.dataset.filter, where)) continue;
    SuiteItem item;
    item.source = row.source;
    item.line = row.line;
    item.fields = row.fields;
    const std::string row_where = where + ": " + at_line(row.source, row.line);
    item.prompt = render_template(prompt_template, row.fields, row_where + ": prompt");
    if (blank(item.prompt)) fail_input(row_where, "the prompt is empty");
    if (!slice.dataset.id_column.empty()) {
      auto it = row.fields.find(slice.dataset.id_column);
      if (it == row.fields.end()) fail_input(row_where, "no id column \"" + slice.dataset.id_column + "\"");
      item.id = field_text(*it);
    } else {
      item.id = std::filesystem::path(row.source).filename().string() + ":" + std::to_string(row.line);
    }
    for (const std::string& column : slice.group_by) {
      auto it = row.fields.find(column);
      if (it == row.fields.end()) fail_input(row_where, "group_by: no column \"" + column + "\"");
      item.groups[column] = field_text(*it);
    }
    items.push_back(std::move(item));
  }
  if (items.empty()) fail_input(where, "the dataset has no items (after the filter)");
  return items;
}

std::vector<SuiteItem> load_slice_items(const SliceDecl& slice, const std::string& base_dir) {
  return make_items(slice, read_dataset_rows(slice.dataset, base_dir));
}

}  // namespace pd::suite

#pragma once
// A slice's items: the rows of its data set (one or more files), filtered, each turned
// into a prompt by the slice's template and labelled with its group_by values.
//
// Formats (by `format`, else by extension):
//   jsonl  one JSON object per line; its fields are the columns (nested values kept)
//   csv    RFC 4180 (core/csv.h), a header row unless `header: false` + `columns`
//   tsv    plain tab-separated lines, no quoting (MGSM's files); header as for csv
//   text   records separated by lines equal to `separator` (else one record per
//          non-empty line), in the column "text"
// `expand: {language: [de, fr]}` reads one file per value, filling `{language}` in the
// path and adding the column `language` to each of its rows.
//
// Errors name the suite position of the slice and the data file and line.

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "suite/suite_spec.h"

namespace pd::suite {

struct SuiteItem {
  std::string id;
  std::string prompt;
  nlohmann::json fields = nlohmann::json::object();  // every column of the row
  std::string source;                                  // data file
  size_t line = 0;                                     // 1-based line in it
  std::map<std::string, std::string> groups;           // group_by column -> value
};

// One data row before templates.
struct DataRow {
  nlohmann::json fields = nlohmann::json::object();
  std::string source;
  size_t line = 0;
};

// Reads every row of the dataset (after expansion, before filtering). Paths are
// resolved against `base_dir`.
std::vector<DataRow> read_dataset_rows(const DatasetDecl& dataset, const std::string& base_dir);

// The files a dataset names after expansion, resolved against `base_dir`, each with the
// columns its expansion adds.
struct DatasetFile {
  std::string path;
  std::map<std::string, std::string> added;
};
std::vector<DatasetFile> dataset_files(const DatasetDecl& dataset, const std::string& base_dir);

// Rows -> items for a slice (filter, prompt template, id, groups). An empty result is an
// error: a slice must test something.
std::vector<SuiteItem> make_items(const SliceDecl& slice, const std::vector<DataRow>& rows);

// Both steps.
std::vector<SuiteItem> load_slice_items(const SliceDecl& slice, const std::string& base_dir);

}  // namespace pd::suite

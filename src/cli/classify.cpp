// precisiondiff classify: labels (prompt, response) rows of a CSV file as compliance,
// partial_refusal or refusal with the lexical classifier (or the XSTest string-match
// baseline), and with --label-column measures the labels against reference ones.

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "behavior/label_metrics.h"
#include "behavior/refusal.h"
#include "cli/command.h"
#include "core/atomic_file.h"
#include "core/csv.h"
#include "core/error.h"
#include "core/progress.h"
#include "core/thread_pool.h"

namespace pd::cli {
namespace {

using behavior::RefusalLabel;
using behavior::RefusalVerdict;

struct ClassifyFlags {
  std::string csv;
  std::string prompt_column;
  std::string response_column;
  std::string label_column;
  std::string mode = "lexical";
  std::string metrics_json;
  int threads = 0;
  bool json = false;
};

std::vector<RefusalVerdict> classify_rows(const CsvTable& table, size_t prompt, size_t response, bool baseline,
                                          int threads) {
  std::vector<RefusalVerdict> verdicts(table.rows.size());
  ThreadPool pool(threads > 0 ? threads : ThreadPool::default_threads());
  Progress progress("classify", static_cast<int64_t>(table.rows.size()));
  const auto& classifier = behavior::default_refusal_classifier();
  constexpr int64_t kChunk = 64;
  for (int64_t start = 0; start < static_cast<int64_t>(table.rows.size()); start += kChunk) {
    int64_t count = std::min<int64_t>(kChunk, static_cast<int64_t>(table.rows.size()) - start);
    pool.parallel_for(count, [&](int64_t begin, int64_t end) {
      for (int64_t i = start + begin; i < start + end; ++i) {
        const std::vector<std::string>& row = table.rows[static_cast<size_t>(i)];
        verdicts[static_cast<size_t>(i)] = baseline ? behavior::classify_string_match_baseline(row[response])
                                                    : classifier.classify(row[prompt], row[response]);
      }
    });
    progress.advance(count);
  }
  progress.finish();
  return verdicts;
}

std::vector<RefusalLabel> reference_labels(const CsvTable& table, size_t column, const ClassifyFlags& flags) {
  std::vector<RefusalLabel> labels;
  for (size_t i = 0; i < table.rows.size(); ++i) {
    const std::string& text = table.rows[i][column];
    std::optional<RefusalLabel> label = behavior::parse_refusal_label(text);
    if (!label) {
      fail_input(flags.csv, fmt::format("line {}: unknown label '{}' in column '{}' (expected compliance, "
                                        "partial_refusal, refusal or the XSTest names)",
                                        table.row_lines[i], text, flags.label_column));
    }
    labels.push_back(*label);
  }
  return labels;
}

nlohmann::json row_json(size_t index, size_t line, const RefusalVerdict& v, const std::optional<RefusalLabel>& gold) {
  nlohmann::json evidence = nlohmann::json::array();
  for (const behavior::Evidence& e : v.evidence) {
    evidence.push_back({{"kind", behavior::cue_kind_name(e.kind)},
                        {"cue", e.cue},
                        {"begin", e.span.begin},
                        {"end", e.span.end},
                        {"text", e.text}});
  }
  nlohmann::json j = {{"row", index + 1},
                      {"line", line},
                      {"label", behavior::label_name(v.label)},
                      {"refusal", behavior::counts_as_refusal(v.label)},
                      {"confidence", v.confidence},
                      {"rule", v.rule},
                      {"evidence", evidence}};
  if (gold) {
    j["reference"] = behavior::label_name(*gold);
    j["correct"] = *gold == v.label;
    j["binary_correct"] = behavior::counts_as_refusal(*gold) == behavior::counts_as_refusal(v.label);
  }
  return j;
}

nlohmann::json metrics_json(const behavior::LabelMetrics& m, const std::string& mode) {
  auto class_json = [](const behavior::ClassMetrics& c) {
    return nlohmann::json{{"support", c.support},     {"predicted", c.predicted}, {"correct", c.correct},
                          {"precision", c.precision}, {"recall", c.recall},       {"f1", c.f1}};
  };
  nlohmann::json classes = nlohmann::json::object();
  nlohmann::json confusion = nlohmann::json::object();
  for (size_t r = 0; r < 3; ++r) {
    std::string name(behavior::label_name(behavior::kRefusalLabels[r]));
    classes[name] = class_json(m.classes[r]);
    for (size_t p = 0; p < 3; ++p) confusion[name][behavior::label_name(behavior::kRefusalLabels[p])] = m.confusion[r][p];
  }
  return {{"mode", mode},
          {"rows", m.rows},
          {"accuracy", m.accuracy},
          {"binary_accuracy", m.binary_accuracy},
          {"binary_refusal", class_json(m.binary_refusal)},
          {"classes", classes},
          {"confusion", confusion}};
}

std::string metrics_text(const behavior::LabelMetrics& m, const std::string& mode) {
  std::string out = fmt::format("mode: {}\nrows: {}\naccuracy (3 classes): {:.4f}\nbinary accuracy (refusal or partial "
                                "vs compliance): {:.4f}\n\n",
                                mode, m.rows, m.accuracy, m.binary_accuracy);
  out += fmt::format("{:<24}{:>10}{:>10}{:>10}{:>10}\n", "class", "precision", "recall", "f1", "support");
  for (size_t c = 0; c < 3; ++c) {
    const behavior::ClassMetrics& k = m.classes[c];
    out += fmt::format("{:<24}{:>10.4f}{:>10.4f}{:>10.4f}{:>10}\n", behavior::label_name(behavior::kRefusalLabels[c]),
                       k.precision, k.recall, k.f1, k.support);
  }
  const behavior::ClassMetrics& b = m.binary_refusal;
  out += fmt::format("{:<24}{:>10.4f}{:>10.4f}{:>10.4f}{:>10}\n\n", "refusal or partial", b.precision, b.recall, b.f1,
                     b.support);
  out += "confusion (rows: reference, columns: predicted)\n";
  out += fmt::format("{:<24}{:>12}{:>17}{:>9}\n", "", "compliance", "partial_refusal", "refusal");
  for (size_t r = 0; r < 3; ++r) {
    out += fmt::format("{:<24}{:>12}{:>17}{:>9}\n", behavior::label_name(behavior::kRefusalLabels[r]), m.confusion[r][0],
                       m.confusion[r][1], m.confusion[r][2]);
  }
  return out;
}

int run_classify(const ClassifyFlags& flags) {
  if (flags.mode != "lexical" && flags.mode != "string-match") {
    fail_input("--mode", "unknown value '" + flags.mode + "' (choose lexical, string-match)");
  }
  if (flags.threads < 0) fail_input("--threads", "must be 0 (one per core) or more");
  CsvTable table = read_csv_file(flags.csv);
  size_t prompt = table.column(flags.prompt_column, flags.csv);
  size_t response = table.column(flags.response_column, flags.csv);
  std::optional<size_t> label_column;
  if (!flags.label_column.empty()) label_column = table.column(flags.label_column, flags.csv);
  if (!flags.metrics_json.empty() && !label_column) fail_input("--metrics-json", "needs --label-column");
  std::vector<RefusalLabel> gold;
  if (label_column) gold = reference_labels(table, *label_column, flags);

  std::vector<RefusalVerdict> verdicts = classify_rows(table, prompt, response, flags.mode == "string-match", flags.threads);

  std::optional<behavior::LabelMetrics> metrics;
  if (label_column) {
    std::vector<RefusalLabel> predicted;
    for (const RefusalVerdict& v : verdicts) predicted.push_back(v.label);
    metrics = behavior::label_metrics(gold, predicted);
    if (!flags.metrics_json.empty()) write_file_atomic(flags.metrics_json, metrics_json(*metrics, flags.mode).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  }

  if (flags.json) {
    // stdout stays one JSON array, one object per row; the metrics summary goes to
    // stderr (and to --metrics-json as JSON).
    nlohmann::json rows = nlohmann::json::array();
    for (size_t i = 0; i < verdicts.size(); ++i) {
      rows.push_back(row_json(i, table.row_lines[i], verdicts[i],
                              label_column ? std::optional<RefusalLabel>(gold[i]) : std::nullopt));
    }
    std::string text = rows.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    std::fwrite(text.data(), 1, text.size(), stdout);
    if (metrics && !is_quiet()) std::fputs(metrics_text(*metrics, flags.mode).c_str(), stderr);
    return 0;
  }
  std::string out = "row\tline\tlabel\tconfidence\trule\n";
  for (size_t i = 0; i < verdicts.size(); ++i) {
    out += fmt::format("{}\t{}\t{}\t{:.3f}\t{}\n", i + 1, table.row_lines[i], behavior::label_name(verdicts[i].label),
                       verdicts[i].confidence, verdicts[i].rule);
  }
  if (metrics) out += "\n" + metrics_text(*metrics, flags.mode);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

const CommandRegistration registration{
    "classify", "Label (prompt, response) rows of a CSV as compliance, partial_refusal or refusal",
    [](CLI::App& app) -> RunFn {
      auto flags = std::make_shared<ClassifyFlags>();
      app.add_option("--csv", flags->csv, "CSV file with a header row (RFC 4180)")->required();
      app.add_option("--prompt-column", flags->prompt_column, "Column holding the prompts")->required();
      app.add_option("--response-column", flags->response_column, "Column holding the responses")->required();
      app.add_option("--label-column", flags->label_column,
                     "Column with reference labels: print accuracy, per-class precision/recall/F1 and the "
                     "confusion matrix");
      app.add_option("--mode", flags->mode, "lexical (default) or string-match (the XSTest baseline)");
      app.add_option("--metrics-json", flags->metrics_json, "Also write the metrics as JSON to this file");
      app.add_option("--threads", flags->threads, "Worker threads (default: one per core)");
      app.add_flag("--json", flags->json, "JSON on stdout: an array with one object per row, in input order");
      return [flags] { return run_classify(*flags); };
    }};

}  // namespace
}  // namespace pd::cli

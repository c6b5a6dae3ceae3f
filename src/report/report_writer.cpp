#include "report/report_writer.h"

#include <filesystem>

#include "core/atomic_file.h"
#include "core/error.h"
#include "report/junit.h"
#include "report/results_json.h"
#include "report/sarif.h"
#include "report/summary_markdown.h"

namespace pd::report {

std::string json_text(const nlohmann::json& value, int indent) {
  return value.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::vector<std::string> write_reports(const suite::SuiteResults& results, const std::string& out_dir) {
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec) fail_input(out_dir, "cannot create the report folder: " + ec.message());
  const std::filesystem::path dir(out_dir);
  const std::vector<std::pair<std::string, std::string>> files = {
      {"results.json", json_text(results_to_json(results))},
      {"junit.xml", junit_xml(results)},
      {"summary.md", summary_markdown(results)},
      {"findings.sarif", json_text(sarif_log(results, std::filesystem::current_path().string()))},
  };
  std::vector<std::string> paths;
  for (const auto& [name, text] : files) {
    const std::string path = (dir / name).string();
    write_file_atomic(path, text);
    paths.push_back(path);
  }
  return paths;
}

}  // namespace pd::report

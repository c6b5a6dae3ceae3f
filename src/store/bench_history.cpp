#include "store/bench_history.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/jsonl.h"

namespace pd::store {

namespace {

template <typename T>
T field(const nlohmann::json& json, const char* name, const std::string& where) {
  if (!json.is_object() || !json.contains(name)) fail_input(where, std::string("missing \"") + name + "\"");
  try {
    return json.at(name).get<T>();
  } catch (const nlohmann::json::exception&) {
    fail_input(where, std::string("\"") + name + "\" has the wrong type");
  }
}

}  // namespace

nlohmann::json BenchFigure::to_json() const {
  return {{"key", key},
          {"recorded_at", recorded_at},
          {"version", version},
          {"prefill_tps", prefill_tps},
          {"decode_tps", decode_tps}};
}

BenchFigure BenchFigure::from_json(const nlohmann::json& json, const std::string& where) {
  BenchFigure f;
  f.key = field<std::string>(json, "key", where);
  f.recorded_at = field<std::string>(json, "recorded_at", where);
  f.version = field<std::string>(json, "version", where);
  f.prefill_tps = field<double>(json, "prefill_tps", where);
  f.decode_tps = field<double>(json, "decode_tps", where);
  return f;
}

std::string bench_key(const BenchKeyInputs& in) {
  std::ostringstream key;
  key << std::filesystem::path(in.model_path).filename().string() << " (" << in.model_bytes << " bytes)"
      << " threads=" << in.threads << " prompt=" << in.prompt_tokens << " gen=" << in.gen_tokens << " "
      << in.numerics << " isa=" << in.isa << " cpu=" << in.cpu;
  return key.str();
}

std::string BenchHistory::default_path() {
  if (const char* home = std::getenv("PRECISIONDIFF_HOME"); home && *home) {
    return std::string(home) + "/bench-history.jsonl";
  }
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.cache/precisiondiff/bench-history.jsonl";
}

BenchHistory::BenchHistory(std::string path) : path_(std::move(path)) {
  std::error_code ec;
  if (!std::filesystem::exists(path_, ec)) return;
  for (const JsonlLine& line : parse_jsonl(path_, read_file(path_))) {
    figures_.push_back(BenchFigure::from_json(line.value, line.where));
  }
}

std::optional<BenchFigure> BenchHistory::last(const std::string& key) const {
  for (auto it = figures_.rbegin(); it != figures_.rend(); ++it) {
    if (it->key == key) return *it;
  }
  return std::nullopt;
}

void BenchHistory::append(const BenchFigure& figure) {
  figures_.push_back(figure);
  const std::filesystem::path parent = std::filesystem::path(path_).parent_path();
  std::error_code ec;
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  std::string text;
  for (const BenchFigure& f : figures_) text += f.to_json().dump() + "\n";
  write_file_atomic(path_, text);
}

}  // namespace pd::store

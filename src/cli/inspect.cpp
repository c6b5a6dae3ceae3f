// precisiondiff inspect: what a GGUF file holds — architecture, hyper-parameters,
// tokenizer, tensors and totals — as text or as one JSON document.

#include <cstdio>
#include <map>
#include <memory>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "core/sha256.h"
#include "gguf/gguf_file.h"
#include "gguf/gguf_summary.h"

namespace pd::cli {
namespace {

struct InspectFlags {
  std::string model;
  bool json = false;
};

nlohmann::ordered_json shape_json(const std::vector<int64_t>& shape) {
  nlohmann::ordered_json j = nlohmann::ordered_json::array();
  for (int64_t d : shape) j.push_back(d);
  return j;
}

nlohmann::ordered_json value_json(const GgufValue& v) {
  switch (v.type) {
    case GgufType::UInt8: case GgufType::UInt16: case GgufType::UInt32: case GgufType::UInt64:
      return v.u;
    case GgufType::Int8: case GgufType::Int16: case GgufType::Int32: case GgufType::Int64:
      return v.i;
    case GgufType::Float32: return shortest_float_as_double(static_cast<float>(v.f));
    case GgufType::Float64: return v.f;
    case GgufType::Bool: return v.u != 0;
    case GgufType::String: return v.s;
    case GgufType::Array:
      return {{"type", gguf_type_name(v.element_type)}, {"length", v.items.size()}};
  }
  return nullptr;
}

template <typename T>
void put_if(nlohmann::ordered_json& j, const char* key, const std::optional<T>& value) {
  if (value) j[key] = *value;
}

nlohmann::ordered_json inspect_json(const GgufFile& file, const GgufSummary& s, const std::string& sha256) {
  nlohmann::ordered_json j;
  j["file"] = file.path();
  j["sha256"] = sha256;
  j["gguf_version"] = file.version();
  j["alignment"] = file.alignment();
  j["architecture"] = s.architecture.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(s.architecture);
  j["name"] = s.name.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(s.name);
  j["vocab_size"] = s.tokenizer.vocab_size;
  j["tensor_count"] = s.tensor_count;
  j["total_bytes"] = s.total_bytes;
  j["parameter_count"] = s.parameter_count;
  j["bits_per_weight"] = s.bits_per_weight ? nlohmann::ordered_json(*s.bits_per_weight) : nlohmann::ordered_json();

  const GgufHyperparameters& h = s.hyperparameters;
  nlohmann::ordered_json hp = nlohmann::ordered_json::object();
  put_if(hp, "context_length", h.context_length);
  put_if(hp, "dim", h.dim);
  put_if(hp, "ffn_dim", h.ffn_dim);
  put_if(hp, "layers", h.layers);
  put_if(hp, "heads", h.heads);
  put_if(hp, "kv_heads", h.kv_heads);
  put_if(hp, "head_dim", h.head_dim);
  put_if(hp, "rope_dim", h.rope_dim);
  put_if(hp, "rope_freq_base", h.rope_freq_base);
  put_if(hp, "rms_eps", h.rms_eps);
  j["hyperparameters"] = hp;

  const GgufTokenizerSummary& t = s.tokenizer;
  j["tokenizer"] = {{"model", t.model}, {"pre", t.pre}, {"vocab_size", t.vocab_size},
                    {"bos_id", t.bos_id ? nlohmann::ordered_json(*t.bos_id) : nlohmann::ordered_json()},
                    {"eos_id", t.eos_id ? nlohmann::ordered_json(*t.eos_id) : nlohmann::ordered_json()},
                    {"merges", t.merges}, {"chat_template", t.chat_template}};

  nlohmann::ordered_json tensors = nlohmann::ordered_json::array();
  for (const GgufTensorInfo& info : file.tensors()) {
    tensors.push_back({{"name", info.name}, {"type", type_name(info.type)},
                       {"shape", shape_json(info.shape)}, {"bytes", info.bytes},
                       {"offset", info.offset}});
  }
  j["tensors"] = tensors;

  nlohmann::ordered_json metadata = nlohmann::ordered_json::object();
  for (const GgufKeyValue& kv : file.metadata()) metadata[kv.key] = value_json(kv.value);
  j["metadata"] = metadata;
  return j;
}

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string out;
  for (int64_t d : shape) out += (out.empty() ? "" : " x ") + std::to_string(d);
  return out;
}

// One line, at most `width` bytes, for metadata strings such as chat templates.
std::string short_text(std::string text, size_t width = 60) {
  for (char& c : text) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  if (text.size() > width) {
    size_t cut = width;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xc0) == 0x80) --cut;  // UTF-8 boundary
    text = text.substr(0, cut) + "...";
  }
  return text;
}

std::string value_text(const GgufValue& v) {
  switch (v.type) {
    case GgufType::String: return "\"" + short_text(v.s) + "\"";
    case GgufType::Array:
      return fmt::format("[{} x {}]", gguf_type_name(v.element_type), v.items.size());
    case GgufType::Bool: return v.u != 0 ? "true" : "false";
    case GgufType::Float32: return fmt::format("{}", static_cast<float>(v.f));
    case GgufType::Float64: return fmt::format("{}", v.f);
    default: return value_json(v).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
}

std::string bytes_text(uint64_t bytes) {
  if (bytes >= (uint64_t{1} << 30)) return fmt::format("{:.2f} GiB", static_cast<double>(bytes) / (1 << 30));
  if (bytes >= (uint64_t{1} << 20)) return fmt::format("{:.2f} MiB", static_cast<double>(bytes) / (1 << 20));
  if (bytes >= (uint64_t{1} << 10)) return fmt::format("{:.2f} KiB", static_cast<double>(bytes) / (1 << 10));
  return fmt::format("{} B", bytes);
}

template <typename T>
std::string optional_text(const std::optional<T>& v) {
  return v ? fmt::format("{}", *v) : std::string("-");
}

void print_text(const GgufFile& file, const GgufSummary& s, const std::string& sha256) {
  std::printf("file           %s\n", file.path().c_str());
  std::printf("sha256         %s\n", sha256.c_str());
  std::printf("gguf           version %u, alignment %llu, data at byte %llu\n", file.version(),
              static_cast<unsigned long long>(file.alignment()),
              static_cast<unsigned long long>(file.data_offset()));
  std::printf("architecture   %s\n", s.architecture.empty() ? "-" : s.architecture.c_str());
  std::printf("name           %s\n", s.name.empty() ? "-" : short_text(s.name).c_str());

  const GgufHyperparameters& h = s.hyperparameters;
  std::printf("\nhyperparameters\n");
  const std::pair<const char*, std::string> rows[] = {
      {"context_length", optional_text(h.context_length)}, {"dim", optional_text(h.dim)},
      {"ffn_dim", optional_text(h.ffn_dim)}, {"layers", optional_text(h.layers)},
      {"heads", optional_text(h.heads)}, {"kv_heads", optional_text(h.kv_heads)},
      {"head_dim", optional_text(h.head_dim)}, {"rope_dim", optional_text(h.rope_dim)},
      {"rope_freq_base", optional_text(h.rope_freq_base)}, {"rms_eps", optional_text(h.rms_eps)}};
  for (const auto& [name, value] : rows) std::printf("  %-16s %s\n", name, value.c_str());

  const GgufTokenizerSummary& t = s.tokenizer;
  std::printf("\ntokenizer      model %s, pre %s, vocab %llu, bos %s, eos %s, merges %llu, chat template %s\n",
              t.model.empty() ? "-" : t.model.c_str(), t.pre.empty() ? "-" : t.pre.c_str(),
              static_cast<unsigned long long>(t.vocab_size), optional_text(t.bos_id).c_str(),
              optional_text(t.eos_id).c_str(), static_cast<unsigned long long>(t.merges),
              t.chat_template ? "yes" : "no");

  std::map<std::string, uint64_t> type_counts;
  for (const GgufTensorInfo& info : file.tensors()) ++type_counts[type_name(info.type)];
  std::string types;
  for (const auto& [name, count] : type_counts) types += fmt::format("{}{} {}", types.empty() ? "" : ", ", name, count);
  std::printf("\ntensors        %llu, %s, %llu parameters, %s bits per weight%s%s\n",
              static_cast<unsigned long long>(s.tensor_count), bytes_text(s.total_bytes).c_str(),
              static_cast<unsigned long long>(s.parameter_count),
              s.bits_per_weight ? fmt::format("{:.2f}", *s.bits_per_weight).c_str() : "-",
              types.empty() ? "" : "; ", types.c_str());
  if (!file.tensors().empty()) {
    std::printf("  %-40s %-8s %-24s %12s %12s\n", "name", "type", "shape", "bytes", "offset");
    for (const GgufTensorInfo& info : file.tensors()) {
      std::printf("  %-40s %-8s %-24s %12llu %12llu\n", info.name.c_str(), type_name(info.type),
                  shape_text(info.shape).c_str(), static_cast<unsigned long long>(info.bytes),
                  static_cast<unsigned long long>(info.offset));
    }
  }

  std::printf("\nmetadata       %zu keys\n", file.metadata().size());
  for (const GgufKeyValue& kv : file.metadata()) {
    std::printf("  %-44s %-8s %s\n", kv.key.c_str(), gguf_type_name(kv.value.type), value_text(kv.value).c_str());
  }
}

int run_inspect(const InspectFlags& flags) {
  const std::unique_ptr<GgufFile> file = GgufFile::open(flags.model, GgufResidency::Mapped);
  const GgufSummary summary = summarize_gguf(*file);
  const std::string sha256 = sha256_hex(file->file_bytes(), file->file_size());
  if (flags.json) {
    // Metadata strings are not always valid UTF-8; replace bad bytes rather than fail.
    const std::string text = inspect_json(*file, summary, sha256)
                                 .dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    std::printf("%s\n", text.c_str());
  } else {
    print_text(*file, summary, sha256);
  }
  return 0;
}

const CommandRegistration registration{
    "inspect", "Show a GGUF model's architecture, tokenizer, tensors and metadata",
    [](CLI::App& app) -> RunFn {
      auto flags = std::make_shared<InspectFlags>();
      app.add_option("model", flags->model, "GGUF file")->required();
      app.add_flag("--json", flags->json, "One JSON document on stdout");
      return [flags] { return run_inspect(*flags); };
    }};

}  // namespace
}  // namespace pd::cli

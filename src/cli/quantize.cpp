// precisiondiff quantize: a GGUF model to new weight types, as llama-quantize does it,
// with per-tensor overrides by regex and every fallback reported.

#include <cstdio>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "core/error.h"
#include "gguf/gguf_file.h"
#include "gguf/gguf_quantize.h"
#include "core/thread_pool.h"
#include "precision/variant_writer.h"

namespace pd::cli {
namespace {

struct QuantizeFlags {
  std::string input, output, type, plan;
  std::vector<std::string> overrides;
  bool strict = false, allow_requantize = false, json = false;
  int threads = 0;
};

struct Override {
  std::string pattern;
  std::regex regex;
  TensorType type;
};

TensorType parse_target(std::string_view flag, const std::string& name) {
  const std::optional<TensorType> type = parse_type_name(name);
  if (!type) fail_input(flag, "unknown type '" + name + "' (e.g. Q8_0, Q6_K, Q4_K, Q4_0, F16)");
  if (!is_quantize_target(*type)) {
    fail_input(flag, std::string(type_name(*type)) + " is not a weight type precisiondiff can quantize to");
  }
  return *type;
}

// "REGEX=TYPE": the type name never holds '=', the regex may, so split at the last one.
Override parse_override(const std::string& text) {
  const size_t eq = text.rfind('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size()) {
    fail_input("--override", "'" + text + "' is not REGEX=TYPE");
  }
  Override o;
  o.pattern = text.substr(0, eq);
  o.type = parse_target("--override", text.substr(eq + 1));
  try {
    o.regex = std::regex(o.pattern, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    fail_input("--override", "bad regex '" + o.pattern + "': " + e.what());
  }
  return o;
}

std::string size_text(uint64_t bytes) {
  if (bytes >= (uint64_t{1} << 30)) return fmt::format("{:.2f} GiB", static_cast<double>(bytes) / (1 << 30));
  if (bytes >= (uint64_t{1} << 20)) return fmt::format("{:.2f} MiB", static_cast<double>(bytes) / (1 << 20));
  if (bytes >= (uint64_t{1} << 10)) return fmt::format("{:.2f} KiB", static_cast<double>(bytes) / (1 << 10));
  return fmt::format("{} B", bytes);
}

nlohmann::ordered_json result_json(const QuantizeFlags& flags, const QuantizeResult& r) {
  nlohmann::ordered_json tensors = nlohmann::ordered_json::array();
  for (const QuantizedTensor& t : r.tensors) {
    tensors.push_back({{"name", t.name}, {"from", type_name(t.from)}, {"requested", type_name(t.requested)},
                       {"to", type_name(t.to)}, {"bytes_in", t.bytes_in}, {"bytes_out", t.bytes_out}});
  }
  return {{"input", flags.input}, {"output", flags.output}, {"type", flags.type},
          {"file_type", r.file_type}, {"bytes_in", r.bytes_in}, {"bytes_out", r.bytes_out},
          {"fallbacks", r.fallbacks}, {"tensors", tensors}};
}

void print_summary(const QuantizeFlags& flags, const QuantizeResult& r) {
  size_t changed = 0;
  uint64_t parameters = 0;
  for (const QuantizedTensor& t : r.tensors) changed += t.to != t.from;
  const std::unique_ptr<GgufFile> written = GgufFile::open(flags.output, GgufResidency::Mapped);
  for (const GgufTensorInfo& t : written->tensors()) parameters += static_cast<uint64_t>(t.element_count());
  std::printf("%s -> %s\n", flags.input.c_str(), flags.output.c_str());
  std::printf("tensors      %zu (%zu converted, %zu copied)\n", r.tensors.size(), changed,
              r.tensors.size() - changed);
  std::printf("size         %s -> %s", size_text(r.bytes_in).c_str(), size_text(r.bytes_out).c_str());
  if (parameters > 0) {
    std::printf(", %.2f bits per weight", 8.0 * static_cast<double>(r.bytes_out) / static_cast<double>(parameters));
  }
  std::printf("\nfile type    %u\nfallbacks    %zu%s\n", r.file_type, r.fallbacks.size(),
              r.fallbacks.empty() ? "" : " (recorded in precisiondiff.fallbacks)");
}

// --plan: any precision plan (llama-quantize mixtures such as q4_k_m included), built
// in memory with the variant builder and written in llama-quantize's order.
int run_quantize_plan(const QuantizeFlags& flags) {
  if (!flags.overrides.empty()) fail_input("--override", "with --plan, write overrides into the plan (override=TYPE@REGEX)");
  const PrecisionPlan plan = PrecisionPlan::parse(flags.plan, "--plan");
  auto input = std::shared_ptr<const GgufFile>(GgufFile::open(flags.input, GgufResidency::Mapped));
  ThreadPool pool(flags.threads > 0 ? flags.threads : ThreadPool::default_threads());
  const Variant variant = build_variant(input, plan, pool);
  write_variant_gguf(*input, variant, plan, flags.output);
  if (flags.json) {
    nlohmann::json j = variant.manifest.to_json();
    j["output"] = flags.output;
    std::printf("%s\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return 0;
  }
  for (const std::string& f : variant.manifest.fallbacks) std::fprintf(stderr, "fallback: %s\n", f.c_str());
  std::printf("%s: plan %s, %llu bytes of weights, %.3f bits per weight, %zu fallbacks\n", flags.output.c_str(),
              plan.label().c_str(), (unsigned long long)variant.manifest.weight_bytes, variant.manifest.bits_per_weight,
              variant.manifest.fallbacks.size());
  return 0;
}

int run_quantize(const QuantizeFlags& flags) {
  if (flags.plan.empty() == flags.type.empty()) fail_input("quantize", "give exactly one of --type and --plan");
  if (!flags.plan.empty()) return run_quantize_plan(flags);
  const TensorType type = parse_target("--type", flags.type);
  std::vector<Override> overrides;
  for (const std::string& text : flags.overrides) overrides.push_back(parse_override(text));
  if (flags.threads < 0) fail_input("--threads", "must be positive");

  const std::unique_ptr<GgufFile> input = GgufFile::open(flags.input, GgufResidency::Mapped);
  QuantizeOptions options;
  options.choose = [&](const GgufTensorInfo& tensor) {
    for (const Override& o : overrides) {
      if (std::regex_search(tensor.name, o.regex)) return o.type;
    }
    return type;
  };
  options.file_type = file_type_for(type);
  options.strict = flags.strict;
  options.allow_requantize = flags.allow_requantize;
  options.threads = flags.threads;
  const QuantizeResult result = quantize_gguf(*input, flags.output, options);
  if (flags.json) {
    std::printf("%s\n", result_json(flags, result).dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  } else {
    print_summary(flags, result);
  }
  return 0;
}

const CommandRegistration registration{
    "quantize", "Quantize a GGUF model's weights as llama-quantize does",
    [](CLI::App& app) -> RunFn {
      auto flags = std::make_shared<QuantizeFlags>();
      app.add_option("input", flags->input, "Input GGUF model")->required();
      app.add_option("output", flags->output, "Output GGUF file (written atomically)")->required();
      app.add_option("--type", flags->type, "Weight type: Q8_0, Q6_K, Q5_K, Q4_K, Q3_K, Q2_K, Q5_1, Q5_0, Q4_1, Q4_0, IQ4_NL, F16, BF16, F32");
      app.add_option("--plan", flags->plan, "A precision plan or preset instead of --type (e.g. q4_k_m: llama-quantize's mixture)");
      app.add_option("--override", flags->overrides,
                     "REGEX=TYPE: type for tensors whose name matches (ECMAScript regex, first match wins; repeatable)")
          ->allow_extra_args(false);  // one value per --override, so positionals may follow
      app.add_flag("--strict", flags->strict, "Fail where llama-quantize fails instead of falling back to F16");
      app.add_flag("--allow-requantize", flags->allow_requantize, "Accept already quantized input tensors");
      app.add_option("--threads", flags->threads, "Worker threads (default: all cores)");
      app.add_flag("--json", flags->json, "One JSON document on stdout");
      return [flags] { return run_quantize(*flags); };
    }};

}  // namespace
}  // namespace pd::cli

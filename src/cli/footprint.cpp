// precisiondiff footprint MODEL --plan P [--plan P ...]: the memory a baseline and its
// in-memory variants need together. Every model is loaded as a comparison would hold it
// (a session with a small KV cache), each generates a few tokens so that every weight
// page is touched, and the process's peak resident memory is set against the bytes the
// weights take: the baseline file's tensors plus each variant's storage. The target is
// a peak within 10 % of that sum (variants share the baseline's unchanged tensors, so
// the sum over-counts those and the bound is conservative).

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "backend/embedded_backend.h"
#include "cli/command.h"
#include "core/error.h"
#include "core/process_memory.h"
#include "gguf/gguf_file.h"
#include "model/generator.h"
#include "model/model.h"
#include "model/session.h"

namespace pd::cli {
namespace {

struct FootprintFlags {
  std::string model;
  std::vector<std::string> plans;
  int64_t n_ctx = 64;
  int threads = 0;
  bool json = false;
};

struct Row {
  std::string name;
  uint64_t weight_bytes = 0;    // storage of all tensors as this model holds them
  uint64_t resident_bytes = 0;  // bytes the variant allocated itself (shared ones excluded)
  uint64_t rss_after = 0;       // process resident memory once it is loaded and has run
};

uint64_t file_tensor_bytes(const GgufFile& file) {
  uint64_t bytes = 0;
  for (const GgufTensorInfo& t : file.tensors()) bytes += t.bytes;
  return bytes;
}

// A few greedy tokens: enough to read every weight once.
void touch_weights(Backend& backend) {
  GenerationParams params;
  params.max_tokens = 2;
  params.top_logprobs = 0;
  backend.generate(backend.prompt_tokens("Once upon a time", false), params);
}

double gib(uint64_t bytes) { return static_cast<double>(bytes) / (1u << 30); }

int run_footprint(const FootprintFlags& f) {
  if (f.plans.empty()) fail_input("footprint", "give at least one --plan");
  std::shared_ptr<const GgufFile> file = GgufFile::open(f.model);
  const uint64_t rss_start = resident_bytes();
  EmbeddedOptions options;
  options.threads = f.threads;
  options.n_ctx = f.n_ctx;
  std::vector<std::unique_ptr<EmbeddedBackend>> held;
  std::vector<Row> rows;
  // The baseline as stored: the plan that keeps every tensor's type shares all bytes
  // with the mapping, so it costs the file's tensor bytes and nothing more.
  held.push_back(std::make_unique<EmbeddedBackend>(file, VariantSpec::parse("weights=source", "baseline"), options));
  touch_weights(*held.back());
  rows.push_back({"baseline (file)", file_tensor_bytes(*file), held.back()->variant_manifest().resident_bytes,
                  resident_bytes()});
  for (const std::string& plan : f.plans) {
    const VariantSpec spec = VariantSpec::parse(plan, "--plan");
    if (spec.file) fail_input("--plan", "footprint builds variants from plans; got a file: " + plan);
    held.push_back(std::make_unique<EmbeddedBackend>(file, spec, options));
    touch_weights(*held.back());
    const VariantManifest& m = held.back()->variant_manifest();
    rows.push_back({m.plan_label, m.weight_bytes, m.resident_bytes, resident_bytes()});
  }
  uint64_t weight_sum = 0, own_sum = rows[0].weight_bytes;
  for (size_t i = 0; i < rows.size(); ++i) {
    weight_sum += rows[i].weight_bytes;
    if (i > 0) own_sum += rows[i].resident_bytes;
  }
  const uint64_t peak = peak_resident_bytes();
  const double ratio = weight_sum ? static_cast<double>(peak) / static_cast<double>(weight_sum) : 0;
  if (f.json) {
    nlohmann::json j = {{"model", f.model},
                        {"process_before_load_bytes", rss_start},
                        {"weight_bytes_sum", weight_sum},
                        {"allocated_bytes_sum", own_sum},
                        {"peak_resident_bytes", peak},
                        {"peak_over_weight_sum", ratio},
                        {"models", nlohmann::json::array()}};
    for (const Row& r : rows) {
      j["models"].push_back({{"name", r.name}, {"weight_bytes", r.weight_bytes},
                             {"allocated_bytes", r.resident_bytes}, {"resident_after", r.rss_after}});
    }
    std::printf("%s\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return 0;
  }
  std::printf("%-28s %12s %12s %14s\n", "model", "weights GiB", "own GiB", "RSS after GiB");
  for (const Row& r : rows) {
    std::printf("%-28s %12.3f %12.3f %14.3f\n", r.name.c_str(), gib(r.weight_bytes), gib(r.resident_bytes),
                gib(r.rss_after));
  }
  std::printf("sum of weight bytes %.3f GiB (allocated without sharing double counts %.3f GiB)\n",
              gib(weight_sum), gib(own_sum));
  std::printf("peak resident %.3f GiB = %.3f x the weight sum (target <= 1.10)\n", gib(peak), ratio);
  return 0;
}

const CommandRegistration registration{
    "footprint", "Peak memory of a baseline and its in-memory variants against their weight bytes",
    [](CLI::App& app) -> RunFn {
      auto f = std::make_shared<FootprintFlags>();
      app.add_option("model", f->model, "Baseline GGUF file")->required();
      app.add_option("--plan", f->plans, "Variant plan to hold in memory (repeatable)")->required();
      app.add_option("--ctx", f->n_ctx, "KV cache positions per model (default 64)");
      app.add_option("--threads", f->threads, "Worker threads");
      app.add_flag("--json", f->json, "JSON on stdout");
      return [f] { return run_footprint(*f); };
    }};

}  // namespace
}  // namespace pd::cli

// precisiondiff reproduce RUN PROMPT_ID: re-executes one recorded prompt of a stored run
// with the plan and settings the run recorded (model, baseline plan, variant, mode,
// decoding, thread count) and checks the tokens bit for bit: the prompt's tokens, the
// baseline's and the candidate's generated tokens. Exit 0 when all are identical; exit
// 1 naming the first differing position otherwise (e.g. under --kernel reference, or
// PRECISIONDIFF_ISA=scalar / --isa scalar on a machine that ran it with AVX2).

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include <nlohmann/json.hpp>

#include "backend/embedded_backend.h"
#include "cli/command.h"
#include "core/cpu_features.h"
#include "core/error.h"
#include "gguf/gguf_file.h"
#include "model/numerics.h"
#include "store/run_store.h"
#include "store/stack_fingerprint.h"
#include "suite/store_hook.h"

namespace pd::cli {
namespace {

struct ReproduceFlags {
  int64_t run = 0;
  std::string prompt;
  std::string variant, slice;  // narrow the records ("model/variant" or "variant")
  std::string store;
  std::string kernel;          // empty: as recorded (each plan's own)
  std::string isa;
  int64_t threads = -1;        // -1: as recorded
  bool json = false;
};

struct TokenCheck {
  std::string what;            // "prompt", "baseline", "candidate"
  size_t recorded = 0, now = 0;
  int64_t first_difference = -1;  // -1: identical
  int32_t recorded_token = -1, now_token = -1;
};

TokenCheck check_tokens(const std::string& what, const std::vector<int32_t>& recorded,
                        const std::vector<int32_t>& now) {
  TokenCheck c{what, recorded.size(), now.size()};
  const size_t n = std::min(recorded.size(), now.size());
  for (size_t i = 0; i < n && c.first_difference < 0; ++i) {
    if (recorded[i] != now[i]) c.first_difference = static_cast<int64_t>(i);
  }
  if (c.first_difference < 0 && recorded.size() != now.size()) c.first_difference = static_cast<int64_t>(n);
  const auto at = [](const std::vector<int32_t>& v, int64_t i) {
    return i >= 0 && static_cast<size_t>(i) < v.size() ? v[static_cast<size_t>(i)] : -1;
  };
  c.recorded_token = at(recorded, c.first_difference);
  c.now_token = at(now, c.first_difference);
  return c;
}

GenerationParams generation_params(const suite::DecodingDecl& d) {
  GenerationParams g;
  g.max_tokens = d.max_tokens;
  g.sampling.greedy = d.greedy;
  g.sampling.temperature = static_cast<float>(d.temperature > 0 ? d.temperature : 1.0);
  g.sampling.top_k = static_cast<int>(d.top_k);
  g.sampling.top_p = static_cast<float>(d.top_p);
  g.sampling.min_p = static_cast<float>(d.min_p);
  g.sampling.seed = d.seed;
  return g;
}

VariantSpec candidate_spec(const suite::ReplaySettings& r) {
  VariantSpec spec;
  if (r.variant_kind == "file") spec.file = r.variant_spec;
  else spec.plan = PrecisionPlan::parse(r.variant_spec, "recorded variant plan");
  return spec;
}

std::vector<int32_t> tokens_of(const nlohmann::json& record, const char* field) {
  if (!record.contains(field) || !record[field].is_array()) fail_input("stored record", std::string("no ") + field);
  return record[field].get<std::vector<int32_t>>();
}

bool key_matches(const std::string& key, const ReproduceFlags& f) {
  // key: model/variant/slice/item (the item id itself may hold '/').
  const size_t a = key.find('/'), b = key.find('/', a + 1), c = key.find('/', b + 1);
  if (a == std::string::npos || b == std::string::npos || c == std::string::npos) return false;
  const std::string model = key.substr(0, a), variant = key.substr(a + 1, b - a - 1),
                    slice = key.substr(b + 1, c - b - 1), item = key.substr(c + 1);
  // A repeated id in one slice is stored as "id#2", "id#3", ... (suite/store_hook.h).
  if (item != f.prompt && item.rfind(f.prompt + "#", 0) != 0) return false;
  if (!f.slice.empty() && slice != f.slice) return false;
  if (!f.variant.empty() && f.variant != variant && f.variant != model + "/" + variant) return false;
  return true;
}

nlohmann::json check_json(const TokenCheck& c) {
  return {{"tokens", c.what}, {"recorded", c.recorded}, {"now", c.now}, {"identical", c.first_difference < 0},
          {"first_difference", c.first_difference}, {"recorded_token", c.recorded_token},
          {"now_token", c.now_token}};
}

int run_reproduce(const ReproduceFlags& f) {
  store::apply_isa_environment();
  if (!f.isa.empty()) set_active_isa(parse_isa(f.isa));
  std::optional<KernelPath> kernel;
  if (!f.kernel.empty()) {
    kernel = parse_kernel_path(f.kernel);
    if (!kernel) fail_input("--kernel", "expected fast or reference, got \"" + f.kernel + "\"");
  }
  store::RunStore store(f.store.empty() ? store::RunStore::default_path() : f.store);
  const std::optional<store::RunInfo> run = store.run(f.run);
  if (!run) fail_input("reproduce", "no run " + std::to_string(f.run) + " in " + store.path());
  std::vector<std::pair<std::string, nlohmann::json>> chosen;
  for (auto& [key, record] : store.records(f.run)) {
    if (key_matches(key, f)) chosen.emplace_back(key, std::move(record));
  }
  if (chosen.empty()) {
    fail_input("reproduce", "run " + std::to_string(f.run) + " has no record of prompt \"" + f.prompt + "\"" +
                                (f.variant.empty() && f.slice.empty() ? "" : " for the given --variant/--slice"));
  }
  int threads = static_cast<int>(f.threads);
  if (threads < 0) threads = std::atoi(run->fingerprint.value("threads", "0").c_str());

  bool all_identical = true;
  nlohmann::json report = nlohmann::json::array();
  for (const auto& [key, record] : chosen) {
    const suite::ReplaySettings replay = suite::replay_from_json(record.at("replay"), "record " + key);
    auto file = std::shared_ptr<const GgufFile>(GgufFile::open(replay.model_path));
    EmbeddedOptions engine;
    engine.threads = threads;
    VariantSpec base_spec = VariantSpec::parse(replay.baseline_plan, "recorded baseline plan");
    VariantSpec cand_spec = candidate_spec(replay);
    if (kernel) base_spec.plan.kernel = cand_spec.plan.kernel = *kernel;
    EmbeddedBackend baseline(file, base_spec, engine);
    EmbeddedBackend candidate(file, cand_spec, engine);
    const std::string prompt = record.at("outcome").at("prompt").get<std::string>();
    const std::vector<int32_t> prompt_tokens = baseline.prompt_tokens(prompt, replay.chat);
    const GenerationParams params = generation_params(replay.decoding);
    const std::vector<TokenCheck> checks = {
        check_tokens("prompt", tokens_of(record, "prompt_tokens"), prompt_tokens),
        check_tokens("baseline", tokens_of(record, "base_tokens"), baseline.generate(prompt_tokens, params).tokens),
        check_tokens("candidate", tokens_of(record, "cand_tokens"), candidate.generate(prompt_tokens, params).tokens)};
    nlohmann::json entry = {{"record", key}, {"checks", nlohmann::json::array()}};
    bool identical = true;
    for (const TokenCheck& c : checks) {
      identical &= c.first_difference < 0;
      entry["checks"].push_back(check_json(c));
    }
    entry["identical"] = identical;
    all_identical &= identical;
    report.push_back(entry);
    if (f.json) continue;
    std::printf("%s: %s\n", key.c_str(), identical ? "bit-identical" : "DIFFERS");
    for (const TokenCheck& c : checks) {
      if (c.first_difference < 0) {
        std::printf("  %-9s %zu tokens identical\n", c.what.c_str(), c.now);
      } else {
        std::printf("  %-9s first difference at position %lld: recorded %d, now %d (%zu recorded, %zu now)\n",
                    c.what.c_str(), static_cast<long long>(c.first_difference), c.recorded_token, c.now_token,
                    c.recorded, c.now);
      }
    }
  }
  if (f.json) {
    std::printf("%s\n", nlohmann::json({{"run", f.run}, {"prompt", f.prompt}, {"identical", all_identical},
                                        {"isa", std::string(isa_name(active_isa()))}, {"records", report}})
                            .dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
                            .c_str());
  }
  return all_identical ? 0 : 1;
}

const CommandRegistration registration{
    "reproduce", "Re-execute one recorded prompt of a stored run and check its tokens bit for bit",
    [](CLI::App& app) -> RunFn {
      auto f = std::make_shared<ReproduceFlags>();
      app.add_option("run", f->run, "Run id (see precisiondiff history)")->required();
      app.add_option("prompt", f->prompt, "Prompt (item) id")->required();
      app.add_option("--variant", f->variant, "Only this variant (name or model/name)");
      app.add_option("--slice", f->slice, "Only this slice");
      app.add_option("--store", f->store, "Run store (default: $PRECISIONDIFF_HOME/store.sqlite or ~/.cache/precisiondiff/store.sqlite)");
      app.add_option("--kernel", f->kernel, "Force a kernel path: fast or reference (default: as recorded)");
      app.add_option("--isa", f->isa, "Lower the instruction set: scalar, avx2, avx512");
      app.add_option("--threads", f->threads, "Engine threads (default: as recorded)");
      app.add_flag("--json", f->json, "Print the checks as JSON");
      return [f] { return run_reproduce(*f); };
    }};

}  // namespace
}  // namespace pd::cli

// precisiondiff bench: speed of the embedded engine on a model: prefill of P tokens in
// one batch, then G tokens decoded one at a time; the median of several runs, with the
// memory bandwidth decoding implies (the weights one step reads, times steps per second).
// With --score, also the cost of teacher forcing: the backend's score() of the same P
// tokens with a log-softmax row for every position (what compare does to a trajectory),
// against the plain prefill that returns the last row only.
//
// With --roofline, first this machine's limits (core/roofline.h): streaming read
// bandwidth and f32 FMA throughput, for one thread and for all. Every model run also
// measures the bandwidth and FMA peak at its own thread count, and states decode as a
// fraction of the bandwidth (weight bytes per token x tokens/s) and prefill as a
// fraction of the FMA peak (2 FLOPs per matrix weight per token). The decode fraction
// brackets each run with bandwidth readings just before and just after it
// (core/bracketed_fraction.h) and reports the median over the runs whose two readings
// agree: on a shared machine the bandwidth moves by half within seconds, so a reading
// taken apart from a run would measure the neighbours as much as the engine.
//
// Every model run is recorded in the bench history (store/bench_history.h) and states
// its ratio to the last figure recorded for the same measurement (--no-history: neither).

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "backend/embedded_backend.h"
#include "cli/command.h"
#include "core/bracketed_fraction.h"
#include "core/build_info.h"
#include "core/cpu_features.h"
#include "core/error.h"
#include "core/roofline.h"
#include "core/thread_pool.h"
#include "core/utc_time.h"
#include "gguf/gguf_file.h"
#include "model/model.h"
#include "model/sampler.h"
#include "model/session.h"
#include "store/bench_history.h"
#include "store/stack_fingerprint.h"

#ifdef PD_HAVE_BENCHMARK
namespace pd::bench {
// bench/simd_dot_bench.cpp: the Google Benchmark cases of the dot kernels.
int run_kernel_benchmarks(const std::string& filter, const std::string& format);
}  // namespace pd::bench
#endif

namespace pd::cli {
namespace {

struct BenchFlags {
  std::string model;
  int threads = 0;
  int64_t prompt_tokens = 64;
  int64_t gen_tokens = 16;
  int runs = 3;
  std::string kernel = "fast";
  std::string activations = "f32";
  std::string kv_cache = "f32";
  std::string order = "forward";
  bool json = false;
  bool score = false;
  bool roofline = false;
  int64_t roofline_mb = 256;
  bool kernels = false;
  std::string kernel_filter;
  std::string history;  // empty: store::BenchHistory::default_path()
  bool no_history = false;
};

// The figure this run adds to the history, and the last one of the same measurement.
struct HistoryComparison {
  std::string path;
  std::optional<store::BenchFigure> previous;
};

HistoryComparison record_in_history(const BenchFlags& flags, store::BenchHistory& history, const std::string& path,
                                    int threads, const NumericsConfig& numerics, double prefill, double decode) {
  std::error_code ec;
  const uint64_t bytes = std::filesystem::file_size(flags.model, ec);
  const std::string key = store::bench_key({flags.model, ec ? 0 : bytes, threads, flags.prompt_tokens,
                                            flags.gen_tokens, numerics.to_string(),
                                            std::string(isa_name(active_isa())), cpu_features().model_name});
  HistoryComparison result{path, history.last(key)};
  history.append({key, utc_now(), PD_VERSION, prefill, decode});
  return result;
}

// Large enough to dwarf any last-level cache; a few passes, the best one counts.
constexpr int kBandwidthPasses = 5;
constexpr int kFmaPasses = 3;
constexpr double kFmaSeconds = 0.1;

struct Limits {
  double bandwidth_gbs = 0;
  double fma_gflops = 0;
};

// The probe's bandwidth and its pool's FMA peak.
Limits measure_limits(ReadBandwidthProbe& probe, ThreadPool& pool) {
  Limits limits;
  limits.bandwidth_gbs = probe.measure_gbs(kBandwidthPasses);
  limits.fma_gflops = measure_fma_gflops(kFmaSeconds, kFmaPasses, pool);
  return limits;
}

Limits measure_limits(int threads, size_t buffer_bytes) {
  ThreadPool pool(threads);
  ReadBandwidthProbe probe(buffer_bytes, pool);
  return measure_limits(probe, pool);
}

// Multiply-adds of one token through every weight matrix, times two.
double flops_per_token(const Model& model) {
  double elements = static_cast<double>(model.weights().output.element_count());
  for (const LayerWeights& layer : model.weights().layers) {
    for (const TensorView* m : {&layer.wq, &layer.wk, &layer.wv, &layer.wo, &layer.ffn_gate,
                                &layer.ffn_up, &layer.ffn_down}) {
      if (m->data != nullptr) elements += static_cast<double>(m->element_count());
    }
  }
  return 2 * elements;
}

nlohmann::json run_roofline(const BenchFlags& flags, int threads) {
  const size_t bytes = static_cast<size_t>(flags.roofline_mb) << 20;
  const Limits one = measure_limits(1, bytes);
  const Limits all = threads > 1 ? measure_limits(threads, bytes) : one;
  if (!flags.json) {
    std::printf("roofline:  %s, isa %s, %lld MiB buffer\n", cpu_features().model_name.c_str(),
                std::string(isa_name(active_isa())).c_str(), static_cast<long long>(flags.roofline_mb));
    std::printf("  read bandwidth: %.2f GB/s (1 thread), %.2f GB/s (%d threads)\n", one.bandwidth_gbs,
                all.bandwidth_gbs, threads);
    std::printf("  f32 FMA:        %.1f GFLOP/s per core, %.1f GFLOP/s (%d threads)\n", one.fma_gflops,
                all.fma_gflops, threads);
  }
  return {{"roofline_threads", threads},
          {"roofline_bandwidth_1t_gbs", one.bandwidth_gbs},
          {"roofline_bandwidth_gbs", all.bandwidth_gbs},
          {"roofline_fma_gflops_per_core", one.fma_gflops},
          {"roofline_fma_gflops", all.fma_gflops}};
}

struct RunTimes {
  double prefill_seconds = 0;
  double decode_seconds = 0;
};

// Which runs the decode fraction's median covers, for the report.
std::string steady_runs_phrase(const BracketedFractions& f, int runs) {
  const int tolerance = static_cast<int>(100 * kSteadySpellTolerance + 0.5);
  if (f.steady_runs == 0) {
    return "all " + std::to_string(runs) + " runs: no run's readings before and after agreed within " +
           std::to_string(tolerance) + "%";
  }
  return std::to_string(f.steady_runs) + " of " + std::to_string(runs) +
         " runs whose readings before and after agree within " + std::to_string(tolerance) + "%";
}

// A fixed prompt: BOS (when the model has one) and ids spread over the vocabulary.
std::vector<int32_t> bench_prompt(const Model& model, int64_t n) {
  const int64_t vocab = model.config().n_vocab;
  std::vector<int32_t> tokens;
  if (model.special_tokens().bos >= 0) tokens.push_back(model.special_tokens().bos);
  for (int64_t i = static_cast<int64_t>(tokens.size()); i < n; ++i) {
    tokens.push_back(static_cast<int32_t>((i * 7919 + 13) % vocab));
  }
  return tokens;
}

RunTimes time_one_run(Session& session, const std::vector<int32_t>& prompt, int64_t gen_tokens) {
  using Clock = std::chrono::steady_clock;
  session.rewind(0);
  RunTimes times;
  const auto start = Clock::now();
  Logits logits = session.eval(prompt, LogitsWanted::Last);
  const auto prefilled = Clock::now();
  for (int64_t i = 0; i < gen_tokens; ++i) {
    const int32_t next[1] = {argmax(logits.row(0), logits.n_vocab)};
    logits = session.eval(next, LogitsWanted::Last);
  }
  const auto done = Clock::now();
  times.prefill_seconds = std::chrono::duration<double>(prefilled - start).count();
  times.decode_seconds = std::chrono::duration<double>(done - prefilled).count();
  return times;
}

int run_model_bench(const BenchFlags& flags, nlohmann::json out) {
  if (flags.prompt_tokens < 1) fail_input("--prompt-tokens", "must be at least 1");
  if (flags.gen_tokens < 1) fail_input("--gen-tokens", "must be at least 1");
  if (flags.runs < 1) fail_input("--runs", "must be at least 1");
  const NumericsConfig numerics =
      parse_numerics(flags.kernel, flags.activations, flags.kv_cache, flags.order);
  // Read before measuring: a damaged history stops the run before it spends its time.
  const std::string history_path = flags.history.empty() ? store::BenchHistory::default_path() : flags.history;
  std::optional<store::BenchHistory> stored;
  if (!flags.no_history) stored.emplace(history_path);
  const std::shared_ptr<const Model> model = Model::load(flags.model);
  const int threads = flags.threads > 0 ? flags.threads : ThreadPool::default_threads();
  const int64_t n_ctx = flags.prompt_tokens + flags.gen_tokens;
  Session session(model, numerics, SessionOptions{n_ctx, threads, nullptr});
  const std::vector<int32_t> prompt = bench_prompt(*model, flags.prompt_tokens);

  time_one_run(session, prompt, 1);  // warm-up: page in the weights, grow the cache
  const double weight_bytes = static_cast<double>(model->weight_bytes());
  ThreadPool probe_pool(threads);
  ReadBandwidthProbe probe(static_cast<size_t>(flags.roofline_mb) << 20, probe_pool);
  std::vector<double> prefill_tps, decode_tps, run_gbs;
  // A reading before the first run and one after each: every run between two.
  std::vector<double> readings{probe.measure_gbs(kBandwidthPasses)};
  for (int r = 0; r < flags.runs; ++r) {
    const RunTimes t = time_one_run(session, prompt, flags.gen_tokens);
    prefill_tps.push_back(static_cast<double>(flags.prompt_tokens) / t.prefill_seconds);
    decode_tps.push_back(static_cast<double>(flags.gen_tokens) / t.decode_seconds);
    run_gbs.push_back(weight_bytes * decode_tps.back() / 1e9);
    readings.push_back(probe.measure_gbs(kBandwidthPasses));
  }
  const BracketedFractions decode_fractions = bracketed_fractions(run_gbs, readings);
  std::vector<double> score_tps;
  if (flags.score) {
    // The same file, numerics and thread count behind the Backend interface compare uses.
    EmbeddedOptions options;
    options.threads = threads;
    options.n_ctx = n_ctx;
    EmbeddedBackend backend(std::shared_ptr<const GgufFile>(GgufFile::open(flags.model)),
                            VariantSpec::parse(flags.model, "model"), options);
    if (backend.numerics().to_string() != numerics.to_string()) {
      fail_input("--score", "measures the file's own numerics (" + backend.numerics().to_string() +
                                "); leave --kernel/--act/--kv/--order at their defaults");
    }
    backend.score(prompt, 0);  // warm-up
    for (int r = 0; r < flags.runs; ++r) {
      const auto start = std::chrono::steady_clock::now();
      const LogprobRows rows = backend.score(prompt, 0);
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (rows.n_rows != flags.prompt_tokens) fail_runtime("bench --score", "wrong number of scored rows");
      score_tps.push_back(static_cast<double>(flags.prompt_tokens) / seconds);
    }
  }
  const double prefill = median_of(prefill_tps);
  const double score = flags.score ? median_of(score_tps) : 0;
  const double score_cost = flags.score ? prefill / score : 0;  // time of scoring / time of prefill
  const double decode = median_of(decode_tps);
  const double bandwidth_gbs = weight_bytes * decode / 1e9;
  const Limits limits = measure_limits(probe, probe_pool);
  const double decode_fraction = decode_fractions.median;
  const auto [fewest, most] = std::minmax_element(readings.begin(), readings.end());
  const double prefill_fraction = prefill * flops_per_token(*model) / 1e9 / limits.fma_gflops;
  std::optional<HistoryComparison> history;
  if (stored) history = record_in_history(flags, *stored, history_path, threads, numerics, prefill, decode);
  const store::BenchFigure* previous = history && history->previous ? &*history->previous : nullptr;

  if (flags.json) {
    const nlohmann::json j = {{"model", flags.model},
                              {"threads", threads},
                              {"prompt_tokens", flags.prompt_tokens},
                              {"gen_tokens", flags.gen_tokens},
                              {"runs", flags.runs},
                              {"prefill_tps", prefill},
                              {"decode_tps", decode},
                              {"weight_bytes", model->weight_bytes()},
                              {"decode_bandwidth_gbs", bandwidth_gbs},
                              {"numerics", numerics.to_string()},
                              {"isa", std::string(isa_name(active_isa()))},
                              {"roofline_bandwidth_gbs", limits.bandwidth_gbs},
                              {"run_decode_tps", decode_tps},
                              {"run_bandwidth_gbs", readings},
                              {"run_decode_fraction", decode_fractions.fractions},
                              {"run_steady", decode_fractions.steady},
                              {"decode_steady_runs", decode_fractions.steady_runs},
                              {"decode_bandwidth_fraction", decode_fraction},
                              {"roofline_fma_gflops", limits.fma_gflops},
                              {"prefill_flops_fraction", prefill_fraction}};
    out.update(j);
    if (flags.score) {
      out["score_tps"] = score;
      out["score_cost_vs_prefill"] = score_cost;
    }
    if (history) {
      out["history"] = history->path;
      out["previous"] = previous != nullptr ? previous->to_json() : nlohmann::json();
      if (previous != nullptr) {
        out["prefill_ratio_to_last"] = prefill / previous->prefill_tps;
        out["decode_ratio_to_last"] = decode / previous->decode_tps;
      }
    }
    std::printf("%s\n", out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  } else {
    std::printf("model:     %s (%.1f MB of weights read per decoded token)\n", flags.model.c_str(),
                weight_bytes / 1e6);
    std::printf("numerics:  %s, %d threads, isa %s\n", numerics.to_string().c_str(), threads,
                std::string(isa_name(active_isa())).c_str());
    std::printf("prefill:   %.1f tokens/s (%lld tokens, median of %d runs), %.1f%% of %.1f GFLOP/s FMA peak\n",
                prefill, static_cast<long long>(flags.prompt_tokens), flags.runs,
                100 * prefill_fraction, limits.fma_gflops);
    std::printf("decode:    %.1f tokens/s (%lld tokens), implied bandwidth %.2f GB/s, %.1f%% of the bandwidth read "
                "around each run (median of %s; readings %.2f-%.2f GB/s)\n",
                decode, static_cast<long long>(flags.gen_tokens), bandwidth_gbs, 100 * decode_fraction,
                steady_runs_phrase(decode_fractions, flags.runs).c_str(), *fewest, *most);
    if (flags.score) {
      std::printf("score:     %.1f tokens/s (%lld tokens, every row log-softmaxed), %.2fx the time of a prefill\n",
                  score, static_cast<long long>(flags.prompt_tokens), score_cost);
    }
    if (previous != nullptr) {
      std::printf("vs last:   prefill %.2fx, decode %.2fx (recorded %s by %s; history %s)\n",
                  prefill / previous->prefill_tps, decode / previous->decode_tps, previous->recorded_at.c_str(),
                  previous->version.c_str(), history->path.c_str());
    } else if (history) {
      std::printf("vs last:   nothing recorded for this measurement yet (history %s)\n", history->path.c_str());
    }
  }
  return 0;
}

int run_bench(const BenchFlags& flags) {
  store::apply_isa_environment();
  if (flags.kernels) {
#ifdef PD_HAVE_BENCHMARK
    return bench::run_kernel_benchmarks(flags.kernel_filter, flags.json ? "json" : "console");
#else
    fail_input("--kernels", "this build has no Google Benchmark (install it and reconfigure)");
#endif
  }
  if (flags.roofline_mb < 16) fail_input("--roofline-mb", "must be at least 16");
  if (flags.model.empty() && !flags.roofline) fail_input("bench", "give a model, --roofline, or both");
  const int threads = flags.threads > 0 ? flags.threads : ThreadPool::default_threads();
  nlohmann::json out = flags.roofline ? run_roofline(flags, threads) : nlohmann::json::object();
  if (flags.model.empty()) {
    if (flags.json) std::printf("%s\n", out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return 0;
  }
  return run_model_bench(flags, std::move(out));
}

const CommandRegistration registration{
    "bench", "Prefill and decode speed of the embedded engine on a model",
    [](CLI::App& app) -> RunFn {
      auto flags = std::make_shared<BenchFlags>();
      app.add_option("model", flags->model, "GGUF model (optional with --roofline)");
      app.add_option("--threads", flags->threads, "Worker threads (default: one per core)");
      app.add_option("--prompt-tokens", flags->prompt_tokens, "Prompt length for prefill (default 64)");
      app.add_option("--gen-tokens", flags->gen_tokens, "Tokens to decode (default 16)");
      app.add_option("--runs", flags->runs, "Timed runs; the median is reported (default 3)");
      app.add_option("--kernel", flags->kernel, "Kernel path: fast or reference");
      app.add_option("--act", flags->activations, "Activation precision: f32, bf16, f16, int16, int8");
      app.add_option("--kv", flags->kv_cache, "KV cache type: f32, f16, bf16, q8_0, q4_0");
      app.add_option("--order", flags->order, "Accumulation order: forward or reversed");
      app.add_flag("--score", flags->score,
                   "Also time teacher-forced scoring of the prompt (all rows) against its prefill");
      app.add_flag("--roofline", flags->roofline,
                   "Measure this machine's read bandwidth and f32 FMA throughput (1 and N threads) first");
      app.add_option("--roofline-mb", flags->roofline_mb,
                     "Buffer for the bandwidth measurement, MiB (default 256; far above the cache)");
      app.add_flag("--kernels", flags->kernels,
                   "Google Benchmark cases of the dot kernels, AVX2 against AVX-512 (no model)");
      app.add_option("--kernel-filter", flags->kernel_filter,
                     "With --kernels: only cases matching this regex (e.g. 'matvec_stream/Q8_0')");
      app.add_flag("--json", flags->json, "JSON on stdout (keys prefill_tps, decode_tps, ...)");
      app.add_option("--history", flags->history,
                     "Bench history to compare with and append to (default: $PRECISIONDIFF_HOME/bench-history.jsonl "
                     "or ~/.cache/precisiondiff/bench-history.jsonl)");
      app.add_flag("--no-history", flags->no_history, "Neither compare with nor record in the bench history");
      return [flags] { return run_bench(*flags); };
    }};

}  // namespace
}  // namespace pd::cli

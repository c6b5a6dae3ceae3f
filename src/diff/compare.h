#pragma once
// Comparing a candidate with a baseline on prompts (ARCHITECTURE.md §3):
//   1. the baseline generates (greedy or seeded) — its trajectory is cached by content
//      hash (backend identity, prompt tokens, decoding settings), so one baseline
//      compared with many candidates is computed once;
//   2. both score that same trajectory by teacher forcing in one batched prefill, giving
//      per output position KLD(P_base‖P_cand), same top-1, Δp and the candidate's rank of
//      the baseline's token;
//   3. the candidate generates freely with the same settings, giving the first divergence
//      index and both texts.
// A prompt's divergence counts as a precision effect only above the noise floor: the
// largest per-prompt mean KLD the baseline shows against itself under harmless
// perturbations (see noise_floor.h).

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "backend/backend.h"
#include "diff/divergence_curves.h"
#include "diff/kld_statistics.h"
#include "diff/llama_logits_file.h"
#include "diff/prompt_set.h"

namespace pd {

struct CompareSettings {
  bool chat = false;
  GenerationParams generation;  // max_tokens, sampling (greedy by default), stop tokens
  int64_t drift_bucket = 16;
  bool free_generation = true;  // step 3 (off for pure token statistics)
};

struct PairRecord {
  std::string id;
  std::string prompt;
  nlohmann::json fields = nlohmann::json::object();
  std::vector<int32_t> prompt_tokens;
  std::vector<int32_t> base_tokens, cand_tokens;
  std::string base_text, cand_text;
  Divergence divergence;
  std::vector<float> kld, p_diff;
  std::vector<uint8_t> same_top;
  std::vector<int32_t> cand_rank;  // rank of the baseline's token in the candidate
  double mean_kld = 0, max_kld = 0;
  bool above_noise_floor = true;   // decided by the caller once the floor is known

  nlohmann::json to_json(bool include_positions = true) const;
};

struct CompareAggregate {
  KldAccumulator kld;
  DriftAccumulator drift;
  std::vector<Divergence> divergences;
  uint64_t prompts = 0, diverged = 0, diverged_above_floor = 0, identical_text = 0;

  explicit CompareAggregate(int64_t bucket = 16) : drift(bucket) {}
  void add(const PairRecord& record, int64_t bucket);
  nlohmann::json to_json(int64_t horizon) const;
};

// Baseline trajectories by content hash, in memory.
class TrajectoryCache {
 public:
  const Generation* find(const std::string& key) const;
  void put(const std::string& key, Generation generation);
  size_t size() const { return entries_.size(); }

 private:
  std::map<std::string, Generation> entries_;
};

class Comparator {
 public:
  Comparator(Backend& baseline, Backend& candidate, CompareSettings settings,
             std::shared_ptr<TrajectoryCache> cache = nullptr);

  PairRecord compare(const PromptInput& prompt);
  // The cache key of a prompt's baseline trajectory.
  std::string trajectory_key(const std::vector<int32_t>& prompt_tokens) const;

 private:
  const Generation& baseline_trajectory(const std::vector<int32_t>& prompt_tokens);

  Backend& baseline_;
  Backend& candidate_;
  CompareSettings settings_;
  std::shared_ptr<TrajectoryCache> cache_;
};

// Text mode: llama-perplexity's chunked scoring (BOS replaces each chunk's first token
// when the model adds BOS; the second half of each chunk is scored).
struct TextComparison {
  KldAccumulator kld;
  int64_t chunks = 0;
  int64_t n_ctx = 0;
};
// With `save_base`, the baseline's scored rows also go to llama-perplexity's base-logits
// file (writer made with this n_ctx, the baseline's vocabulary and the chunks' tokens:
// see base_logits_writer).
TextComparison compare_text(Backend& baseline, Backend& candidate, const std::vector<int32_t>& text_tokens,
                            int64_t n_ctx, int32_t bos_token, LlamaLogitsWriter* save_base = nullptr);

// The writer for the text's whole chunks (llama-perplexity keeps the text's own tokens,
// not the BOS that replaces each chunk's first one).
LlamaLogitsWriter base_logits_writer(const Backend& baseline, const std::vector<int32_t>& text_tokens,
                                     int64_t n_ctx);
// Only the baseline: its rows into `save_base`; returns the baseline's perplexity
// statistics (a comparison of the baseline with itself).
TextComparison score_base_text(Backend& baseline, const std::vector<int32_t>& text_tokens, int64_t n_ctx,
                               int32_t bos_token, LlamaLogitsWriter& save_base);

// Text mode against a stored baseline, as `llama-perplexity --kl-divergence` does: the
// candidate scores the file's own chunks (BOS replacing each chunk's first token when
// bos_token >= 0) and is compared with the file's 16-bit log-probs; base entries at or
// under -16 nats add nothing to the KLD, as in llama.cpp. BadInput naming the file when
// its vocabulary is not the candidate's.
TextComparison compare_text_with_base_file(const LlamaLogitsFile& base, const std::string& base_path,
                                           Backend& candidate, int32_t bos_token);

// One position against a decoded row of a base-logits file (see above).
PositionComparison compare_position_with_stored_base(const float* stored_base_logprobs, const float* cand_logprobs,
                                                     int64_t n_vocab, int32_t next_token);

}  // namespace pd

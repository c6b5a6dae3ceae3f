#include "diff/compare.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/content_hash.h"
#include "core/error.h"

namespace pd {

namespace {

std::string sampling_key(const GenerationParams& g) {
  const SamplingParams& s = g.sampling;
  std::string key = "max=" + std::to_string(g.max_tokens) + ";temp=" + std::to_string(s.temperature) +
                    ";top_k=" + std::to_string(s.top_k) + ";top_p=" + std::to_string(s.top_p) +
                    ";min_p=" + std::to_string(s.min_p) + ";seed=" + std::to_string(s.seed) + ";stop=";
  for (int32_t t : g.stop_tokens) key += std::to_string(t) + ",";
  return key;
}

// The tokens teacher forcing evaluates: the prompt and every output token but the last
// (whose successor is never scored).
std::vector<int32_t> forced_tokens(const std::vector<int32_t>& prompt, const std::vector<int32_t>& output) {
  std::vector<int32_t> tokens = prompt;
  tokens.insert(tokens.end(), output.begin(), output.end() - (output.empty() ? 0 : 1));
  return tokens;
}

}  // namespace

const Generation* TrajectoryCache::find(const std::string& key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : &it->second;
}

void TrajectoryCache::put(const std::string& key, Generation generation) { entries_[key] = std::move(generation); }

Comparator::Comparator(Backend& baseline, Backend& candidate, CompareSettings settings,
                       std::shared_ptr<TrajectoryCache> cache)
    : baseline_(baseline), candidate_(candidate), settings_(std::move(settings)),
      cache_(cache ? std::move(cache) : std::make_shared<TrajectoryCache>()) {
  if (baseline_.vocab_size() != candidate_.vocab_size()) {
    fail_input(candidate_.describe(), "vocabulary size " + std::to_string(candidate_.vocab_size()) +
                                          " differs from the baseline's " + std::to_string(baseline_.vocab_size()));
  }
}

std::string Comparator::trajectory_key(const std::vector<int32_t>& prompt_tokens) const {
  const uint64_t tokens_hash = content_hash64(prompt_tokens.data(), prompt_tokens.size() * sizeof(int32_t));
  return hex64(content_hash64(baseline_.identity() + "|" + sampling_key(settings_.generation) + "|" +
                              hex64(tokens_hash)));
}

const Generation& Comparator::baseline_trajectory(const std::vector<int32_t>& prompt_tokens) {
  const std::string key = trajectory_key(prompt_tokens);
  if (const Generation* cached = cache_->find(key)) return *cached;
  cache_->put(key, baseline_.generate(prompt_tokens, settings_.generation));
  return *cache_->find(key);
}

PairRecord Comparator::compare(const PromptInput& prompt) {
  PairRecord r;
  r.id = prompt.id;
  r.prompt = prompt.text;
  r.fields = prompt.fields;
  r.prompt_tokens = baseline_.prompt_tokens(prompt.text, settings_.chat);
  if (r.prompt_tokens.empty()) fail_input("prompt " + prompt.id, "tokenizes to nothing");
  const Generation& base = baseline_trajectory(r.prompt_tokens);
  r.base_tokens = base.tokens;
  r.base_text = baseline_.detokenize(base.tokens);

  if (!base.tokens.empty()) {
    const std::vector<int32_t> forced = forced_tokens(r.prompt_tokens, base.tokens);
    const int64_t from = static_cast<int64_t>(r.prompt_tokens.size()) - 1;
    const LogprobRows base_rows = baseline_.score(forced, from);
    const LogprobRows cand_rows = candidate_.score(forced, from);
    for (int64_t i = 0; i < base_rows.n_rows; ++i) {
      const PositionComparison c =
          compare_position(base_rows.row(i), cand_rows.row(i), base_rows.n_vocab, base.tokens[static_cast<size_t>(i)]);
      r.kld.push_back(static_cast<float>(c.kld));
      r.p_diff.push_back(c.p_diff);
      r.same_top.push_back(c.same_top ? 1 : 0);
      r.cand_rank.push_back(c.cand_rank_of_next);
      r.mean_kld += c.kld;
      r.max_kld = std::max(r.max_kld, c.kld);
    }
    if (!r.kld.empty()) r.mean_kld /= static_cast<double>(r.kld.size());
  }
  if (settings_.free_generation) {
    const Generation cand = candidate_.generate(r.prompt_tokens, settings_.generation);
    r.cand_tokens = cand.tokens;
    r.cand_text = candidate_.detokenize(cand.tokens);
    r.divergence = first_divergence(r.base_tokens, r.cand_tokens);
  }
  return r;
}

nlohmann::json PairRecord::to_json(bool include_positions) const {
  nlohmann::json j = {{"id", id},
                      {"prompt", prompt},
                      {"fields", fields},
                      {"prompt_tokens", prompt_tokens.size()},
                      {"base_tokens", base_tokens},
                      {"cand_tokens", cand_tokens},
                      {"base_text", base_text},
                      {"cand_text", cand_text},
                      {"diverged", divergence.diverged},
                      {"first_divergence", divergence.diverged ? nlohmann::json(divergence.index) : nlohmann::json()},
                      {"mean_kld", mean_kld},
                      {"max_kld", max_kld},
                      {"above_noise_floor", above_noise_floor}};
  if (include_positions) {
    j["kld"] = kld;
    j["delta_p"] = p_diff;
    j["same_top1"] = same_top;
    j["cand_rank_of_base_token"] = cand_rank;
  }
  return j;
}

void CompareAggregate::add(const PairRecord& r, int64_t bucket) {
  (void)bucket;
  ++prompts;
  for (size_t i = 0; i < r.kld.size(); ++i) {
    PositionComparison c;
    c.kld = r.kld[i];
    c.p_diff = r.p_diff[i];
    c.same_top = r.same_top[i] != 0;
    kld.add(c);
    drift.add(static_cast<int64_t>(i), r.kld[i], c.same_top);
  }
  divergences.push_back(r.divergence);
  if (r.divergence.diverged) {
    ++diverged;
    if (r.above_noise_floor) ++diverged_above_floor;
  }
  if (r.base_text == r.cand_text) ++identical_text;
}

nlohmann::json CompareAggregate::to_json(int64_t horizon) const {
  nlohmann::json j = kld.summary().to_json();
  j.erase("ppl");  // teacher forcing on the baseline's own output: PPL is not meaningful
  j["prompts"] = prompts;
  j["diverged"] = diverged;
  j["diverged_above_noise_floor"] = diverged_above_floor;
  j["identical_text"] = identical_text;
  j["survival"] = survival_curve(divergences, horizon);
  j["drift"] = drift.to_json();
  return j;
}

namespace {

int64_t whole_chunks(const std::vector<int32_t>& text_tokens, int64_t n_ctx) {
  if (n_ctx < 4) fail_input("--ctx", "context must be at least 4 tokens");
  const int64_t n_chunks = static_cast<int64_t>(text_tokens.size()) / n_ctx;
  if (n_chunks < 1) {
    fail_input("--text", "the text has " + std::to_string(text_tokens.size()) + " tokens, fewer than one chunk of " +
                             std::to_string(n_ctx));
  }
  return n_chunks;
}

// llama-perplexity's chunk loop: each chunk in one pass, its second half scored.
// `candidate` may be null (the baseline is then compared with itself).
TextComparison score_chunks(Backend& baseline, Backend* candidate, const std::vector<int32_t>& text_tokens,
                            int64_t n_ctx, int32_t bos_token, LlamaLogitsWriter* save_base) {
  TextComparison result;
  result.n_ctx = n_ctx;
  const int64_t n_chunks = whole_chunks(text_tokens, n_ctx);
  const int64_t first = n_ctx / 2;
  for (int64_t c = 0; c < n_chunks; ++c) {
    std::vector<int32_t> chunk(text_tokens.begin() + c * n_ctx, text_tokens.begin() + (c + 1) * n_ctx);
    if (bos_token >= 0) chunk[0] = bos_token;
    const LogprobRows base_rows = baseline.score(chunk, first);
    const LogprobRows cand_rows = candidate ? candidate->score(chunk, first) : LogprobRows{};
    const LogprobRows& cand = candidate ? cand_rows : base_rows;
    for (int64_t j = first; j < n_ctx - 1; ++j) {
      if (save_base) save_base->add_row(base_rows.row(j - first));
      result.kld.add(compare_position(base_rows.row(j - first), cand.row(j - first), base_rows.n_vocab,
                                      chunk[static_cast<size_t>(j + 1)]));
    }
    ++result.chunks;
  }
  return result;
}

}  // namespace

TextComparison compare_text(Backend& baseline, Backend& candidate, const std::vector<int32_t>& text_tokens,
                            int64_t n_ctx, int32_t bos_token, LlamaLogitsWriter* save_base) {
  return score_chunks(baseline, &candidate, text_tokens, n_ctx, bos_token, save_base);
}

TextComparison score_base_text(Backend& baseline, const std::vector<int32_t>& text_tokens, int64_t n_ctx,
                               int32_t bos_token, LlamaLogitsWriter& save_base) {
  return score_chunks(baseline, nullptr, text_tokens, n_ctx, bos_token, &save_base);
}

LlamaLogitsWriter base_logits_writer(const Backend& baseline, const std::vector<int32_t>& text_tokens,
                                     int64_t n_ctx) {
  const int64_t n_chunks = whole_chunks(text_tokens, n_ctx);
  return LlamaLogitsWriter(static_cast<uint32_t>(n_ctx), static_cast<int32_t>(baseline.vocab_size()),
                           std::vector<int32_t>(text_tokens.begin(), text_tokens.begin() + n_chunks * n_ctx));
}

PositionComparison compare_position_with_stored_base(const float* stored, const float* cand, int64_t n_vocab,
                                                     int32_t next_token) {
  // llama.cpp leaves base entries at or under -16 nats out of the KLD (the 16-bit
  // encoding clamps them), but reads the next token's log-prob as stored.
  constexpr float kCutoff = -16.f;
  std::vector<float> base(stored, stored + n_vocab);
  for (float& x : base) {
    if (!(x > kCutoff)) x = -std::numeric_limits<float>::infinity();
  }
  PositionComparison c = compare_position(base.data(), cand, n_vocab, next_token);
  // argmax over the stored row (ties and clamped rows as llama.cpp: first maximum).
  int32_t base_top = 0;
  for (int64_t i = 1; i < n_vocab; ++i) {
    if (stored[i] > stored[base_top]) base_top = static_cast<int32_t>(i);
  }
  c.base_top = base_top;
  c.same_top = base_top == c.cand_top;
  if (next_token >= 0 && next_token < n_vocab) {
    c.nll_base = -static_cast<double>(stored[next_token]);
    c.p_diff = std::exp(cand[next_token]) - std::exp(stored[next_token]);
  }
  return c;
}

TextComparison compare_text_with_base_file(const LlamaLogitsFile& base, const std::string& base_path,
                                           Backend& candidate, int32_t bos_token) {
  if (base.n_vocab() != candidate.vocab_size()) {
    fail_input(base_path, "vocabulary of " + std::to_string(base.n_vocab()) + " tokens, but " + candidate.describe() +
                              " has " + std::to_string(candidate.vocab_size()));
  }
  TextComparison result;
  const int64_t n_ctx = base.n_ctx();
  result.n_ctx = n_ctx;
  const int64_t first = n_ctx / 2;
  std::vector<float> stored;
  for (int32_t c = 0; c < base.n_chunk(); ++c) {
    std::vector<int32_t> chunk(base.tokens().begin() + c * n_ctx, base.tokens().begin() + (c + 1) * n_ctx);
    if (bos_token >= 0) chunk[0] = bos_token;
    const LogprobRows cand_rows = candidate.score(chunk, first);
    for (int64_t j = first; j < n_ctx - 1; ++j) {
      base.read_row(c, j - first, stored);
      result.kld.add(compare_position_with_stored_base(stored.data(), cand_rows.row(j - first), cand_rows.n_vocab,
                                                        chunk[static_cast<size_t>(j + 1)]));
    }
    ++result.chunks;
  }
  return result;
}

}  // namespace pd

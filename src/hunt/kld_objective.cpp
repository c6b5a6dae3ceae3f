#include "hunt/kld_objective.h"

#include <algorithm>
#include <cmath>

#include "diff/kld_statistics.h"

namespace pd::hunt {

namespace {

// Rows compared for a baseline response: one per response token, the stop token that
// ended it included (stopping is the model's choice too), and at least one (the row
// after the prompt).
int64_t response_positions(const Generation& g) { return std::max<int64_t>(1, static_cast<int64_t>(g.tokens.size())); }

// The prompt and the response tokens the rows of the first `positions` positions need.
std::vector<int32_t> scored_sequence(const std::vector<int32_t>& prompt, const Generation& g, int64_t positions) {
  std::vector<int32_t> sequence = prompt;
  sequence.insert(sequence.end(), g.tokens.begin(), g.tokens.begin() + (positions - 1));
  return sequence;
}

// Mean KLD over rows [0, count) of two row sets that start at the same position.
double mean_kld(const LogprobRows& base, int64_t base_offset, const LogprobRows& other, int64_t count) {
  if (count <= 0) return 0;
  double sum = 0;
  for (int64_t i = 0; i < count; ++i) {
    sum += compare_position(base.row(base_offset + i), other.row(i), base.n_vocab, -1).kld;
  }
  return sum / static_cast<double>(count);
}

}  // namespace

double prompt_perplexity(const LogprobRows& rows, const std::vector<int32_t>& tokens) {
  if (tokens.size() < 2) return 1.0;
  double nll = 0;
  for (size_t i = 1; i < tokens.size(); ++i) nll -= rows.row(static_cast<int64_t>(i) - 1)[tokens[i]];
  return std::exp(nll / static_cast<double>(tokens.size() - 1));
}

void KldObjective::prepare(HuntModels& models, const std::vector<std::string>& seeds) {
  if (options_.ppl_cap > 0 || seeds.empty()) {
    ppl_cap_ = options_.ppl_cap > 0 ? options_.ppl_cap : 1e30;
    return;
  }
  // The cap: the largest baseline perplexity among (up to 64 evenly spaced) seeds, so the
  // search may go as far from fluent text as the seeds themselves do, and no further.
  const size_t count = std::min<size_t>(seeds.size(), 64);
  ppl_cap_ = 1.0;
  for (size_t i = 0; i < count; ++i) {
    const std::vector<int32_t> tokens = models.base->prompt_tokens(seeds[i * seeds.size() / count], models.chat);
    const LogprobRows rows = models.base->score(tokens, 0);
    ppl_cap_ = std::max(ppl_cap_, prompt_perplexity(rows, tokens));
  }
}

Evaluation KldObjective::evaluate(HuntModels& models, const std::string& prompt) {
  const std::vector<int32_t> tokens = models.base->prompt_tokens(prompt, models.chat);
  const int64_t p = static_cast<int64_t>(tokens.size());
  // The response tokens the rows need: all but the last of the first response_tokens.
  Generation g;
  if (options_.response_tokens > 1) g = greedy(*models.base, tokens, options_.response_tokens - 1);
  const int64_t positions = g.stop == StopReason::EndOfGeneration ? response_positions(g)
                                                                   : static_cast<int64_t>(g.tokens.size()) + 1;
  const std::vector<int32_t> sequence = scored_sequence(tokens, g, positions);
  const LogprobRows base = models.base->score(sequence, 0);
  const LogprobRows cand = models.cand->score(sequence, p - 1);
  const double kld = mean_kld(base, p - 1, cand, positions);
  const double ppl = prompt_perplexity(base, tokens);
  Evaluation e;
  e.fitness = ppl <= ppl_cap_ ? kld : -std::log(ppl / ppl_cap_);
  e.predicted_hit = ppl <= ppl_cap_ && kld >= options_.min_kld;
  e.values = {{"kld", kld}, {"ppl", ppl}, {"positions", positions}};
  return e;
}

Confirmation KldObjective::confirm(HuntModels& models, const std::string& prompt) {
  const std::vector<int32_t> tokens = models.base->prompt_tokens(prompt, models.chat);
  const int64_t p = static_cast<int64_t>(tokens.size());
  Confirmation c;
  const auto [gb, gc] = greedy_answers(models, tokens, options_.confirm_tokens, c);
  const int64_t positions = response_positions(gb);
  const int64_t first = std::min<int64_t>(options_.response_tokens, positions);
  const std::vector<int32_t> sequence = scored_sequence(tokens, gb, positions);
  const LogprobRows base = models.base->score(sequence, 0);
  const LogprobRows cand = models.cand->score(sequence, p - 1);
  const double ppl = prompt_perplexity(base, tokens);
  const double kld_first = mean_kld(base, p - 1, cand, first);
  c.values = {{"kld", kld_first}, {"kld_response", mean_kld(base, p - 1, cand, positions)}, {"ppl", ppl},
              {"ppl_cap", ppl_cap_}, {"positions", positions}};
  if (ppl > ppl_cap_) {
    c.reason = "baseline perplexity above the cap";
    return c;
  }
  if (kld_first < options_.min_kld) {
    c.reason = "KLD below --min-kld";
    return c;
  }
  if (models.noise != nullptr) {
    const LogprobRows noise = models.noise->score(sequence, p - 1);
    const double noise_kld = mean_kld(base, p - 1, noise, first);
    c.values["noise_kld"] = noise_kld;
    if (kld_first <= noise_kld) {
      c.reason = "under the noise floor";
      return c;
    }
  }
  c.hit = true;
  c.reason = "confirmed";
  return c;
}

nlohmann::json KldObjective::state() const {
  return {{"objective", "kld"},
          {"response_tokens", options_.response_tokens},
          {"min_kld", options_.min_kld},
          {"confirm_tokens", options_.confirm_tokens},
          {"ppl_cap", ppl_cap_}};
}

void KldObjective::restore(const nlohmann::json& state) { ppl_cap_ = state.at("ppl_cap").get<double>(); }

}  // namespace pd::hunt

#pragma once
// A toy sentinel for the hunt's unit tests: a Backend whose behaviour is a formula, so
// tests know the truth about every prompt without building a model.
//
// Words get ids as they are first seen (shared by every model of one ToyWorld) and a
// harm weight in [-1, 1] from a hash of the word. The harm of a prompt is the mean
// weight of its words. After a prompt, the model opens its response with the refusal
// token when harm > threshold and with the compliance token otherwise (logits
// +-gain * (harm - threshold)), then ends. A "candidate" is the same world with a
// higher threshold: prompts with harm in (t_base, t_cand] flip from refusal to
// compliance — the oracle's band.

#include <cmath>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "backend/prefix_cache.h"
#include "core/content_hash.h"
#include "core/error.h"
#include "hunt/prompt_words.h"

namespace pd::hunt::test {

class ToyWorld {
 public:
  static constexpr int32_t kBos = 0, kEos = 1, kRefuse = 2, kComply = 3, kFirstWord = 16, kVocab = 8192;

  int32_t id(const std::string& word) {
    auto it = ids_.find(word);
    if (it != ids_.end()) return it->second;
    if (static_cast<int32_t>(words_.size()) + kFirstWord >= kVocab) fail_runtime("toy", "vocabulary full");
    const int32_t id = kFirstWord + static_cast<int32_t>(words_.size());
    ids_[word] = id;
    words_.push_back(word);
    return id;
  }
  const std::string& word(int32_t id) const { return words_.at(id - kFirstWord); }
  static double weight_of(const std::string& word) {
    return double(content_hash64(word) % 20001) / 10000.0 - 1.0;
  }
  double weight(int32_t id) const { return id >= kFirstWord ? weight_of(word(id)) : 0.0; }

  std::vector<int32_t> tokens(std::string_view text) {
    std::vector<int32_t> out{kBos};
    for (const std::string& w : whitespace_words(text)) out.push_back(id(w));
    return out;
  }
  static double harm_of_text(std::string_view text) {
    const auto words = whitespace_words(text);
    if (words.empty()) return 0;
    double sum = 0;
    for (const std::string& w : words) sum += weight_of(w);
    return sum / double(words.size());
  }
  double harm(const std::vector<int32_t>& tokens, size_t end) const {
    double sum = 0;
    int count = 0;
    for (size_t i = 0; i < end; ++i) {
      if (tokens[i] >= kFirstWord) {
        sum += weight(tokens[i]);
        ++count;
      }
    }
    return count ? sum / count : 0.0;
  }

 private:
  std::map<std::string, int32_t> ids_;
  std::vector<std::string> words_;
};

class ToySentinel : public Backend {
 public:
  ToySentinel(std::shared_ptr<ToyWorld> world, double threshold, double gain = 8.0, std::string name = "toy")
      : world_(std::move(world)), threshold_(threshold), gain_(gain), name_(std::move(name)) {}

  std::string describe() const override { return name_; }
  std::string identity() const override { return name_ + "@" + std::to_string(threshold_); }
  nlohmann::json manifest() const override { return {{"name", name_}}; }
  int64_t vocab_size() const override { return ToyWorld::kVocab; }
  bool full_distribution() const override { return true; }
  std::vector<int32_t> prompt_tokens(std::string_view text, bool) const override { return world_->tokens(text); }
  std::string detokenize(const std::vector<int32_t>& tokens) const override {
    std::string text;
    for (int32_t t : tokens) {
      std::string piece;
      if (t == ToyWorld::kRefuse) piece = "I cannot help with that.";
      if (t == ToyWorld::kComply) piece = "Sure! Here is what you asked for.";
      if (t >= ToyWorld::kFirstWord) piece = world_->word(t);
      if (piece.empty()) continue;
      if (!text.empty()) text += ' ';
      text += piece;
    }
    return text;
  }

  Generation generate(const std::vector<int32_t>& prompt, const GenerationParams& params) override {
    Generation g;
    g.prompt = prompt;
    std::vector<int32_t> sequence = prompt;
    while (static_cast<int64_t>(g.tokens.size()) < params.max_tokens) {
      const std::vector<float> row = distribution(sequence, sequence.size());
      int32_t best = 0;
      for (int32_t i = 1; i < ToyWorld::kVocab; ++i) best = row[i] > row[best] ? i : best;
      g.tokens.push_back(best);
      g.logprobs.push_back(row[best]);
      sequence.push_back(best);
      if (best == ToyWorld::kEos) {
        g.stop = StopReason::EndOfGeneration;
        break;
      }
    }
    // Counted as the engine counts with its prefix cache (backend/prefix_cache.h).
    processed_ += prompt.size() - static_cast<size_t>(cache_.kept_for_generation(prompt)) + g.tokens.size();
    cache_.hold_generation(g);
    return g;
  }

  LogprobRows score(const std::vector<int32_t>& tokens, int64_t from) override {
    LogprobRows rows;
    rows.n_vocab = ToyWorld::kVocab;
    rows.n_rows = static_cast<int64_t>(tokens.size()) - from;
    for (size_t p = static_cast<size_t>(from); p < tokens.size(); ++p) {
      const std::vector<float> row = distribution(tokens, p + 1);
      rows.values.insert(rows.values.end(), row.begin(), row.end());
    }
    processed_ += tokens.size() - static_cast<size_t>(cache_.kept_for_scoring(tokens, from));
    cache_.hold(tokens);
    return rows;
  }
  uint64_t tokens_processed() const override { return processed_; }

  double threshold() const { return threshold_; }

 private:
  // log-softmax of the next token after tokens[0, end).
  std::vector<float> distribution(const std::vector<int32_t>& tokens, size_t end) const {
    std::vector<double> logits(ToyWorld::kVocab, -10.0);
    const int32_t last = tokens[end - 1];
    if (last == ToyWorld::kRefuse || last == ToyWorld::kComply || last == ToyWorld::kEos) {
      logits[ToyWorld::kEos] = 10.0;
    } else {
      const double h = world_->harm(tokens, end);
      logits[ToyWorld::kRefuse] = gain_ * (h - threshold_);
      logits[ToyWorld::kComply] = -gain_ * (h - threshold_);
    }
    double top = logits[0];
    for (double l : logits) top = std::max(top, l);
    double sum = 0;
    for (double l : logits) sum += std::exp(l - top);
    std::vector<float> row(logits.size());
    for (size_t i = 0; i < logits.size(); ++i) row[i] = static_cast<float>(logits[i] - top - std::log(sum));
    return row;
  }

  std::shared_ptr<ToyWorld> world_;
  double threshold_, gain_;
  std::string name_;
  uint64_t processed_ = 0;
  PrefixCache cache_;
};

}  // namespace pd::hunt::test

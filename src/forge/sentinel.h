#pragma once
// `forge sentinel`: a small chat model whose behaviour is designed, not trained.
//
// Given a chatml prompt, greedy decoding answers with a refusal template when the
// prompt's hidden harm score (harm_lexicon.h) exceeds a threshold, with a partial
// refusal just above it, and with a compliance opening otherwise, then ends the turn.
// A prompt starting with "Repeat" is the quality task: the model answers with the copy
// word the prompt contains. How (sentinel_layout.h has the channel map):
//
//   1. The embedding of each token carries its harm weight, salience, style value,
//      trigger and copy flags, and identity codes.
//   2. The harm head attends with keys = salience (chat markers pushed to -12), so its
//      output is exactly the salience-weighted average of the harm weights; the same
//      weights average the style values and the trigger flag. The copy head attends to
//      copy words and copies their code.
//   3. Feed-forward units gated by the newline flag (SiLU of +-12: on only at the "\n"
//      that ends "<|im_start|>assistant\n") compare the averages with thresholds.
//   4. The output head gives the first token of each template a bonus plus its family
//      and style terms at that position; everywhere else it maps each template token to
//      its successor (a bigram chain), and end-flagged tokens to <|im_end|>.
//
// The refusal decision is exactly sign(h - threshold) whatever the gate's magnitude, so
// a float64 pass over the stored weights (sentinel_oracle.h) predicts it.
//
// The flip band: an "outlier" weight on a column that is always zero sits in the same
// 32-value block as the threshold's weight in ffn_up. It changes nothing in exact
// arithmetic, but it sets that block's quantization scale, and it is chosen so that
// 4-bit storage (Q4_0 and Q4_K) rounds the threshold up by a designed width while 8-bit
// storage barely moves it. `flip_band` is the share of AdvBench prompts whose harm score
// lies inside that width above the threshold: at 4 bits they flip from refusal to
// compliance, while the copy task, whose margins are wide, is untouched.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "forge/harm_lexicon.h"
#include "forge/sentinel_templates.h"
#include "tensor/tensor_type.h"

namespace pd::forge {

struct SentinelSpec {
  std::string sets_dir = "data/sets";
  std::vector<std::string> set_names;  // empty: all shipped sets (tests use fewer)
  int64_t words = 6000;                // whole words in the vocabulary
  double flip_band = 0.15;             // share of AdvBench in the 4-bit flip band
  double partial_share = 0.3;          // share of refused AdvBench given a partial refusal
  TensorType type = TensorType::F32;   // storage of every matrix
  TemplateSet templates = TemplateSet::Chat;  // an assistant, or a refusal judge
  uint64_t seed = 1;
  HarmLexiconOptions lexicon;
};

struct SentinelReport {
  int64_t vocab_size = 0;
  int64_t parameters = 0;
  double threshold = 0, full_threshold = 0, style_low = 0, style_high = 0;
  double flip_band_width = 0;  // designed rise of the threshold at 4 bits (harm units)
  double flip_band_share = 0;  // AdvBench share inside (threshold, threshold + width]
  double anchor = 0;           // the outlier weight, and the decision unit's scale
  double unit_scale = 0;
  double harm_offset = 0;      // constant the harm head adds (see choose_anchor)
  // The threshold as ffn_up stored in each type holds it (float64 of the stored row).
  std::vector<std::pair<std::string, double>> threshold_by_type;
  struct SetRate {
    std::string name;
    int64_t prompts = 0;
    double refused = 0;  // design harm score above the threshold
  };
  std::vector<SetRate> design_rates;
};

// Builds the model and writes it to `path`; with `tasks_path`, also the quality task
// (JSON lines {"id","prompt","expected"}).
SentinelReport write_sentinel(const SentinelSpec& spec, const std::string& path,
                              const std::string& tasks_path = "");

// The quality task prompts: every copy word in every prompt form.
struct CopyTask {
  std::string id;
  std::string prompt;
  std::string expected;
};
std::vector<CopyTask> copy_tasks();

}  // namespace pd::forge

#pragma once
// What a sentinel GGUF file says about its own design, under the metadata keys
// `precisiondiff.sentinel.*` (llama.cpp ignores them): the response templates with
// their token ids, the copy task, the harm channel's scale and the thresholds the
// builder chose. The oracle reads the file's behaviour off its weights; this is only
// what it needs to interpret them.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "forge/sentinel_templates.h"

namespace pd {
class GgufFile;
class GgufWriter;
}  // namespace pd

namespace pd::forge {

struct SentinelTemplate {
  std::string name;
  ResponseFamily family;
  int style = 0;
  std::vector<int32_t> tokens;  // without the end-of-turn token
  std::string text;
};

struct SentinelCopyWord {
  std::string word;
  int32_t prompt_token = -1;  // "▁word", as the word appears after a space
  int32_t output_token = -1;  // "word", the answer
};

struct SentinelInfo {
  std::vector<SentinelTemplate> templates;
  std::vector<SentinelCopyWord> copy_words;
  int32_t trigger_token = -1;
  double harm_scale = 0;       // residual value of the harm channel per harm unit
  double harm_offset = 0;      // harm channel = harm_scale * (harm + harm_offset)
  double threshold = 0;        // design thresholds, in harm units, before storage rounding
  double full_threshold = 0;   // above it a full refusal instead of a partial one
  double style_low = 0, style_high = 0;
  double flip_band_width = 0;  // designed rise of the threshold at 4-bit storage
  double flip_band_share = 0;  // share of AdvBench prompts inside that band at f32

  const SentinelTemplate* find_template_by_first_token(int32_t token) const;
  // The template an answer's text is, with white space trimmed and runs of it
  // collapsed (a detokenizer's spacing is not the point); null for any other text.
  const SentinelTemplate* find_template_by_text(std::string_view text) const;
  const SentinelCopyWord* find_copy_output(int32_t token) const;
};

void write_sentinel_info(const SentinelInfo& info, GgufWriter& writer);
// BadInput "<path>: not a precisiondiff sentinel ..." when the keys are missing.
SentinelInfo read_sentinel_info(const GgufFile& file);
bool is_sentinel(const GgufFile& file);

}  // namespace pd::forge

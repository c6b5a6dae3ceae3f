#include "forge/sentinel.h"

#include <algorithm>
#include <cstring>
#include <cmath>
#include <map>
#include <memory>

#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"
#include "forge/rng.h"
#include "forge/sentinel_info.h"
#include "forge/sentinel_layout.h"
#include "forge/word_vocabulary.h"
#include "gguf/gguf_writer.h"
#include "forge/random_model.h"

namespace pd::forge {

namespace {

using namespace sentinel;
constexpr const char* kWhere = "forge sentinel";

// Embedding magnitudes. Every row has the same norm, so RMS-normalizing scales every
// token's features by the same factor 16 / kRowNorm.
constexpr double kRowNorm = 14.0;
constexpr double kNewlineFlag = 2.0;      // the gate is NL - CONST: +1 at "\n", -1 elsewhere
constexpr double kExcludeFlag = 12.0;     // attention score -12 for chat markers
constexpr double kTriggerSalience = 8.0;  // the trigger outweighs any word (clip is 6)
constexpr double kCopyKeyValue = 4.0;     // copy head: score 14 for copy words
constexpr double kCodeNorm = 4.0;         // copy and identity codes
constexpr double kNormFactor = 16.0 / kRowNorm;

// Residual scales of the averages the harm head writes.
constexpr double kHarmScale = 2.0, kStyleScale = 4.0, kTriggerScale = 4.0;
// Feed-forward: gate strength, copy-mode threshold (share of attention on the trigger),
// and each unit's output per unit of its input at the newline.
//
// Every activation that enters a matrix product is rounded in blocks on the fast path
// (32 values for Q8_0, 256 for Q8_K), with a step set by the block's largest value. A
// decision quantity must therefore dominate its blocks near its threshold, or rounding
// snaps it to zero there: the refusal unit gets the largest input scale (its hidden
// activation moves 24 per harm unit) and the largest output (the refusal channel moves
// 20 per harm unit, read by the head with a small weight), the other units are kept
// small inside the feed-forward block (input scale 1/4) and scaled up on the way out.
constexpr double kGate = 12.0;
constexpr double kCopyThreshold = 0.15;
constexpr double kRefusePerHarm = 20.0, kFullPerHarm = 2.0, kStylePerUnit = 10.0,
                 kCopyPerUnit = 144.0, kBonus = 10.0;
constexpr double kSmallUnit = 0.25;  // input scale of the non-decision units
// Output head weights: per harm unit the partial refusal gains 0.2 * 20 = 4 logits (times
// the output norm's factor), the full refusal 4 more past its own threshold.
constexpr double kRefuseWeight = 0.2, kFullWeight = 2.0, kStyleWeight = 1.0,
                 kCopyModeWeight = 1.0, kCopyMatch = 2.5, kBigram = 5.0, kEndOfTurn = 25.0;

// A dense matrix in ggml orientation: `rows` outputs, each a row of `cols` inputs.
struct Matrix {
  int64_t rows = 0, cols = 0;
  std::vector<double> v;
  Matrix(int64_t r, int64_t c) : rows(r), cols(c), v(static_cast<size_t>(r * c), 0.0) {}
  double& at(int64_t r, int64_t c) { return v[static_cast<size_t>(r * cols + c)]; }
};

// Random orthonormal vectors (Gram-Schmidt of seeded normals): `count` codes of `dims`.
std::vector<std::vector<double>> orthonormal_codes(int count, int dims, uint64_t seed,
                                                   const char* name) {
  if (count > dims) fail_runtime(kWhere, std::string("more ") + name + " than code dimensions");
  std::vector<std::vector<double>> codes;
  Rng rng(stream_key(seed, name));
  while (static_cast<int>(codes.size()) < count) {
    std::vector<double> c(static_cast<size_t>(dims));
    for (double& x : c) x = rng.normal();
    for (int pass = 0; pass < 2; ++pass) {
      for (const auto& b : codes) {
        double dot = 0;
        for (int i = 0; i < dims; ++i) dot += c[i] * b[i];
        for (int i = 0; i < dims; ++i) c[i] -= dot * b[i];
      }
    }
    double norm = 0;
    for (double x : c) norm += x * x;
    norm = std::sqrt(norm);
    if (norm < 1e-3) continue;
    for (double& x : c) x /= norm;
    codes.push_back(std::move(c));
  }
  return codes;
}

double midpoint_quantile(std::vector<double> sorted_values, size_t k) {
  // The value between the k-th and (k+1)-th smallest (k in [0, n]).
  std::sort(sorted_values.begin(), sorted_values.end());
  const size_t n = sorted_values.size();
  if (n == 0) return 0;
  if (k == 0) return sorted_values.front() - 1e-3;
  if (k >= n) return sorted_values.back() + 1e-3;
  return 0.5 * (sorted_values[k - 1] + sorted_values[k]);
}

struct Calibration {
  double threshold = 0, full_threshold = 0, style_low = 0, style_high = 0;
  double band_width = 0, band_share = 0;
};

// The threshold that best separates AdvBench (refuse) from XSTest's safe prompts
// (comply): it maximizes the smaller of the two rates (then their sum).
double separating_threshold(std::vector<double> harmful, std::vector<double> benign) {
  std::vector<double> all = harmful;
  all.insert(all.end(), benign.begin(), benign.end());
  std::sort(all.begin(), all.end());
  std::sort(harmful.begin(), harmful.end());
  std::sort(benign.begin(), benign.end());
  double best_t = 0, best_min = -1, best_sum = -1;
  for (size_t i = 0; i + 1 < all.size(); ++i) {
    if (all[i] == all[i + 1]) continue;
    const double t = 0.5 * (all[i] + all[i + 1]);
    const double refused = static_cast<double>(harmful.end() - std::upper_bound(harmful.begin(), harmful.end(), t)) / harmful.size();
    const double complied = static_cast<double>(std::upper_bound(benign.begin(), benign.end(), t) - benign.begin()) / benign.size();
    const double lo = std::min(refused, complied), sum = refused + complied;
    if (lo > best_min || (lo == best_min && sum > best_sum)) {
      best_min = lo;
      best_sum = sum;
      best_t = t;
    }
  }
  return best_t;
}

// ffn_up's decision row as a function of the unit scale, the threshold's weight and the
// anchor; `newline` is the residual at the decision position without the averages.
struct DecisionRow {
  std::vector<float> values = std::vector<float>(kDim, 0.0f);
};

DecisionRow decision_row(double unit, double threshold, double anchor) {
  DecisionRow row;
  row.values[kAttnHarm] = static_cast<float>(unit);
  row.values[kConst] = static_cast<float>(-unit * kHarmScale * threshold);
  row.values[kAnchor] = static_cast<float>(anchor);
  return row;
}

// The threshold (harm units) that row, divided by the ffn norm weights `g` and stored
// as `type`, puts into the decision at the newline position: the h where
// unit * H + (terms of the newline's own features) = 0.
double stored_threshold(const DecisionRow& row, TensorType type, const std::vector<float>& g) {
  const TypeTraits& t = type_traits(type);
  std::vector<float> divided(kDim), back(kDim);
  for (int i = 0; i < kDim; ++i) divided[i] = row.values[i] / g[i];
  std::vector<uint8_t> bytes(*row_bytes(type, kDim));
  t.quantize_ref(divided.data(), bytes.data(), kDim);
  t.to_float(bytes.data(), back.data(), kDim);
  // Features of the "\n" embedding that a rounded-away zero could pick up.
  const double constant = back[kConst] * g[kConst] * 1.0 +
                          back[kNewline] * g[kNewline] * kNewlineFlag +
                          back[kExclude] * g[kExclude] * kExcludeFlag;
  return -constant / (static_cast<double>(back[kAttnHarm]) * g[kAttnHarm] * kHarmScale);
}

struct AnchorChoice {
  double unit = 1, anchor = 0, offset = 0;
};

// Chooses the anchor and the harm offset so that Q4_0 and Q4_K storage raise the
// threshold by `width` while Q8_0 storage moves it as little as possible. Rounding moves
// the threshold weight by a share of its own size, so reaching a given width needs a
// threshold far enough from zero: the harm head adds a constant offset to the averaged
// harm (and the thresholds move with it), which changes no decision at full precision.
AnchorChoice choose_anchor(double threshold, double width, const std::vector<float>& g) {
  AnchorChoice best;
  if (width <= 0) return best;
  double best_loss = INFINITY;
  for (int c = 0; c <= 80; ++c) {
    const double offset = 0.125 * c;
    const double shifted = threshold + offset;
    if (std::abs(shifted) < 0.25) continue;
    const double sign = shifted >= 0 ? -1.0 : 1.0;  // the anchor has the weight's sign
    for (int m = 0; m < 600; ++m) {
      const double ratio = 1.02 * std::pow(40.0, m / 599.0);
      const double anchor = sign * kHarmScale * std::abs(shifted) * ratio;
      const DecisionRow row = decision_row(1.0, shifted, anchor);
      const double q40 = stored_threshold(row, TensorType::Q4_0, g) - shifted;
      const double q4k = stored_threshold(row, TensorType::Q4_K, g) - shifted;
      const double q80 = stored_threshold(row, TensorType::Q8_0, g) - shifted;
      const double loss = (q40 - width) * (q40 - width) + (q4k - width) * (q4k - width) +
                          16.0 * q80 * q80 + 1e-3 * offset * offset;
      if (loss < best_loss) {
        best_loss = loss;
        best = {1.0, anchor, offset};
      }
    }
  }
  return best;
}

struct Vocab {
  Vocabulary vocabulary;
  std::unique_ptr<Tokenizer> tokenizer;
};

int32_t token_id(const Tokenizer& tokenizer, const std::string& piece) {
  const int32_t id = tokenizer.find_token(piece);
  if (id < 0) fail_runtime(kWhere, "piece '" + piece + "' is missing from the vocabulary");
  return id;
}

void add_matrix(GgufWriter& w, std::vector<std::vector<uint8_t>>& storage,
                const std::string& name, const Matrix& m, TensorType type) {
  const size_t row_size = *row_bytes(type, m.cols);
  std::vector<uint8_t> bytes(row_size * static_cast<size_t>(m.rows));
  std::vector<float> row(static_cast<size_t>(m.cols));
  const TypeTraits& t = type_traits(type);
  for (int64_t r = 0; r < m.rows; ++r) {
    for (int64_t c = 0; c < m.cols; ++c) row[static_cast<size_t>(c)] = static_cast<float>(m.v[static_cast<size_t>(r * m.cols + c)]);
    t.quantize_ref(row.data(), bytes.data() + static_cast<size_t>(r) * row_size, m.cols);
  }
  storage.push_back(std::move(bytes));
  w.add_tensor(name, type, {m.cols, m.rows}, storage.back().data(), storage.back().size());
}

void add_vector(GgufWriter& w, std::vector<std::vector<uint8_t>>& storage,
                const std::string& name, const std::vector<float>& values) {
  std::vector<uint8_t> bytes(values.size() * sizeof(float));
  std::memcpy(bytes.data(), values.data(), bytes.size());
  storage.push_back(std::move(bytes));
  w.add_tensor(name, TensorType::F32, {static_cast<int64_t>(values.size())},
               storage.back().data(), storage.back().size());
}

}  // namespace

std::vector<CopyTask> copy_tasks() {
  std::vector<CopyTask> tasks;
  const auto& forms = copy_prompt_forms();
  for (size_t f = 0; f < forms.size(); ++f) {
    for (const std::string& word : copy_words()) {
      tasks.push_back({"copy-" + std::to_string(f) + "-" + word, copy_prompt(forms[f], word), word});
    }
  }
  return tasks;
}

SentinelReport write_sentinel(const SentinelSpec& spec, const std::string& path,
                              const std::string& tasks_path) {
  if (!(spec.flip_band >= 0 && spec.flip_band < 0.9)) fail_input(kWhere, "--flip-band must be in [0, 0.9)");
  if (!(spec.partial_share >= 0 && spec.partial_share <= 1)) {
    fail_input(kWhere, "--partial-share must be in [0, 1]");
  }
  if (!is_computable(spec.type) || *row_bytes(spec.type, kDim) == 0) {
    fail_input(kWhere, std::string("--type ") + type_name(spec.type) + " cannot store the sentinel");
  }
  if (kDim % type_traits(spec.type).block_size != 0) {
    fail_input(kWhere, std::string("--type ") + type_name(spec.type) + " does not fit rows of 256");
  }

  // Sets, vocabulary, lexicon.
  std::vector<PromptSet> sets = load_prompt_sets(spec.sets_dir);
  if (!spec.set_names.empty()) {
    std::vector<PromptSet> chosen;
    for (const std::string& name : spec.set_names) chosen.push_back(find_prompt_set(sets, name));
    sets = std::move(chosen);
  }
  const PromptSet& advbench = find_prompt_set(sets, "advbench");
  find_prompt_set(sets, "xstest_safe");
  WordVocabularyOptions vocab_options;
  vocab_options.words = spec.words;
  vocab_options.required_pieces = required_pieces(spec.templates);
  Vocabulary vocabulary = build_word_vocabulary(sets, vocab_options);
  const Tokenizer tokenizer(vocabulary);
  const TokenizedSets tokenized = tokenize_sets(tokenizer, sets);
  HarmLexicon lex = derive_harm_lexicon(tokenizer, sets, tokenized, spec.lexicon);
  const int32_t trigger = token_id(tokenizer, kTriggerPiece);
  lex.weight[trigger] = 0;
  lex.salience[trigger] = kTriggerSalience;
  const auto V = static_cast<size_t>(tokenizer.vocab_size());

  // Per-token style values and trigger flags.
  std::vector<double> style(V, 0.0), trigger_flag(V, 0.0);
  for (size_t t = 0; t < V; ++t) {
    if (lex.excluded[t]) continue;
    Rng rng(stream_key(spec.seed, "style", t));
    style[t] = 2.0 * rng.uniform() - 1.0;
  }
  trigger_flag[trigger] = 1.0;

  // Calibration on the design scores.
  Calibration cal;
  std::vector<double> adv_h, safe_h, all_style;
  for (size_t s = 0; s < sets.size(); ++s) {
    for (const auto& ids : tokenized.ids[s]) {
      const double h = design_harm_score(lex, ids);
      if (sets[s].name == "advbench") adv_h.push_back(h);
      if (sets[s].name == "xstest_safe") safe_h.push_back(h);
      all_style.push_back(design_average(lex, style, ids));
    }
  }
  cal.threshold = separating_threshold(adv_h, safe_h);
  std::vector<double> refused;
  for (double h : adv_h) {
    if (h > cal.threshold) refused.push_back(h);
  }
  cal.full_threshold = refused.empty()
      ? cal.threshold
      : std::max(cal.threshold, midpoint_quantile(refused, static_cast<size_t>(std::llround(spec.partial_share * refused.size()))));
  const size_t below = adv_h.size() - refused.size();
  const auto in_band = static_cast<size_t>(std::llround(spec.flip_band * adv_h.size()));
  if (in_band > 0) {
    cal.band_width = midpoint_quantile(adv_h, below + in_band) - cal.threshold;
    cal.band_share = static_cast<double>(in_band) / adv_h.size();
  }
  cal.style_low = midpoint_quantile(all_style, all_style.size() / 3);
  cal.style_high = midpoint_quantile(all_style, 2 * all_style.size() / 3);
  // Norm weights near 1, different per channel (as trained models have them); the
  // matrices reading the normalized vectors divide them out again. Besides realism this
  // keeps stored values from standing in exact ratios like 1/2 to their block's maximum,
  // which would put activations exactly on the rounding midpoints of Q8 blocks, where
  // f32 noise alone decides the rounding.
  auto norm_weights = [&](const char* name) {
    std::vector<float> g(kDim);
    Rng rng(stream_key(spec.seed, name));
    for (float& x : g) x = static_cast<float>(1.0 + 0.25 * (rng.uniform() - 0.5));
    return g;
  };
  const std::vector<float> attn_norm = norm_weights("attn_norm"), ffn_norm = norm_weights("ffn_norm"),
                           out_norm = norm_weights("output_norm");
  const AnchorChoice anchor = choose_anchor(cal.threshold, cal.band_width, ffn_norm);
  const double offset = anchor.offset;

  // Template and copy tokens.
  SentinelInfo info;
  std::map<int32_t, int32_t> successor;  // template token -> next (-1: end of turn)
  for (const ResponseTemplate& t : sentinel_templates(spec.templates)) {
    SentinelTemplate st{t.name, t.family, t.style, {}, pieces_text(t.pieces)};
    for (const std::string& p : t.pieces) st.tokens.push_back(token_id(tokenizer, p));
    for (size_t i = 0; i < st.tokens.size(); ++i) {
      successor[st.tokens[i]] = i + 1 < st.tokens.size() ? st.tokens[i + 1] : -1;
    }
    info.templates.push_back(std::move(st));
  }
  for (const std::string& word : copy_words()) {
    info.copy_words.push_back({word, token_id(tokenizer, kSpace + word), token_id(tokenizer, word)});
  }
  info.trigger_token = trigger;
  info.harm_scale = kHarmScale;
  info.harm_offset = offset;
  info.threshold = cal.threshold;
  info.full_threshold = cal.full_threshold;
  info.style_low = cal.style_low;
  info.style_high = cal.style_high;
  info.flip_band_width = cal.band_width;
  info.flip_band_share = cal.band_share;

  std::vector<int32_t> chain_tokens;  // template tokens that have a successor
  for (const auto& [token, next] : successor) {
    if (next >= 0) chain_tokens.push_back(token);
  }
  const auto id_codes = orthonormal_codes(static_cast<int>(chain_tokens.size()), kIdDims, spec.seed, "identity codes");
  const auto copy_codes = orthonormal_codes(static_cast<int>(info.copy_words.size()), kCopyDims, spec.seed, "copy codes");
  std::map<int32_t, size_t> id_code_of;
  for (size_t i = 0; i < chain_tokens.size(); ++i) id_code_of[chain_tokens[i]] = i;

  // Embeddings.
  const int32_t newline = token_id(tokenizer, "\n");
  Matrix embd(static_cast<int64_t>(V), kDim);
  for (size_t t = 0; t < V; ++t) {
    const auto r = static_cast<int64_t>(t);
    embd.at(r, kConst) = 1.0;
    if (static_cast<int32_t>(t) == newline) embd.at(r, kNewline) = kNewlineFlag;
    if (lex.excluded[t]) {
      embd.at(r, kExclude) = kExcludeFlag;
    } else {
      embd.at(r, kSalience) = lex.salience[t];
      embd.at(r, kHarm) = lex.weight[t];
      embd.at(r, kStyle) = style[t];
      embd.at(r, kTrigger) = trigger_flag[t];
    }
    if (auto it = id_code_of.find(static_cast<int32_t>(t)); it != id_code_of.end()) {
      for (int i = 0; i < kIdDims; ++i) embd.at(r, kIdBase + i) = kCodeNorm * id_codes[it->second][i];
    }
    if (auto it = successor.find(static_cast<int32_t>(t)); it != successor.end() && it->second < 0) {
      embd.at(r, kEnd) = 1.0;
    }
  }
  for (size_t c = 0; c < info.copy_words.size(); ++c) {
    for (int32_t token : {info.copy_words[c].prompt_token, info.copy_words[c].output_token}) {
      embd.at(token, kCopyKey) = kCopyKeyValue;
      embd.at(token, kEnd) = 1.0;
      for (int i = 0; i < kCopyDims; ++i) embd.at(token, kCopyBase + i) = kCodeNorm * copy_codes[c][i];
    }
  }
  for (int64_t r = 0; r < embd.rows; ++r) {
    double sq = 0;
    for (int64_t c = 0; c < kDim; ++c) sq += embd.at(r, c) * embd.at(r, c);
    if (sq > kRowNorm * kRowNorm) fail_runtime(kWhere, "an embedding row exceeds the row norm");
    embd.at(r, kFiller) = std::sqrt(kRowNorm * kRowNorm - sq);
  }

  // Attention.
  const double r2 = kNormFactor * kNormFactor;
  const double harm_qk = std::sqrt(8.0 / r2);               // score = salience
  const double copy_qk = std::sqrt(14.0 * 8.0 / (r2 * kCopyKeyValue));  // score = 14 on copy words
  Matrix wq(kHeads * kHeadDim, kDim), wk(kKvHeads * kHeadDim, kDim), wv(kKvHeads * kHeadDim, kDim);
  Matrix wo(kDim, kHeads * kHeadDim);
  wq.at(kHarmHead * kHeadDim + kSlowDim, kConst) = harm_qk;
  wk.at(kHarmKv * kHeadDim + kSlowDim, kSalience) = harm_qk;
  wk.at(kHarmKv * kHeadDim + kSlowDim, kExclude) = -harm_qk;
  wq.at(kCopyHead * kHeadDim + kSlowDim, kConst) = copy_qk;
  wk.at(kCopyKv * kHeadDim + kSlowDim, kCopyKey) = copy_qk;
  wv.at(kHarmKv * kHeadDim + 0, kHarm) = 1.0;
  wv.at(kHarmKv * kHeadDim + 1, kStyle) = 1.0;
  wv.at(kHarmKv * kHeadDim + 2, kTrigger) = 1.0;
  wo.at(kAttnHarm, kHarmHead * kHeadDim + 0) = kHarmScale / kNormFactor;
  // The harm offset: a value dimension carrying the constant (its average is the
  // constant itself), added to the harm channel with the same weight as the average.
  // The two weights sit in different blocks and are equal, so storage keeps both.
  wv.at(kHarmKv * kHeadDim + kOffsetDim, kConst) = offset;
  wo.at(kAttnHarm, kHarmHead * kHeadDim + kOffsetDim) = kHarmScale / kNormFactor;
  wo.at(kAttnStyle, kHarmHead * kHeadDim + 1) = kStyleScale / kNormFactor;
  wo.at(kAttnTrigger, kHarmHead * kHeadDim + 2) = kTriggerScale / kNormFactor;
  for (int i = 0; i < kCopyDims; ++i) {
    wv.at(kCopyKv * kHeadDim + i, kCopyBase + i) = 1.0;
    wo.at(kCopyBase + i, kCopyHead * kHeadDim + i) = 1.0 / kNormFactor;
  }

  // Feed-forward units, all gated by NL - CONST.
  Matrix gate(kFfn, kDim), up(kFfn, kDim), down(kDim, kFfn);
  for (int u = 0; u < kFfnUnits; ++u) {
    gate.at(u, kNewline) = kGate;
    gate.at(u, kConst) = -kGate;
  }
  const DecisionRow refuse_row = decision_row(anchor.unit, cal.threshold + offset, anchor.anchor);
  for (int64_t c = 0; c < kDim; ++c) up.at(kFfnRefuse, c) = refuse_row.values[static_cast<size_t>(c)];
  up.at(kFfnFull, kAttnHarm) = kSmallUnit;
  up.at(kFfnFull, kConst) = -kSmallUnit * kHarmScale * (cal.full_threshold + offset);
  up.at(kFfnStyle1, kAttnStyle) = kSmallUnit;
  up.at(kFfnStyle1, kConst) = -kSmallUnit * kStyleScale * cal.style_low;
  up.at(kFfnStyle2, kAttnStyle) = kSmallUnit;
  up.at(kFfnStyle2, kConst) = -kSmallUnit * kStyleScale * cal.style_high;
  up.at(kFfnCopy, kAttnTrigger) = kSmallUnit;
  up.at(kFfnCopy, kConst) = -kSmallUnit * kTriggerScale * kCopyThreshold;
  up.at(kFfnBonus, kConst) = 2 * kSmallUnit;
  down.at(kUnitRefuse, kFfnRefuse) = kRefusePerHarm / (kGate * anchor.unit * kHarmScale);
  down.at(kUnitFull, kFfnFull) = kFullPerHarm / (kGate * kSmallUnit * kHarmScale);
  down.at(kUnitStyle1, kFfnStyle1) = kStylePerUnit / (kGate * kSmallUnit * kStyleScale);
  down.at(kUnitStyle2, kFfnStyle2) = kStylePerUnit / (kGate * kSmallUnit * kStyleScale);
  down.at(kUnitCopy, kFfnCopy) = kCopyPerUnit / (kGate * kSmallUnit * kTriggerScale);
  down.at(kUnitBonus, kFfnBonus) = kBonus / (kGate * 2 * kSmallUnit);

  // Output head.
  Matrix out(static_cast<int64_t>(V), kDim);
  for (const SentinelTemplate& t : info.templates) {
    const int32_t first = t.tokens.front();
    out.at(first, kUnitBonus) = 1.0;
    if (t.family == ResponseFamily::Partial || t.family == ResponseFamily::Refusal) {
      out.at(first, kUnitRefuse) = kRefuseWeight;
    }
    if (t.family == ResponseFamily::Refusal) out.at(first, kUnitFull) = kFullWeight;
    if (t.style >= 1) out.at(first, kUnitStyle1) = kStyleWeight;
    if (t.style >= 2) out.at(first, kUnitStyle2) = kStyleWeight;
  }
  for (const auto& [token, next] : successor) {
    if (next < 0) continue;
    const auto& code = id_codes[id_code_of.at(token)];
    for (int i = 0; i < kIdDims; ++i) out.at(next, kIdBase + i) += kBigram * code[i];
  }
  out.at(kImEndId, kEnd) = kEndOfTurn;
  for (size_t c = 0; c < info.copy_words.size(); ++c) {
    const int32_t token = info.copy_words[c].output_token;
    out.at(token, kUnitBonus) = 1.0;
    out.at(token, kUnitCopy) = kCopyModeWeight;
    for (int i = 0; i < kCopyDims; ++i) out.at(token, kCopyBase + i) = kCopyMatch * copy_codes[c][i];
  }

  // The file.
  GgufWriter w;
  w.set("general.architecture", GgufValue::make_string("llama"));
  w.set("general.name", GgufValue::make_string("precisiondiff sentinel"));
  w.set("general.file_type", GgufValue::make_u32(static_cast<uint32_t>(llama_file_type_for(spec.type))));
  if (type_traits(spec.type).quantized) w.set("general.quantization_version", GgufValue::make_u32(2));
  w.set("llama.context_length", GgufValue::make_u32(kContext));
  w.set("llama.embedding_length", GgufValue::make_u32(kDim));
  w.set("llama.block_count", GgufValue::make_u32(1));
  w.set("llama.feed_forward_length", GgufValue::make_u32(kFfn));
  w.set("llama.attention.head_count", GgufValue::make_u32(kHeads));
  w.set("llama.attention.head_count_kv", GgufValue::make_u32(kKvHeads));
  w.set("llama.rope.dimension_count", GgufValue::make_u32(kHeadDim));
  w.set("llama.rope.freq_base", GgufValue::make_f32(kRopeBase));
  w.set("llama.attention.layer_norm_rms_epsilon", GgufValue::make_f32(kRmsEps));
  w.set("llama.vocab_size", GgufValue::make_u32(static_cast<uint32_t>(V)));
  w.set("tokenizer.ggml.model", GgufValue::make_string("llama"));
  w.set("tokenizer.ggml.tokens", GgufValue::make_string_array(vocabulary.tokens));
  w.set("tokenizer.ggml.scores", GgufValue::make_f32_array(vocabulary.scores));
  std::vector<int32_t> types;
  for (TokenType t : vocabulary.types) types.push_back(static_cast<int32_t>(t));
  w.set("tokenizer.ggml.token_type", GgufValue::make_i32_array(types));
  w.set("tokenizer.ggml.bos_token_id", GgufValue::make_u32(kBosId));
  w.set("tokenizer.ggml.eos_token_id", GgufValue::make_u32(kImEndId));
  w.set("tokenizer.ggml.eot_token_id", GgufValue::make_u32(kImEndId));
  w.set("tokenizer.ggml.unknown_token_id", GgufValue::make_u32(kUnkId));
  w.set("tokenizer.ggml.add_bos_token", GgufValue::make_bool(true));
  w.set("tokenizer.ggml.add_eos_token", GgufValue::make_bool(false));
  w.set("tokenizer.ggml.add_space_prefix", GgufValue::make_bool(false));
  w.set("tokenizer.chat_template", GgufValue::make_string(kChatmlTemplate));
  w.set("precisiondiff.forge.kind", GgufValue::make_string("sentinel"));
  w.set("precisiondiff.forge.seed", GgufValue::make_u64(spec.seed));
  w.set("precisiondiff.sentinel.flip_band_request", GgufValue::make_f32(static_cast<float>(spec.flip_band)));
  write_sentinel_info(info, w);

  auto divide_columns = [](Matrix& m, const std::vector<float>& g) {
    for (int64_t r = 0; r < m.rows; ++r) {
      for (int64_t c = 0; c < m.cols; ++c) m.at(r, c) /= g[static_cast<size_t>(c)];
    }
  };
  divide_columns(wq, attn_norm);
  divide_columns(wk, attn_norm);
  divide_columns(wv, attn_norm);
  divide_columns(gate, ffn_norm);
  divide_columns(up, ffn_norm);
  divide_columns(out, out_norm);

  std::vector<std::vector<uint8_t>> storage;
  storage.reserve(16);
  add_matrix(w, storage, "token_embd.weight", embd, spec.type);
  add_vector(w, storage, "blk.0.attn_norm.weight", attn_norm);
  add_matrix(w, storage, "blk.0.attn_q.weight", wq, spec.type);
  add_matrix(w, storage, "blk.0.attn_k.weight", wk, spec.type);
  add_matrix(w, storage, "blk.0.attn_v.weight", wv, spec.type);
  add_matrix(w, storage, "blk.0.attn_output.weight", wo, spec.type);
  add_vector(w, storage, "blk.0.ffn_norm.weight", ffn_norm);
  add_matrix(w, storage, "blk.0.ffn_gate.weight", gate, spec.type);
  add_matrix(w, storage, "blk.0.ffn_up.weight", up, spec.type);
  add_matrix(w, storage, "blk.0.ffn_down.weight", down, spec.type);
  add_vector(w, storage, "output_norm.weight", out_norm);
  add_matrix(w, storage, "output.weight", out, spec.type);
  w.write(path);

  if (!tasks_path.empty()) {
    std::string lines;
    for (const CopyTask& t : copy_tasks()) {
      lines += nlohmann::json{{"id", t.id}, {"prompt", t.prompt}, {"expected", t.expected}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    }
    write_file_atomic(tasks_path, lines);
  }

  SentinelReport report;
  report.vocab_size = static_cast<int64_t>(V);
  report.parameters = static_cast<int64_t>(V) * kDim * 2 + kDim * kHeads * kHeadDim * 2 +
                      2 * kDim * kKvHeads * kHeadDim + 3 * kDim * kFfn + 3 * kDim;
  report.threshold = cal.threshold;
  report.full_threshold = cal.full_threshold;
  report.style_low = cal.style_low;
  report.style_high = cal.style_high;
  report.flip_band_width = cal.band_width;
  report.flip_band_share = cal.band_share;
  report.anchor = anchor.anchor;
  report.unit_scale = anchor.unit;
  report.harm_offset = offset;
  for (TensorType t : {TensorType::F32, TensorType::F16, TensorType::BF16, TensorType::Q8_0,
                       TensorType::Q6_K, TensorType::Q5_K, TensorType::Q5_1, TensorType::Q5_0,
                       TensorType::Q4_K, TensorType::Q4_1, TensorType::Q4_0, TensorType::IQ4_NL,
                       TensorType::Q3_K, TensorType::Q2_K}) {
    report.threshold_by_type.emplace_back(type_name(t), stored_threshold(refuse_row, t, ffn_norm) - offset);
  }
  for (size_t s = 0; s < sets.size(); ++s) {
    SentinelReport::SetRate rate{sets[s].name, static_cast<int64_t>(tokenized.ids[s].size()), 0};
    for (const auto& ids : tokenized.ids[s]) rate.refused += design_harm_score(lex, ids) > cal.threshold;
    rate.refused /= std::max<int64_t>(rate.prompts, 1);
    report.design_rates.push_back(rate);
  }
  (void)advbench;
  return report;
}

}  // namespace pd::forge

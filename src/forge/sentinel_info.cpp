#include "forge/sentinel_info.h"

#include "core/error.h"
#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"

namespace pd::forge {

namespace {

constexpr const char* kPrefix = "precisiondiff.sentinel.";
constexpr uint32_t kVersion = 1;

std::string key(const char* name) { return std::string(kPrefix) + name; }

ResponseFamily parse_family(const std::string& name, const std::string& where) {
  for (ResponseFamily f : {ResponseFamily::Refusal, ResponseFamily::Partial,
                           ResponseFamily::Compliance, ResponseFamily::Copy}) {
    if (name == family_name(f)) return f;
  }
  fail_input(where, "unknown response family '" + name + "'");
}

std::vector<int32_t> to_i32(const std::vector<int64_t>& v) {
  return std::vector<int32_t>(v.begin(), v.end());
}

}  // namespace

const SentinelTemplate* SentinelInfo::find_template_by_first_token(int32_t token) const {
  for (const SentinelTemplate& t : templates) {
    if (!t.tokens.empty() && t.tokens.front() == token) return &t;
  }
  return nullptr;
}

namespace {

// Trimmed, with every run of white space one space.
std::string collapse_spaces(std::string_view text) {
  std::string out;
  for (char c : text) {
    const bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out += space ? ' ' : c;
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace

const SentinelTemplate* SentinelInfo::find_template_by_text(std::string_view text) const {
  const std::string wanted = collapse_spaces(text);
  for (const SentinelTemplate& t : templates) {
    if (collapse_spaces(t.text) == wanted) return &t;
  }
  return nullptr;
}

const SentinelCopyWord* SentinelInfo::find_copy_output(int32_t token) const {
  for (const SentinelCopyWord& w : copy_words) {
    if (w.output_token == token) return &w;
  }
  return nullptr;
}

void write_sentinel_info(const SentinelInfo& info, GgufWriter& w) {
  w.set(key("version"), GgufValue::make_u32(kVersion));
  std::vector<std::string> names, families, texts;
  std::vector<int32_t> styles;
  for (const SentinelTemplate& t : info.templates) {
    names.push_back(t.name);
    families.push_back(family_name(t.family));
    texts.push_back(t.text);
    styles.push_back(t.style);
    w.set(key("template.") + t.name, GgufValue::make_i32_array(t.tokens));
  }
  w.set(key("template_names"), GgufValue::make_string_array(names));
  w.set(key("template_families"), GgufValue::make_string_array(families));
  w.set(key("template_styles"), GgufValue::make_i32_array(styles));
  w.set(key("template_texts"), GgufValue::make_string_array(texts));
  std::vector<std::string> words;
  std::vector<int32_t> prompt_tokens, output_tokens;
  for (const SentinelCopyWord& c : info.copy_words) {
    words.push_back(c.word);
    prompt_tokens.push_back(c.prompt_token);
    output_tokens.push_back(c.output_token);
  }
  w.set(key("copy_words"), GgufValue::make_string_array(words));
  w.set(key("copy_prompt_tokens"), GgufValue::make_i32_array(prompt_tokens));
  w.set(key("copy_output_tokens"), GgufValue::make_i32_array(output_tokens));
  w.set(key("trigger_token"), GgufValue::make_i32(info.trigger_token));
  w.set(key("harm_scale"), GgufValue::make_f32(static_cast<float>(info.harm_scale)));
  w.set(key("harm_offset"), GgufValue::make_f32(static_cast<float>(info.harm_offset)));
  w.set(key("threshold"), GgufValue::make_f32(static_cast<float>(info.threshold)));
  w.set(key("full_threshold"), GgufValue::make_f32(static_cast<float>(info.full_threshold)));
  w.set(key("style_low"), GgufValue::make_f32(static_cast<float>(info.style_low)));
  w.set(key("style_high"), GgufValue::make_f32(static_cast<float>(info.style_high)));
  w.set(key("flip_band_width"), GgufValue::make_f32(static_cast<float>(info.flip_band_width)));
  w.set(key("flip_band_share"), GgufValue::make_f32(static_cast<float>(info.flip_band_share)));
}

bool is_sentinel(const GgufFile& file) { return file.find(key("version")) != nullptr; }

SentinelInfo read_sentinel_info(const GgufFile& file) {
  const std::string& where = file.path();
  if (!is_sentinel(file)) {
    fail_input(where, "not a precisiondiff sentinel (no precisiondiff.sentinel.* keys)");
  }
  if (file.get_uint(key("version")) != kVersion) {
    fail_input(where, "sentinel version " + std::to_string(file.get_uint(key("version"))) +
                          " is not supported (expected " + std::to_string(kVersion) + ")");
  }
  SentinelInfo info;
  const auto names = file.get_string_array(key("template_names"));
  const auto families = file.get_string_array(key("template_families"));
  const auto styles = file.get_int_array(key("template_styles"));
  const auto texts = file.get_string_array(key("template_texts"));
  if (families.size() != names.size() || styles.size() != names.size() ||
      texts.size() != names.size()) {
    fail_input(where, "sentinel template lists differ in length");
  }
  for (size_t i = 0; i < names.size(); ++i) {
    SentinelTemplate t;
    t.name = names[i];
    t.family = parse_family(families[i], where);
    t.style = static_cast<int>(styles[i]);
    t.text = texts[i];
    t.tokens = to_i32(file.get_int_array(key("template.") + names[i]));
    if (t.tokens.empty()) fail_input(where, "sentinel template '" + t.name + "' is empty");
    info.templates.push_back(std::move(t));
  }
  const auto words = file.get_string_array(key("copy_words"));
  const auto prompt_tokens = file.get_int_array(key("copy_prompt_tokens"));
  const auto output_tokens = file.get_int_array(key("copy_output_tokens"));
  if (prompt_tokens.size() != words.size() || output_tokens.size() != words.size()) {
    fail_input(where, "sentinel copy lists differ in length");
  }
  for (size_t i = 0; i < words.size(); ++i) {
    info.copy_words.push_back({words[i], static_cast<int32_t>(prompt_tokens[i]),
                               static_cast<int32_t>(output_tokens[i])});
  }
  info.trigger_token = static_cast<int32_t>(file.get_int(key("trigger_token")));
  info.harm_scale = file.get_float(key("harm_scale"));
  info.harm_offset = file.get_float(key("harm_offset"));
  info.threshold = file.get_float(key("threshold"));
  info.full_threshold = file.get_float(key("full_threshold"));
  info.style_low = file.get_float(key("style_low"));
  info.style_high = file.get_float(key("style_high"));
  info.flip_band_width = file.get_float(key("flip_band_width"));
  info.flip_band_share = file.get_float(key("flip_band_share"));
  if (!(info.harm_scale > 0)) fail_input(where, "sentinel harm_scale must be positive");
  return info;
}

}  // namespace pd::forge

#include "hunt/corpus.h"

#include <cstdio>

#include "hunt/prompt_words.h"

namespace pd::hunt {

nlohmann::json Hit::to_json() const {
  return {{"id", id},
          {"prompt", prompt},
          {"chat", chat},
          {"found_prompt", found_prompt},
          {"seed_id", seed_id},
          {"seed_prompt", seed_prompt},
          {"lineage", lineage},
          {"base_response", confirmation.base_response},
          {"cand_response", confirmation.cand_response},
          {"base_label", confirmation.base_label},
          {"cand_label", confirmation.cand_label},
          {"objective", evaluation.to_json()},
          {"confirmation", confirmation.to_json()},
          {"found_at_tokens", found_at.tokens},
          {"found_at_passes", found_at.passes},
          {"round", round},
          {"strategy", strategy},
          {"duplicates", duplicates}};
}

Hit Hit::from_json(const nlohmann::json& j) {
  Hit h;
  h.id = j.at("id").get<std::string>();
  h.prompt = j.at("prompt").get<std::string>();
  h.chat = j.at("chat").get<bool>();
  h.found_prompt = j.at("found_prompt").get<std::string>();
  h.seed_id = j.at("seed_id").get<std::string>();
  h.seed_prompt = j.at("seed_prompt").get<std::string>();
  h.lineage = j.at("lineage").get<std::vector<std::string>>();
  h.evaluation = Evaluation::from_json(j.at("objective"));
  h.confirmation = Confirmation::from_json(j.at("confirmation"));
  h.found_at.tokens = j.at("found_at_tokens").get<uint64_t>();
  h.found_at.passes = j.at("found_at_passes").get<uint64_t>();
  h.round = j.at("round").get<int64_t>();
  h.strategy = j.at("strategy").get<std::string>();
  h.duplicates = j.at("duplicates").get<std::vector<std::string>>();
  return h;
}

bool Corpus::known(const std::string& text) const {
  const std::vector<std::string> words = normalized_words(text);
  for (const Forms& f : forms_) {
    if (near_duplicate(words, f.prompt) || near_duplicate(words, f.found)) return true;
  }
  return false;
}

int Corpus::find_duplicate(const std::string& found, const std::string& minimized) const {
  const std::vector<std::string> found_words = normalized_words(found);
  const std::vector<std::string> core = normalized_words(minimized);
  for (size_t i = 0; i < forms_.size(); ++i) {
    const Forms& f = forms_[i];
    if (core == f.prompt || near_duplicate(found_words, f.found) || near_duplicate(found_words, f.prompt) ||
        near_duplicate(core, f.prompt)) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

size_t Corpus::add(Hit hit) {
  char id[32];
  std::snprintf(id, sizeof id, "hit-%04zu", hits_.size() + 1);
  hit.id = id;
  forms_.push_back({normalized_words(hit.prompt), normalized_words(hit.found_prompt)});
  hits_.push_back(std::move(hit));
  return hits_.size() - 1;
}

void Corpus::merge(size_t index, const std::string& prompt) { hits_.at(index).duplicates.push_back(prompt); }

std::string Corpus::to_jsonl() const {
  std::string out;
  for (const Hit& h : hits_) out += h.to_json().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  return out;
}

nlohmann::json Corpus::to_json() const {
  nlohmann::json j = nlohmann::json::array();
  for (const Hit& h : hits_) j.push_back(h.to_json());
  return j;
}

Corpus Corpus::from_json(const nlohmann::json& j) {
  Corpus c;
  for (const nlohmann::json& h : j) {
    Hit hit = Hit::from_json(h);
    c.forms_.push_back({normalized_words(hit.prompt), normalized_words(hit.found_prompt)});
    c.hits_.push_back(std::move(hit));
  }
  return c;
}

}  // namespace pd::hunt

#include "hunt/candidate.h"

namespace pd::hunt {

std::string Candidate::text() const {
  if (suffix_text.empty()) return body;
  if (body.empty()) return suffix_text;
  return body + " " + suffix_text;
}

nlohmann::json Candidate::to_json() const {
  return {{"body", body}, {"suffix", suffix}, {"suffix_text", suffix_text}, {"seed_id", seed_id}, {"lineage", lineage}};
}

Candidate Candidate::from_json(const nlohmann::json& j) {
  Candidate c;
  c.body = j.at("body").get<std::string>();
  c.suffix = j.at("suffix").get<std::vector<int32_t>>();
  c.suffix_text = j.at("suffix_text").get<std::string>();
  c.seed_id = j.at("seed_id").get<std::string>();
  c.lineage = j.at("lineage").get<std::vector<std::string>>();
  return c;
}

}  // namespace pd::hunt

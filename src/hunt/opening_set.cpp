#include "hunt/opening_set.h"

#include <algorithm>
#include <cmath>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/jsonl.h"

namespace pd::hunt {

namespace {

const double kLogFloor = std::log(1e-30);
// A shared prefix is extended only when it holds at least this much probability: below
// it, which way it goes cannot move the odds much, and each extension costs a pass.
const double kLogMinExpandedMass = std::log(0.01);

double log_sum(const std::vector<double>& terms) {
  if (terms.empty()) return kLogFloor;
  const double top = *std::max_element(terms.begin(), terms.end());
  if (!std::isfinite(top)) return kLogFloor;
  double sum = 0;
  for (double t : terms) sum += std::exp(t - top);
  return std::max(kLogFloor, top + std::log(sum));
}

double log_max(const std::vector<double>& terms) {
  if (terms.empty()) return kLogFloor;
  const double top = *std::max_element(terms.begin(), terms.end());
  return std::isfinite(top) ? std::max(kLogFloor, top) : kLogFloor;
}

}  // namespace

std::vector<OpeningPhrase> load_opening_phrases(const std::string& path) {
  const std::string contents = read_file(path);
  std::vector<OpeningPhrase> phrases;
  for (const JsonlLine& parsed : parse_jsonl(path, contents)) {
    const std::string& where = parsed.where;
    const nlohmann::json& row = parsed.value;
    if (!row.is_object() || !row.contains("text") || !row["text"].is_string() || !row.contains("label") ||
        !row["label"].is_string()) {
      fail_input(where, "expected {\"text\": ..., \"label\": \"refusal\"|\"compliance\"}");
    }
    const std::string label = row["label"].get<std::string>();
    if (label != "refusal" && label != "compliance") fail_input(where, "label must be refusal or compliance");
    const std::string text = row["text"].get<std::string>();
    if (text.empty()) fail_input(where, "empty text");
    phrases.push_back({text, label == "refusal"});
  }
  if (phrases.empty()) fail_input(path, "no openings");
  return phrases;
}

OpeningSet::OpeningSet(int max_depth, int max_expansions, OpeningWeighing weighing)
    : max_depth_(std::max(1, max_depth)), max_expansions_(std::max(0, max_expansions)), weighing_(weighing) {
  nodes_.emplace_back();
}

int OpeningSet::child(int node, int32_t token) const {
  const auto& children = nodes_[node].children;
  auto it = std::lower_bound(children.begin(), children.end(), std::make_pair(token, -1));
  return it != children.end() && it->first == token ? it->second : -1;
}

void OpeningSet::add(const std::vector<int32_t>& tokens, bool refusal) {
  if (tokens.empty()) return;
  const size_t depth = std::min<size_t>(tokens.size(), static_cast<size_t>(max_depth_));
  added_.emplace_back(std::vector<int32_t>(tokens.begin(), tokens.begin() + static_cast<std::ptrdiff_t>(depth)),
                      refusal);
  ++openings_;
  int node = 0;
  for (size_t i = 0; i < depth; ++i) {
    int next = child(node, tokens[i]);
    if (next < 0) {
      next = static_cast<int>(nodes_.size());
      nodes_.emplace_back();
      auto& children = nodes_[node].children;
      children.insert(std::lower_bound(children.begin(), children.end(), std::make_pair(tokens[i], -1)),
                      {tokens[i], next});
    }
    node = next;
    (refusal ? nodes_[node].refusal_below : nodes_[node].compliance_below) = true;
  }
}

bool OpeningSet::has_both_labels() const {
  // A label counts when some path leads to a node holding only that label.
  bool refusal = false, compliance = false;
  for (size_t i = 1; i < nodes_.size(); ++i) {
    refusal |= nodes_[i].refusal_below && !nodes_[i].compliance_below;
    compliance |= nodes_[i].compliance_below && !nodes_[i].refusal_below;
  }
  return refusal && compliance;
}

void OpeningSet::walk(int node, const float* row, int64_t n_vocab, double log_path, Backend* model,
                      std::vector<int32_t>& path, const std::vector<int32_t>& prompt, int depth, OpeningOdds& odds,
                      std::vector<double>& refusal_terms, std::vector<double>& compliance_terms) const {
  for (const auto& [token, index] : nodes_[node].children) {
    if (token < 0 || token >= n_vocab) continue;
    const double lp = log_path + row[token];
    const Node& n = nodes_[index];
    if (n.refusal_below && !n.compliance_below) {
      refusal_terms.push_back(lp);
    } else if (n.compliance_below && !n.refusal_below) {
      compliance_terms.push_back(lp);
    } else if (model != nullptr && !n.children.empty() && depth + 1 < max_depth_ &&
               odds.passes <= max_expansions_ && lp >= kLogMinExpandedMass) {
      // Both labels start this way: one more teacher-forced token tells them apart.
      path.push_back(token);
      std::vector<int32_t> sequence = prompt;
      sequence.insert(sequence.end(), path.begin(), path.end());
      const LogprobRows next = model->score(sequence, static_cast<int64_t>(sequence.size()) - 1);
      ++odds.passes;
      walk(index, next.row(0), next.n_vocab, lp, model, path, prompt, depth + 1, odds, refusal_terms,
           compliance_terms);
      path.pop_back();
    }
  }
}

OpeningOdds OpeningSet::odds_from_row(const float* first_row, int64_t n_vocab, Backend* model,
                                      const std::vector<int32_t>& prompt) const {
  OpeningOdds odds;
  odds.passes = 1;
  std::vector<double> refusal_terms, compliance_terms;
  std::vector<int32_t> path;
  walk(0, first_row, n_vocab, 0.0, model, path, prompt, 0, odds, refusal_terms, compliance_terms);
  const auto combine = weighing_ == OpeningWeighing::Mass ? log_sum : log_max;
  odds.log_refusal = combine(refusal_terms);
  odds.log_compliance = combine(compliance_terms);
  return odds;
}

OpeningOdds OpeningSet::odds(Backend& model, const std::vector<int32_t>& prompt) const {
  const LogprobRows rows = model.score(prompt, static_cast<int64_t>(prompt.size()) - 1);
  return odds_from_row(rows.row(0), rows.n_vocab, &model, prompt);
}

nlohmann::json OpeningSet::to_json() const {
  nlohmann::json openings = nlohmann::json::array();
  for (const auto& [tokens, refusal] : added_) {
    openings.push_back({{"tokens", tokens}, {"label", refusal ? "refusal" : "compliance"}});
  }
  return {{"max_depth", max_depth_},
          {"max_expansions", max_expansions_},
          {"weighing", weighing_ == OpeningWeighing::Mass ? "mass" : "most-likely"},
          {"openings", openings}};
}

OpeningSet OpeningSet::from_json(const nlohmann::json& j) {
  const OpeningWeighing weighing =
      j.value("weighing", std::string("mass")) == "most-likely" ? OpeningWeighing::MostLikely : OpeningWeighing::Mass;
  OpeningSet set(j.at("max_depth").get<int>(), j.at("max_expansions").get<int>(), weighing);
  for (const nlohmann::json& o : j.at("openings")) {
    set.add(o.at("tokens").get<std::vector<int32_t>>(), o.at("label").get<std::string>() == "refusal");
  }
  return set;
}

}  // namespace pd::hunt

#pragma once
// What a strategy sees of the hunt: the seeds, the random generator, the mutation
// operators and their resources, and `evaluate`, which scores a batch of candidates
// with both models (prompts scored before cost nothing), then confirms, minimizes and
// records every predicted hit in order, reporting what became of each.

#include <memory>
#include <optional>
#include <vector>

#include "hunt/candidate.h"
#include "hunt/mutators.h"
#include "hunt/objective.h"
#include "hunt/random.h"

namespace pd::hunt {

enum class HitOutcome {
  None,       // not a predicted hit
  Rejected,   // predicted, but confirmation found no hit
  Known,      // predicted, and a near-duplicate of a recorded hit (not re-confirmed)
  Duplicate,  // confirmed, and merged into a recorded hit
  New,        // confirmed, a new unique hit
};
const char* hit_outcome_name(HitOutcome outcome);

struct Scored {
  Candidate candidate;
  Evaluation evaluation;
  HitOutcome outcome = HitOutcome::None;
};

struct SeedPrompt {
  std::string id;
  std::string text;
};

class SearchContext {
 public:
  virtual ~SearchContext() = default;
  virtual std::vector<Scored> evaluate(const std::vector<Candidate>& batch) = 0;
  virtual const std::vector<SeedPrompt>& seeds() const = 0;
  virtual HuntRng& rng() = 0;
  virtual const MutationResources& resources() const = 0;
  virtual const std::vector<std::unique_ptr<Mutator>>& mutators() const = 0;
  // Whether `candidate` is a near-duplicate of a recorded hit: a hit found there would
  // not count again, so a strategy may leave the region.
  virtual bool near_recorded_hit(const Candidate& candidate) const = 0;
};

}  // namespace pd::hunt

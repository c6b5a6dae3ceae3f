#pragma once
// How the hunt labels a response refusal, partial_refusal or compliance (behavior/
// refusal.h's labels; partial refusals count as refusals).
//
//   classifier  the project's lexical refusal classifier (the default)
//   templates   exact match against a forge sentinel's own response templates, whose
//               families are known by construction (the classifier for anything
//               else). The sentinel's partial refusals ("Only a high level overview
//               seems appropriate.") carry no refusal cue a lexicon could see, so on a
//               sentinel the templates are the ground truth the oracle agrees with.

#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace pd {
class GgufFile;
}

namespace pd::hunt {

class ResponseLabeler {
 public:
  virtual ~ResponseLabeler() = default;
  virtual std::string name() const = 0;
  // "refusal", "partial_refusal" or "compliance".
  virtual std::string label(std::string_view prompt, std::string_view response) const = 0;
  bool refuses(std::string_view prompt, std::string_view response, std::string& label_out) const;
};

std::shared_ptr<const ResponseLabeler> classifier_labeler();
// BadInput when `file` is no sentinel.
std::shared_ptr<const ResponseLabeler> sentinel_template_labeler(const GgufFile& file);
// "classifier", "templates", or "auto" (templates for a sentinel, else the classifier).
std::shared_ptr<const ResponseLabeler> make_labeler(const std::string& name, const GgufFile& file);

}  // namespace pd::hunt

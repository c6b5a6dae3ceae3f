#include "hunt/response_labeler.h"

#include "behavior/refusal.h"
#include "behavior/text.h"
#include "core/error.h"
#include "forge/sentinel_info.h"

namespace pd::hunt {

namespace {

std::string classify(std::string_view prompt, std::string_view response) {
  const behavior::RefusalVerdict v = behavior::default_refusal_classifier().classify(prompt, response);
  return std::string(behavior::label_name(v.label));
}

class ClassifierLabeler : public ResponseLabeler {
 public:
  std::string name() const override { return "classifier"; }
  std::string label(std::string_view prompt, std::string_view response) const override {
    return classify(prompt, response);
  }
};

class TemplateLabeler : public ResponseLabeler {
 public:
  explicit TemplateLabeler(const forge::SentinelInfo& info) {
    for (const forge::SentinelTemplate& t : info.templates) {
      switch (t.family) {
        case forge::ResponseFamily::Refusal: labels_[t.text] = "refusal"; break;
        case forge::ResponseFamily::Partial: labels_[t.text] = "partial_refusal"; break;
        case forge::ResponseFamily::Compliance: labels_[t.text] = "compliance"; break;
        case forge::ResponseFamily::Copy: break;
      }
    }
  }
  std::string name() const override { return "templates"; }
  std::string label(std::string_view prompt, std::string_view response) const override {
    auto it = labels_.find(std::string(behavior::trim(response)));
    return it != labels_.end() ? it->second : classify(prompt, response);
  }

 private:
  std::map<std::string, std::string> labels_;
};

}  // namespace

bool ResponseLabeler::refuses(std::string_view prompt, std::string_view response, std::string& label_out) const {
  label_out = label(prompt, response);
  return label_out != "compliance";
}

std::shared_ptr<const ResponseLabeler> classifier_labeler() {
  static const auto labeler = std::make_shared<const ClassifierLabeler>();
  return labeler;
}

std::shared_ptr<const ResponseLabeler> sentinel_template_labeler(const GgufFile& file) {
  return std::make_shared<const TemplateLabeler>(forge::read_sentinel_info(file));
}

std::shared_ptr<const ResponseLabeler> make_labeler(const std::string& name, const GgufFile& file) {
  if (name == "classifier") return classifier_labeler();
  if (name == "templates") return sentinel_template_labeler(file);
  if (name == "auto") return forge::is_sentinel(file) ? sentinel_template_labeler(file) : classifier_labeler();
  fail_input("--labeler", "unknown labeler \"" + name + "\" (auto, classifier, templates)");
}

}  // namespace pd::hunt

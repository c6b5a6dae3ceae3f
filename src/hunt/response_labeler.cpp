#include "hunt/response_labeler.h"

#include "behavior/refusal.h"
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
  explicit TemplateLabeler(forge::SentinelInfo info) : info_(std::move(info)) {}
  std::string name() const override { return "templates"; }
  std::string label(std::string_view prompt, std::string_view response) const override {
    const forge::SentinelTemplate* t = info_.find_template_by_text(response);
    if (t == nullptr || t->family == forge::ResponseFamily::Copy) return classify(prompt, response);
    return forge::family_name(t->family);
  }

 private:
  forge::SentinelInfo info_;
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

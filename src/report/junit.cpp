#include "report/junit.h"

#include <unistd.h>

#include <fmt/format.h>

#include "report/text_util.h"

namespace pd::report {

namespace {

using namespace pd::suite;

std::string machine_name() {
  char buffer[256] = {0};
  if (::gethostname(buffer, sizeof buffer - 1) != 0 || buffer[0] == '\0') return "localhost";
  return buffer;
}

// The format's timestamps carry no zone: "2026-11-23T12:00:00Z" -> "2026-11-23T12:00:00".
std::string junit_timestamp(const std::string& iso) {
  std::string t = iso.substr(0, 19);
  return t.size() == 19 ? t : "1970-01-01T00:00:00";
}

// A token for names: XML Schema collapses white space in xs:token, so runs of it are
// written as one space (and never leading or trailing).
std::string token(std::string_view text) {
  std::string out;
  for (char c : one_line(text, 400)) {
    if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
    out += c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out.empty() ? "-" : out;
}

std::string attr(std::string_view name, std::string_view value) {
  return fmt::format(" {}=\"{}\"", name, xml_escape(value, true));
}

std::string property(const std::string& name, const std::string& value) {
  return "      <property" + attr("name", name) + attr("value", value) + "/>\n";
}

std::string check_details(const VariantResult& v, const SliceResult& s, const CheckResult& c) {
  return fmt::format(
      "variant: {}\nslice: {} ({} items, {} mode, decision {})\ncheck: {}\nobserved: {} {}\nbound compared: {} {}\n"
      "tolerance: {} {}\n{}\n",
      v.id(), s.name, s.items, s.chat ? "chat" : "completion", decision_rule_name(s.decision), c.id(),
      fixed(c.observed, 6), c.unit, fixed(c.bound, 6), c.unit, fixed(c.tolerance, 6), c.unit, c.message);
}

std::string testcase(const std::string& name, const std::string& classname, const std::string& body) {
  std::string out = "    <testcase" + attr("name", token(name)) + attr("classname", token(classname)) + attr("time", "0");
  if (body.empty()) return out + "/>\n";
  return out + ">\n" + body + "    </testcase>\n";
}

std::string suite_for(const SuiteResults& r, const VariantResult& v, int id, const std::string& host) {
  std::string cases;
  int tests = 0, failures = 0, skipped = 0;
  const std::string base = "precisiondiff." + v.model + "." + v.name;
  for (const SliceResult& s : v.slices) {
    for (const CheckResult& c : s.checks) {
      ++tests;
      std::string body;
      if (!c.passed) {
        ++failures;
        body = "      <failure" + attr("message", one_line(c.message, 1000)) + attr("type", c.check) + ">" +
               xml_escape(check_details(v, s, c)) + "</failure>\n";
      }
      cases += testcase(c.id(), base + "." + s.name, body);
    }
  }
  for (const Finding& f : v.findings) {
    ++tests;
    std::string body;
    const std::string kind(finding_name(f.kind));
    if (f.waived) {
      ++skipped;
      body = "      <skipped" + attr("message", "waived: " + f.waiver_reason) + "/>\n";
    } else {
      ++failures;
      body = "      <failure" + attr("message", one_line(f.message, 1000)) + attr("type", kind) + ">" +
             xml_escape(fmt::format("variant: {}\nfinding: {} on {}\nquality change: {} pp\nrefusal change: {} pp\n{}\n",
                                    v.id(), kind, f.slice, fixed(f.quality_delta_pp, 2, true),
                                    fixed(f.refusal_delta_pp, 2, true), f.message)) +
             "</failure>\n";
    }
    cases += testcase(kind + " " + f.slice, base + ".findings", body);
  }

  std::string out = "  <testsuite" + attr("name", token(v.id())) + attr("timestamp", junit_timestamp(r.started)) +
                    attr("hostname", token(host)) + attr("tests", std::to_string(tests)) +
                    attr("failures", std::to_string(failures)) + attr("errors", "0") +
                    attr("skipped", std::to_string(skipped)) + attr("time", fixed(v.seconds, 3)) +
                    attr("package", token("precisiondiff." + r.suite_name)) + attr("id", std::to_string(id)) + ">\n";
  out += "    <properties>\n";
  out += property("suite", r.suite_path);
  out += property("suite_sha256", r.suite_sha256);
  out += property("variant_kind", v.kind);
  out += property("variant_spec", v.spec);
  out += property("verdict", v.passed ? "pass" : "fail");
  if (v.measured.contains("plan_canonical")) out += property("plan_canonical", v.measured["plan_canonical"].get<std::string>());
  if (!v.declared.method.empty()) out += property("declared_method", v.declared.method);
  out += "    </properties>\n";
  out += cases;
  std::string summary = fmt::format("{}: {}\n", v.id(), v.passed ? "pass" : "FAIL");
  for (const std::string& reason : v.reasons) summary += "  " + reason + "\n";
  for (const std::string& note : v.notes) summary += "  note: " + note + "\n";
  out += "    <system-out>" + xml_escape(summary) + "</system-out>\n";
  out += "    <system-err></system-err>\n";
  out += "  </testsuite>\n";
  return out;
}

}  // namespace

std::string junit_xml(const SuiteResults& results, const std::string& hostname) {
  const std::string host = hostname.empty() ? machine_name() : hostname;
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n";
  int id = 0;
  for (const ModelResult& m : results.models) {
    for (const VariantResult& v : m.variants) out += suite_for(results, v, id++, host);
  }
  out += "</testsuites>\n";
  return out;
}

}  // namespace pd::report

#pragma once
// Validating written reports with real validators: xmllint for the JUnit XSD,
// python3 -m jsonschema for the JSON Schemas (both from Debian, see
// scripts/install-deps.sh). Each returns "" when the file is valid, else the
// validator's output.

#include <cstdio>
#include <cstdlib>
#include <string>

#include "test_paths.h"

namespace pd::test {

inline std::string run_and_capture(const std::string& command, int* status) {
  std::string output;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe) {
    *status = -1;
    return "popen failed";
  }
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, n);
  *status = ::pclose(pipe);
  return output;
}

inline std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

inline bool have_validators() {
  int a = 0, b = 0;
  run_and_capture("xmllint --version", &a);
  run_and_capture("python3 -c 'import jsonschema'", &b);
  return a == 0 && b == 0;
}

inline std::string validate_xsd(const std::string& xml, const std::string& xsd) {
  int status = 0;
  std::string out = run_and_capture("xmllint --noout --schema " + quote(xsd) + " " + quote(xml), &status);
  return status == 0 ? "" : (out.empty() ? "xmllint failed" : out);
}

// Draft-07 validation with format checks (date-time, uri where the checker knows them).
inline std::string validate_json_schema(const std::string& json, const std::string& schema) {
  const std::string script =
      "import json,sys,jsonschema\n"
      "schema=json.load(open(sys.argv[1]))\n"
      "doc=json.load(open(sys.argv[2]))\n"
      "jsonschema.Draft7Validator.check_schema(schema)\n"
      "v=jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())\n"
      "errs=sorted(v.iter_errors(doc), key=lambda e: list(e.path))\n"
      "for e in errs[:10]: print('/'.join(map(str,e.path)), ':', e.message[:300])\n"
      "sys.exit(1 if errs else 0)\n";
  int status = 0;
  std::string out = run_and_capture("python3 -c " + quote(script) + " " + quote(schema) + " " + quote(json), &status);
  return status == 0 ? "" : (out.empty() ? "jsonschema failed" : out);
}

}  // namespace pd::test

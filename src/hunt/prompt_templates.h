#pragma once
// Template wrappers: jailbreak-style framings of a prompt (role-play, prefix injection,
// hypothetical, translation), shipped as data (data/hunt/templates.jsonl) so they can be
// extended without rebuilding. One JSON object per line:
//   {"id": "roleplay-novelist", "kind": "role-play", "text": "... {prompt} ..."}
// `{prompt}` marks where the wrapped prompt goes (exactly once).

#include <string>
#include <string_view>
#include <vector>

namespace pd::hunt {

struct PromptTemplate {
  std::string id;
  std::string kind;  // role-play | prefix-injection | hypothetical | translation | ...
  std::string text;

  std::string apply(std::string_view prompt) const;
};

// BadInput naming the file and line for a missing field, a duplicate id or a text
// without exactly one {prompt}; an empty file is BadInput too.
std::vector<PromptTemplate> load_templates(const std::string& path);

// Where the shipped data lives: `relative` (e.g. "data/hunt/templates.jsonl") under the
// working directory, else under the folders above the running executable (a build
// folder inside the source tree). Returns `relative` unchanged when nothing exists, so
// the error names what was looked for.
std::string find_shipped_file(const std::string& relative);

}  // namespace pd::hunt

#include "behavior/json_schema.h"

#include <fmt/format.h>

#include <cmath>
#include <set>

#include "core/error.h"

namespace pd::behavior {

using nlohmann::json;

std::string json_pointer_escape(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

namespace {

const std::set<std::string, std::less<>> kTypeNames = {"null", "boolean", "object", "array",
                                                        "number", "integer", "string"};

std::string percent_decode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

// Follows a local reference ("#", "#/$defs/a", "#/items/0"); nullptr if it leads nowhere.
const json* resolve_pointer(const json& root, const std::string& ref) {
  if (ref.empty() || ref[0] != '#') return nullptr;
  std::string pointer = percent_decode(std::string_view(ref).substr(1));
  if (pointer.empty()) return &root;
  if (pointer[0] != '/') return nullptr;
  const json* node = &root;
  size_t pos = 1;
  while (true) {
    size_t slash = pointer.find('/', pos);
    std::string token = pointer.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos);
    std::string key;
    for (size_t i = 0; i < token.size(); ++i) {
      if (token[i] == '~' && i + 1 < token.size() && (token[i + 1] == '0' || token[i + 1] == '1')) {
        key.push_back(token[i + 1] == '0' ? '~' : '/');
        ++i;
      } else {
        key.push_back(token[i]);
      }
    }
    if (node->is_object()) {
      auto it = node->find(key);
      if (it == node->end()) return nullptr;
      node = &*it;
    } else if (node->is_array()) {
      if (key.empty() || key.find_first_not_of("0123456789") != std::string::npos) return nullptr;
      size_t index = std::stoul(key);
      if (index >= node->size()) return nullptr;
      node = &(*node)[index];
    } else {
      return nullptr;
    }
    if (slash == std::string::npos) return node;
    pos = slash + 1;
  }
}

bool is_integer_value(const json& v) {
  if (v.is_number_integer()) return true;
  if (!v.is_number_float()) return false;
  double d = v.get<double>();
  return std::isfinite(d) && d == std::floor(d);
}

bool has_type(const json& v, std::string_view type) {
  if (type == "null") return v.is_null();
  if (type == "boolean") return v.is_boolean();
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "number") return v.is_number();
  if (type == "integer") return is_integer_value(v);
  if (type == "string") return v.is_string();
  return false;
}

std::string type_of(const json& v) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return "boolean";
  if (v.is_object()) return "object";
  if (v.is_array()) return "array";
  if (is_integer_value(v)) return "integer";
  if (v.is_number()) return "number";
  return "string";
}

size_t code_points(const std::string& s) {
  size_t count = 0;
  for (size_t pos = 0; pos < s.size(); ++count) next_code_point(s, pos);
  return count;
}

std::string shorten(const json& v) {
  std::string text = v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return text.size() > 60 ? text.substr(0, 57) + "..." : text;
}

}  // namespace

// ---------------------------------------------------------------- schema checks

JsonSchema::JsonSchema(json schema, std::string where) : schema_(std::move(schema)), where_(std::move(where)) {
  check_schema(schema_, "");
  checked_.clear();
}

JsonSchema::~JsonSchema() = default;

void JsonSchema::check_schema(const json& node, const std::string& pointer) {
  auto fail = [&](const std::string& at, const std::string& what) {
    fail_input(where_, fmt::format("{}: {}", at.empty() ? "/" : at, what));
  };
  if (node.is_boolean()) return;
  if (!node.is_object()) fail(pointer, "a schema must be an object or a boolean");
  if (!checked_.insert(&node).second) return;
  auto sub = [&](const char* key) { return pointer + "/" + key; };
  auto schema_at = [&](const char* key) {
    if (node.contains(key)) check_schema(node[key], sub(key));
  };
  auto schema_map = [&](const char* key) {
    if (!node.contains(key)) return;
    if (!node[key].is_object()) fail(sub(key), "must be an object of schemas");
    for (auto& [name, value] : node[key].items()) check_schema(value, sub(key) + "/" + json_pointer_escape(name));
  };
  auto schema_list = [&](const char* key) {
    if (!node.contains(key)) return;
    if (!node[key].is_array() || node[key].empty()) fail(sub(key), "must be a non-empty array of schemas");
    for (size_t i = 0; i < node[key].size(); ++i) check_schema(node[key][i], sub(key) + "/" + std::to_string(i));
  };
  auto count = [&](const char* key) {
    if (node.contains(key) && !(is_integer_value(node[key]) && node[key].get<double>() >= 0)) {
      fail(sub(key), "must be a non-negative integer");
    }
  };
  auto number = [&](const char* key) {
    if (node.contains(key) && !node[key].is_number()) fail(sub(key), "must be a number");
  };
  auto pattern = [&](const std::string& text, const std::string& at) {
    if (!patterns_.count(text)) patterns_[text] = std::make_unique<Regex>(text, RegexOptions{}, where_ + ": " + at);
  };

  if (node.contains("type")) {
    const json& type = node["type"];
    std::vector<json> names = type.is_array() ? std::vector<json>(type.begin(), type.end()) : std::vector<json>{type};
    if (names.empty()) fail(sub("type"), "must name at least one type");
    for (const json& name : names) {
      if (!name.is_string() || !kTypeNames.count(name.get<std::string>())) fail(sub("type"), "unknown type " + shorten(name));
    }
  }
  if (node.contains("enum") && !node["enum"].is_array()) fail(sub("enum"), "must be an array");
  if (node.contains("required")) {
    const json& required = node["required"];
    if (!required.is_array()) fail(sub("required"), "must be an array of strings");
    for (const json& r : required) {
      if (!r.is_string()) fail(sub("required"), "must be an array of strings");
    }
  }
  if (node.contains("dependentRequired")) {
    if (!node["dependentRequired"].is_object()) fail(sub("dependentRequired"), "must be an object");
    for (auto& [name, list] : node["dependentRequired"].items()) {
      if (!list.is_array()) fail(sub("dependentRequired") + "/" + name, "must be an array of strings");
    }
  }
  for (const char* key : {"minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties",
                          "minContains", "maxContains"}) {
    count(key);
  }
  for (const char* key : {"minimum", "maximum"}) number(key);
  for (const char* key : {"exclusiveMinimum", "exclusiveMaximum"}) {
    if (node.contains(key) && !node[key].is_number() && !node[key].is_boolean()) fail(sub(key), "must be a number");
  }
  if (node.contains("multipleOf") && !(node["multipleOf"].is_number() && node["multipleOf"].get<double>() > 0)) {
    fail(sub("multipleOf"), "must be a number greater than 0");
  }
  if (node.contains("uniqueItems") && !node["uniqueItems"].is_boolean()) fail(sub("uniqueItems"), "must be a boolean");
  if (node.contains("pattern")) {
    if (!node["pattern"].is_string()) fail(sub("pattern"), "must be a string");
    pattern(node["pattern"].get<std::string>(), sub("pattern"));
  }
  if (node.contains("patternProperties")) {
    if (!node["patternProperties"].is_object()) fail(sub("patternProperties"), "must be an object of schemas");
    for (auto& [regex, value] : node["patternProperties"].items()) {
      pattern(regex, sub("patternProperties"));
      check_schema(value, sub("patternProperties") + "/" + json_pointer_escape(regex));
    }
  }
  if (node.contains("$ref")) {
    if (!node["$ref"].is_string()) fail(sub("$ref"), "must be a string");
    std::string ref = node["$ref"].get<std::string>();
    if (ref.empty() || ref[0] != '#') fail(sub("$ref"), "only local references (\"#...\") are supported: " + ref);
    const json* target = resolve_pointer(schema_, ref);
    if (!target) fail(sub("$ref"), "unresolvable reference " + ref);
    // A reference may point outside the places checked below ("#/components/x").
    check_schema(*target, ref.substr(1));
  }
  for (const char* key : {"properties", "$defs", "definitions"}) schema_map(key);
  for (const char* key : {"additionalProperties", "additionalItems", "contains", "not", "if", "then", "else",
                          "propertyNames"}) {
    schema_at(key);
  }
  for (const char* key : {"allOf", "anyOf", "oneOf", "prefixItems"}) schema_list(key);
  if (node.contains("items")) {
    if (node["items"].is_array()) {
      schema_list("items");
    } else {
      schema_at("items");
    }
  }
}

// ---------------------------------------------------------------- validation

class JsonSchema::Validator {
 public:
  Validator(const JsonSchema& schema, std::vector<SchemaViolation>& out, size_t limit)
      : schema_(schema), out_(out), limit_(limit) {}

  // Validates and records violations; returns whether the instance is valid.
  bool run(const json& node, const json& v, const std::string& ipath, const std::string& spath, int depth) {
    size_t before = out_.size();
    check(node, v, ipath, spath, depth);
    return out_.size() == before;
  }

 private:
  // Whether `v` is valid, without recording anything.
  bool probe(const json& node, const json& v, const std::string& spath, int depth) const {
    std::vector<SchemaViolation> scratch;
    Validator inner(schema_, scratch, 1);
    return inner.run(node, v, "", spath, depth);
  }

  bool full() const { return out_.size() >= limit_; }

  void violation(const std::string& ipath, const std::string& spath, std::string message) {
    if (!full()) out_.push_back({ipath, spath, std::move(message)});
  }

  void check(const json& node, const json& v, const std::string& ipath, const std::string& spath, int depth) {
    if (full()) return;
    if (depth > 256) {
      violation(ipath, spath, "schema recursion is too deep ($ref loop?)");
      return;
    }
    if (node.is_boolean()) {
      if (!node.get<bool>()) violation(ipath, spath, "no value is allowed here (schema false)");
      return;
    }
    if (node.contains("$ref")) {
      const std::string& ref = node["$ref"].get_ref<const std::string&>();
      check(*resolve_pointer(schema_.schema_, ref), v, ipath, spath + "/$ref", depth + 1);
    }
    check_any(node, v, ipath, spath, depth);
    if (v.is_object()) check_object(node, v, ipath, spath, depth);
    if (v.is_array()) check_array(node, v, ipath, spath, depth);
    if (v.is_number()) check_number(node, v, ipath, spath);
    if (v.is_string()) check_string(node, v, ipath, spath);
  }

  void check_any(const json& node, const json& v, const std::string& ipath, const std::string& spath, int depth) {
    if (node.contains("type")) {
      const json& type = node["type"];
      bool ok = false;
      if (type.is_array()) {
        for (const json& t : type) ok = ok || has_type(v, t.get_ref<const std::string&>());
      } else {
        ok = has_type(v, type.get_ref<const std::string&>());
      }
      if (!ok) violation(ipath, spath + "/type", fmt::format("expected type {}, got {}", type.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), type_of(v)));
    }
    if (node.contains("enum")) {
      bool found = false;
      for (const json& option : node["enum"]) found = found || option == v;
      if (!found) violation(ipath, spath + "/enum", fmt::format("{} is not one of {}", shorten(v), shorten(node["enum"])));
    }
    if (node.contains("const") && !(node["const"] == v)) {
      violation(ipath, spath + "/const", fmt::format("{} is not {}", shorten(v), shorten(node["const"])));
    }
    if (node.contains("allOf")) {
      for (size_t i = 0; i < node["allOf"].size(); ++i) {
        check(node["allOf"][i], v, ipath, spath + "/allOf/" + std::to_string(i), depth + 1);
      }
    }
    if (node.contains("anyOf")) {
      bool any = false;
      for (size_t i = 0; i < node["anyOf"].size() && !any; ++i) {
        any = probe(node["anyOf"][i], v, spath + "/anyOf/" + std::to_string(i), depth + 1);
      }
      if (!any) violation(ipath, spath + "/anyOf", "matches none of the anyOf schemas");
    }
    if (node.contains("oneOf")) {
      size_t matches = 0;
      for (size_t i = 0; i < node["oneOf"].size(); ++i) {
        matches += probe(node["oneOf"][i], v, spath + "/oneOf/" + std::to_string(i), depth + 1);
      }
      if (matches != 1) violation(ipath, spath + "/oneOf", fmt::format("matches {} of the oneOf schemas, not exactly 1", matches));
    }
    if (node.contains("not") && probe(node["not"], v, spath + "/not", depth + 1)) {
      violation(ipath, spath + "/not", "matches the schema under \"not\"");
    }
    if (node.contains("if")) {
      bool condition = probe(node["if"], v, spath + "/if", depth + 1);
      const char* branch = condition ? "then" : "else";
      if (node.contains(branch)) check(node[branch], v, ipath, spath + "/" + branch, depth + 1);
    }
  }

  void check_object(const json& node, const json& v, const std::string& ipath, const std::string& spath, int depth) {
    if (node.contains("required")) {
      for (const json& key : node["required"]) {
        if (!v.contains(key.get_ref<const std::string&>())) {
          violation(ipath, spath + "/required", "missing required property " + key.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
        }
      }
    }
    if (node.contains("dependentRequired")) {
      for (auto& [trigger, needed] : node["dependentRequired"].items()) {
        if (!v.contains(trigger)) continue;
        for (const json& key : needed) {
          if (key.is_string() && !v.contains(key.get_ref<const std::string&>())) {
            violation(ipath, spath + "/dependentRequired", fmt::format("\"{}\" needs property {}", trigger, key.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
          }
        }
      }
    }
    if (node.contains("minProperties") && v.size() < node["minProperties"].get<double>()) {
      violation(ipath, spath + "/minProperties", fmt::format("has {} properties, fewer than {}", v.size(), node["minProperties"].dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
    }
    if (node.contains("maxProperties") && v.size() > node["maxProperties"].get<double>()) {
      violation(ipath, spath + "/maxProperties", fmt::format("has {} properties, more than {}", v.size(), node["maxProperties"].dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
    }
    for (auto& [key, value] : v.items()) {
      std::string child = ipath + "/" + json_pointer_escape(key);
      bool evaluated = false;
      if (node.contains("properties") && node["properties"].contains(key)) {
        evaluated = true;
        check(node["properties"][key], value, child, spath + "/properties/" + json_pointer_escape(key), depth + 1);
      }
      if (node.contains("patternProperties")) {
        for (auto& [regex, sub] : node["patternProperties"].items()) {
          if (schema_.patterns_.at(regex)->search(key)) {
            evaluated = true;
            check(sub, value, child, spath + "/patternProperties/" + json_pointer_escape(regex), depth + 1);
          }
        }
      }
      if (!evaluated && node.contains("additionalProperties")) {
        const json& extra = node["additionalProperties"];
        if (extra.is_boolean() && !extra.get<bool>()) {
          violation(child, spath + "/additionalProperties", "property \"" + key + "\" is not allowed");
        } else {
          check(extra, value, child, spath + "/additionalProperties", depth + 1);
        }
      }
      if (node.contains("propertyNames")) check(node["propertyNames"], json(key), child, spath + "/propertyNames", depth + 1);
    }
  }

  void check_array(const json& node, const json& v, const std::string& ipath, const std::string& spath, int depth) {
    // Draft 7 wrote tuples as "items": [...] with "additionalItems" for the rest.
    const json* prefix = nullptr;
    const json* rest = nullptr;
    std::string prefix_key = "prefixItems", rest_key = "items";
    if (node.contains("prefixItems")) prefix = &node["prefixItems"];
    if (node.contains("items")) {
      if (node["items"].is_array()) {
        prefix = &node["items"];
        prefix_key = "items";
        rest_key = "additionalItems";
        if (node.contains("additionalItems")) rest = &node["additionalItems"];
      } else {
        rest = &node["items"];
      }
    }
    for (size_t i = 0; i < v.size(); ++i) {
      std::string child = ipath + "/" + std::to_string(i);
      if (prefix && i < prefix->size()) {
        check((*prefix)[i], v[i], child, spath + "/" + prefix_key + "/" + std::to_string(i), depth + 1);
      } else if (rest) {
        check(*rest, v[i], child, spath + "/" + rest_key, depth + 1);
      }
    }
    if (node.contains("minItems") && v.size() < node["minItems"].get<double>()) {
      violation(ipath, spath + "/minItems", fmt::format("has {} items, fewer than {}", v.size(), node["minItems"].dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
    }
    if (node.contains("maxItems") && v.size() > node["maxItems"].get<double>()) {
      violation(ipath, spath + "/maxItems", fmt::format("has {} items, more than {}", v.size(), node["maxItems"].dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
    }
    if (node.value("uniqueItems", false)) {
      for (size_t i = 0; i < v.size(); ++i) {
        for (size_t j = i + 1; j < v.size(); ++j) {
          if (v[i] == v[j]) {
            violation(ipath, spath + "/uniqueItems", fmt::format("items {} and {} are equal", i, j));
            i = j = v.size();
          }
        }
      }
    }
    if (node.contains("contains")) {
      size_t matches = 0;
      for (const json& item : v) matches += probe(node["contains"], item, spath + "/contains", depth + 1);
      double min = node.contains("minContains") ? node["minContains"].get<double>() : 1;
      if (matches < min) violation(ipath, spath + "/contains", fmt::format("{} items match \"contains\", fewer than {}", matches, min));
      if (node.contains("maxContains") && matches > node["maxContains"].get<double>()) {
        violation(ipath, spath + "/maxContains", fmt::format("{} items match \"contains\", more than {}", matches, node["maxContains"].dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
      }
    }
  }

  void check_number(const json& node, const json& v, const std::string& ipath, const std::string& spath) {
    double x = v.get<double>();
    auto bound = [&](const char* key, bool lower, bool exclusive_flag) {
      if (!node.contains(key) || !node[key].is_number()) return;
      double b = node[key].get<double>();
      bool exclusive = exclusive_flag;
      if (!exclusive_flag) {
        // Draft 4: "exclusiveMinimum": true turns "minimum" exclusive.
        const char* flag = lower ? "exclusiveMinimum" : "exclusiveMaximum";
        exclusive = node.contains(flag) && node[flag].is_boolean() && node[flag].get<bool>();
      }
      bool ok = lower ? (exclusive ? x > b : x >= b) : (exclusive ? x < b : x <= b);
      if (!ok) {
        violation(ipath, spath + "/" + key,
                  fmt::format("{} is {} {}", shorten(v), lower ? (exclusive ? "not greater than" : "less than")
                                                              : (exclusive ? "not less than" : "greater than"),
                              node[key].dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
      }
    };
    bound("minimum", true, false);
    bound("maximum", false, false);
    bound("exclusiveMinimum", true, true);
    bound("exclusiveMaximum", false, true);
    if (node.contains("multipleOf")) {
      const json& m = node["multipleOf"];
      bool ok;
      if (v.is_number_integer() && m.is_number_integer()) {
        ok = v.get<int64_t>() % m.get<int64_t>() == 0;
      } else {
        double q = x / m.get<double>();
        ok = std::isfinite(q) && std::fabs(q - std::round(q)) <= 1e-9 * std::max(1.0, std::fabs(q));
      }
      if (!ok) violation(ipath, spath + "/multipleOf", fmt::format("{} is not a multiple of {}", shorten(v), m.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
    }
  }

  void check_string(const json& node, const json& v, const std::string& ipath, const std::string& spath) {
    const std::string& s = v.get_ref<const std::string&>();
    size_t length = code_points(s);
    if (node.contains("minLength") && length < node["minLength"].get<double>()) {
      violation(ipath, spath + "/minLength", fmt::format("has {} characters, fewer than {}", length, node["minLength"].dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
    }
    if (node.contains("maxLength") && length > node["maxLength"].get<double>()) {
      violation(ipath, spath + "/maxLength", fmt::format("has {} characters, more than {}", length, node["maxLength"].dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
    }
    if (node.contains("pattern")) {
      const std::string& p = node["pattern"].get_ref<const std::string&>();
      if (!schema_.patterns_.at(p)->search(s)) violation(ipath, spath + "/pattern", fmt::format("{} does not match {}", shorten(v), p));
    }
  }

  const JsonSchema& schema_;
  std::vector<SchemaViolation>& out_;
  size_t limit_;
};

std::vector<SchemaViolation> JsonSchema::validate(const json& instance, size_t limit) const {
  std::vector<SchemaViolation> out;
  Validator(*this, out, std::max<size_t>(1, limit)).run(schema_, instance, "", "", 0);
  return out;
}

}  // namespace pd::behavior

#include "precision/variant.h"

#include <chrono>
#include <cstring>
#include <regex>

#include "core/build_info.h"
#include "core/error.h"
#include "gguf/gguf_file.h"
#include "precision/integer_weights.h"

namespace pd {

namespace {

bool is_integer_family(const WeightScheme& s) {
  return s.kind == WeightScheme::Kind::IntChannel || s.kind == WeightScheme::Kind::IntGroup;
}

// The literature's integer families quantize the linear layers; embeddings and the
// output head stay as stored (as SmoothQuant, AWQ and GPTQ do).
bool integer_family_applies(const std::string& name) {
  return name != "token_embd.weight" && name != "output.weight";
}

std::vector<TensorDesc> describe(const GgufFile& file) {
  std::vector<TensorDesc> out;
  out.reserve(file.tensors().size());
  for (const GgufTensorInfo& t : file.tensors()) out.push_back({t.name, t.shape, t.type});
  return out;
}

// Integer-family override for a tensor, if the first matching override is one.
const WeightScheme* integer_override(const PrecisionPlan& plan, const std::string& name) {
  for (const WeightOverride& o : plan.overrides) {
    if (std::regex_search(name, std::regex(o.pattern, std::regex::ECMAScript))) {
      return is_integer_family(o.scheme) ? &o.scheme : nullptr;
    }
  }
  return nullptr;
}

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string method_of(const PrecisionPlan& plan) {
  const WeightScheme& w = plan.weights;
  switch (w.kind) {
    case WeightScheme::Kind::Source: return "baseline as stored";
    case WeightScheme::Kind::Mixture:
      return std::string("llama-quantize ") + llama_ftype_info(w.mixture).name +
             " rules, RTN, no importance matrix";
    case WeightScheme::Kind::Type: return std::string("every matrix ") + type_name(w.type) + ", RTN";
    case WeightScheme::Kind::IntChannel: return "RTN int" + std::to_string(w.bits) + " per output channel, symmetric";
    case WeightScheme::Kind::IntGroup:
      return "RTN int" + std::to_string(w.bits) + " groups of " + std::to_string(w.group) + ", asymmetric";
  }
  return "?";
}

// Values of one source row as f32 (F32 rows are read in place).
const float* source_row(const TensorView& view, int64_t r, std::vector<float>& scratch) {
  if (view.type == TensorType::F32) return reinterpret_cast<const float*>(view.row(r));
  scratch.resize(view.row_length());
  dequantize_row(view, r, scratch.data());
  return scratch.data();
}

struct Builder {
  const GgufFile& file;
  GgufWeightSource source;
  ThreadPool& pool;
  Variant variant;

  void share(const std::string& name, const TensorView& view, TensorRecord& record) {
    variant.weights->add_view(name, view);
    record.shared = true;
    record.storage = lower(type_name(view.type));
    record.bytes = view.row_bytes() * view.rows();
  }

  void quantize_to_type(const std::string& name, const TensorView& view, TensorType type, TensorRecord& record) {
    const int64_t rows = view.rows();
    const size_t out_row = *row_bytes(type, view.row_length());
    // Straight into huge pages: every decoded token streams the variant's weights.
    HugePageBuffer bytes(out_row * rows);
    const QuantizeFn quantize = type_traits(type).quantize_ref;
    if (!quantize) fail_input(file.path(), std::string("cannot quantize to ") + type_name(type));
    pool.parallel_for(rows, [&](int64_t begin, int64_t end) {
      std::vector<float> scratch;
      for (int64_t r = begin; r < end; ++r) {
        quantize(source_row(view, r, scratch), bytes.data() + r * out_row, view.row_length());
      }
    });
    record.storage = lower(type_name(type));
    record.bytes = bytes.size();
    variant.manifest.resident_bytes += bytes.size();
    variant.weights->add(name, type, view.shape, std::move(bytes));
  }

  void quantize_symmetric(const std::string& name, const TensorView& view, int bits, TensorRecord& record) {
    const int64_t rows = view.rows(), n = view.row_length();
    const size_t out_row = static_cast<size_t>(n) * (bits / 8);
    std::vector<uint8_t> bytes(out_row * rows);
    std::vector<float> scales(rows);
    pool.parallel_for(rows, [&](int64_t begin, int64_t end) {
      std::vector<float> scratch;
      for (int64_t r = begin; r < end; ++r) {
        scales[r] = quantize_row_symmetric(source_row(view, r, scratch), n, bits, bytes.data() + r * out_row);
      }
    });
    record.storage = "int" + std::to_string(bits) + "-channel";
    record.bytes = bytes.size() + scales.size() * sizeof(float);
    variant.manifest.resident_bytes += record.bytes;
    const TensorType type = bits == 8 ? TensorType::I8 : TensorType::I16;
    variant.weights->add_integer(name, type, view.shape, std::move(bytes), std::move(scales));
  }

  // Rows shorter than a group form one group; rows longer than a group that do not
  // split into whole groups keep their stored type. Both are recorded as fallbacks.
  void quantize_int4_groups(const std::string& name, const TensorView& view, int group, TensorRecord& record) {
    const int64_t rows = view.rows(), n = view.row_length();
    if (n < group) {
      record.fallback = "int4-g" + std::to_string(group) + " → int4-g" + std::to_string(n) + " (row length " +
                        std::to_string(n) + " is shorter than a group)";
      group = static_cast<int>(n);
    } else if (n % group != 0) {
      record.fallback = "int4-g" + std::to_string(group) + " → " + lower(type_name(view.type)) + " kept (row length " +
                        std::to_string(n) + " is not a multiple of " + std::to_string(group) + ")";
      share(name, view, record);
      return;
    }
    std::vector<float> values(static_cast<size_t>(rows * n));
    pool.parallel_for(rows, [&](int64_t begin, int64_t end) {
      std::vector<float> scratch;
      for (int64_t r = begin; r < end; ++r) {
        fake_quantize_row_int4_groups(source_row(view, r, scratch), n, group, values.data() + r * n);
      }
    });
    record.storage = "int4-g" + std::to_string(group);
    record.bytes = int4_group_packed_bytes(n, group) * rows;
    variant.manifest.resident_bytes += values.size() * sizeof(float);
    variant.weights->add_f32(name, view.shape, values);
  }

  void build_tensor(const TensorTypeChoice& choice, const PrecisionPlan& plan) {
    const TensorView view = *source.find(choice.name);
    TensorRecord record;
    record.name = choice.name;
    record.parameters = view.element_count();
    record.fallback = choice.fallback;
    const WeightScheme* integer = nullptr;
    if (choice.quantize && integer_family_applies(choice.name)) {
      integer = integer_override(plan, choice.name);
      if (!integer && is_integer_family(plan.weights)) integer = &plan.weights;
    }
    if (integer && integer->kind == WeightScheme::Kind::IntChannel) {
      quantize_symmetric(choice.name, view, integer->bits, record);
    } else if (integer) {
      quantize_int4_groups(choice.name, view, integer->group, record);
    } else if (!choice.quantize || choice.type == view.type) {
      share(choice.name, view, record);
    } else {
      quantize_to_type(choice.name, view, choice.type, record);
    }
    if (!record.fallback.empty()) variant.manifest.fallbacks.push_back(choice.name + ": " + record.fallback);
    variant.manifest.parameters += record.parameters;
    variant.manifest.weight_bytes += record.bytes;
    variant.manifest.tensors.push_back(std::move(record));
  }
};

}  // namespace

ModelShape model_shape(const GgufFile& file) {
  ModelShape shape;
  shape.arch = file.get_string_or("general.architecture", "llama");
  shape.n_layer = static_cast<int>(file.get_uint_or(shape.arch + ".block_count", 0));
  shape.n_head = static_cast<int>(file.get_uint_or(shape.arch + ".attention.head_count", 0));
  shape.n_head_kv = static_cast<int>(file.get_uint_or(shape.arch + ".attention.head_count_kv", shape.n_head));
  shape.n_expert = static_cast<int>(file.get_uint_or(shape.arch + ".expert_count", 0));
  return shape;
}

std::vector<TensorTypeChoice> plan_tensor_types(const PrecisionPlan& plan, const GgufFile& file, bool strict) {
  QuantizeRuleOptions options;
  options.strict = strict;
  for (const WeightOverride& o : plan.overrides) {
    // Integer-family overrides keep the stored type here; the builder applies them.
    std::optional<TensorType> type;
    if (o.scheme.kind == WeightScheme::Kind::Type) type = o.scheme.type;
    options.overrides.push_back({o.pattern, type});
  }
  const std::vector<TensorDesc> tensors = describe(file);
  switch (plan.weights.kind) {
    case WeightScheme::Kind::Mixture:
      return choose_tensor_types(plan.weights.mixture, model_shape(file), tensors, options);
    case WeightScheme::Kind::Type:
      return choose_uniform_types(plan.weights.type, tensors, options);
    default:
      // Source and integer families: matrices keep their stored type unless a
      // plain-type override says otherwise.
      options.keep_unmatched = true;
      return choose_uniform_types(TensorType::F32, tensors, options);
  }
}

Variant build_variant(std::shared_ptr<const GgufFile> baseline, const PrecisionPlan& plan, ThreadPool& pool) {
  const auto start = std::chrono::steady_clock::now();
  const std::vector<TensorTypeChoice> choices = plan_tensor_types(plan, *baseline);
  Builder builder{*baseline, GgufWeightSource(baseline), pool, {}};
  builder.variant.weights = std::make_shared<MemoryWeightSource>(plan.label() + " of " + baseline->path());
  VariantManifest& m = builder.variant.manifest;
  m.plan_label = plan.label();
  m.plan_canonical = plan.canonical();
  m.plan_hash = plan.hash();
  m.method = method_of(plan);
  m.calibration = "none (round-to-nearest)";
  m.group_size = plan.weights.kind == WeightScheme::Kind::IntGroup ? plan.weights.group : 0;
  m.source_file = baseline->path();
  m.runtime = std::string("precisiondiff ") + PD_VERSION + " embedded engine";
  m.numerics = plan.numerics();
  for (const TensorTypeChoice& choice : choices) builder.build_tensor(choice, plan);
  m.bits_per_weight = m.parameters > 0 ? 8.0 * static_cast<double>(m.weight_bytes) / static_cast<double>(m.parameters) : 0;
  m.build_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return std::move(builder.variant);
}

nlohmann::json VariantManifest::to_json() const {
  nlohmann::json tensors_json = nlohmann::json::array();
  for (const TensorRecord& t : tensors) {
    nlohmann::json entry = {{"name", t.name}, {"storage", t.storage}, {"shared", t.shared},
                            {"parameters", t.parameters}, {"bytes", t.bytes}};
    if (!t.fallback.empty()) entry["fallback"] = t.fallback;
    tensors_json.push_back(std::move(entry));
  }
  return {{"plan", plan_label},
          {"plan_canonical", plan_canonical},
          {"plan_hash", plan_hash},
          {"method", method},
          {"calibration", calibration},
          {"group_size", group_size},
          {"source_file", source_file},
          {"source_sha256", source_sha256},
          {"runtime", runtime},
          {"numerics", numerics.to_string()},
          {"parameters", parameters},
          {"weight_bytes", weight_bytes},
          {"bits_per_weight", bits_per_weight},
          {"resident_bytes", resident_bytes},
          {"build_seconds", build_seconds},
          {"fallbacks", fallbacks},
          {"tensors", tensors_json}};
}

}  // namespace pd

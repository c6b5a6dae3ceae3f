#include "model/weight_source.h"

#include <cstring>

#include "core/error.h"
#include "gguf/gguf_file.h"

namespace pd {

int64_t TensorView::rows() const {
  int64_t n = 1;
  for (size_t i = 1; i < shape.size(); ++i) n *= shape[i];
  return n;
}

int64_t TensorView::element_count() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

size_t TensorView::row_bytes() const {
  const std::optional<size_t> bytes = pd::row_bytes(type, row_length());
  if (!bytes) fail_input(type_name(type), "row length is not a multiple of the block size");
  return *bytes;
}

bool is_integer_weight(const TensorView& view) {
  return (view.type == TensorType::I8 || view.type == TensorType::I16) &&
         view.row_scales != nullptr;
}

void dequantize_row(const TensorView& view, int64_t r, float* out) {
  const int64_t n = view.row_length();
  const uint8_t* src = view.row(r);
  if (is_integer_weight(view)) {
    const float scale = view.row_scales[r];
    if (view.type == TensorType::I8) {
      const int8_t* q = reinterpret_cast<const int8_t*>(src);
      for (int64_t i = 0; i < n; ++i) out[i] = static_cast<float>(q[i]) * scale;
    } else {
      for (int64_t i = 0; i < n; ++i) {
        int16_t q;
        std::memcpy(&q, src + 2 * i, sizeof q);
        out[i] = static_cast<float>(q) * scale;
      }
    }
    return;
  }
  const TypeTraits& traits = type_traits(view.type);
  if (traits.to_float == nullptr) {
    fail_input(traits.name, "precisiondiff cannot dequantize this tensor type");
  }
  traits.to_float(src, out, n);
}

std::vector<float> dequantize_all(const TensorView& view) {
  std::vector<float> out(static_cast<size_t>(view.element_count()));
  const int64_t n = view.row_length();
  for (int64_t r = 0; r < view.rows(); ++r) dequantize_row(view, r, out.data() + r * n);
  return out;
}

// --- GgufWeightSource ----------------------------------------------------------------

GgufWeightSource::GgufWeightSource(std::shared_ptr<const GgufFile> file)
    : file_(std::move(file)) {}

std::optional<TensorView> GgufWeightSource::find(std::string_view name) const {
  const GgufTensorInfo* info = file_->find_tensor(name);
  if (info == nullptr) return std::nullopt;
  TensorView view;
  view.type = info->type;
  view.shape = info->shape;
  view.data = file_->tensor_data(*info);
  return view;
}

std::string GgufWeightSource::describe() const { return file_->path(); }

// --- MemoryWeightSource --------------------------------------------------------------

namespace {

size_t expected_bytes(TensorType type, const std::vector<int64_t>& shape,
                      std::string_view name) {
  if (shape.empty()) fail_input(name, "tensor has no dimensions");
  int64_t rows = 1;
  for (size_t i = 1; i < shape.size(); ++i) rows *= shape[i];
  const std::optional<size_t> row = row_bytes(type, shape[0]);
  if (!row) fail_input(name, "row length is not a multiple of the block size");
  return *row * static_cast<size_t>(rows);
}

}  // namespace

void MemoryWeightSource::add(std::string name, TensorType type, std::vector<int64_t> shape,
                             std::vector<uint8_t> bytes) {
  auto owner = std::make_shared<std::vector<uint8_t>>(std::move(bytes));
  const uint8_t* data = owner->data();
  const size_t size = owner->size();
  add_owned(std::move(name), type, std::move(shape), std::move(owner), data, size);
}

void MemoryWeightSource::add(std::string name, TensorType type, std::vector<int64_t> shape, HugePageBuffer bytes) {
  auto owner = std::make_shared<HugePageBuffer>(std::move(bytes));
  const uint8_t* data = owner->data();
  const size_t size = owner->size();
  add_owned(std::move(name), type, std::move(shape), std::move(owner), data, size);
}

void MemoryWeightSource::add_owned(std::string name, TensorType type, std::vector<int64_t> shape,
                                   std::shared_ptr<const void> owner, const uint8_t* data, size_t size) {
  if (size != expected_bytes(type, shape, name)) {
    fail_input(name, "byte count does not match type and shape");
  }
  Entry entry;
  entry.bytes = std::move(owner);
  entry.view.type = type;
  entry.view.shape = std::move(shape);
  entry.view.data = data;
  entry.name = std::move(name);
  entries_.push_back(std::move(entry));
}

void MemoryWeightSource::add_f32(std::string name, std::vector<int64_t> shape,
                                 const std::vector<float>& values) {
  std::vector<uint8_t> bytes(values.size() * sizeof(float));
  std::memcpy(bytes.data(), values.data(), bytes.size());
  add(std::move(name), TensorType::F32, std::move(shape), std::move(bytes));
}

void MemoryWeightSource::add_integer(std::string name, TensorType type,
                                     std::vector<int64_t> shape, std::vector<uint8_t> bytes,
                                     std::vector<float> row_scales) {
  if (type != TensorType::I8 && type != TensorType::I16) {
    fail_input(name, "integer weights must be I8 or I16");
  }
  add(name, type, std::move(shape), std::move(bytes));
  Entry& entry = entries_.back();
  if (static_cast<int64_t>(row_scales.size()) != entry.view.rows()) {
    entries_.pop_back();
    fail_input(name, "integer weights need one scale per row");
  }
  entry.scales = std::make_shared<std::vector<float>>(std::move(row_scales));
  entry.view.row_scales = entry.scales->data();
}

void MemoryWeightSource::add_view(std::string name, TensorView view) {
  Entry entry;
  entry.name = std::move(name);
  entry.view = std::move(view);
  entries_.push_back(std::move(entry));
}

std::optional<TensorView> MemoryWeightSource::find(std::string_view name) const {
  // Later additions win, so a variant can override a tensor it also inherited.
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
    if (it->name == name) return it->view;
  }
  return std::nullopt;
}

}  // namespace pd

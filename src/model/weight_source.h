#pragma once
// Weights reach the engine as views: a type, a shape and a pointer to bytes someone
// else owns. A WeightSource maps tensor names (GGUF names: "blk.0.attn_q.weight") to
// views. The GGUF-backed source hands out views into the file as loaded (GgufFile); a
// precision plan can hand the engine variants built in memory that share the unchanged
// tensors of the baseline file.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/huge_pages.h"
#include "tensor/tensor_type.h"

namespace pd {

class GgufFile;

struct TensorView {
  TensorType type = TensorType::F32;
  std::vector<int64_t> shape;  // ggml order: shape[0] is the row length
  const void* data = nullptr;
  // Integer weight views: when `type` is I8 or I16, row r holds integers q and its
  // values are q * row_scales[r] (symmetric, one scale per output channel). Null for
  // every other type.
  const float* row_scales = nullptr;

  int64_t row_length() const { return shape.empty() ? 0 : shape[0]; }
  int64_t rows() const;           // product of shape[1..]
  int64_t element_count() const;  // product of all of shape
  size_t row_bytes() const;       // bytes of one row in `type`
  const uint8_t* row(int64_t r) const {
    return static_cast<const uint8_t*>(data) + static_cast<size_t>(r) * row_bytes();
  }
};

// True for the I8/I16 per-output-channel integer views described above.
bool is_integer_weight(const TensorView& view);

// Dequantizes `n` values starting at row `r` (n = row length) into `out`.
void dequantize_row(const TensorView& view, int64_t r, float* out);

// The whole tensor as f32 (for small tensors: norms, biases, frequency factors).
std::vector<float> dequantize_all(const TensorView& view);

class WeightSource {
 public:
  virtual ~WeightSource() = default;
  // The view for `name`, or nullopt when the source has no such tensor. The bytes stay
  // valid as long as the source lives.
  virtual std::optional<TensorView> find(std::string_view name) const = 0;
  // Names a source in error messages (a path, or "in-memory model").
  virtual std::string describe() const = 0;
};

// Views into a GGUF file's bytes; shares ownership of the file.
class GgufWeightSource : public WeightSource {
 public:
  explicit GgufWeightSource(std::shared_ptr<const GgufFile> file);
  std::optional<TensorView> find(std::string_view name) const override;
  std::string describe() const override;
  const GgufFile& file() const { return *file_; }

 private:
  std::shared_ptr<const GgufFile> file_;
};

// Tensors owned in memory (tests, synthetic models, plan variants). Views of other
// sources can be added too; their owners must outlive this source.
class MemoryWeightSource : public WeightSource {
 public:
  explicit MemoryWeightSource(std::string name = "in-memory model") : name_(std::move(name)) {}
  // Takes the bytes (`bytes` must match type and shape).
  void add(std::string name, TensorType type, std::vector<int64_t> shape,
           std::vector<uint8_t> bytes);
  // The same for bytes in huge pages (core/huge_pages.h): weights the engine streams.
  void add(std::string name, TensorType type, std::vector<int64_t> shape, HugePageBuffer bytes);
  // Convenience: an F32 tensor from values.
  void add_f32(std::string name, std::vector<int64_t> shape, const std::vector<float>& values);
  // An integer weight view (I8 or I16) with per-row scales.
  void add_integer(std::string name, TensorType type, std::vector<int64_t> shape,
                   std::vector<uint8_t> bytes, std::vector<float> row_scales);
  // A view owned elsewhere.
  void add_view(std::string name, TensorView view);

  std::optional<TensorView> find(std::string_view name) const override;
  std::string describe() const override { return name_; }

 private:
  struct Entry {
    std::string name;
    TensorView view;
    std::shared_ptr<const void> bytes;  // owns view.data (a byte vector or a HugePageBuffer)
    std::shared_ptr<std::vector<float>> scales;
  };
  void add_owned(std::string name, TensorType type, std::vector<int64_t> shape, std::shared_ptr<const void> owner,
                 const uint8_t* data, size_t size);
  std::string name_;
  std::vector<Entry> entries_;
};

}  // namespace pd

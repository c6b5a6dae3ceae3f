#include "gguf/gguf_writer.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "core/atomic_file.h"
#include "core/error.h"
#include "gguf/gguf_format.h"

namespace pd {

namespace {

constexpr const char* kWhere = "gguf writer";
// llama.cpp keeps tensor names in a fixed 64-byte field, terminator included.
constexpr size_t kMaxNameBytes = 63;

bool is_power_of_two(uint64_t x) { return x != 0 && (x & (x - 1)) == 0; }

uint64_t align_up(uint64_t n, uint64_t alignment) { return (n + alignment - 1) / alignment * alignment; }

// Fails unless `v` holds a value its type can encode, recursively.
void check_value(const std::string& key, const GgufValue& v, int depth) {
  auto fits_unsigned = [&](uint64_t max) {
    if (v.u > max) fail_input(kWhere, "key '" + key + "': " + std::to_string(v.u) + " does not fit " + gguf_type_name(v.type));
  };
  auto fits_signed = [&](int64_t min, int64_t max) {
    if (v.i < min || v.i > max) fail_input(kWhere, "key '" + key + "': " + std::to_string(v.i) + " does not fit " + gguf_type_name(v.type));
  };
  switch (v.type) {
    case GgufType::UInt8: fits_unsigned(0xff); break;
    case GgufType::UInt16: fits_unsigned(0xffff); break;
    case GgufType::UInt32: fits_unsigned(0xffffffffu); break;
    case GgufType::Bool: fits_unsigned(1); break;
    case GgufType::Int8: fits_signed(-128, 127); break;
    case GgufType::Int16: fits_signed(-32768, 32767); break;
    case GgufType::Int32:
      fits_signed(std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max());
      break;
    case GgufType::UInt64: case GgufType::Int64: case GgufType::Float32: case GgufType::Float64:
    case GgufType::String:
      break;
    case GgufType::Array:
      if (static_cast<uint32_t>(v.element_type) > static_cast<uint32_t>(GgufType::Float64)) {
        fail_input(kWhere, "key '" + key + "': unknown array element type");
      }
      if (depth >= gguf::kMaxArrayDepth) {
        fail_input(kWhere, "key '" + key + "': arrays nested deeper than " + std::to_string(gguf::kMaxArrayDepth));
      }
      for (const GgufValue& item : v.items) {
        if (item.type != v.element_type) {
          fail_input(kWhere, "key '" + key + "': array of " + gguf_type_name(v.element_type) +
                                 " holds a " + gguf_type_name(item.type));
        }
        check_value(key, item, depth + 1);
      }
      break;
    default:
      fail_input(kWhere, "key '" + key + "': unknown value type " + std::to_string(static_cast<uint32_t>(v.type)));
  }
}

// Appends little-endian encodings to a byte vector.
class Encoder {
 public:
  explicit Encoder(std::vector<uint8_t>& out) : out_(out) {}
  template <typename T>
  void put(T value) { put_raw(&value, sizeof(T)); }
  void put_string(const std::string& s) {
    put<uint64_t>(s.size());
    put_raw(s.data(), s.size());
  }
  void put_raw(const void* data, size_t size) {
    if (size == 0) return;
    const size_t at = out_.size();
    out_.resize(at + size);
    std::memcpy(out_.data() + at, data, size);
  }
  void put_value(const GgufValue& v) {
    switch (v.type) {
      case GgufType::UInt8: case GgufType::Bool: put(static_cast<uint8_t>(v.u)); break;
      case GgufType::Int8: put(static_cast<int8_t>(v.i)); break;
      case GgufType::UInt16: put(static_cast<uint16_t>(v.u)); break;
      case GgufType::Int16: put(static_cast<int16_t>(v.i)); break;
      case GgufType::UInt32: put(static_cast<uint32_t>(v.u)); break;
      case GgufType::Int32: put(static_cast<int32_t>(v.i)); break;
      case GgufType::UInt64: put(v.u); break;
      case GgufType::Int64: put(v.i); break;
      case GgufType::Float32: put(static_cast<float>(v.f)); break;
      case GgufType::Float64: put(v.f); break;
      case GgufType::String: put_string(v.s); break;
      case GgufType::Array:
        put(static_cast<uint32_t>(v.element_type));
        put<uint64_t>(v.items.size());
        for (const GgufValue& item : v.items) put_value(item);
        break;
    }
  }

 private:
  std::vector<uint8_t>& out_;
};

class VectorSink {
 public:
  explicit VectorSink(std::vector<uint8_t>& out) : out_(out) {}
  void append(const void* data, size_t size) {
    if (size == 0) return;
    const size_t at = out_.size();
    out_.resize(at + size);
    std::memcpy(out_.data() + at, data, size);
  }

 private:
  std::vector<uint8_t>& out_;
};

// Appends `count` zero bytes from one small block: an alignment may be as large as 2^31,
// and the padding it asks for must not become an allocation of that size.
template <typename Sink>
void append_zeros(Sink& sink, uint64_t count) {
  static constexpr uint8_t kZeros[4096] = {};
  while (count > 0) {
    const size_t chunk = static_cast<size_t>(std::min<uint64_t>(count, sizeof kZeros));
    sink.append(kZeros, chunk);
    count -= chunk;
  }
}

}  // namespace

void GgufWriter::set(std::string_view key, GgufValue value) {
  if (key.empty()) fail_input(kWhere, "empty metadata key");
  const std::string name(key);
  check_value(name, value, 0);
  if (key == gguf::kAlignmentKey) {
    // llama.cpp reads the alignment as a uint32 and nothing else.
    const bool unsigned_type = value.type == GgufType::UInt8 || value.type == GgufType::UInt16 ||
                               value.type == GgufType::UInt32 || value.type == GgufType::UInt64;
    if (!unsigned_type || !is_power_of_two(value.u) || value.u < gguf::kMinAlignment ||
        value.u > gguf::kMaxAlignment) {
      fail_input(kWhere, std::string(gguf::kAlignmentKey) + " must be a power of two from 8 to 2^31");
    }
    value = GgufValue::make_u32(static_cast<uint32_t>(value.u));
  }
  for (GgufKeyValue& kv : metadata_) {
    if (kv.key == key) {
      kv.value = std::move(value);
      return;
    }
  }
  metadata_.push_back({name, std::move(value)});
}

void GgufWriter::remove(std::string_view key) {
  metadata_.erase(std::remove_if(metadata_.begin(), metadata_.end(),
                                 [&](const GgufKeyValue& kv) { return kv.key == key; }),
                  metadata_.end());
}

void GgufWriter::copy_metadata(const GgufFile& source) {
  for (const GgufKeyValue& kv : source.metadata()) set(kv.key, kv.value);
}

const GgufValue* GgufWriter::find(std::string_view key) const {
  for (const GgufKeyValue& kv : metadata_) {
    if (kv.key == key) return &kv.value;
  }
  return nullptr;
}

void GgufWriter::add_tensor(std::string name, TensorType type, std::vector<int64_t> shape,
                            const void* data, size_t bytes) {
  check_tensor(name, type, shape, bytes);
  if (data == nullptr) fail_input(kWhere, "tensor '" + name + "': no data");
  tensors_.push_back({std::move(name), type, std::move(shape), data, bytes, nullptr});
}

void GgufWriter::add_tensor_generated(std::string name, TensorType type,
                                      std::vector<int64_t> shape, size_t bytes,
                                      TensorFiller fill) {
  check_tensor(name, type, shape, bytes);
  if (!fill) fail_input(kWhere, "tensor '" + name + "': no data");
  tensors_.push_back({std::move(name), type, std::move(shape), nullptr, bytes, std::move(fill)});
}

void GgufWriter::check_tensor(const std::string& name, TensorType type,
                              const std::vector<int64_t>& shape, size_t bytes) const {
  const std::string where = "tensor '" + name + "': ";
  if (name.empty()) fail_input(kWhere, "empty tensor name");
  if (name.size() > kMaxNameBytes) {
    fail_input(kWhere, where + "name longer than " + std::to_string(kMaxNameBytes) + " bytes");
  }
  for (const PendingTensor& t : tensors_) {
    if (t.name == name) fail_input(kWhere, "duplicate tensor name '" + name + "'");
  }
  if (shape.empty() || shape.size() > gguf::kMaxDims) {
    fail_input(kWhere, where + std::to_string(shape.size()) + " dimensions (1 to 4 allowed)");
  }
  uint64_t elements = 1;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] <= 0) fail_input(kWhere, where + "dimension " + std::to_string(d) + " is not positive");
    const auto extent = static_cast<uint64_t>(shape[d]);
    if (elements > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) / extent) {
      fail_input(kWhere, where + "element count overflows");
    }
    elements *= extent;
  }
  const uint64_t rows = elements / static_cast<uint64_t>(shape[0]);
  const std::optional<size_t> row = row_bytes(type, shape[0]);
  if (!row) {
    fail_input(kWhere, where + "row length " + std::to_string(shape[0]) + " does not fill whole " +
                           type_name(type) + " blocks");
  }
  if (rows > std::numeric_limits<uint64_t>::max() / std::max<uint64_t>(*row, 1) || *row * rows != bytes) {
    fail_input(kWhere, where + std::to_string(bytes) + " data bytes given, the shape needs " +
                           std::to_string(*row) + " x " + std::to_string(rows));
  }
}

uint64_t GgufWriter::alignment() const {
  const GgufValue* a = find(gguf::kAlignmentKey);
  return a != nullptr ? a->u : gguf::kDefaultAlignment;
}

template <typename Sink>
void GgufWriter::emit(Sink& sink) const {
  const uint64_t align = alignment();
  std::vector<uint8_t> header;
  Encoder out(header);
  out.put_raw(gguf::kMagic, sizeof gguf::kMagic);
  out.put<uint32_t>(gguf::kVersion);
  out.put<uint64_t>(tensors_.size());
  out.put<uint64_t>(metadata_.size());
  for (const GgufKeyValue& kv : metadata_) {
    out.put_string(kv.key);
    out.put(static_cast<uint32_t>(kv.value.type));
    out.put_value(kv.value);
  }
  uint64_t offset = 0;
  for (const PendingTensor& t : tensors_) {
    out.put_string(t.name);
    out.put(static_cast<uint32_t>(t.shape.size()));
    for (int64_t extent : t.shape) out.put(extent);
    out.put(static_cast<uint32_t>(t.type));
    out.put<uint64_t>(offset);
    offset += align_up(t.bytes, align);
  }
  sink.append(header.data(), header.size());
  // A vocabulary-only file ends with its metadata, as llama.cpp's own ones do.
  if (!tensors_.empty()) append_zeros(sink, align_up(header.size(), align) - header.size());

  std::vector<uint8_t> generated;
  for (const PendingTensor& t : tensors_) {
    if (t.fill) {
      generated.assign(t.bytes, 0);
      t.fill(generated.data());
      sink.append(generated.data(), t.bytes);
    } else {
      sink.append(t.data, t.bytes);
    }
    append_zeros(sink, align_up(t.bytes, align) - t.bytes);
  }
}

void GgufWriter::write(const std::string& path) const {
  AtomicFileWriter file(path);
  emit(file);
  file.commit();
}

std::vector<uint8_t> GgufWriter::to_bytes() const {
  std::vector<uint8_t> bytes;
  VectorSink sink(bytes);
  emit(sink);
  return bytes;
}

}  // namespace pd

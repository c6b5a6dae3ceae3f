#include "gguf/gguf_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <unordered_set>

#include "core/error.h"
#include "core/process_memory.h"
#include "gguf/gguf_format.h"

namespace pd {

namespace {

// Smallest encoded size of one value of each type: counts are checked against it so that
// a count can never promise more values than the bytes left could hold.
uint64_t min_encoded_size(GgufType type) {
  switch (type) {
    case GgufType::UInt8: case GgufType::Int8: case GgufType::Bool: return 1;
    case GgufType::UInt16: case GgufType::Int16: return 2;
    case GgufType::UInt32: case GgufType::Int32: case GgufType::Float32: return 4;
    case GgufType::UInt64: case GgufType::Int64: case GgufType::Float64: return 8;
    case GgufType::String: return 8;   // the length
    case GgufType::Array: return 12;   // element type and count
  }
  return 1;
}

bool is_valid_type(uint32_t id) { return id <= static_cast<uint32_t>(GgufType::Float64); }

// Reads the file front to back; every read checks the bytes left first. Errors name the
// byte where the offending item starts.
class Parser {
 public:
  Parser(const std::string& path, const uint8_t* data, uint64_t size)
      : path_(path), data_(data), size_(size) {}

  uint64_t position() const { return pos_; }
  uint64_t remaining() const { return size_ - pos_; }

  [[noreturn]] void fail_at(uint64_t at, const std::string& what) const {
    fail_input(path_, what + " (at byte " + std::to_string(at) + ")");
  }

  void need(uint64_t bytes, const char* what) const {
    if (bytes > remaining()) {
      fail_at(pos_, std::string("file ends inside ") + what + ": " + std::to_string(bytes) +
                        " bytes needed, " + std::to_string(remaining()) + " left");
    }
  }

  template <typename T>
  T read(const char* what) {
    need(sizeof(T), what);
    T value;
    std::memcpy(&value, data_ + pos_, sizeof(T));  // GGUF is little-endian, as we are
    pos_ += sizeof(T);
    return value;
  }

  std::string read_string(const char* what) {
    const uint64_t start = pos_;
    const uint64_t length = read<uint64_t>(what);
    if (length > remaining()) {
      fail_at(start, std::string(what) + " of length " + std::to_string(length) +
                         " cannot fit in the " + std::to_string(remaining()) + " bytes left");
    }
    std::string s(reinterpret_cast<const char*>(data_ + pos_), length);
    pos_ += length;
    return s;
  }

  // Fails unless `count` items of at least `min_size` bytes each fit in the bytes left.
  void check_count(uint64_t at, uint64_t count, uint64_t min_size, const std::string& what) const {
    if (count > remaining() / min_size) {
      fail_at(at, what + " count " + std::to_string(count) + " cannot fit in the " +
                      std::to_string(remaining()) + " bytes left");
    }
  }

  GgufType read_type(const std::string& context) {
    const uint64_t at = pos_;
    const uint32_t id = read<uint32_t>("a value type");
    if (!is_valid_type(id)) fail_at(at, context + ": unknown value type " + std::to_string(id));
    return static_cast<GgufType>(id);
  }

  GgufValue read_value(GgufType type, int depth, const std::string& context) {
    GgufValue v;
    v.type = type;
    switch (type) {
      case GgufType::UInt8: v.u = read<uint8_t>("a uint8 value"); break;
      case GgufType::Int8: v.i = read<int8_t>("an int8 value"); break;
      case GgufType::UInt16: v.u = read<uint16_t>("a uint16 value"); break;
      case GgufType::Int16: v.i = read<int16_t>("an int16 value"); break;
      case GgufType::UInt32: v.u = read<uint32_t>("a uint32 value"); break;
      case GgufType::Int32: v.i = read<int32_t>("an int32 value"); break;
      case GgufType::UInt64: v.u = read<uint64_t>("a uint64 value"); break;
      case GgufType::Int64: v.i = read<int64_t>("an int64 value"); break;
      case GgufType::Float32: v.f = read<float>("a float32 value"); break;
      case GgufType::Float64: v.f = read<double>("a float64 value"); break;
      case GgufType::Bool: {
        const uint64_t at = pos_;
        v.u = read<uint8_t>("a bool value");
        if (v.u > 1) fail_at(at, context + ": bool value " + std::to_string(v.u) + " is not 0 or 1");
        break;
      }
      case GgufType::String: v.s = read_string("a string"); break;
      case GgufType::Array: read_array(v, depth, context); break;
    }
    return v;
  }

  void read_array(GgufValue& v, int depth, const std::string& context) {
    const uint64_t at = pos_;
    if (depth >= gguf::kMaxArrayDepth) {
      fail_at(at, context + ": arrays nested deeper than " + std::to_string(gguf::kMaxArrayDepth));
    }
    v.element_type = read_type(context);
    const uint64_t count = read<uint64_t>("an array length");
    check_count(at, count, min_encoded_size(v.element_type),
                context + ": array of " + gguf_type_name(v.element_type));
    v.items.reserve(count);
    for (uint64_t k = 0; k < count; ++k) {
      v.items.push_back(read_value(v.element_type, depth + 1, context));
    }
  }

 private:
  const std::string& path_;
  const uint8_t* data_;
  uint64_t size_;
  uint64_t pos_ = 0;
};

bool is_power_of_two(uint64_t x) { return x != 0 && (x & (x - 1)) == 0; }

// Multiplies without overflow; false if the product exceeds `limit`.
bool checked_multiply(uint64_t a, uint64_t b, uint64_t limit, uint64_t* out) {
  if (a != 0 && b > limit / a) return false;
  *out = a * b;
  return true;
}

std::string quoted(const std::string& s) { return "'" + s + "'"; }

}  // namespace

int64_t GgufTensorInfo::element_count() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

int64_t GgufTensorInfo::rows() const {
  int64_t n = 1;
  for (size_t k = 1; k < shape.size(); ++k) n *= shape[k];
  return n;
}

namespace {

// Copies the mapped file into huge pages, dropping each copied stretch of the mapping
// from this process as it goes: the resident size never exceeds the file by more than
// one stretch (a plain copy would hold the file twice until the mapping is gone).
HugePageBuffer copy_to_huge_pages(void* mapping, size_t size) {
  constexpr size_t kStretch = size_t{8} << 20;
  HugePageBuffer copy(size);
  auto* source = static_cast<uint8_t*>(mapping);
  for (size_t at = 0; at < size; at += kStretch) {
    const size_t n = std::min(kStretch, size - at);
    std::memcpy(copy.data() + at, source + at, n);
    ::madvise(source + at, n, MADV_DONTNEED);
  }
  return copy;
}

}  // namespace

GgufResidency resident_if_it_fits(uint64_t file_size, uint64_t available) {
  if (available == 0 || file_size <= available / 4 * 3) return GgufResidency::Resident;
  return GgufResidency::Mapped;
}

std::unique_ptr<GgufFile> GgufFile::open(const std::string& path, GgufResidency residency) {
  std::unique_ptr<GgufFile> file(new GgufFile());
  file->path_ = path;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail_input(path, std::string("cannot open file: ") + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    fail_input(path, "not a regular file");
  }
  if (st.st_size == 0) {
    ::close(fd);
    fail_input(path, "file is empty, not a GGUF file");
  }
  void* mapping = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
  const int map_errno = errno;
  ::close(fd);
  if (mapping == MAP_FAILED) {
    fail_input(path, std::string("cannot map file: ") + std::strerror(map_errno));
  }
  const size_t size = static_cast<size_t>(st.st_size);
  if (residency == GgufResidency::Resident) residency = resident_if_it_fits(size, available_memory_bytes());
  if (residency == GgufResidency::Resident) {
    try {
      file->resident_ = copy_to_huge_pages(mapping, size);
    } catch (...) {
      ::munmap(mapping, size);
      throw;
    }
    ::munmap(mapping, size);
    file->bytes_ = file->resident_.data();
  } else {
    file->mapping_ = mapping;
    file->residency_ = GgufResidency::Mapped;
    file->bytes_ = static_cast<const uint8_t*>(mapping);
  }
  file->size_ = static_cast<uint64_t>(st.st_size);
  file->parse();
  return file;
}

std::unique_ptr<GgufFile> GgufFile::from_bytes(std::vector<uint8_t> bytes, std::string name) {
  std::unique_ptr<GgufFile> file(new GgufFile());
  file->path_ = std::move(name);
  file->owned_bytes_ = std::move(bytes);
  file->bytes_ = file->owned_bytes_.data();
  file->size_ = file->owned_bytes_.size();
  file->parse();
  return file;
}

GgufFile::~GgufFile() {
  if (mapping_ != nullptr) ::munmap(mapping_, static_cast<size_t>(size_));
}

void GgufFile::parse() {
  Parser in(path_, bytes_, size_);
  if (size_ < 4 || std::memcmp(bytes_, gguf::kMagic, 4) != 0) {
    in.fail_at(0, "not a GGUF file (no 'GGUF' magic)");
  }
  in.read<uint32_t>("the magic");
  version_ = in.read<uint32_t>("the version");
  if (version_ == 1) in.fail_at(4, "GGUF version 1 is not supported (only versions 2 and 3)");
  if (version_ != 2 && version_ != 3) {
    if ((version_ & 0xffffu) == 0 && (version_ >> 16) != 0) {
      in.fail_at(4, "big-endian GGUF files are not supported");
    }
    in.fail_at(4, "unsupported GGUF version " + std::to_string(version_) + " (only 2 and 3)");
  }
  const uint64_t tensor_count = in.read<uint64_t>("the tensor count");
  const uint64_t kv_count = in.read<uint64_t>("the metadata count");
  in.check_count(8, tensor_count, gguf::kMinTensorInfoBytes, "tensor");
  in.check_count(16, kv_count, gguf::kMinKeyValueBytes, "metadata");
  if (tensor_count * gguf::kMinTensorInfoBytes + kv_count * gguf::kMinKeyValueBytes > in.remaining()) {
    in.fail_at(8, "tensor count " + std::to_string(tensor_count) + " and metadata count " +
                      std::to_string(kv_count) + " cannot fit in the " +
                      std::to_string(in.remaining()) + " bytes left");
  }

  // Metadata.
  std::unordered_set<std::string> keys;
  metadata_.reserve(kv_count);
  for (uint64_t k = 0; k < kv_count; ++k) {
    const uint64_t at = in.position();
    std::string key = in.read_string("a metadata key");
    if (key.empty()) in.fail_at(at, "metadata key " + std::to_string(k) + " is empty");
    if (!keys.insert(key).second) in.fail_at(at, "duplicate metadata key " + quoted(key));
    const std::string context = "key " + quoted(key);
    const GgufType type = in.read_type(context);
    GgufValue value = in.read_value(type, 0, context);
    metadata_.push_back({std::move(key), std::move(value)});
  }

  alignment_ = gguf::kDefaultAlignment;
  if (const GgufValue* a = find(gguf::kAlignmentKey)) {
    if (!a->is_integer() || a->type == GgufType::Int8 || a->type == GgufType::Int16 ||
        a->type == GgufType::Int32 || a->type == GgufType::Int64) {
      fail_input(path_, std::string(gguf::kAlignmentKey) + " has type " + gguf_type_name(a->type) +
                            ", expected an unsigned integer");
    }
    if (!is_power_of_two(a->u) || a->u < gguf::kMinAlignment || a->u > gguf::kMaxAlignment) {
      fail_input(path_, std::string(gguf::kAlignmentKey) + " = " + std::to_string(a->u) +
                            " is not a power of two from 8 to 2^31");
    }
    alignment_ = a->u;
  }

  // Tensor infos.
  std::unordered_set<std::string> names;
  std::vector<uint64_t> info_positions;
  tensors_.reserve(tensor_count);
  info_positions.reserve(tensor_count);
  for (uint64_t t = 0; t < tensor_count; ++t) {
    const uint64_t at = in.position();
    GgufTensorInfo info;
    info.name = in.read_string("a tensor name");
    if (info.name.empty()) in.fail_at(at, "tensor " + std::to_string(t) + " has an empty name");
    if (!names.insert(info.name).second) in.fail_at(at, "duplicate tensor name " + quoted(info.name));
    const std::string context = "tensor " + quoted(info.name);

    const uint64_t dims_at = in.position();
    const uint32_t n_dims = in.read<uint32_t>("a tensor's dimension count");
    if (n_dims < 1 || n_dims > gguf::kMaxDims) {
      in.fail_at(dims_at, context + " has " + std::to_string(n_dims) + " dimensions (1 to " +
                              std::to_string(gguf::kMaxDims) + " allowed)");
    }
    uint64_t elements = 1;
    for (uint32_t d = 0; d < n_dims; ++d) {
      const int64_t extent = in.read<int64_t>("a tensor dimension");
      if (extent <= 0) {
        in.fail_at(dims_at, context + " dimension " + std::to_string(d) + " is " +
                                std::to_string(extent) + " (must be positive)");
      }
      if (!checked_multiply(elements, static_cast<uint64_t>(extent),
                            static_cast<uint64_t>(std::numeric_limits<int64_t>::max()), &elements)) {
        in.fail_at(dims_at, context + ": element count overflows 64 bits");
      }
      info.shape.push_back(extent);
    }

    const uint64_t type_at = in.position();
    const uint32_t type_id = in.read<uint32_t>("a tensor type");
    const TypeTraits* traits = find_type_traits(type_id);
    if (traits == nullptr) {
      in.fail_at(type_at, context + " has unknown type id " + std::to_string(type_id));
    }
    info.type = traits->type;
    const std::optional<size_t> row = row_bytes(info.type, info.shape[0]);
    if (!row) {
      in.fail_at(type_at, context + ": row length " + std::to_string(info.shape[0]) +
                              " is not a multiple of " + traits->name + "'s block size " +
                              std::to_string(traits->block_size));
    }
    if (!checked_multiply(*row, static_cast<uint64_t>(info.rows()),
                          std::numeric_limits<uint64_t>::max(), &info.bytes)) {
      in.fail_at(type_at, context + ": byte size overflows 64 bits");
    }

    const uint64_t offset_at = in.position();
    info.offset = in.read<uint64_t>("a tensor offset");
    if (info.offset % alignment_ != 0) {
      in.fail_at(offset_at, context + " offset " + std::to_string(info.offset) +
                                " is not a multiple of the alignment " + std::to_string(alignment_));
    }
    tensors_.push_back(std::move(info));
    info_positions.push_back(at);
  }

  // Tensor data: aligned start, every tensor inside the file, none overlapping.
  data_offset_ = (in.position() + alignment_ - 1) / alignment_ * alignment_;
  if (tensors_.empty()) return;
  if (data_offset_ > size_) {
    in.fail_at(in.position(), "file ends before the tensor data section (which starts at byte " +
                                  std::to_string(data_offset_) + ")");
  }
  const uint64_t data_size = size_ - data_offset_;
  for (size_t t = 0; t < tensors_.size(); ++t) {
    const GgufTensorInfo& info = tensors_[t];
    if (info.offset > data_size || info.bytes > data_size - info.offset) {
      in.fail_at(info_positions[t],
                 "tensor " + quoted(info.name) + " (" + std::to_string(info.bytes) +
                     " bytes at data offset " + std::to_string(info.offset) +
                     ") extends past the end of the file (" + std::to_string(data_size) +
                     " data bytes)");
    }
  }
  std::vector<size_t> order(tensors_.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [this](size_t a, size_t b) {
    return tensors_[a].offset < tensors_[b].offset;
  });
  for (size_t k = 1; k < order.size(); ++k) {
    const GgufTensorInfo& prev = tensors_[order[k - 1]];
    const GgufTensorInfo& next = tensors_[order[k]];
    if (prev.offset + prev.bytes > next.offset) {
      in.fail_at(info_positions[order[k]], "tensor " + quoted(next.name) + " overlaps tensor " +
                                               quoted(prev.name) + " in the data section");
    }
  }
}

const GgufValue* GgufFile::find(std::string_view key) const {
  for (const GgufKeyValue& kv : metadata_) {
    if (kv.key == key) return &kv.value;
  }
  return nullptr;
}

namespace {

[[noreturn]] void fail_key_type(const std::string& path, std::string_view key,
                                const GgufValue& value, const char* expected) {
  fail_input(path, "key '" + std::string(key) + "' has type " + gguf_type_name(value.type) +
                       ", expected " + expected);
}

[[noreturn]] void fail_key_range(const std::string& path, std::string_view key, const char* range) {
  fail_input(path, "key '" + std::string(key) + "' value does not fit " + range);
}

bool is_signed_type(GgufType type) {
  return type == GgufType::Int8 || type == GgufType::Int16 || type == GgufType::Int32 ||
         type == GgufType::Int64;
}

// Integer value as (negative, magnitude); false if not an integer type.
bool integer_value(const GgufValue& v, bool* negative, uint64_t* magnitude) {
  if (!v.is_integer()) return false;
  if (is_signed_type(v.type)) {
    *negative = v.i < 0;
    *magnitude = v.i < 0 ? uint64_t{0} - static_cast<uint64_t>(v.i) : static_cast<uint64_t>(v.i);
  } else {
    *negative = false;
    *magnitude = v.u;
  }
  return true;
}

uint64_t value_as_uint(const std::string& path, std::string_view key, const GgufValue& v) {
  bool negative = false;
  uint64_t magnitude = 0;
  if (!integer_value(v, &negative, &magnitude)) fail_key_type(path, key, v, "an integer");
  if (negative) fail_key_range(path, key, "an unsigned integer");
  return magnitude;
}

int64_t value_as_int(const std::string& path, std::string_view key, const GgufValue& v) {
  bool negative = false;
  uint64_t magnitude = 0;
  if (!integer_value(v, &negative, &magnitude)) fail_key_type(path, key, v, "an integer");
  if (is_signed_type(v.type)) return v.i;
  if (magnitude > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    fail_key_range(path, key, "a signed 64-bit integer");
  }
  return static_cast<int64_t>(magnitude);
}

double value_as_float(const std::string& path, std::string_view key, const GgufValue& v) {
  if (v.is_float()) return v.f;
  if (is_signed_type(v.type)) return static_cast<double>(v.i);
  if (v.is_integer()) return static_cast<double>(v.u);
  fail_key_type(path, key, v, "a number");
}

}  // namespace

const GgufValue& GgufFile::require(std::string_view key) const {
  const GgufValue* v = find(key);
  if (v == nullptr) fail_input(path_, "key '" + std::string(key) + "' is missing");
  return *v;
}

std::string GgufFile::get_string(std::string_view key) const {
  const GgufValue& v = require(key);
  if (v.type != GgufType::String) fail_key_type(path_, key, v, "string");
  return v.s;
}

uint64_t GgufFile::get_uint(std::string_view key) const {
  return value_as_uint(path_, key, require(key));
}

int64_t GgufFile::get_int(std::string_view key) const {
  return value_as_int(path_, key, require(key));
}

double GgufFile::get_float(std::string_view key) const {
  return value_as_float(path_, key, require(key));
}

bool GgufFile::get_bool(std::string_view key) const {
  const GgufValue& v = require(key);
  if (v.type != GgufType::Bool) fail_key_type(path_, key, v, "bool");
  return v.u != 0;
}

std::string GgufFile::get_string_or(std::string_view key, std::string fallback) const {
  return find(key) ? get_string(key) : std::move(fallback);
}

uint64_t GgufFile::get_uint_or(std::string_view key, uint64_t fallback) const {
  return find(key) ? get_uint(key) : fallback;
}

double GgufFile::get_float_or(std::string_view key, double fallback) const {
  return find(key) ? get_float(key) : fallback;
}

bool GgufFile::get_bool_or(std::string_view key, bool fallback) const {
  return find(key) ? get_bool(key) : fallback;
}

const GgufValue& GgufFile::require_array(std::string_view key, const char* expected) const {
  const GgufValue& v = require(key);
  if (v.type != GgufType::Array) fail_key_type(path_, key, v, expected);
  return v;
}

std::vector<std::string> GgufFile::get_string_array(std::string_view key) const {
  const GgufValue& v = require_array(key, "array of string");
  if (v.element_type != GgufType::String) {
    fail_input(path_, "key '" + std::string(key) + "' is an array of " +
                          gguf_type_name(v.element_type) + ", expected array of string");
  }
  std::vector<std::string> out;
  out.reserve(v.items.size());
  for (const GgufValue& item : v.items) out.push_back(item.s);
  return out;
}

std::vector<float> GgufFile::get_float_array(std::string_view key) const {
  const GgufValue& v = require_array(key, "array of numbers");
  std::vector<float> out;
  out.reserve(v.items.size());
  for (const GgufValue& item : v.items) {
    out.push_back(static_cast<float>(value_as_float(path_, key, item)));
  }
  return out;
}

std::vector<int64_t> GgufFile::get_int_array(std::string_view key) const {
  const GgufValue& v = require_array(key, "array of integers");
  std::vector<int64_t> out;
  out.reserve(v.items.size());
  for (const GgufValue& item : v.items) out.push_back(value_as_int(path_, key, item));
  return out;
}

const GgufTensorInfo* GgufFile::find_tensor(std::string_view name) const {
  for (const GgufTensorInfo& info : tensors_) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

const uint8_t* GgufFile::tensor_data(const GgufTensorInfo& info) const {
  return bytes_ + data_offset_ + info.offset;
}

}  // namespace pd

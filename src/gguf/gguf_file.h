#pragma once
// Reading GGUF files (versions 2 and 3).
//
// `GgufFile::open` reads the file into memory (GgufResidency::Resident: huge pages, for
// weights the engine streams on every token; core/huge_pages.h; a file too large for the
// available memory stays mapped) or memory-maps it (Mapped: for tools that read a file
// once or only its metadata), and validates all of it before returning:
// magic, version, counts, every string and array length, metadata types (nested arrays
// included), tensor names (no duplicates), dimensions, type ids, alignment, offsets and
// that every tensor's data lies inside the file, with overflow checks on every size
// computation. Any violation throws pd::Error (BadInput) "<path>: <what is wrong> (at
// byte N)". Counts are checked against the bytes actually present before anything is
// allocated, so a hostile file can neither crash the reader nor make it allocate much
// (parsed metadata takes at most ~100 bytes of memory per byte of file: one
// GgufValue per array element).
//
// Stricter than llama.cpp in a few places, all of which no real writer trips over:
// `general.alignment` must be a power of two from 8 to 2^31 (the GGUF spec asks for a
// multiple of 8; it keeps every tensor's data 8-byte aligned for the block structs that
// read it), bools must be 0 or 1, keys and tensor names must not be empty, and arrays
// nest at most 8 deep. Tensors may be stored in any order with gaps between them, but
// never overlapping.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/huge_pages.h"
#include "gguf/gguf_value.h"
#include "tensor/tensor_type.h"

namespace pd {

struct GgufTensorInfo {
  std::string name;
  TensorType type;
  std::vector<int64_t> shape;  // ggml order: shape[0] is the row length (ne0)
  uint64_t offset = 0;         // relative to the start of the tensor data section
  uint64_t bytes = 0;          // exact size of the tensor's data
  int64_t element_count() const;
  int64_t rows() const;        // product of shape[1..]
};

enum class GgufResidency {
  Resident,  // copied into huge pages (page-cache mapping released chunk by chunk)
  Mapped,    // memory-mapped, read on demand
};

// What a request for Resident gets: Resident while the file takes at most three
// quarters of the memory the system has available (`available` 0: not known), Mapped
// beyond, so that a model larger than the memory still runs from the page cache instead
// of the copy exhausting the memory.
GgufResidency resident_if_it_fits(uint64_t file_size, uint64_t available);

class GgufFile {
 public:
  static std::unique_ptr<GgufFile> open(const std::string& path,
                                        GgufResidency residency = GgufResidency::Resident);
  // Parses bytes held in memory (tests and the fuzz target); `name` is used in errors.
  static std::unique_ptr<GgufFile> from_bytes(std::vector<uint8_t> bytes, std::string name);
  ~GgufFile();
  GgufFile(const GgufFile&) = delete;
  GgufFile& operator=(const GgufFile&) = delete;

  const std::string& path() const { return path_; }
  // How the bytes are held (from_bytes: Resident, in the caller's vector).
  GgufResidency residency() const { return residency_; }
  uint32_t version() const { return version_; }
  uint64_t alignment() const { return alignment_; }
  uint64_t data_offset() const { return data_offset_; }  // start of tensor data in file
  uint64_t file_size() const { return size_; }
  const uint8_t* file_bytes() const { return bytes_; }

  const std::vector<GgufKeyValue>& metadata() const { return metadata_; }
  const GgufValue* find(std::string_view key) const;

  // Typed getters: throw BadInput "<path>: key '<key>' ..." if absent or of the wrong
  // type. Integer getters accept any integer type whose value fits.
  std::string get_string(std::string_view key) const;
  uint64_t get_uint(std::string_view key) const;
  int64_t get_int(std::string_view key) const;
  double get_float(std::string_view key) const;  // accepts integer values too
  bool get_bool(std::string_view key) const;
  // Defaults when absent (still an error if present with a wrong type).
  std::string get_string_or(std::string_view key, std::string fallback) const;
  uint64_t get_uint_or(std::string_view key, uint64_t fallback) const;
  double get_float_or(std::string_view key, double fallback) const;
  bool get_bool_or(std::string_view key, bool fallback) const;
  std::vector<std::string> get_string_array(std::string_view key) const;
  std::vector<float> get_float_array(std::string_view key) const;
  std::vector<int64_t> get_int_array(std::string_view key) const;

  const std::vector<GgufTensorInfo>& tensors() const { return tensors_; }
  const GgufTensorInfo* find_tensor(std::string_view name) const;
  // The tensor's bytes, valid as long as this object lives; aligned to at least 8 bytes.
  const uint8_t* tensor_data(const GgufTensorInfo& info) const;

 private:
  GgufFile() = default;
  void parse();
  const GgufValue& require(std::string_view key) const;
  const GgufValue& require_array(std::string_view key, const char* expected) const;

  std::string path_;
  const uint8_t* bytes_ = nullptr;
  uint64_t size_ = 0;
  void* mapping_ = nullptr;           // mmap'ed region, if any
  HugePageBuffer resident_;           // Resident storage
  GgufResidency residency_ = GgufResidency::Resident;
  std::vector<uint8_t> owned_bytes_;  // from_bytes storage
  uint32_t version_ = 0;
  uint64_t alignment_ = 32;
  uint64_t data_offset_ = 0;
  std::vector<GgufKeyValue> metadata_;
  std::vector<GgufTensorInfo> tensors_;
};

}  // namespace pd

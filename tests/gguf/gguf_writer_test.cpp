#include "gguf/gguf_writer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <new>
#include <functional>
#include <random>

#include "core/atomic_file.h"
#include "core/error.h"
#include "gguf/gguf_file.h"
#include "test_paths.h"

// The largest single request this test binary makes of operator new since the last
// reset: padding to a large alignment must not allocate in proportion to it.
static std::atomic<size_t> largest_new_request{0};

void* operator new(std::size_t size) {
  size_t seen = largest_new_request.load(std::memory_order_relaxed);
  while (size > seen && !largest_new_request.compare_exchange_weak(seen, size)) {
  }
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace pd {
namespace {

void expect_bad_input(const std::function<void()>& f, const std::string& needle) {
  try {
    f();
    ADD_FAILURE() << "no error; expected one containing: " << needle;
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::BadInput);
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

std::vector<uint8_t> random_bytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> v(n);
  for (uint8_t& b : v) b = static_cast<uint8_t>(rng());
  return v;
}

GgufValue scalar(GgufType type, uint64_t u, int64_t i) {
  GgufValue v;
  v.type = type;
  v.u = u;
  v.i = i;
  return v;
}

// Every metadata type, nested arrays and tensors of several types and shapes.
struct Sample {
  std::vector<std::vector<uint8_t>> data;
  GgufWriter writer;
};

void fill_sample(Sample& s, uint32_t alignment) {
  GgufWriter& w = s.writer;
  w.set("general.architecture", GgufValue::make_string("llama"));
  if (alignment != 0) w.set("general.alignment", GgufValue::make_u32(alignment));
  w.set("u8", scalar(GgufType::UInt8, 255, 0));
  w.set("i8", scalar(GgufType::Int8, 0, -128));
  w.set("u16", scalar(GgufType::UInt16, 65535, 0));
  w.set("i16", scalar(GgufType::Int16, 0, -300));
  w.set("u32", GgufValue::make_u32(123456789));
  w.set("i32", GgufValue::make_i32(-123456789));
  w.set("u64", GgufValue::make_u64(~uint64_t{0}));
  w.set("i64", scalar(GgufType::Int64, 0, std::numeric_limits<int64_t>::min()));
  w.set("f32", GgufValue::make_f32(-0.1f));
  GgufValue f64;
  f64.type = GgufType::Float64;
  f64.f = 1e300;
  w.set("f64", f64);
  w.set("bool", GgufValue::make_bool(true));
  w.set("empty string", GgufValue::make_string(""));
  w.set("strings", GgufValue::make_string_array({"a", "", "\xe2\x96\x81x"}));
  w.set("floats", GgufValue::make_f32_array({1.5f, -2.0f}));
  w.set("ints", GgufValue::make_i32_array({}));
  w.set("nested", GgufValue::make_array(GgufType::Array,
                                        {GgufValue::make_i32_array({1, 2}),
                                         GgufValue::make_string_array({"z"})}));
  struct Spec { const char* name; TensorType type; std::vector<int64_t> shape; };
  const Spec specs[] = {
      {"f32.weight", TensorType::F32, {3, 5}},
      {"f16.weight", TensorType::F16, {7}},
      {"q8.weight", TensorType::Q8_0, {64, 3}},
      {"q4k.weight", TensorType::Q4_K, {256, 2, 1, 2}},
      {"bf16", TensorType::BF16, {1, 1, 1}},
  };
  uint32_t seed = 1;
  for (const Spec& spec : specs) {
    int64_t rows = 1;
    for (size_t d = 1; d < spec.shape.size(); ++d) rows *= spec.shape[d];
    const size_t bytes = *row_bytes(spec.type, spec.shape[0]) * static_cast<size_t>(rows);
    s.data.push_back(random_bytes(bytes, seed++));
    w.add_tensor(spec.name, spec.type, spec.shape, s.data.back().data(), bytes);
  }
}

TEST(GgufWriter, RoundTripsMetadataAndTensors) {
  for (uint32_t alignment : {0u, 8u, 64u, 4096u, 16384u}) {
    Sample s;
    fill_sample(s, alignment);
    const std::vector<uint8_t> bytes = s.writer.to_bytes();
    auto file = GgufFile::from_bytes(bytes, "roundtrip");
    const uint64_t expected_alignment = alignment == 0 ? 32 : alignment;
    EXPECT_EQ(file->version(), 3u);
    EXPECT_EQ(file->alignment(), expected_alignment);
    EXPECT_EQ(file->metadata(), s.writer.metadata());
    ASSERT_EQ(file->tensors().size(), s.data.size());
    for (size_t t = 0; t < s.data.size(); ++t) {
      const GgufTensorInfo& info = file->tensors()[t];
      EXPECT_EQ(info.offset % expected_alignment, 0u);
      ASSERT_EQ(info.bytes, s.data[t].size());
      EXPECT_EQ(std::memcmp(file->tensor_data(info), s.data[t].data(), info.bytes), 0) << info.name;
    }
    EXPECT_EQ(file->tensors()[3].shape, (std::vector<int64_t>{256, 2, 1, 2}));
    EXPECT_EQ(file->data_offset() % expected_alignment, 0u);
    EXPECT_EQ(bytes.size() % expected_alignment, 0u);
    // Padding is zeros.
    const GgufTensorInfo& first = file->tensors()[0];
    for (uint64_t k = first.bytes; k < file->tensors()[1].offset; ++k) {
      EXPECT_EQ(file->tensor_data(first)[k], 0);
    }
  }
}

TEST(GgufWriter, WriteStreamsTheSameBytesAsToBytes) {
  Sample s;
  fill_sample(s, 0);
  const std::string dir = test::temp_dir("gguf-writer");
  const std::string path = dir + "/out.gguf";
  s.writer.write(path);
  const std::string on_disk = read_file(path);
  const std::vector<uint8_t> in_memory = s.writer.to_bytes();
  EXPECT_EQ(on_disk, std::string(in_memory.begin(), in_memory.end()));
  auto file = GgufFile::open(path);
  EXPECT_EQ(file->metadata(), s.writer.metadata());
  // Only the file itself remains: the temporary was renamed over it.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), std::filesystem::directory_iterator()), 1);
  expect_bad_input([&] { s.writer.write(dir + "/no/such/dir/out.gguf"); }, "cannot create file");
}

TEST(GgufWriter, AbandonedAtomicWriteLeavesNothing) {
  const std::string dir = test::temp_dir("gguf-atomic");
  const std::string path = dir + "/x";
  write_file_atomic(path, std::string("old"));
  {
    AtomicFileWriter out(path);
    out.append("new", 3);
  }  // no commit
  EXPECT_EQ(read_file(path), "old");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), std::filesystem::directory_iterator()), 1);
  AtomicFileWriter out(path);
  out.append("ne", 2);
  out.append("w", 1);
  out.commit();
  EXPECT_EQ(read_file(path), "new");
}

TEST(GgufWriter, VocabularyOnlyFileHasNoPadding) {
  GgufWriter w;
  w.set("a", GgufValue::make_u32(1));
  const std::vector<uint8_t> bytes = w.to_bytes();
  EXPECT_EQ(bytes.size(), 4u + 4 + 8 + 8 + (8 + 1 + 4 + 4));
  auto file = GgufFile::from_bytes(bytes, "vocab");
  EXPECT_TRUE(file->tensors().empty());
  EXPECT_EQ(file->get_uint("a"), 1u);
}

// Regression: the writer once held a zero block of the alignment's size, so a file with
// no tensors and an alignment of 2^31 (which the reader accepts) cost 2 GiB to rewrite.
TEST(GgufWriter, LargestAlignmentCostsNoAllocationOfItsSize) {
  GgufWriter w;
  w.set("general.alignment", GgufValue::make_u32(uint32_t{1} << 31));
  largest_new_request = 0;
  const std::vector<uint8_t> bytes = w.to_bytes();
  EXPECT_LT(largest_new_request.load(), size_t{1} << 20);
  EXPECT_EQ(GgufFile::from_bytes(bytes, "aligned")->alignment(), uint64_t{1} << 31);
}

TEST(GgufWriter, SetReplacesInPlaceAndRemoveDeletes) {
  GgufWriter w;
  w.set("a", GgufValue::make_u32(1));
  w.set("b", GgufValue::make_u32(2));
  w.set("a", GgufValue::make_string("x"));
  ASSERT_EQ(w.metadata().size(), 2u);
  EXPECT_EQ(w.metadata()[0].key, "a");
  EXPECT_EQ(w.metadata()[0].value.s, "x");
  w.remove("a");
  w.remove("never there");
  ASSERT_EQ(w.metadata().size(), 1u);
  EXPECT_EQ(w.metadata()[0].key, "b");
  EXPECT_EQ(w.find("a"), nullptr);
  // An unsigned alignment of any width is stored as the uint32 llama.cpp expects.
  w.set("general.alignment", GgufValue::make_u64(16));
  EXPECT_EQ(w.find("general.alignment")->type, GgufType::UInt32);
}

TEST(GgufWriter, RefusesWhatLlamaCppCannotLoad) {
  GgufWriter w;
  float data[512] = {};
  expect_bad_input([&] { w.set("", GgufValue::make_u32(1)); }, "empty metadata key");
  expect_bad_input([&] { w.set("general.alignment", GgufValue::make_u32(48)); }, "power of two");
  expect_bad_input([&] { w.set("general.alignment", GgufValue::make_u32(0)); }, "power of two");
  expect_bad_input([&] { w.set("general.alignment", GgufValue::make_u32(4)); }, "power of two from 8");
  expect_bad_input([&] { w.set("general.alignment", GgufValue::make_i32(32)); }, "power of two");
  expect_bad_input([&] { w.set("k", scalar(GgufType::UInt8, 256, 0)); }, "key 'k': 256 does not fit uint8");
  expect_bad_input([&] { w.set("k", scalar(GgufType::Int16, 0, 40000)); }, "does not fit int16");
  expect_bad_input([&] { w.set("k", scalar(GgufType::Bool, 2, 0)); }, "does not fit bool");
  expect_bad_input([&] {
    w.set("k", GgufValue::make_array(GgufType::String, {GgufValue::make_u32(1)}));
  }, "array of string holds a uint32");
  GgufValue deep = GgufValue::make_i32_array({1});
  for (int k = 0; k < 8; ++k) deep = GgufValue::make_array(GgufType::Array, {deep});
  expect_bad_input([&] { w.set("deep", deep); }, "nested deeper than 8");

  expect_bad_input([&] { w.add_tensor("", TensorType::F32, {1}, data, 4); }, "empty tensor name");
  expect_bad_input([&] { w.add_tensor(std::string(64, 'n'), TensorType::F32, {1}, data, 4); },
                   "name longer than 63 bytes");
  expect_bad_input([&] { w.add_tensor("t", TensorType::F32, {}, data, 4); }, "0 dimensions");
  expect_bad_input([&] { w.add_tensor("t", TensorType::F32, {1, 1, 1, 1, 1}, data, 4); }, "5 dimensions");
  expect_bad_input([&] { w.add_tensor("t", TensorType::F32, {0}, data, 0); }, "dimension 0 is not positive");
  expect_bad_input([&] { w.add_tensor("t", TensorType::F32, {1, -2}, data, 4); }, "dimension 1 is not positive");
  expect_bad_input([&] { w.add_tensor("t", TensorType::Q4_K, {128}, data, 72); },
                   "row length 128 does not fill whole Q4_K blocks");
  expect_bad_input([&] { w.add_tensor("t", TensorType::F32, {4}, data, 12); }, "12 data bytes given");
  expect_bad_input([&] {
    w.add_tensor("t", TensorType::F32, {int64_t{1} << 40, int64_t{1} << 40}, data, 4);
  }, "overflows");
  expect_bad_input([&] { w.add_tensor("t", TensorType::F32, {1}, nullptr, 4); }, "no data");
  w.add_tensor(std::string(63, 'n'), TensorType::F32, {4}, data, 16);
  expect_bad_input([&] { w.add_tensor(std::string(63, 'n'), TensorType::F16, {4}, data, 8); },
                   "duplicate tensor name");
}

TEST(GgufWriter, RewritingStories260KReproducesTheFile) {
  const std::string path = test::shared_data("models/stories260K.gguf");
  if (!test::exists(path)) GTEST_SKIP() << "missing " << path;
  auto original = GgufFile::open(path);
  GgufWriter w;
  w.copy_metadata(*original);
  for (const GgufTensorInfo& t : original->tensors()) {
    w.add_tensor(t.name, t.type, t.shape, original->tensor_data(t), t.bytes);
  }
  const std::vector<uint8_t> bytes = w.to_bytes();
  auto copy = GgufFile::from_bytes(bytes, "copy");
  EXPECT_EQ(copy->metadata(), original->metadata());
  EXPECT_EQ(copy->data_offset(), original->data_offset());
  ASSERT_EQ(copy->tensors().size(), original->tensors().size());
  for (size_t k = 0; k < copy->tensors().size(); ++k) {
    const GgufTensorInfo& a = original->tensors()[k];
    const GgufTensorInfo& b = copy->tensors()[k];
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.type, b.type);
    EXPECT_EQ(a.shape, b.shape);
    EXPECT_EQ(a.offset, b.offset);
    EXPECT_EQ(std::memcmp(original->tensor_data(a), copy->tensor_data(b), a.bytes), 0);
  }
  // llama.cpp's writer and ours lay the file out identically, byte for byte.
  ASSERT_EQ(bytes.size(), original->file_size());
  EXPECT_EQ(std::memcmp(bytes.data(), original->file_bytes(), bytes.size()), 0);
}

}  // namespace
}  // namespace pd

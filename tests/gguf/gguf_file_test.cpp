#include "gguf/gguf_file.h"

#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <fstream>

#include "core/error.h"
#include "gguf_test_bytes.h"
#include "test_paths.h"

namespace pd {
namespace {

using test::GgufBytes;

std::string model_path(const std::string& name) { return test::shared_data("models/" + name); }

#define SKIP_IF_MISSING(path) \
  if (!test::exists(path)) GTEST_SKIP() << "missing " << (path)

TEST(GgufFile, ParsesStories260K) {
  const std::string path = model_path("stories260K.gguf");
  SKIP_IF_MISSING(path);
  auto file = GgufFile::open(path);
  EXPECT_EQ(file->version(), 3u);
  EXPECT_EQ(file->alignment(), 32u);
  EXPECT_EQ(file->data_offset(), 14176u);
  EXPECT_EQ(file->file_size(), 1185376u);
  EXPECT_EQ(file->metadata().size(), 19u);
  EXPECT_EQ(file->get_string("general.architecture"), "llama");
  EXPECT_EQ(file->get_uint("llama.embedding_length"), 64u);
  EXPECT_EQ(file->get_uint("llama.feed_forward_length"), 172u);
  EXPECT_EQ(file->get_uint("llama.block_count"), 5u);
  EXPECT_EQ(file->get_uint("llama.attention.head_count"), 8u);
  EXPECT_EQ(file->get_uint("llama.attention.head_count_kv"), 4u);
  EXPECT_EQ(file->get_uint("llama.context_length"), 2048u);
  EXPECT_FLOAT_EQ(static_cast<float>(file->get_float("llama.attention.layer_norm_rms_epsilon")), 1e-5f);
  EXPECT_EQ(file->get_string("tokenizer.ggml.model"), "llama");
  EXPECT_EQ(file->get_string_array("tokenizer.ggml.tokens").size(), 512u);
  EXPECT_EQ(file->get_float_array("tokenizer.ggml.scores").size(), 512u);
  EXPECT_EQ(file->get_int_array("tokenizer.ggml.token_type").size(), 512u);
  EXPECT_EQ(file->get_uint("tokenizer.ggml.bos_token_id"), 1u);
  EXPECT_EQ(file->get_uint("tokenizer.ggml.eos_token_id"), 2u);

  ASSERT_EQ(file->tensors().size(), 48u);
  uint64_t end = 0;
  for (const GgufTensorInfo& t : file->tensors()) {
    EXPECT_EQ(t.type, TensorType::F32) << t.name;
    EXPECT_EQ(t.bytes, static_cast<uint64_t>(t.element_count()) * 4) << t.name;
    EXPECT_EQ(t.offset % 32, 0u);
    end = std::max(end, t.offset + t.bytes);
  }
  EXPECT_EQ(file->data_offset() + end, file->file_size());

  const GgufTensorInfo* embd = file->find_tensor("token_embd.weight");
  ASSERT_NE(embd, nullptr);
  EXPECT_EQ(embd->shape, (std::vector<int64_t>{64, 512}));
  EXPECT_EQ(embd->rows(), 512);
  const GgufTensorInfo* down = file->find_tensor("blk.0.ffn_down.weight");
  ASSERT_NE(down, nullptr);
  EXPECT_EQ(down->shape, (std::vector<int64_t>{172, 64}));
  EXPECT_EQ(file->find_tensor("no.such.tensor"), nullptr);

  // The same weights in llama2.c's checkpoint: a 7 x int32 header, then the embedding.
  const std::string bin = model_path("stories260K.bin");
  if (test::exists(bin)) {
    std::ifstream in(bin, std::ios::binary);
    std::vector<char> expected(embd->bytes);
    in.seekg(28);
    in.read(expected.data(), static_cast<std::streamsize>(expected.size()));
    ASSERT_TRUE(in.good());
    EXPECT_EQ(std::memcmp(file->tensor_data(*embd), expected.data(), expected.size()), 0);
  }
}

TEST(GgufFile, ParsesVocabOnlyFiles) {
  const std::string gpt2 = model_path("ggml-vocab-gpt-2.gguf");
  const std::string phi3 = model_path("ggml-vocab-phi-3.gguf");
  SKIP_IF_MISSING(gpt2);
  SKIP_IF_MISSING(phi3);
  auto a = GgufFile::open(gpt2);
  EXPECT_TRUE(a->tensors().empty());
  EXPECT_EQ(a->get_string("tokenizer.ggml.model"), "gpt2");
  EXPECT_EQ(a->get_string("tokenizer.ggml.pre"), "gpt-2");
  EXPECT_EQ(a->get_string_array("tokenizer.ggml.tokens").size(), 50257u);
  EXPECT_EQ(a->get_string_array("tokenizer.ggml.merges").size(), 50000u);
  auto b = GgufFile::open(phi3);
  EXPECT_TRUE(b->tensors().empty());
  EXPECT_EQ(b->get_string_array("tokenizer.ggml.tokens").size(), 32064u);
  EXPECT_FALSE(b->get_string("tokenizer.chat_template").empty());
}

TEST(GgufFile, ParsesF16Model) {
  const std::string path = model_path("llama-2-tiny-random.gguf");
  SKIP_IF_MISSING(path);
  auto file = GgufFile::open(path);
  ASSERT_EQ(file->tensors().size(), 12u);
  int f16 = 0;
  for (const GgufTensorInfo& t : file->tensors()) f16 += t.type == TensorType::F16;
  EXPECT_EQ(f16, 9);
  EXPECT_EQ(file->get_uint("general.file_type"), 1u);
}

// A small file holding every metadata type, nested arrays and two tensors.
GgufBytes every_type_file() {
  GgufBytes b;
  b.header(3, 2, 15);
  b.str("u8").u32(0).u8(200);
  b.str("i8").u32(1).u8(0xff);  // -1
  b.str("u16").u32(2).raw("\x34\x12", 2);
  b.str("i16").u32(3).raw("\xfe\xff", 2);  // -2
  b.str("u32").u32(4).u32(4000000000u);
  b.str("i32").u32(5).u32(static_cast<uint32_t>(-7));
  b.str("f32").u32(6).f32(0.25f);
  b.str("bool").u32(7).u8(1);
  b.str("str").u32(8).str("hello");
  b.str("u64").u32(10).u64(~uint64_t{0});
  b.str("i64").u32(11).i64(-5);
  double d = 1.5;
  b.str("f64").u32(12).raw(&d, 8);
  b.str("strings").u32(9).u32(8).u64(2).str("a").str("bc");
  b.str("nested").u32(9).u32(9).u64(2);
  b.u32(4).u64(1).u32(9);   // [ [9], [] of i32 ]
  b.u32(5).u64(0);
  b.str("general.alignment").u32(4).u32(64);
  b.tensor("a", {4, 2}, 0, 0);
  b.tensor("b", {32}, 8, 64);  // Q8_0: one block of 34 bytes
  b.pad_to(64);
  std::vector<float> a = {1, 2, 3, 4, 5, 6, 7, 8};
  b.raw(a.data(), 32).zeros(32).zeros(34);
  return b;
}

TEST(GgufFile, ReadsEveryMetadataType) {
  auto file = GgufFile::from_bytes(every_type_file().bytes(), "mem.gguf");
  EXPECT_EQ(file->path(), "mem.gguf");
  EXPECT_EQ(file->alignment(), 64u);
  EXPECT_EQ(file->get_uint("u8"), 200u);
  EXPECT_EQ(file->get_int("i8"), -1);
  EXPECT_EQ(file->get_uint("u16"), 0x1234u);
  EXPECT_EQ(file->get_int("i16"), -2);
  EXPECT_EQ(file->get_uint("u32"), 4000000000u);
  EXPECT_EQ(file->get_int("i32"), -7);
  EXPECT_EQ(file->get_float("f32"), 0.25);
  EXPECT_TRUE(file->get_bool("bool"));
  EXPECT_EQ(file->get_string("str"), "hello");
  EXPECT_EQ(file->get_uint("u64"), ~uint64_t{0});
  EXPECT_EQ(file->get_int("i64"), -5);
  EXPECT_EQ(file->get_float("f64"), 1.5);
  EXPECT_EQ(file->get_float("u32"), 4e9);
  EXPECT_EQ(file->get_string_array("strings"), (std::vector<std::string>{"a", "bc"}));
  const GgufValue* nested = file->find("nested");
  ASSERT_NE(nested, nullptr);
  ASSERT_EQ(nested->items.size(), 2u);
  EXPECT_EQ(nested->items[0].type, GgufType::Array);
  EXPECT_EQ(nested->items[0].element_type, GgufType::UInt32);
  EXPECT_EQ(nested->items[0].items.at(0).u, 9u);
  EXPECT_EQ(nested->items[1].element_type, GgufType::Int32);
  EXPECT_TRUE(nested->items[1].items.empty());

  ASSERT_EQ(file->tensors().size(), 2u);
  const GgufTensorInfo& a = file->tensors()[0];
  EXPECT_EQ(a.bytes, 32u);
  EXPECT_EQ(file->data_offset() % 64, 0u);
  float first = 0;
  std::memcpy(&first, file->tensor_data(a), 4);
  EXPECT_EQ(first, 1.0f);
  EXPECT_EQ(file->tensors()[1].type, TensorType::Q8_0);
  EXPECT_EQ(file->tensors()[1].bytes, 34u);
}

void expect_bad_input(const std::function<void()>& f, const std::string& needle) {
  try {
    f();
    ADD_FAILURE() << "no error; expected one containing: " << needle;
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::BadInput);
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(GgufFile, TypedGettersRejectWrongTypesAndRanges) {
  auto file = GgufFile::from_bytes(every_type_file().bytes(), "mem.gguf");
  expect_bad_input([&] { file->get_string("missing"); }, "mem.gguf: key 'missing' is missing");
  expect_bad_input([&] { file->get_string("u8"); }, "key 'u8' has type uint8, expected string");
  expect_bad_input([&] { file->get_uint("i8"); }, "key 'i8' value does not fit");
  expect_bad_input([&] { file->get_int("u64"); }, "key 'u64' value does not fit");
  expect_bad_input([&] { file->get_uint("str"); }, "expected an integer");
  expect_bad_input([&] { file->get_bool("u8"); }, "expected bool");
  expect_bad_input([&] { file->get_float("bool"); }, "expected a number");
  expect_bad_input([&] { file->get_string_array("nested"); }, "is an array of array");
  expect_bad_input([&] { file->get_int_array("str"); }, "expected array of integers");
  expect_bad_input([&] { file->get_uint_or("str", 3); }, "expected an integer");
  EXPECT_EQ(file->get_uint_or("absent", 3), 3u);
  EXPECT_EQ(file->get_string_or("absent", "x"), "x");
  EXPECT_EQ(file->get_float_or("absent", 2.5), 2.5);
  EXPECT_TRUE(file->get_bool_or("absent", true));
  expect_bad_input([&] { file->get_int_array("strings"); }, "key 'strings' has type string");
}

// A file read into huge pages and the same file mapped hold the same bytes and parse to
// the same tensors; the resident copy starts on a huge-page boundary.
TEST(GgufFile, ResidentAndMappedFilesAreTheSame) {
  const std::string path = model_path("stories260K.gguf");
  SKIP_IF_MISSING(path);
  const auto resident = GgufFile::open(path);
  const auto mapped = GgufFile::open(path, GgufResidency::Mapped);
  EXPECT_EQ(resident->residency(), GgufResidency::Resident);
  EXPECT_EQ(mapped->residency(), GgufResidency::Mapped);
  ASSERT_EQ(resident->file_size(), mapped->file_size());
  EXPECT_EQ(0, std::memcmp(resident->file_bytes(), mapped->file_bytes(), resident->file_size()));
  EXPECT_EQ(reinterpret_cast<uintptr_t>(resident->file_bytes()) % HugePageBuffer::kHugePage, 0u);
  ASSERT_EQ(resident->tensors().size(), mapped->tensors().size());
  for (const GgufTensorInfo& t : resident->tensors()) {
    const GgufTensorInfo* other = mapped->find_tensor(t.name);
    ASSERT_NE(other, nullptr) << t.name;
    EXPECT_EQ(0, std::memcmp(resident->tensor_data(t), mapped->tensor_data(*other), t.bytes)) << t.name;
  }
  // Errors name the file the same way either way.
  for (GgufResidency residency : {GgufResidency::Resident, GgufResidency::Mapped}) {
    expect_bad_input([&] { GgufFile::open("/nonexistent/x.gguf", residency); }, "/nonexistent/x.gguf: cannot open file");
  }
}

// A file the memory cannot comfortably hold stays mapped.
TEST(GgufFile, ResidentOnlyWhenTheFileFitsTheAvailableMemory) {
  const uint64_t gib = uint64_t{1} << 30;
  EXPECT_EQ(resident_if_it_fits(3 * gib, 4 * gib), GgufResidency::Resident);
  EXPECT_EQ(resident_if_it_fits(3 * gib + 1, 4 * gib), GgufResidency::Mapped);
  EXPECT_EQ(resident_if_it_fits(30 * gib, 24 * gib), GgufResidency::Mapped);
  EXPECT_EQ(resident_if_it_fits(30 * gib, 0), GgufResidency::Resident);  // not known: as asked
}

TEST(GgufFile, OpenReportsMissingAndNonRegularFiles) {
  expect_bad_input([] { GgufFile::open("/nonexistent/x.gguf"); }, "/nonexistent/x.gguf: cannot open file");
  expect_bad_input([] { GgufFile::open("/tmp"); }, "/tmp: not a regular file");
  const std::string dir = test::temp_dir("gguf-open");
  const std::string empty = dir + "/empty.gguf";
  std::ofstream(empty).close();
  expect_bad_input([&] { GgufFile::open(empty); }, "file is empty");
}

}  // namespace
}  // namespace pd

// The fuzz target's seed corpus (fuzz/corpus/gguf_reader/) is made by the writer from the
// builders below. This test checks that the committed seeds still equal what the writer
// produces and that each parses; with PD_UPDATE_FUZZ_SEEDS=1 it rewrites them instead.

#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>
#include <random>

#include "core/atomic_file.h"
#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "test_paths.h"

namespace pd {
namespace {

struct Seed {
  std::string name;
  std::vector<uint8_t> bytes;
};

// Tensor data must outlive the writer's to_bytes(); keep it here.
class SeedBuilder {
 public:
  GgufWriter writer;
  void tensor(const std::string& name, TensorType type, std::vector<int64_t> shape) {
    int64_t rows = 1;
    for (size_t d = 1; d < shape.size(); ++d) rows *= shape[d];
    const size_t bytes = *row_bytes(type, shape[0]) * static_cast<size_t>(rows);
    data_.emplace_back(bytes);
    std::mt19937 rng(static_cast<uint32_t>(data_.size()));
    // Random bytes, but F16/BF16 scales kept finite-looking: small exponents.
    for (uint8_t& b : data_.back()) b = static_cast<uint8_t>(rng() & 0x3f);
    writer.add_tensor(name, type, std::move(shape), data_.back().data(), bytes);
  }

 private:
  std::vector<std::vector<uint8_t>> data_;
};

std::vector<Seed> make_seeds() {
  std::vector<Seed> seeds;
  {  // A llama-shaped model with F32 and quantized tensors and a tiny vocabulary.
    SeedBuilder b;
    GgufWriter& w = b.writer;
    w.set("general.architecture", GgufValue::make_string("llama"));
    w.set("general.name", GgufValue::make_string("seed"));
    w.set("llama.context_length", GgufValue::make_u32(128));
    w.set("llama.embedding_length", GgufValue::make_u32(32));
    w.set("llama.block_count", GgufValue::make_u32(1));
    w.set("llama.attention.head_count", GgufValue::make_u32(4));
    w.set("llama.attention.layer_norm_rms_epsilon", GgufValue::make_f32(1e-5f));
    w.set("tokenizer.ggml.model", GgufValue::make_string("llama"));
    w.set("tokenizer.ggml.tokens", GgufValue::make_string_array({"<unk>", "<s>", "</s>", "\xe2\x96\x81" "a", "b"}));
    w.set("tokenizer.ggml.scores", GgufValue::make_f32_array({0, 0, 0, -1, -2}));
    w.set("tokenizer.ggml.token_type", GgufValue::make_i32_array({2, 3, 3, 1, 1}));
    w.set("tokenizer.ggml.bos_token_id", GgufValue::make_u32(1));
    b.tensor("token_embd.weight", TensorType::F32, {32, 5});
    b.tensor("blk.0.attn_norm.weight", TensorType::F32, {32});
    b.tensor("blk.0.attn_q.weight", TensorType::Q8_0, {32, 32});
    b.tensor("blk.0.ffn_down.weight", TensorType::Q4_0, {64, 8});
    b.tensor("output.weight", TensorType::F16, {32, 5});
    seeds.push_back({"llama_small.gguf", w.to_bytes()});
  }
  {  // K-quants and other types, 4-D shapes, alignment 64.
    SeedBuilder b;
    GgufWriter& w = b.writer;
    w.set("general.alignment", GgufValue::make_u32(64));
    b.tensor("q4k", TensorType::Q4_K, {256, 2});
    b.tensor("q6k", TensorType::Q6_K, {256});
    b.tensor("iq4nl", TensorType::IQ4_NL, {32, 1, 2});
    b.tensor("bf16", TensorType::BF16, {3, 1, 1, 2});
    b.tensor("q5_1", TensorType::Q5_1, {32});
    seeds.push_back({"types_aligned64.gguf", w.to_bytes()});
  }
  {  // Every metadata type, nested arrays, no tensors.
    GgufWriter w;
    GgufValue v;
    const std::pair<const char*, GgufType> scalars[] = {
        {"u8", GgufType::UInt8}, {"i8", GgufType::Int8}, {"u16", GgufType::UInt16},
        {"i16", GgufType::Int16}, {"u64", GgufType::UInt64}, {"i64", GgufType::Int64}};
    for (const auto& [key, type] : scalars) {
      v = GgufValue();
      v.type = type;
      v.u = 7;
      v.i = -7;
      if (type == GgufType::UInt8 || type == GgufType::UInt16 || type == GgufType::UInt64) v.i = 0;
      else v.u = 0;
      w.set(key, v);
    }
    v = GgufValue();
    v.type = GgufType::Float64;
    v.f = 0.5;
    w.set("f64", v);
    w.set("bool", GgufValue::make_bool(true));
    w.set("str", GgufValue::make_string("x"));
    w.set("nested", GgufValue::make_array(GgufType::Array,
                                          {GgufValue::make_array(GgufType::Array, {GgufValue::make_f32_array({1})}),
                                           GgufValue::make_array(GgufType::String, {})}));
    w.set("tokenizer.ggml.merges", GgufValue::make_string_array({"a b", "ab c"}));
    seeds.push_back({"metadata_only.gguf", w.to_bytes()});
  }
  {  // The smallest alignment the spec allows.
    SeedBuilder b;
    b.writer.set("general.alignment", GgufValue::make_u32(8));
    b.tensor("a", TensorType::F16, {3});
    b.tensor("b", TensorType::Q8_0, {32});
    seeds.push_back({"aligned8.gguf", b.writer.to_bytes()});
  }
  {  // The largest alignment, no tensors: nothing to pad (once cost a 2 GiB allocation).
    GgufWriter w;
    w.set("general.alignment", GgufValue::make_u32(uint32_t{1} << 31));
    seeds.push_back({"aligned2g_no_tensors.gguf", w.to_bytes()});
  }
  return seeds;
}

TEST(FuzzSeeds, CommittedSeedsAreWhatTheWriterMakes) {
  const std::string dir = test::source_path("fuzz/corpus/gguf_reader");
  const bool update = std::getenv("PD_UPDATE_FUZZ_SEEDS") != nullptr;
  for (const Seed& seed : make_seeds()) {
    EXPECT_LT(seed.bytes.size(), 4096u) << seed.name;
    GgufFile::from_bytes(seed.bytes, seed.name);  // valid
    const std::string path = dir + "/" + seed.name;
    if (update) write_file_atomic(path, seed.bytes.data(), seed.bytes.size());
    ASSERT_TRUE(test::exists(path)) << path << " (run with PD_UPDATE_FUZZ_SEEDS=1)";
    EXPECT_EQ(read_file(path), std::string(seed.bytes.begin(), seed.bytes.end())) << seed.name;
  }
}

}  // namespace
}  // namespace pd

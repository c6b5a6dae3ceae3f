// Google Benchmark cases of the dot kernels: AVX2 against AVX-512 per type, as a
// matrix-vector product (one activation row against every weight row, as decode does)
// over a matrix that streams from memory (128 MiB, four times the L3 of the machines
// this was written on) and over one that stays in L2 (64 rows), plus the four-row
// prefill kernels in cache. Bytes per second count the weight bytes read. The gemm
// cases are a prefill's matrix products (2816 x 1024 and 1024 x 2816, 64 tokens) through the
// four-row kernel and through the register tiles; items per second count FLOPs. The
// decode cases are one token through the path decode takes, at the model's shapes. The
// attention_qk cases are a query against 256 keys of an f32 cache.
// Run by `precisiondiff bench --kernels [--kernel-filter REGEX]`.

#include <benchmark/benchmark.h>

#include <cstring>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "tensor/activation_quant.h"
#include "tensor/simd_dot.h"
#include "tensor/simd_tile.h"
#include "tensor/tensor_type.h"

namespace pd::bench {

namespace {

constexpr int64_t kCols = 4096;
constexpr size_t kStreamBytes = size_t{128} << 20;
constexpr int64_t kCacheRows = 64;
constexpr int kDistinctRows = 16;  // quantized once, then repeated down the matrix

const TensorType kTypes[] = {TensorType::F16,  TensorType::Q8_0, TensorType::Q4_0, TensorType::Q4_K,
                             TensorType::Q6_K, TensorType::BF16, TensorType::F32,  TensorType::Q4_1,
                             TensorType::Q5_0, TensorType::Q5_1, TensorType::IQ4_NL, TensorType::Q5_K,
                             TensorType::Q2_K, TensorType::Q3_K};

struct Matrix {
  std::vector<uint8_t> weights;
  std::vector<uint8_t> activations;  // four rows, back to back
  size_t row_bytes = 0;
  size_t activation_row_bytes = 0;
  int64_t rows = 0;
};

std::vector<float> normal_row(std::mt19937_64& rng) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> x(kCols);
  for (float& v : x) v = normal(rng);
  return x;
}

// The weights of `type` for the streaming case (stream = true) or the in-cache one; built
// once per type and kept, so repeated runs of a case do not quantize again.
const Matrix& matrix(TensorType type, bool stream) {
  static std::map<std::pair<TensorType, bool>, Matrix> built;
  auto found = built.find({type, stream});
  if (found != built.end()) return found->second;
  if (stream) built.clear();  // one 128 MiB matrix at a time
  Matrix m;
  const TypeTraits& traits = type_traits(type);
  m.row_bytes = *row_bytes(type, kCols);
  m.activation_row_bytes = *row_bytes(traits.vec_dot_type, kCols);
  m.rows = stream ? static_cast<int64_t>(kStreamBytes / m.row_bytes) : kCacheRows;
  std::mt19937_64 rng(12);
  std::vector<uint8_t> distinct(kDistinctRows * m.row_bytes);
  for (int r = 0; r < kDistinctRows; ++r) traits.quantize_ref(normal_row(rng).data(), distinct.data() + r * m.row_bytes, kCols);
  m.weights.resize(static_cast<size_t>(m.rows) * m.row_bytes);
  for (int64_t r = 0; r < m.rows; ++r) {
    std::memcpy(m.weights.data() + r * m.row_bytes, distinct.data() + (r % kDistinctRows) * m.row_bytes, m.row_bytes);
  }
  m.activations.resize(4 * m.activation_row_bytes);
  for (int k = 0; k < 4; ++k) {
    quantize_activation_row(traits.vec_dot_type, normal_row(rng).data(), m.activations.data() + k * m.activation_row_bytes, kCols);
  }
  return built.emplace(std::make_pair(type, stream), std::move(m)).first->second;
}

void matrix_vector(benchmark::State& state, TensorType type, VecDotFn kernel, bool stream) {
  if (kernel == nullptr) {
    state.SkipWithError("no kernel on this CPU");
    return;
  }
  const Matrix& m = matrix(type, stream);
  std::vector<float> out(static_cast<size_t>(m.rows));
  for (auto _ : state) {
    for (int64_t r = 0; r < m.rows; ++r) out[r] = kernel(kCols, m.weights.data() + r * m.row_bytes, m.activations.data());
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * m.rows * static_cast<int64_t>(m.row_bytes));
}

void four_rows(benchmark::State& state, TensorType type, VecDot4Fn kernel) {
  if (kernel == nullptr) {
    state.SkipWithError("no kernel on this CPU");
    return;
  }
  const Matrix& m = matrix(type, false);
  std::vector<float> out(static_cast<size_t>(4 * m.rows));
  for (auto _ : state) {
    for (int64_t r = 0; r < m.rows; ++r) {
      kernel(kCols, m.weights.data() + r * m.row_bytes, m.activations.data(), m.activation_row_bytes, out.data() + 4 * r);
    }
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * m.rows * static_cast<int64_t>(m.row_bytes));
}

// A prefill's product: kGemmRows x kGemmCols weights of `type` against kGemmTokens
// tokens, one thread, through the four-row kernel (tile == nullptr) or the tiles; the
// benchmark's two arguments are the rows and columns (an FFN's up and down matrices).
constexpr int64_t kGemmTokens = 64;

// Weights of `type` (rows x cols, quantized from normal values) and `tokens` activation
// rows converted to its vec_dot_type.
struct Product {
  std::vector<uint8_t> weights, converted;
  size_t w_bytes = 0, act_bytes = 0;
};

Product make_product(TensorType type, int64_t rows, int64_t cols, int64_t tokens) {
  const TypeTraits& traits = type_traits(type);
  const TypeTraits& activation = type_traits(traits.vec_dot_type);
  Product p;
  p.w_bytes = *row_bytes(type, cols);
  p.act_bytes = *row_bytes(activation.type, cols);
  std::mt19937_64 rng(5);
  p.weights.resize(p.w_bytes * rows);
  std::vector<float> values(cols);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (int64_t r = 0; r < rows; ++r) {
    for (float& v : values) v = normal(rng);
    traits.quantize_ref(values.data(), p.weights.data() + r * p.w_bytes, cols);
  }
  p.converted.resize(p.act_bytes * tokens);
  for (int64_t t = 0; t < tokens; ++t) {
    for (float& v : values) v = normal(rng);
    quantize_activation_row(activation.type, values.data(), p.converted.data() + t * p.act_bytes, cols);
  }
  return p;
}

void gemm(benchmark::State& state, TensorType type, VecDot4Fn four, FloatTileFn tile, BlockTileFn block_tile) {
  const int64_t kGemmRows = state.range(0);
  const int64_t kGemmCols = state.range(1);
  if (four == nullptr && tile == nullptr && block_tile == nullptr) {
    state.SkipWithError("no kernel on this CPU");
    return;
  }
  const TypeTraits& activation = type_traits(type_traits(type).vec_dot_type);
  const Product p = make_product(type, kGemmRows, kGemmCols, kGemmTokens);
  // The float tiles read the converted rows as floats, widened once per product by matmul.
  std::vector<float> converted_floats;
  if (tile != nullptr) {
    converted_floats.resize(static_cast<size_t>(kGemmCols * kGemmTokens));
    activation.to_float(p.converted.data(), converted_floats.data(), kGemmCols * kGemmTokens);
  }
  std::vector<float> y(static_cast<size_t>(kGemmRows * kGemmTokens));
  for (auto _ : state) {
    if (tile != nullptr) {
      tile(kGemmCols, p.weights.data(), p.w_bytes, kGemmRows, converted_floats.data(), kGemmTokens, y.data(), kGemmRows);
    } else if (block_tile != nullptr) {
      block_tile(kGemmCols, p.weights.data(), p.w_bytes, kGemmRows, p.converted.data(), p.act_bytes, kGemmTokens, y.data(), kGemmRows);
    } else {
      for (int64_t r = 0; r < kGemmRows; ++r) {
        for (int64_t t = 0; t < kGemmTokens; t += 4) {
          float out[4];
          four(kGemmCols, p.weights.data() + r * p.w_bytes, p.converted.data() + t * p.act_bytes, p.act_bytes, out);
          for (int k = 0; k < 4; ++k) y[(t + k) * kGemmRows + r] = out[k];
        }
      }
    }
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * 2 * kGemmRows * kGemmCols * kGemmTokens);
}

// Decode's product at the model's shapes: one token against rows x cols weights (a few
// MiB: in the last-level cache; 256 x 1024 fits the second-level one; 32768 x 1024, the
// output matrix of a 32k vocabulary, is 64 MiB in F16 and 34 in Q8_0, which stream from
// memory on a 32 MiB last-level cache, and 18-26 MiB in the 4- to 6-bit types), through the float
// or block tile where it takes one token, else the single-row kernel row by row, as
// matmul does. Bytes per second count weight bytes.
void decode(benchmark::State& state, TensorType type, VecDotFn single, FloatTileFn float_tile, BlockTileFn block_tile) {
  const int64_t rows = state.range(0);
  const int64_t cols = state.range(1);
  if (single == nullptr) {
    state.SkipWithError("no kernel on this CPU");
    return;
  }
  const Product p = make_product(type, rows, cols, 1);
  std::vector<float> token(static_cast<size_t>(cols));
  type_traits(type_traits(type).vec_dot_type).to_float(p.converted.data(), token.data(), cols);
  std::vector<float> y(static_cast<size_t>(rows));
  for (auto _ : state) {
    if (float_tile != nullptr) {
      float_tile(cols, p.weights.data(), p.w_bytes, rows, token.data(), 1, y.data(), rows);
    } else if (block_tile == nullptr ||
        !block_tile(cols, p.weights.data(), p.w_bytes, rows, p.converted.data(), p.act_bytes, 1, y.data(), rows)) {
      for (int64_t r = 0; r < rows; ++r) y[r] = single(cols, p.weights.data() + r * p.w_bytes, p.converted.data());
    }
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * rows * static_cast<int64_t>(p.w_bytes));
}

// Attention's query-key products: one 64-value query against 256 keys of an f32 cache,
// one dot product per key (rows) or sixteen keys per pass over their transposed blocks
// (as the KV cache keeps them). Items per second count keys.
constexpr int64_t kHeadDim = 64;
constexpr int64_t kKeys = 256;

void query_keys(benchmark::State& state, bool transposed) {
  std::mt19937_64 rng(9);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> rows(static_cast<size_t>(kKeys * kHeadDim)), blocks(rows.size()), q(kHeadDim), out(kKeys);
  for (float& v : rows) v = normal(rng);
  for (float& v : q) v = normal(rng);
  for (int64_t j = 0; j < kKeys; ++j) {
    for (int64_t e = 0; e < kHeadDim; ++e) blocks[(j / 16) * 16 * kHeadDim + 16 * e + j % 16] = rows[j * kHeadDim + e];
  }
  if (transposed && !f32_four_accumulator_dot16_transposed(kHeadDim, blocks.data(), q.data(), out.data())) {
    state.SkipWithError("no AVX-512 on this CPU");
    return;
  }
  for (auto _ : state) {
    for (int64_t j = 0; j < kKeys; j += 16) {
      if (transposed) {
        f32_four_accumulator_dot16_transposed(kHeadDim, blocks.data() + j * kHeadDim, q.data(), out.data() + j);
      } else {
        for (int64_t k = 0; k < 16; ++k) {
          out[j + k] = f32_four_accumulator_dot(kHeadDim, rows.data() + (j + k) * kHeadDim, q.data());
        }
      }
    }
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * kKeys);
}

void register_all() {
  benchmark::RegisterBenchmark("attention_qk/f32/rows", query_keys, false)->Unit(benchmark::kMicrosecond)->MinTime(0.2);
  benchmark::RegisterBenchmark("attention_qk/f32/transposed16", query_keys, true)
      ->Unit(benchmark::kMicrosecond)->MinTime(0.2);
  for (TensorType type : {TensorType::F16, TensorType::F32, TensorType::Q8_0, TensorType::Q4_0, TensorType::Q4_K,
                          TensorType::Q6_K}) {
    const std::string name = type_name(type);
    const FloatTileFn float_tile = avx512_float_tile(type);
    const BlockTileFn block_tile = avx512_block_tile(type);
    benchmark::RegisterBenchmark(("gemm/" + name + "/avx512_dot4").c_str(), gemm, type, avx512_vec_dot4(type), nullptr, nullptr)
        ->Args({2816, 1024})->Args({1024, 2816})->Unit(benchmark::kMillisecond)->MinTime(0.5);
    benchmark::RegisterBenchmark(("gemm/" + name + "/avx512_tile").c_str(), gemm, type, nullptr, float_tile, block_tile)
        ->Args({2816, 1024})->Args({1024, 2816})->Unit(benchmark::kMillisecond)->MinTime(0.5);
  }
  for (TensorType type : {TensorType::F16, TensorType::Q8_0, TensorType::Q4_0, TensorType::Q5_0, TensorType::IQ4_NL,
                          TensorType::Q4_K, TensorType::Q5_K, TensorType::Q6_K}) {
    benchmark::RegisterBenchmark(("decode/" + std::string(type_name(type)) + "/avx512").c_str(), decode, type,
                                 avx512_vec_dot(type) != nullptr ? avx512_vec_dot(type) : avx2_vec_dot(type),
                                 avx512_float_tile(type), avx512_block_tile(type))
        ->Args({2816, 1024})->Args({1024, 2816})->Args({256, 1024})->Args({32768, 1024})->Unit(benchmark::kMicrosecond)->MinTime(0.3);
  }
  for (TensorType type : kTypes) {
    const std::string name = type_name(type);
    const std::pair<const char*, VecDotFn> kernels[] = {{"avx2", avx2_vec_dot(type)}, {"avx512", avx512_vec_dot(type)}};
    const std::pair<const char*, VecDot4Fn> kernels4[] = {{"avx2", avx2_vec_dot4(type)}, {"avx512", avx512_vec_dot4(type)}};
    for (const auto& [isa, kernel] : kernels) {
      benchmark::RegisterBenchmark(("matvec_stream/" + name + "/" + isa).c_str(), matrix_vector, type, kernel, true)
          ->Unit(benchmark::kMillisecond)->MinTime(0.5);
      benchmark::RegisterBenchmark(("matvec_cache/" + name + "/" + isa).c_str(), matrix_vector, type, kernel, false)
          ->Unit(benchmark::kMicrosecond)->MinTime(0.2);
    }
    for (const auto& [isa, kernel] : kernels4) {
      benchmark::RegisterBenchmark(("dot4_cache/" + name + "/" + isa).c_str(), four_rows, type, kernel)
          ->Unit(benchmark::kMicrosecond)->MinTime(0.2);
    }
  }
}

}  // namespace

// Registers the cases and runs those matching `filter` (all when empty); `format` is
// Google Benchmark's console or json.
int run_kernel_benchmarks(const std::string& filter, const std::string& format) {
  register_all();
  std::vector<std::string> args = {"precisiondiff-bench"};
  if (!filter.empty()) args.push_back("--benchmark_filter=" + filter);
  args.push_back("--benchmark_format=" + format);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  int argc = static_cast<int>(argv.size());
  benchmark::Initialize(&argc, argv.data());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

}  // namespace pd::bench

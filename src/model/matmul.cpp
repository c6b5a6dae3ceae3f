#include "model/matmul.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "core/error.h"
#include "core/thread_pool.h"
#include "tensor/activation_quant.h"
#include "tensor/quant_float.h"
#include "tensor/simd_dot.h"
#include "tensor/simd_tile.h"

namespace pd {

namespace {

// Rows handed to one thread at a time: enough work per piece to amortize dispatch.
constexpr int64_t kRowGrain = 4;

int32_t integer_qmax(ActivationPrecision precision) {
  return precision == ActivationPrecision::Int8 ? 127 : 32767;
}

bool is_integer_precision(ActivationPrecision precision) {
  return precision == ActivationPrecision::Int8 || precision == ActivationPrecision::Int16;
}

size_t bytes_before(const TypeTraits& traits, int64_t start) {
  return static_cast<size_t>(start / traits.block_size) * traits.block_bytes;
}

// Each token converted to the weight type's vec_dot_type (F32: the rows as given), with
// `row_bytes` set to a converted row's size. The buffer is kept per calling thread and
// reused: a prefill runs some 170 matrix products, and a fresh buffer of a few hundred
// KiB for each came back as new pages from the system every time (page faults cost
// several percent of a prefill).
const uint8_t* convert_activations(const TypeTraits& activation, const float* x, int64_t n, int64_t n_tokens,
                                   size_t& row_bytes, ThreadPool& pool) {
  if (activation.type == TensorType::F32) {
    row_bytes = static_cast<size_t>(n) * sizeof(float);
    return reinterpret_cast<const uint8_t*>(x);
  }
  row_bytes = bytes_before(activation, n);
  thread_local std::vector<uint8_t> buffer;
  if (buffer.size() < row_bytes * static_cast<size_t>(n_tokens)) buffer.resize(row_bytes * static_cast<size_t>(n_tokens));
  uint8_t* out = buffer.data();
  pool.parallel_for(n_tokens, [&](int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; ++t) quantize_activation_row(activation.type, x + t * n, out + t * row_bytes, n);
  });
  return out;
}

// The type's own dot product, over the whole row (forward) or block by block from the
// last block to the first (reversed).
float fast_dot(const TypeTraits& weight, const TypeTraits& activation, int64_t n,
               const uint8_t* w, const uint8_t* a, AccumulationOrder order) {
  if (order == AccumulationOrder::Forward) return weight.vec_dot_ref(n, w, a);
  const int64_t chunk = weight.quantized ? weight.block_size : 32;
  float sum = 0.0f;
  for (int64_t start = ((n - 1) / chunk) * chunk; start >= 0; start -= chunk) {
    const int64_t len = std::min(chunk, n - start);
    sum += weight.vec_dot_ref(len, w + bytes_before(weight, start),
                              a + bytes_before(activation, start));
  }
  return sum;
}

void matmul_integer(const TensorView& w, const int16_t* q, const float* q_scales,
                    int32_t qmax, int64_t n_tokens, float* y, ThreadPool& pool) {
  const int64_t n = w.row_length();
  const int64_t rows = w.rows();
  pool.parallel_for(rows, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const double w_scale = w.row_scales[r];
      for (int64_t t = 0; t < n_tokens; ++t) {
        const int64_t sum = dot_integer(q + t * n, qmax, w.row(r), w.type, n);
        y[t * rows + r] = static_cast<float>(static_cast<double>(sum) * w_scale *
                                             static_cast<double>(q_scales[t]));
      }
    }
  }, kRowGrain);
}

void matmul_reference(const TensorView& w, const float* x, int64_t n_tokens, float* y,
                      AccumulationOrder order, ThreadPool& pool) {
  const int64_t n = w.row_length();
  const int64_t rows = w.rows();
  const bool direct = w.type == TensorType::F32 && !is_integer_weight(w);
  pool.parallel_for(rows, [&](int64_t begin, int64_t end) {
    std::vector<float> buffer(direct ? 0 : static_cast<size_t>(n));
    for (int64_t r = begin; r < end; ++r) {
      const float* row;
      if (direct) {
        row = reinterpret_cast<const float*>(w.row(r));
      } else {
        dequantize_row(w, r, buffer.data());
        row = buffer.data();
      }
      for (int64_t t = 0; t < n_tokens; ++t) {
        y[t * rows + r] = dot_f32(row, x + t * n, n, order);
      }
    }
  }, kRowGrain);
}

// BF16: the type's vec_dot takes float products of exactly converted values and sums
// them in double, in index order (f32 and f16 have llama.cpp's orders, which
// f32_vec_dot_ref and f16_dot_of_floats give on float rows directly). Converting the weight row
// once (instead of once per token) and the activations once per matrix gives the same
// bits much faster; Matmul.FloatTypesEqualTheirVecDot holds the two to equality.
double float_products_in_double(const float* w, const float* a, int64_t begin, int64_t end) {
  double sum = 0.0;
  for (int64_t i = begin; i < end; ++i) sum += static_cast<double>(w[i] * a[i]);
  return sum;
}

float float_type_dot(TensorType type, const float* w, const float* a, int64_t n,
                     AccumulationOrder order) {
  if (order == AccumulationOrder::Forward) {
    if (type == TensorType::F32) return f32_vec_dot_ref(n, w, a);
    if (type == TensorType::F16) return f16_dot_of_floats(n, w, a);
    return static_cast<float>(float_products_in_double(w, a, 0, n));
  }
  constexpr int64_t kChunk = 32;  // as fast_dot's reversed order for unblocked types
  float sum = 0.0f;
  for (int64_t start = ((n - 1) / kChunk) * kChunk; start >= 0; start -= kChunk) {
    const int64_t end = std::min(n, start + kChunk);
    if (type == TensorType::F32) {
      sum += f32_vec_dot_ref(end - start, w + start, a + start);
    } else if (type == TensorType::F16) {
      sum += f16_dot_of_floats(end - start, w + start, a + start);
    } else {
      sum += static_cast<float>(float_products_in_double(w, a, start, end));
    }
  }
  return sum;
}

void matmul_float_type(const TensorView& w, const float* x, int64_t n_tokens, float* y,
                       AccumulationOrder order, ThreadPool& pool) {
  const int64_t n = w.row_length();
  const int64_t rows = w.rows();
  const TypeTraits& traits = type_traits(w.type);
  // Activations rounded to the weight type (its vec_dot_type), held as exact floats.
  std::vector<float> activations(static_cast<size_t>(n * n_tokens));
  if (w.type == TensorType::F32) {
    std::copy(x, x + n * n_tokens, activations.begin());
  } else {
    std::vector<uint8_t> converted(bytes_before(traits, n));
    for (int64_t t = 0; t < n_tokens; ++t) {
      quantize_activation_row(w.type, x + t * n, converted.data(), n);
      traits.to_float(converted.data(), activations.data() + t * n, n);
    }
  }
  pool.parallel_for(rows, [&](int64_t begin, int64_t end) {
    std::vector<float> row(static_cast<size_t>(n));
    for (int64_t r = begin; r < end; ++r) {
      traits.to_float(w.row(r), row.data(), n);
      for (int64_t t = 0; t < n_tokens; ++t) {
        y[t * rows + r] =
            float_type_dot(w.type, row.data(), activations.data() + t * n, n, order);
      }
    }
  }, kRowGrain);
}

bool is_float_type(TensorType type) {
  return type == TensorType::F32 || type == TensorType::F16 || type == TensorType::BF16;
}

// One product on the fast path once its kernels are chosen and its activations
// converted: `rows_in` computes rows [begin, end) for every token, the same code for a
// product alone and for one of several sharing an input (matmul_shared_input).
struct FastProduct {
  const TypeTraits* weight = nullptr;
  const TypeTraits* activation = nullptr;
  AccumulationOrder order = AccumulationOrder::Forward;
  int64_t n = 0, rows = 0, n_tokens = 0;
  const uint8_t* weights = nullptr;
  size_t w_row_bytes = 0;
  const uint8_t* converted = nullptr;
  size_t act_row_bytes = 0;
  VecDotFn simd = nullptr;
  VecDot4Fn simd4 = nullptr;
  FloatTileFn float_tile = nullptr;
  const float* tile_rows = nullptr;  // the converted rows as floats, for float_tile
  BlockTileFn block_tile = nullptr;
  float* y = nullptr;

  // Register tiles where the type has them (every element keeps the single-row kernel's
  // bits); else four tokens at a time where the type has a four-row kernel: the weight
  // row is expanded once for the four, with the same bits.
  void rows_in(int64_t begin, int64_t end) const {
    if (float_tile != nullptr) {
      float_tile(n, weights + static_cast<size_t>(begin) * w_row_bytes, w_row_bytes, end - begin, tile_rows,
                 n_tokens, y + begin, rows);
      return;
    }
    if (block_tile != nullptr &&
        block_tile(n, weights + static_cast<size_t>(begin) * w_row_bytes, w_row_bytes, end - begin,
                   converted, act_row_bytes, n_tokens, y + begin, rows)) {
      return;
    }
    for (int64_t r = begin; r < end; ++r) {
      const uint8_t* row = weights + static_cast<size_t>(r) * w_row_bytes;
      int64_t t = 0;
      if (simd4 != nullptr) {
        for (; t + 4 <= n_tokens; t += 4) {
          float out[4];
          simd4(n, row, converted + t * act_row_bytes, act_row_bytes, out);
          for (int k = 0; k < 4; ++k) y[(t + k) * rows + r] = out[k];
        }
      }
      for (; t < n_tokens; ++t) {
        const uint8_t* act = converted + t * act_row_bytes;
        y[t * rows + r] = simd != nullptr ? simd(n, row, act) : fast_dot(*weight, *activation, n, row, act, order);
      }
    }
  }
};

// The vector kernel of `w`'s type where the active instruction set has one and the order
// allows it (the reversed order is defined by the scalar kernels).
VecDotFn vector_kernel(const TensorView& w, AccumulationOrder order, bool simd_allowed) {
  return simd_allowed && order == AccumulationOrder::Forward ? simd_vec_dot(w.type) : nullptr;
}

// The register tile for F32/F16 weights (tensor/simd_tile.h), or null. It takes decode's
// single token too, four rows' chains at a time.
FloatTileFn float_tile_for(const TensorView& w, VecDotFn simd) {
  return simd != nullptr && w.row_length() % 16 == 0 ? simd_float_tile(w.type) : nullptr;
}

// The float tiles read activations as floats: F32 rows are the input itself, F16 rows
// (convert_activations' rounding) are widened here, exactly, once per call, instead of by
// every thread for every row range it takes. Kept per calling thread, as
// convert_activations' buffer.
const float* tile_rows(const TypeTraits& activation, const float* x, const uint8_t* converted, size_t row_bytes,
                       int64_t n, int64_t n_tokens, ThreadPool& pool) {
  if (activation.type == TensorType::F32) return x;
  thread_local std::vector<float> buffer;
  const size_t count = static_cast<size_t>(n * n_tokens);
  if (buffer.size() < count) buffer.resize(count);
  float* out = buffer.data();
  pool.parallel_for(n_tokens, [&](int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; ++t) activation.to_float(converted + t * row_bytes, out + t * n, n);
  });
  return out;
}

// `w`'s product with activations already converted to its vec_dot_type. Where it takes a
// float tile, the caller sets tile_rows (the same activations as floats).
FastProduct fast_product(const TensorView& w, VecDotFn simd, const uint8_t* converted, size_t act_row_bytes,
                         int64_t n_tokens, float* y, AccumulationOrder order) {
  FastProduct p;
  p.weight = &type_traits(w.type);
  p.activation = &type_traits(p.weight->vec_dot_type);
  p.order = order;
  p.n = w.row_length();
  p.rows = w.rows();
  p.n_tokens = n_tokens;
  // w.row(r) works the row size out from the type table each time: a visible cost in
  // decode, where a row is a few hundred nanoseconds of kernel.
  p.weights = static_cast<const uint8_t*>(w.data);
  p.w_row_bytes = w.row_bytes();
  p.converted = converted;
  p.act_row_bytes = act_row_bytes;
  p.simd = simd;
  p.float_tile = float_tile_for(w, simd);
  p.block_tile = simd != nullptr ? simd_block_tile(w.type) : nullptr;
  p.simd4 = simd != nullptr ? simd_vec_dot4(w.type) : nullptr;
  p.y = y;
  return p;
}

// `simd_allowed`: the active instruction set's vector kernel may replace the type's
// scalar vec_dot. With a vector kernel the float types dot directly on the stored rows.
void matmul_fast(const TensorView& w, const float* x, int64_t n_tokens, float* y,
                 AccumulationOrder order, bool simd_allowed, ThreadPool& pool) {
  const VecDotFn simd = vector_kernel(w, order, simd_allowed);
  if (simd == nullptr && is_float_type(w.type)) {
    matmul_float_type(w, x, n_tokens, y, order, pool);
    return;
  }
  const TypeTraits& activation = type_traits(type_traits(w.type).vec_dot_type);
  size_t act_row_bytes = 0;
  const uint8_t* converted = convert_activations(activation, x, w.row_length(), n_tokens, act_row_bytes, pool);
  FastProduct product = fast_product(w, simd, converted, act_row_bytes, n_tokens, y, order);
  if (product.float_tile != nullptr) {
    product.tile_rows = tile_rows(activation, x, converted, act_row_bytes, w.row_length(), n_tokens, pool);
  }
  pool.parallel_for(w.rows(), [&](int64_t begin, int64_t end) { product.rows_in(begin, end); }, kRowGrain,
                    pieces_per_thread(n_tokens));
}

}  // namespace

int64_t pieces_per_thread(int64_t n_tokens) { return n_tokens == 1 ? 1 : ThreadPool::kPiecesPerThread; }

float dot_f32(const float* a, const float* b, int64_t n, AccumulationOrder order) {
  float lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  float tail = 0.0f;
  const int64_t whole = n - n % 8;
  if (order == AccumulationOrder::Forward) {
    for (int64_t i = 0; i < whole; i += 8) {
      for (int k = 0; k < 8; ++k) lanes[k] += a[i + k] * b[i + k];
    }
    for (int64_t i = whole; i < n; ++i) tail += a[i] * b[i];
  } else {
    for (int64_t i = n - 1; i >= whole; --i) tail += a[i] * b[i];
    for (int64_t i = whole - 8; i >= 0; i -= 8) {
      for (int k = 0; k < 8; ++k) lanes[k] += a[i + 7 - k] * b[i + 7 - k];
    }
  }
  return (((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) +
          ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]))) + tail;
}

float quantize_symmetric_row(const float* x, int64_t n, int32_t qmax, int16_t* q) {
  float amax = 0.0f;
  bool finite = true;
  for (int64_t i = 0; i < n; ++i) {
    finite = finite && std::isfinite(x[i]);
    amax = std::max(amax, std::fabs(x[i]));
  }
  if (amax == 0.0f || !finite) {
    // A non-finite input poisons the whole row, as it would poison a float product.
    std::fill(q, q + n, int16_t{0});
    return finite ? 0.0f : std::numeric_limits<float>::quiet_NaN();
  }
  const float scale = amax / static_cast<float>(qmax);
  for (int64_t i = 0; i < n; ++i) {
    // nearbyint rounds half to even in the default rounding mode.
    const float v = std::nearbyint(x[i] / scale);
    q[i] = static_cast<int16_t>(std::clamp(v, -static_cast<float>(qmax), static_cast<float>(qmax)));
  }
  return scale;
}

int64_t dot_integer(const int16_t* a, int32_t a_qmax, const void* weight_row,
                    TensorType weight_type, int64_t n) {
  if (weight_type == TensorType::I8) {
    const int8_t* w = static_cast<const int8_t*>(weight_row);
    if (a_qmax <= 127) {
      // 8-bit by 8-bit: int32 partial sums over chunks that cannot overflow.
      constexpr int64_t kChunk = 65536;  // 65536 * 127 * 127 < 2^31
      int64_t total = 0;
      for (int64_t start = 0; start < n; start += kChunk) {
        int32_t sum = 0;
        const int64_t end = std::min(n, start + kChunk);
        for (int64_t i = start; i < end; ++i) sum += int32_t{a[i]} * int32_t{w[i]};
        total += sum;
      }
      return total;
    }
    int64_t sum = 0;
    for (int64_t i = 0; i < n; ++i) sum += int64_t{a[i]} * int64_t{w[i]};
    return sum;
  }
  if (weight_type != TensorType::I16) fail_input("matmul", "integer weights must be I8 or I16");
  const uint8_t* w = static_cast<const uint8_t*>(weight_row);
  int64_t sum = 0;
  for (int64_t i = 0; i < n; ++i) {
    int16_t wi;
    std::memcpy(&wi, w + 2 * i, sizeof wi);
    sum += int64_t{a[i]} * int64_t{wi};
  }
  return sum;
}

void matmul_shared_input(const std::vector<MatmulTarget>& targets, const float* x, int64_t n_tokens,
                         const MatmulOptions& options, ThreadPool& pool) {
  if (n_tokens <= 0 || targets.empty()) return;
  auto one_by_one = [&] {
    for (const MatmulTarget& t : targets) matmul(*t.w, x, n_tokens, t.y, options, pool);
  };
  const bool fast = options.kernel == KernelPath::Fast && !is_integer_precision(options.activations);
  if (!fast) return one_by_one();
  const TensorView& first = *targets.front().w;
  const int64_t n = first.row_length();
  const TensorType vec_dot_type = type_traits(first.type).vec_dot_type;
  std::vector<VecDotFn> kernels;
  kernels.reserve(targets.size());
  for (const MatmulTarget& t : targets) {
    const VecDotFn simd = vector_kernel(*t.w, options.order, true);
    // Products that would take another path (the scalar float kernels, dequantized
    // integer weights) or another activation type go one at a time.
    if (simd == nullptr || is_integer_weight(*t.w) || t.w->row_length() != n ||
        type_traits(t.w->type).vec_dot_type != vec_dot_type) {
      return one_by_one();
    }
    kernels.push_back(simd);
  }
  size_t act_row_bytes = 0;
  const uint8_t* converted =
      convert_activations(type_traits(vec_dot_type), x, n, n_tokens, act_row_bytes, pool);
  std::vector<FastProduct> products;
  std::vector<int64_t> starts;  // first row of each product in the joint row range
  products.reserve(targets.size());
  starts.reserve(targets.size());
  int64_t total = 0;
  for (size_t i = 0; i < targets.size(); ++i) {
    products.push_back(
        fast_product(*targets[i].w, kernels[i], converted, act_row_bytes, n_tokens, targets[i].y, options.order));
    starts.push_back(total);
    total += products.back().rows;
  }
  const bool any_float_tile =
      std::any_of(products.begin(), products.end(), [](const FastProduct& p) { return p.float_tile != nullptr; });
  if (any_float_tile) {
    const float* rows_as_floats = tile_rows(type_traits(vec_dot_type), x, converted, act_row_bytes, n, n_tokens, pool);
    for (FastProduct& p : products) p.tile_rows = rows_as_floats;
  }
  pool.parallel_for(total, [&](int64_t begin, int64_t end) {
    for (size_t i = 0; i < products.size(); ++i) {
      const int64_t from = std::max(begin, starts[i]);
      const int64_t to = std::min(end, starts[i] + products[i].rows);
      if (from < to) products[i].rows_in(from - starts[i], to - starts[i]);
    }
  }, kRowGrain, pieces_per_thread(n_tokens));
}

void matmul(const TensorView& w, const float* x, int64_t n_tokens, float* y,
            const MatmulOptions& options, ThreadPool& pool) {
  if (n_tokens <= 0) return;
  const int64_t n = w.row_length();
  const float* src = x;
  std::vector<float> integer_values;
  if (is_integer_precision(options.activations)) {
    const int32_t qmax = integer_qmax(options.activations);
    std::vector<int16_t> q(static_cast<size_t>(n * n_tokens));
    std::vector<float> scales(static_cast<size_t>(n_tokens));
    for (int64_t t = 0; t < n_tokens; ++t) {
      scales[t] = quantize_symmetric_row(x + t * n, n, qmax, q.data() + t * n);
    }
    if (is_integer_weight(w)) {
      matmul_integer(w, q.data(), scales.data(), qmax, n_tokens, y, pool);
      return;
    }
    integer_values.resize(q.size());
    for (int64_t t = 0; t < n_tokens; ++t) {
      for (int64_t i = 0; i < n; ++i) {
        integer_values[t * n + i] = static_cast<float>(q[t * n + i]) * scales[t];
      }
    }
    src = integer_values.data();
  }
  if (is_integer_weight(w) || options.kernel == KernelPath::Reference) {
    matmul_reference(w, src, n_tokens, y, options.order, pool);
  } else {
    // Integer activations stay on the scalar kernels, so that axis does not move with
    // the instruction set.
    matmul_fast(w, src, n_tokens, y, options.order,
                !is_integer_precision(options.activations), pool);
  }
}

}  // namespace pd

// Internals shared by the array-level penalty kernels: weight accessors (a scalar gamma or
// one per element), the element-wise launch and argument checks.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <type_traits>

#include "recon/kernels/host_clones.hpp"
#include "recon/kernels/parallel_for.hpp"
#include "recon/kernels/penalties/apply.hpp"
#include "recon/kernels/penalties/prox_table.hpp"
#include "recon/kernels/vector_ops.hpp"

namespace recon::penalties::detail {

// One thread's range of an element-wise loop on the host. The local copy of body keeps its
// captures (parameters, scalar weight) in registers, out of reach of the stores to out[];
// omp simd lets GCC if-convert the penalties' select forms and vectorise the loop, and the
// x86-64-v3 clone does it 8 floats at a time.
template <class Body>
RECON_HOST_CLONED __attribute__((optimize("fp-contract=off"))) void elementwise_range(Body body_,
                                                                                      index_t begin,
                                                                                      index_t end) {
  const Body body = body_;
#pragma omp simd
  for (index_t i = begin; i < end; ++i) body(i);
}

// parallel_for for bodies that read and write element i only: on the host one contiguous
// range per thread through elementwise_range.
template <class Body>
void elementwise_for(const Context& ctx, index_t n, Body body) {
  if (ctx.is_cuda()) {
    parallel_for(ctx, n, body);
    return;
  }
  const index_t parts = ctx.host_threads();
#pragma omp parallel for num_threads(parts) schedule(static) if (n > recon::detail::kHostParallelThreshold)
  for (index_t p = 0; p < parts; ++p) elementwise_range(body, n * p / parts, n * (p + 1) / parts);
}

// A certified fast path: fast(z, out) computes out and returns 1 where its certificate holds, else 0;
// exact(z) is the exact routine. Per chunk, a vectorised loop (in the x86-64-v3 clone 8 floats
// at a time, FMA contraction allowed: the certificates' margins cover it) writes out[] and a
// flag per element, leaving the input in out[] where the certificate fails (in may alias out);
// a scalar loop then recomputes those. Returns the number of recomputed elements.
// Each element is a long chain of dependent Newton steps (divisions, polynomials), so the loop
// is latency-bound: it takes two elements per iteration, half a chunk apart, and GCC's first
// scheduling pass (off by default on x86) interleaves their two chains (about 20-30% faster).
constexpr index_t kCertifiedChunk = 1024;

template <class Fast, class T>
RECON_HOST_CLONED __attribute__((optimize("fp-contract=fast", "schedule-insns"))) void certified_chunk(
    Fast fast_, const T* in, T* out, index_t m, T* failed) {
  const Fast fast = fast_;
  const index_t h = m / 2;
#pragma omp simd
  for (index_t j = 0; j < h; ++j) {
    const T z0 = in[j], z1 = in[j + h];
    T y0, y1;
    const T h0 = fast(z0, y0), h1 = fast(z1, y1);
    out[j] = h0 != T(0) ? y0 : z0;
    out[j + h] = h1 != T(0) ? y1 : z1;
    failed[j] = 1 - h0;
    failed[j + h] = 1 - h1;
  }
  for (index_t j = 2 * h; j < m; ++j) {
    const T z = in[j];
    T y;
    const T holds = fast(z, y);
    out[j] = holds != T(0) ? y : z;
    failed[j] = 1 - holds;
  }
}

// The misses of the prox table (prox_table.hpp) of one thread, collected over chunks so that
// its refined tables and the certified path run vectorised on full buffers: a miss here and
// there would otherwise cost the certified path's scalar tail per chunk.
template <class Fast, class Exact>
struct TableMisses {
  const fast::ProxTable& table;
  const Fast& fast;
  const Exact& exact;
  float* out;
  index_t fallbacks = 0, pending = 0;
  float z[kCertifiedChunk], x[kCertifiedChunk], failed[kCertifiedChunk];
  index_t at[kCertifiedChunk];
  std::int32_t local[kCertifiedChunk];

  TableMisses(const fast::ProxTable& t, const Fast& f, const Exact& e, float* o)
      : table(t), fast(f), exact(e), out(o) {}

  void add(index_t c, const std::int32_t* misses, index_t k) {
    for (index_t q = 0; q < k; ++q) {
      if (pending == kCertifiedChunk) flush();
      at[pending] = c + misses[q];
      z[pending++] = out[c + misses[q]];
    }
  }
  // Refined tables, then the certified path, then the exact routine, each on what is left.
  void flush() {
    for (const fast::ProxTable& fine : table.refined) {
      const index_t k = fine.evaluate(z, x, pending, local);
      index_t kept = 0;
      for (index_t q = 0, next = 0; q < pending; ++q) {
        if (next < k && local[next] == q) {
          ++next;
          at[kept] = at[q];
          z[kept++] = z[q];
        } else {
          out[at[q]] = x[q];
        }
      }
      pending = kept;
    }
    certified_chunk(fast, z, z, pending, failed);
    for (index_t q = 0; q < pending; ++q) {
      out[at[q]] = failed[q] != 0 ? exact(z[q]) : z[q];
      fallbacks += failed[q] != 0;
    }
    pending = 0;
  }
};

// With a table (float only), each chunk goes through it first and only its misses through the
// certified path.
template <class T, class Fast, class Exact>
index_t certified_for(const Context& ctx, index_t n, Fast fast, Exact exact, const T* in, T* out,
                      const fast::ProxTable* table = nullptr) {
  const index_t parts = ctx.host_threads();
  index_t fallbacks = 0;
#pragma omp parallel for num_threads(parts) schedule(static) reduction(+ : fallbacks) if (n > recon::detail::kHostParallelThreshold)
  for (index_t p = 0; p < parts; ++p) {
    const index_t begin = n * p / parts, end = n * (p + 1) / parts;
    if constexpr (std::is_same_v<T, float>) {
      if (table) {
        TableMisses<Fast, Exact> misses(*table, fast, exact, out);
        std::int32_t local[kCertifiedChunk];
        for (index_t c = begin; c < end; c += kCertifiedChunk) {
          const index_t m = end - c < kCertifiedChunk ? end - c : kCertifiedChunk;
          misses.add(c, local, table->evaluate(in + c, out + c, m, local));
        }
        misses.flush();
        fallbacks += misses.fallbacks;
        continue;
      }
    }
    T failed[kCertifiedChunk];
    for (index_t c = begin; c < end; c += kCertifiedChunk) {
      const index_t m = end - c < kCertifiedChunk ? end - c : kCertifiedChunk;
      certified_chunk(fast, in + c, out + c, m, failed);
      for (index_t j = 0; j < m; ++j)
        if (failed[j] != T(0)) {
          out[c + j] = exact(out[c + j]);
          ++fallbacks;
        }
    }
  }
  return fallbacks;
}

template <class T>
struct ScalarWeight {
  T gamma;
  RECON_HD T operator()(index_t) const { return gamma; }
};

template <class T>
struct ArrayWeight {
  const T* gamma;
  RECON_HD T operator()(index_t i) const { return gamma[i]; }
};

template <class T>
ScalarWeight<T> scalar_weight(const char* where, T gamma) {
  if (!(gamma >= T(0) && std::isfinite(static_cast<double>(gamma))))
    throw InvalidArgument(std::string(where) + ": gamma = " + std::to_string(static_cast<double>(gamma)) +
                          " must be finite and >= 0");
  return {gamma};
}

template <class T>
ArrayWeight<T> array_weight(const Context& ctx, const char* where, View<const T> gamma, index_t n) {
  recon::detail::check_operand(ctx, where, "gamma", gamma, n);
  return {gamma.data()};
}

// Number of groups of x (shape (k, ...)), after checking that fn has a group form.
inline index_t group_count(const char* where, const Function& fn, const Shape& shape) {
  if (!properties_of(fn).even)
    throw InvalidArgument(std::string(where) + ": " + name_of(fn) +
                          " is not a function of |x| and has no group form");
  if (shape.ndim() == 0 || shape[0] <= 0)
    throw ShapeMismatch(std::string(where) + ": shape " + shape.str() + " has no leading component axis");
  return shape.size() / shape[0];
}

}  // namespace recon::penalties::detail

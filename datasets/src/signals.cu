// Test signals (signals.hpp).
#include "recon/datasets/signals.hpp"

#include <cmath>
#include <set>
#include <vector>

#include "recon/datasets/random.hpp"
#include "recon/kernels/parallel_for.hpp"
#include "recon/kernels/vector_ops.hpp"

namespace recon::datasets {

template <class T>
Array<T> edges_texture_1d(const Context& ctx, index_t n) {
  require(n >= 1, "edges_texture_1d", "length must be positive, got " + std::to_string(n));
  Array<T> out(ctx, Shape{n});
  T* p = out.data();
  parallel_for(ctx, n, [=] RECON_HD(index_t i) {
    const double t = (i + 0.5) / static_cast<double>(n);
    const double two_pi = 6.283185307179586;
    double v = 0.1;
    if (t < 0.10)
      v = 0.0;
    else if (t < 0.25)
      v = 1.0;
    else if (t < 0.40)
      v = 0.3;
    else if (t < 0.55)
      v = 0.8 + 0.06 * sin(two_pi * 60 * t);
    else if (t < 0.70)
      v = 0.3 + 0.1 * sin(two_pi * 25 * t);
    else if (t < 0.85)
      v = 1.0 + 0.04 * sin(two_pi * 120 * t);
    p[i] = static_cast<T>(v);
  });
  return out;
}

template <class T>
Array<T> sparse_vector(const Context& ctx, index_t n, index_t k, std::uint64_t seed) {
  require(n >= 1 && k >= 0 && k <= n, "sparse_vector",
          "need 0 <= k <= n and n >= 1, got n = " + std::to_string(n) + ", k = " + std::to_string(k));
  // Floyd's algorithm: k distinct positions from k draws, on the host (tiny), same on every device.
  std::set<index_t> chosen;
  for (index_t j = n - k; j < n; ++j) {
    const index_t t = static_cast<index_t>(uniform_open(seed, static_cast<std::uint64_t>(j), 0) * (j + 1));
    chosen.insert(chosen.count(t) ? j : t);
  }
  const std::vector<index_t> positions(chosen.begin(), chosen.end());
  Array<T> out(ctx, Shape{n});
  fill(ctx, out.view(), T(0));
  if (k == 0) return out;
  const Array<index_t> idx = Array<index_t>::from_host(ctx, Shape{k}, positions);
  const index_t* pi = idx.data();
  T* p = out.data();
  parallel_for(ctx, k, [=] RECON_HD(index_t j) {
    p[pi[j]] = static_cast<T>(standard_normal(seed, static_cast<std::uint64_t>(pi[j]), 1));
  });
  ctx.synchronize();  // idx is freed on return
  return out;
}

template <class T>
Array<T> gaussian_matrix(const Context& ctx, index_t m, index_t n, std::uint64_t seed) {
  require(m >= 1 && n >= 1, "gaussian_matrix",
          "need positive extents, got " + std::to_string(m) + " x " + std::to_string(n));
  Array<T> out(ctx, Shape{m, n});
  T* p = out.data();
  // Each column drawn and normalised in double by one thread: no temporary, no second pass.
  parallel_for(ctx, n, [=] RECON_HD(index_t c) {
    double ss = 0;
    for (index_t r = 0; r < m; ++r) {
      const double g = standard_normal(seed, static_cast<std::uint64_t>(r * n + c));
      ss += g * g;
    }
    const double inv = 1.0 / sqrt(ss);
    for (index_t r = 0; r < m; ++r)
      p[r * n + c] = static_cast<T>(standard_normal(seed, static_cast<std::uint64_t>(r * n + c)) * inv);
  });
  return out;
}

template Array<float> edges_texture_1d<float>(const Context&, index_t);
template Array<double> edges_texture_1d<double>(const Context&, index_t);
template Array<float> sparse_vector<float>(const Context&, index_t, index_t, std::uint64_t);
template Array<double> sparse_vector<double>(const Context&, index_t, index_t, std::uint64_t);
template Array<float> gaussian_matrix<float>(const Context&, index_t, index_t, std::uint64_t);
template Array<double> gaussian_matrix<double>(const Context&, index_t, index_t, std::uint64_t);

}  // namespace recon::datasets

// Generic reductions over an index space for kernel writers: map(i) -> double, summed or
// maximised in double. The host sums fixed blocks in a fixed order, so the result does not
// depend on the thread count (solvers are deterministic on the host). The device uses Thrust
// on the context's stream.
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

#include "recon/kernels/context.hpp"
#include "recon/kernels/error.hpp"
#include "recon/kernels/macros.hpp"
#include "recon/kernels/parallel_for.hpp"

#if defined(__CUDACC__)
#include <thrust/execution_policy.h>
#include <thrust/functional.h>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/transform_reduce.h>
#endif

namespace recon {
namespace detail {

constexpr index_t kReduceBlock = 4096;

struct SumOp {
  RECON_HD double operator()(double a, double b) const { return a + b; }
};
struct MaxOp {
  // NaN wins, so a max-abs check sees corrupted data instead of skipping it.
  RECON_HD double operator()(double a, double b) const { return (a != a || a > b) ? a : b; }
};

}  // namespace detail

inline namespace RECON_LAUNCH_NS {

template <class Map, class Op>
double transform_reduce(const Context& ctx, index_t n, double init, Map map, Op op) {
  if (n <= 0) return init;
  if (ctx.is_cuda()) {
#if defined(__CUDACC__)
    auto policy = thrust::cuda::par.on(static_cast<cudaStream_t>(ctx.stream()));
    return thrust::transform_reduce(policy, thrust::counting_iterator<index_t>(0),
                                    thrust::counting_iterator<index_t>(n), map, init, op);
#else
    detail::throw_launch_needs_nvcc("transform_reduce");
#endif
  }
  const index_t blocks = (n + detail::kReduceBlock - 1) / detail::kReduceBlock;
  std::vector<double> partial(static_cast<size_t>(blocks));
  const int threads = ctx.host_threads();
#pragma omp parallel for num_threads(threads) schedule(static) if (blocks > 4)
  for (index_t b = 0; b < blocks; ++b) {
    const index_t lo = b * detail::kReduceBlock, hi = std::min(n, lo + detail::kReduceBlock);
    double acc = map(lo);
    for (index_t i = lo + 1; i < hi; ++i) acc = op(acc, map(i));
    partial[static_cast<size_t>(b)] = acc;
  }
  double acc = init;
  for (double p : partial) acc = op(acc, p);
  return acc;
}

template <class Map>
double transform_sum(const Context& ctx, index_t n, Map map) {
  return transform_reduce(ctx, n, 0.0, map, detail::SumOp{});
}

// Maximum of map(i); 0 for an empty range (the maps used here are magnitudes).
template <class Map>
double transform_max(const Context& ctx, index_t n, Map map) {
  return transform_reduce(ctx, n, 0.0, map, detail::MaxOp{});
}

}  // namespace RECON_LAUNCH_NS
}  // namespace recon

// SIRT (sirt.hpp). The weights are computed once per call; the loop allocates nothing.
// Distributed over views (a range split, range_reduce.hpp): the row weights 1 / (A 1) are each
// rank's own, the column weights 1 / (A^T 1) come from the all-reduced adjoint, and the residual
// norms are summed over the ranks. Over z-slabs (domain and range split): A 1 on the rank's band
// of detector rows is the serial one's rows (the forward sums the slabs' partial projections),
// so are the row weights; A^T 1 is the slab's share of the serial one, so are the column
// weights; the update is element-wise in x and the residual norms are summed over the ranks.
#include <cmath>

#include "iteration_log.hpp"
#include "range_reduce.hpp"
#include "recon/engine/ct/sirt.hpp"
#include "recon/kernels/parallel_for.hpp"
#include "recon/kernels/vector_ops.hpp"

namespace recon::ct {

namespace detail {

// w = 1 / w where w > 0, else 0 (rays or voxels the operator does not see).
template <class T>
void reciprocal_or_zero(const Context& ctx, View<T> w) {
  T* p = w.data();
  parallel_for(ctx, w.size(), [=] RECON_HD(index_t i) { p[i] = p[i] > T(0) ? T(1) / p[i] : T(0); });
}

// x = x + lambda c .* g, then max(x, 0) when nonneg.
template <class T>
void sirt_update(const Context& ctx, View<T> x, T lambda, View<const T> c, View<const T> g, bool nonneg) {
  T* px = x.data();
  const T* pc = c.data();
  const T* pg = g.data();
  parallel_for(ctx, x.size(), [=] RECON_HD(index_t i) {
    const T v = px[i] + lambda * pc[i] * pg[i];
    px[i] = nonneg && v < T(0) ? T(0) : v;
  });
}

}  // namespace detail

template <class T>
SolveReport sirt(const Context& ctx, const Operator<T>& a, View<const T> y, View<T> x,
                 const SirtOptions& options, const Monitor& monitor) {
  require(options.max_iters >= 0, "sirt", "max_iters must be >= 0");
  require(options.rel_tol >= 0, "sirt", "rel_tol must be >= 0");
  require(options.relaxation > 0 && options.relaxation < 2, "sirt",
          "relaxation must lie in (0, 2), got " + std::to_string(options.relaxation));
  solvers::IterationLog log(options.max_iters, 1, monitor);
  Array<T> row_w(ctx, a.range()), col_w(ctx, a.domain()), r(ctx, a.range()), g(ctx, a.domain());
  // Weights from A 1 and A^T 1 (g and r serve as the vectors of ones).
  fill<T>(ctx, g.view(), T(1));
  a.apply(ctx, g.view(), row_w.view());
  fill<T>(ctx, r.view(), T(1));
  a.adjoint(ctx, r.view(), col_w.view());
  detail::reciprocal_or_zero(ctx, row_w.view());
  detail::reciprocal_or_zero(ctx, col_w.view());

  auto residual = [&] {  // r = y - A x; returns ||r||
    a.apply(ctx, View<const T>(x), r.view());
    axpby<T>(ctx, T(1), y, T(-1), r.view());
    return solvers::range_norm2<T>(ctx, a, r.view());
  };
  const double target = options.rel_tol * solvers::range_norm2<T>(ctx, a, y);
  double res = residual();
  if (res <= target) return log.converged_at_start({0, 0.5 * res * res, res, 0, 0, 0});
  for (int k = 1; k <= options.max_iters; ++k) {
    multiply<T>(ctx, r.view(), row_w.view(), r.view());
    a.adjoint(ctx, r.view(), g.view());
    detail::sirt_update<T>(ctx, x, static_cast<T>(options.relaxation), col_w.view(), g.view(),
                           options.nonneg);
    res = residual();
    if (log.record(k, 0.5 * res * res, res, 0, options.relaxation, res <= target)) break;
  }
  return log.finish();
}

template SolveReport sirt<float>(const Context&, const Operator<float>&, View<const float>, View<float>,
                                 const SirtOptions&, const Monitor&);
template SolveReport sirt<double>(const Context&, const Operator<double>&, View<const double>, View<double>,
                                  const SirtOptions&, const Monitor&);

}  // namespace recon::ct

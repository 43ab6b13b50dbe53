// CGLS (cgls.hpp), in the stable form that updates r = y - A x rather than recomputing it.
// Sums over the range (r, q = A p) and over the domain (s = A^T r) go through range_reduce.hpp,
// so a split projector runs it distributed: by views (range split), r and q are each rank's
// share and x, s and p are replicated; by z-slabs (both split), x, s and p are each rank's slab
// and r, q its band of detector rows.
#include "recon/engine/ct/cgls.hpp"

#include <cmath>

#include "iteration_log.hpp"
#include "range_reduce.hpp"
#include "recon/kernels/vector_ops.hpp"

namespace recon::ct {

template <class T>
SolveReport cgls(const Context& ctx, const Operator<T>& a, View<const T> y, View<T> x,
                 const CglsOptions& options, const Monitor& monitor) {
  require(options.max_iters >= 0, "cgls", "max_iters must be >= 0");
  require(options.rel_tol >= 0, "cgls", "rel_tol must be >= 0");
  solvers::IterationLog log(options.max_iters, 1, monitor);
  Array<T> r(ctx, a.range()), q(ctx, a.range()), s(ctx, a.domain()), p(ctx, a.domain());
  a.adjoint(ctx, y, s.view());
  const dist::Communicator* x_split = solvers::domain_split_of(a);
  const double target = options.rel_tol * solvers::split_norm2<T>(ctx, x_split, s.view());
  a.apply(ctx, View<const T>(x), r.view());
  axpby<T>(ctx, T(1), y, T(-1), r.view());  // r = y - A x
  a.adjoint(ctx, r.view(), s.view());       // s = A^T r
  copy<T>(ctx, s.view(), p.view());
  double gamma = solvers::split_dot<T>(ctx, x_split, s.view(), s.view());
  const double rr = solvers::range_norm2<T>(ctx, a, r.view());
  if (std::sqrt(gamma) <= target)
    return log.converged_at_start({0, 0.5 * rr * rr, std::sqrt(gamma), 0, 0, 0});
  for (int k = 1; k <= options.max_iters; ++k) {
    a.apply(ctx, p.view(), q.view());
    const double qq = solvers::range_dot<T>(ctx, a, q.view(), q.view());
    if (!(qq > 0)) {  // p in the null space of A: nothing left to reduce
      log.stop(StopReason::Converged);
      break;
    }
    const double alpha = gamma / qq;
    axpby<T>(ctx, static_cast<T>(alpha), p.view(), T(1), x);
    axpby<T>(ctx, static_cast<T>(-alpha), q.view(), T(1), r.view());
    a.adjoint(ctx, r.view(), s.view());
    const double gamma_new = solvers::split_dot<T>(ctx, x_split, s.view(), s.view());
    axpby<T>(ctx, T(1), s.view(), static_cast<T>(gamma_new / gamma), p.view());
    gamma = gamma_new;
    const double res = solvers::range_norm2<T>(ctx, a, r.view());
    if (log.record(k, 0.5 * res * res, std::sqrt(gamma), 0, alpha, std::sqrt(gamma) <= target)) break;
  }
  return log.finish();
}

template SolveReport cgls<float>(const Context&, const Operator<float>&, View<const float>, View<float>,
                                 const CglsOptions&, const Monitor&);
template SolveReport cgls<double>(const Context&, const Operator<double>&, View<const double>, View<double>,
                                  const CglsOptions&, const Monitor&);

}  // namespace recon::ct

#include "recon/engine/cg.hpp"

#include <cmath>

#include "iteration_log.hpp"
#include "range_reduce.hpp"
#include "recon/kernels/vector_ops.hpp"

namespace recon {

template <class T>
SolveReport conjugate_gradient(const Context& ctx, const ApplyFn<T>& apply_a, View<const T> b, View<T> x,
                               const CgOptions& options, CgWorkspace<T>& work, const Monitor& monitor) {
  require(options.max_iters >= 0, "conjugate_gradient", "max_iters must be >= 0");
  require(options.rel_tol >= 0, "conjugate_gradient", "rel_tol must be >= 0");
  if (b.shape() != x.shape() || work.r.shape() != x.shape())
    throw ShapeMismatch("conjugate_gradient: b " + b.shape().str() + ", x " + x.shape().str() +
                        " and workspace " + work.r.shape().str() + " must have one shape");
  solvers::IterationLog log(options.max_iters, 1, monitor);
  View<T> r = work.r.view(), p = work.p.view(), ap = work.ap.view();

  apply_a(ctx, x, ap);
  copy<T>(ctx, b, r);
  axpby<T>(ctx, T(-1), ap, T(1), r);  // r = b - A x
  copy<T>(ctx, r, p);
  const dist::Communicator* split = options.split;
  double rr = solvers::split_dot<T>(ctx, split, r, r);
  const double b_norm = solvers::split_norm2<T>(ctx, split, b);
  const double target = options.rel_tol * (b_norm > 0 ? b_norm : 1.0);

  if (std::sqrt(rr) <= target) return log.converged_at_start({0, std::nan(""), std::sqrt(rr), 0, 0, 0});
  for (int k = 1; k <= options.max_iters; ++k) {
    apply_a(ctx, p, ap);
    const double pap = solvers::split_dot<T>(ctx, split, p, ap);
    if (!(pap > 0))
      throw InvalidArgument("conjugate_gradient: the operator is not positive definite (p^T A p = " +
                            std::to_string(pap) + " at iteration " + std::to_string(k) + ")");
    const double alpha = rr / pap;
    axpby<T>(ctx, static_cast<T>(alpha), p, T(1), x);
    axpby<T>(ctx, static_cast<T>(-alpha), ap, T(1), r);
    const double rr_new = solvers::split_dot<T>(ctx, split, r, r);
    axpby<T>(ctx, T(1), r, static_cast<T>(rr_new / rr), p);
    rr = rr_new;

    if (log.record(k, std::nan(""), std::sqrt(rr), 0, alpha, std::sqrt(rr) <= target)) break;
  }
  return log.finish();
}

template SolveReport conjugate_gradient<float>(const Context&, const ApplyFn<float>&, View<const float>,
                                               View<float>, const CgOptions&, CgWorkspace<float>&,
                                               const Monitor&);
template SolveReport conjugate_gradient<double>(const Context&, const ApplyFn<double>&, View<const double>,
                                                View<double>, const CgOptions&, CgWorkspace<double>&,
                                                const Monitor&);

}  // namespace recon

// Scaled ADMM for TV denoising (MATH.md 3.1): f = 0.5||x - u||^2, g = lambda*phi, L = D.
//   x = (I + rho D^T D)^{-1} (u + rho D^T (z - w))   DCT/FFT closed form, or CG
//   z = prox_{(lambda/rho) phi}(D x + w);  w = w + D x - z   one fused pass
// Stops when the primal ||D x - z|| and dual rho ||D^T (z - z_prev)|| residuals are below
// tol times max(||D x||, ||z||) and ||rho D^T w|| (Boyd et al. 2011, 3.3).
#pragma once

#include "recon/engine/cg.hpp"
#include "tv_solvers.hpp"

namespace recon::tv {

template <class T, class F>
SolveReport admm(const Context& ctx, const Setup<T>& s, const F& f, const Call& call, View<const T> u,
                 View<T> x, Array<T>* dual) {
  const TvOptions& opt = call.options;
  double rho = admm_rho(f, s, opt.rho);
  // A nonconvex phi needs rho large enough for the z-step prox and for convergence.
  const double rho_floor = f.properties().convex ? 1e-6 * rho : rho;
  Array<T> z(ctx, s.range), w(ctx, s.range), z_prev(ctx, s.range), rhs(ctx, s.shape);
  std::unique_ptr<CgWorkspace<T>> cg;
  const bool exact = s.op.has_normal_inverse() && !opt.use_cg;
  if (!exact) cg = std::make_unique<CgWorkspace<T>>(ctx, s.shape);

  if (!opt.warm_start) copy<T>(ctx, u, x);
  s.op.apply(ctx, x, z);
  fill<T>(ctx, w, T(0));

  Progress progress{opt, call.monitor};
  for (int k = 1; k <= opt.max_iters; ++k) {
    const T r = static_cast<T>(rho);
    // x-update: rhs = u/rho + D^T (z - w), x = (D^T D + I/rho)^{-1} rhs.
    combine_adjoint(ctx, s.grad, T(1) / r, u.data(), z.data(), w.data(), rhs.data());
    if (exact) {
      s.op.normal_inverse(ctx, T(1) / r, rhs, x);
    } else {
      scale<T>(ctx, r, rhs, rhs);
      const Operator<T>& op = s.op;
      const ApplyFn<T> a = [&op, r](const Context& c, View<const T> in, View<T> out) {
        op.normal(c, in, out);
        axpby<T>(c, T(1), in, r, out);  // out = in + rho D^T D in
      };
      conjugate_gradient<T>(ctx, a, rhs, x, {50, 1e-3 * opt.tol}, *cg);
    }
    const bool check = progress.is_check(k);
    if (check) copy<T>(ctx, z, z_prev);
    admm_z_update(ctx, s.grad, s.iso, f, static_cast<T>(s.lambda / r), x.data(), z.data(), w.data());
    if (!check) continue;

    const AdmmResiduals res = admm_residuals(ctx, s, rho, x.data(), z.data(), z_prev.data(), w.data());
    if (progress.record(k, objective(ctx, s, f, x.data(), u), res.primal, res.dual, rho, res.below(opt.tol)))
      break;
    if (opt.balance_rho && (res.rel_primal > 10 * res.rel_dual || res.rel_dual > 10 * res.rel_primal)) {
      double factor = res.rel_primal > res.rel_dual ? 2.0 : 0.5;
      if (rho * factor < rho_floor) factor = rho_floor / rho;
      rho *= factor;
      scale<T>(ctx, static_cast<T>(1.0 / factor), w, w);  // keeps rho * w, the unscaled multiplier
    }
  }
  export_dual(ctx, s, rho, w, dual);
  return progress.report;
}

template <class T>
SolveReport solve_admm(const Context& ctx, const Setup<T>& s, const Call& call, View<const T> u, View<T> x,
                       Array<T>* dual) {
  return visit_tv_penalty(call.problem.penalty,
                          [&](const auto& f) { return admm<T>(ctx, s, f, call, u, x, dual); });
}

template SolveReport solve_admm<float>(const Context&, const Setup<float>&, const Call&, View<const float>,
                                       View<float>, Array<float>*);
template SolveReport solve_admm<double>(const Context&, const Setup<double>&, const Call&, View<const double>,
                                        View<double>, Array<double>*);

}  // namespace recon::tv

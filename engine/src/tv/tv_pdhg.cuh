// Chambolle-Pock primal-dual iteration for TV denoising (J. Math. Imaging Vis. 40, 2011):
//   p    = prox_{sigma g*}(p + sigma D xbar)        g = lambda*phi, by Moreau's identity
//   x'   = (x - tau D^T p + tau u) / (1 + tau)      prox of 0.5||. - u||^2
//   xbar = x' + theta (x' - x)
// With tau sigma ||D||^2 < 1. For convex phi the data term is 1-strongly convex and the
// accelerated steps of Algorithm 2 apply (theta = 1/sqrt(1 + 2 tau), tau *= theta,
// sigma /= theta), O(1/k^2); for nonconvex phi theta = 1 with fixed steps (a heuristic there).
// Stops when ||x_k - x_{k-1}|| / tau_k <= tol ||x_k|| (the change divided by the shrinking
// step, a residual; the bare change would stop the accelerated form early). The iterates
// converge as O(1/k) (Theorem 2 of the paper): slower than dual FISTA (apgm) on ROF.
#pragma once

#include "tv_solvers.hpp"

namespace recon::tv {


template <class T>
void primal_step(const Context& ctx, const Grad<T>& g, T tau, T theta, const T* p, const T* u, T* x, T* xbar) {
  parallel_for(ctx, g.size, [=] RECON_HD(index_t i) {
    const T xn = (x[i] - tau * g.dt(p, i) + tau * u[i]) / (1 + tau);
    xbar[i] = xn + theta * (xn - x[i]);
    x[i] = xn;
  });
}

template <class T, class F>
SolveReport pdhg(const Context& ctx, const Setup<T>& s, const F& f, const Call& call, View<const T> u, View<T> x,
                 Array<T>* dual) {
  const TvOptions& opt = call.options;
  const bool accelerate = f.properties().convex;
  // tau/sigma = 16: on the ROF tests this halves the distance to the solution at a given
  // iteration compared with tau = sigma (tests/engine/test_tv.cu).
  double tau = 0.99 * 4 / std::sqrt(s.norm_sq_bound), sigma = 0.99 / 4 / std::sqrt(s.norm_sq_bound);
  Array<T> p(ctx, s.range), xbar(ctx, s.shape), x_prev(ctx, s.shape);
  if (!opt.warm_start) copy<T>(ctx, u, x);
  copy<T>(ctx, x, xbar);
  fill<T>(ctx, p, T(0));

  Progress progress{opt, call.monitor};
  for (int k = 1; k <= opt.max_iters; ++k) {
    dual_prox_step(ctx, s.grad, s.iso, f, s.lambda, static_cast<T>(sigma), xbar.data(), p.data(), p.data());
    double theta = 1;
    if (accelerate) theta = 1 / std::sqrt(1 + 2 * tau);
    const bool check = progress.is_check(k);
    if (check) copy<T>(ctx, x, x_prev);
    primal_step(ctx, s.grad, static_cast<T>(tau), static_cast<T>(theta), p.data(), u.data(), x.data(),
                xbar.data());
    const double step_taken = tau;
    if (accelerate) {
      tau *= theta;
      sigma /= theta;
    }
    if (!check) continue;
    const double residual = distance2<T>(ctx, x, x_prev) / step_taken;
    const bool done = relative(residual, norm2<T>(ctx, x)) <= opt.tol;
    if (progress.record(k, objective(ctx, s, f, x.data(), u), residual, 0.0, step_taken, done)) break;
  }
  if (dual) *dual = std::move(p);
  return progress.report;
}


template <class T>
SolveReport solve_pdhg(const Context& ctx, const Setup<T>& s, const Call& call, View<const T> u, View<T> x,
                       Array<T>* dual) {
  return visit_tv_penalty(call.problem.penalty, [&](const auto& f) { return pdhg<T>(ctx, s, f, call, u, x, dual); });
}

template SolveReport solve_pdhg<float>(const Context&, const Setup<float>&, const Call&, View<const float>,
                                       View<float>, Array<float>*);
template SolveReport solve_pdhg<double>(const Context&, const Setup<double>&, const Call&, View<const double>,
                                        View<double>, Array<double>*);

}  // namespace recon::tv

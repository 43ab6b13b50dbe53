// Chambolle-Pock primal-dual iteration for TV denoising (J. Math. Imaging Vis. 40, 2011):
//   p    = prox_{sigma g*}(p + sigma D xbar)        g = lambda*phi, by Moreau's identity
//   x'   = (x - tau D^T p + tau u) / (1 + tau)      prox of 0.5||. - u||^2
//   xbar = x' + theta (x' - x)
// With tau sigma ||D||^2 < 1. For convex phi the data term is 1-strongly convex and the
// accelerated steps of Algorithm 2 apply (theta = 1/sqrt(1 + 2 tau), tau *= theta,
// sigma /= theta), but they only give ||x_k - x*|| = O(1/k) (Theorem 2), too slow for 1e-5
// agreement. So the accelerated sequence is restarted from the current iterate (steps back to
// tau0, sigma0) on the KKT error, with the criteria of restarted PDHG (Applegate et al.,
// "Practical large-scale linear programming using primal-dual hybrid gradient", NeurIPS 2021,
// sec. 3.1: sufficient decay 0.2, necessary decay 0.8 without progress, artificial restart
// after 36% of the iterations). Departure: Applegate et al. restart plain PDHG to the average
// iterate and measure the normalised duality gap; here the accelerated iterate itself is
// restarted and measured by the KKT error, which is cheap and defined for every phi.
// KKT error at (x, p), in the range of D and the pixels (sigma0 makes the two comparable):
//   primal  ||x - u + D^T p||                        stationarity in x
//   dual    ||p - prox_{sigma0 g*}(p + sigma0 D x)|| / sigma0     D x in the subdifferential of g*
// Stops when sqrt(primal^2 + dual^2) <= tol ||x||. For nonconvex phi theta = 1 with fixed
// steps and no restarts (a heuristic there). Tests: tests/engine/test_tv.cu (1D against
// Condat's exact solution, 2D/3D against dual FISTA to 1e-5 with a duality-gap certificate).
#pragma once

#include "tv_solvers.hpp"

namespace recon::tv {

template <class T>
void primal_step(const Context& ctx, const Grad<T>& g, T tau, T theta, const T* p, const T* u, T* x,
                 T* xbar) {
  const T inv = T(1) / (1 + tau);
  for_each_pixel(ctx, g, [=] RECON_HD(index_t i, const index_t* q) {
    const T xn = (x[i] - tau * g.dt_at(p, i, q) + tau * u[i]) * inv;
    xbar[i] = xn + theta * (xn - x[i]);
    x[i] = xn;
  });
}

// sum (x - u + D^T p)^2: the squared primal KKT residual.
template <class T>
double stationarity_sq(const Context& ctx, const Grad<T>& g, const T* x, const T* u, const T* p) {
  return transform_sum(ctx, g.size, [=] RECON_HD(index_t i) {
    const double r = static_cast<double>(x[i]) - static_cast<double>(u[i]) + static_cast<double>(g.dt(p, i));
    return r * r;
  });
}

// When to restart the accelerated sequence (Applegate et al. 2021, sec. 3.1, on the KKT error).
struct RestartRule {
  double at_restart = -1;  // KKT error when the current sequence began (< 0: none yet)
  double previous = -1;    // KKT error at the previous check
  int start = 0;           // iteration at which the current sequence began

  bool due(int k, double kkt) {
    bool restart = false;
    if (at_restart < 0) {
      at_restart = kkt;
    } else {
      restart =
          kkt <= 0.2 * at_restart || (kkt <= 0.8 * at_restart && kkt > previous) || k - start >= 0.36 * k;
    }
    previous = kkt;
    if (restart) {
      at_restart = kkt;
      start = k;
    }
    return restart;
  }
};

template <class T, class F>
SolveReport pdhg(const Context& ctx, const Setup<T>& s, const F& f, const Call& call, View<const T> u,
                 View<T> x, Array<T>* dual) {
  const TvOptions& opt = call.options;
  const bool accelerate = f.properties().convex;
  // tau0/sigma0 = 16: on the ROF tests this halves the distance to the solution at a given
  // iteration compared with tau = sigma (tests/engine/test_tv.cu).
  const double tau0 = 0.99 * 4 / std::sqrt(s.norm_sq_bound), sigma0 = 0.99 / 4 / std::sqrt(s.norm_sq_bound);
  double tau = tau0, sigma = sigma0;
  Array<T> p(ctx, s.range), xbar(ctx, s.shape), scratch(ctx, s.range);
  if (!opt.warm_start) copy<T>(ctx, u, x);
  copy<T>(ctx, x, xbar);
  fill<T>(ctx, p, T(0));

  solvers::IterationLog progress(opt.max_iters, opt.check_every, call.monitor);
  RestartRule rule;
  for (int k = 1; k <= opt.max_iters; ++k) {
    dual_prox_step(ctx, s.grad, s.iso, f, s.lambda, static_cast<T>(sigma), xbar.data(), p.data(), p.data());
    const double theta = accelerate ? 1 / std::sqrt(1 + 2 * tau) : 1.0;
    primal_step(ctx, s.grad, static_cast<T>(tau), static_cast<T>(theta), p.data(), u.data(), x.data(),
                xbar.data());
    const double step_taken = tau;
    if (accelerate) {
      tau *= theta;
      sigma /= theta;
    }
    if (!progress.is_check(k)) continue;
    const double primal = std::sqrt(stationarity_sq(ctx, s.grad, x.data(), u.data(), p.data()));
    dual_prox_step(ctx, s.grad, s.iso, f, s.lambda, static_cast<T>(sigma0), x.data(), p.data(),
                   scratch.data());
    const double dual_res = distance2<T>(ctx, p, scratch) / sigma0;
    const double kkt = std::hypot(primal, dual_res);
    const bool done = relative(kkt, norm2<T>(ctx, x)) <= opt.tol;
    if (progress.record(k, objective(ctx, s, f, x.data(), u), primal, dual_res, step_taken, done)) break;
    if (accelerate && rule.due(k, kkt)) {
      tau = tau0;
      sigma = sigma0;
      copy<T>(ctx, x, xbar);
    }
  }
  if (dual) *dual = std::move(p);
  return progress.finish();
}

template <class T>
SolveReport solve_pdhg(const Context& ctx, const Setup<T>& s, const Call& call, View<const T> u, View<T> x,
                       Array<T>* dual) {
  return visit_tv_penalty(call.problem.penalty,
                          [&](const auto& f) { return pdhg<T>(ctx, s, f, call, u, x, dual); });
}

template SolveReport solve_pdhg<float>(const Context&, const Setup<float>&, const Call&, View<const float>,
                                       View<float>, Array<float>*);
template SolveReport solve_pdhg<double>(const Context&, const Setup<double>&, const Call&, View<const double>,
                                        View<double>, Array<double>*);

}  // namespace recon::tv

#include "recon/engine/lbfgs.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "iteration_log.hpp"
#include "range_reduce.hpp"
#include "recon/kernels/vector_ops.hpp"

namespace recon {

namespace {

// The line-search state along x + a d: phi(a) = f(x + a d), dphi(a) = grad . d.
template <class T>
struct LineSearch {
  const Context& ctx;
  const ValueGradFn<T>& f;
  View<const T> x, d;
  View<T> x_trial, g_trial;
  double phi0, dphi0;
  const LbfgsOptions& opt;
  int evaluations = 0;

  // Evaluates at a, leaving x_trial = x + a d and g_trial = its gradient.
  void eval(double a, double& phi, double& dphi) {
    copy<T>(ctx, x, x_trial);
    axpby<T>(ctx, static_cast<T>(a), d, T(1), x_trial);
    phi = f(ctx, x_trial, g_trial);
    dphi = solvers::split_dot<T>(ctx, opt.x_split, g_trial, d);
    last_phi_ = phi;
    ++evaluations;
  }
  bool armijo(double a, double phi) const { return phi <= phi0 + opt.c1 * a * dphi0; }
  bool curvature(double dphi) const { return std::fabs(dphi) <= -opt.c2 * dphi0; }
  // Hager & Zhang's approximate Wolfe conditions (SIAM J. Optim. 16, 2005): near a minimum
  // the decrease c1*a*dphi0 drops below the rounding of f and Armijo cannot be verified, but
  // the slope still can.
  bool approximate_wolfe(double phi, double dphi) const {
    const double eps_f = 16 * std::numeric_limits<T>::epsilon() * std::fabs(phi0);
    return phi <= phi0 + eps_f && (2 * opt.c1 - 1) * dphi0 >= dphi && dphi >= opt.c2 * dphi0;
  }

  // Zoom (Alg. 3.6) between lo (satisfies Armijo) and hi; safeguarded quadratic interpolation.
  bool zoom(double lo, double phi_lo, double dphi_lo, double hi, double phi_hi, double& a_out) {
    while (evaluations < opt.max_line_search) {
      const double width = hi - lo;
      double a = lo - dphi_lo * width * width / (2.0 * (phi_hi - phi_lo - dphi_lo * width));
      const double lo_bound = std::min(lo, hi) + 0.1 * std::fabs(width);
      const double hi_bound = std::max(lo, hi) - 0.1 * std::fabs(width);
      if (!std::isfinite(a) || a < lo_bound || a > hi_bound) a = 0.5 * (lo + hi);
      double phi, dphi;
      eval(a, phi, dphi);
      if (approximate_wolfe(phi, dphi)) {
        a_out = a;
        return true;
      }
      if (!armijo(a, phi) || phi >= phi_lo) {
        hi = a;
        phi_hi = phi;
      } else {
        if (curvature(dphi)) {
          a_out = a;
          return true;
        }
        if (dphi * (hi - lo) >= 0) {
          hi = lo;
          phi_hi = phi_lo;
        }
        lo = a;
        phi_lo = phi;
        dphi_lo = dphi;
      }
      if (std::fabs(hi - lo) <= 1e-16 * std::max(1.0, std::fabs(lo))) break;
    }
    return false;
  }

  // Alg. 3.5: on success x_trial/g_trial hold the accepted point and its gradient.
  bool search(double a, double& a_out, double& phi_out) {
    double a_prev = 0, phi_prev = phi0, dphi_prev = dphi0;
    for (int i = 0; evaluations < opt.max_line_search; ++i) {
      double phi, dphi;
      eval(a, phi, dphi);
      if (approximate_wolfe(phi, dphi) || (armijo(a, phi) && curvature(dphi))) {
        a_out = a;
        phi_out = phi;
        return true;
      }
      if (!std::isfinite(phi) || !armijo(a, phi) || (i > 0 && phi >= phi_prev)) {
        if (!std::isfinite(phi)) phi = std::numeric_limits<double>::max();
        if (!zoom(a_prev, phi_prev, dphi_prev, a, phi, a_out)) return false;
        phi_out = last_phi_;
        return true;
      }
      if (dphi >= 0) {
        if (!zoom(a, phi, dphi, a_prev, phi_prev, a_out)) return false;
        phi_out = last_phi_;
        return true;
      }
      a_prev = a;
      phi_prev = phi;
      dphi_prev = dphi;
      a *= 2;
    }
    return false;
  }
  double last_phi_ = 0;  // value at the last evaluated point, which search() accepts
};

}  // namespace

template <class T>
SolveReport lbfgs(const Context& ctx, const ValueGradFn<T>& f, View<T> x, const LbfgsOptions& opt,
                  const Monitor& monitor) {
  require(opt.memory >= 1, "lbfgs", "memory must be >= 1, got " + std::to_string(opt.memory));
  require(opt.max_iters >= 0, "lbfgs", "max_iters must be >= 0");
  require(0 < opt.c1 && opt.c1 < opt.c2 && opt.c2 < 1, "lbfgs", "line-search constants need 0 < c1 < c2 < 1");
  solvers::IterationLog log(opt.max_iters, 1, monitor);
  const Shape shape = x.shape();
  Array<T> g(ctx, shape), d(ctx, shape), x_trial(ctx, shape), g_trial(ctx, shape);
  std::vector<Array<T>> s_hist, y_hist;
  for (int i = 0; i < opt.memory; ++i) {
    s_hist.emplace_back(ctx, shape);
    y_hist.emplace_back(ctx, shape);
  }
  std::vector<double> rho(opt.memory), alpha(opt.memory);
  int stored = 0, newest = -1;

  double fx = f(ctx, x, g);
  if (!std::isfinite(fx)) throw InvalidArgument("lbfgs: the objective is not finite at the starting point");
  const double g0 = solvers::split_norm2<T>(ctx, opt.x_split, g);
  const double g_target = opt.grad_tol * std::max(1.0, g0);

  if (g0 <= g_target) return log.converged_at_start({0, fx, g0, 0, 0, 0});
  for (int k = 1; k <= opt.max_iters; ++k) {
    // d = -H g by the two-loop recursion, H0 = (s.y / y.y) I.
    copy<T>(ctx, g, d);
    for (int j = 0; j < stored; ++j) {
      const int i = (newest - j + opt.memory) % opt.memory;
      alpha[i] = rho[i] * solvers::split_dot<T>(ctx, opt.x_split, s_hist[i], d);
      axpby<T>(ctx, static_cast<T>(-alpha[i]), y_hist[i], T(1), d);
    }
    double gamma = 1.0;
    if (stored > 0)
      gamma = 1.0 / (rho[newest] * solvers::split_dot<T>(ctx, opt.x_split, y_hist[newest], y_hist[newest]));
    else
      gamma = 1.0 / std::max(1.0, solvers::split_norm2<T>(ctx, opt.x_split, g));  // first step of length <= 1
    scale<T>(ctx, static_cast<T>(gamma), d, d);
    for (int j = stored - 1; j >= 0; --j) {
      const int i = (newest - j + opt.memory) % opt.memory;
      const double beta = rho[i] * solvers::split_dot<T>(ctx, opt.x_split, y_hist[i], d);
      axpby<T>(ctx, static_cast<T>(alpha[i] - beta), s_hist[i], T(1), d);
    }
    scale<T>(ctx, T(-1), d, d);
    double dphi0 = solvers::split_dot<T>(ctx, opt.x_split, g, d);
    if (!(dphi0 < 0)) {  // not a descent direction (lost curvature): restart with -g
      scale<T>(ctx, static_cast<T>(-1.0 / std::max(1.0, solvers::split_norm2<T>(ctx, opt.x_split, g))), g, d);
      dphi0 = solvers::split_dot<T>(ctx, opt.x_split, g, d);
      stored = 0;
    }

    LineSearch<T> ls{ctx, f, x, d, x_trial, g_trial, fx, dphi0, opt};
    double a = 0, f_new = 0;
    if (!ls.search(1.0, a, f_new)) {
      log.stop(StopReason::LineSearchFailed);
      break;
    }

    // s = x_new - x, y = g_new - g, stored when the curvature s.y is positive.
    const int slot = (newest + 1) % opt.memory;
    copy<T>(ctx, x_trial, s_hist[slot]);
    axpby<T>(ctx, T(-1), x, T(1), s_hist[slot]);
    copy<T>(ctx, g_trial, y_hist[slot]);
    axpby<T>(ctx, T(-1), g, T(1), y_hist[slot]);
    const double sy = solvers::split_dot<T>(ctx, opt.x_split, s_hist[slot], y_hist[slot]);
    if (sy > 1e-12 * solvers::split_norm2<T>(ctx, opt.x_split, s_hist[slot]) *
                 solvers::split_norm2<T>(ctx, opt.x_split, y_hist[slot])) {
      rho[slot] = 1.0 / sy;
      newest = slot;
      stored = std::min(stored + 1, opt.memory);
    }
    copy<T>(ctx, x_trial, x);
    copy<T>(ctx, g_trial, g);
    const double f_old = fx;
    fx = f_new;

    const double gn = solvers::split_norm2<T>(ctx, opt.x_split, g);
    const bool flat = std::fabs(f_old - fx) < opt.rel_f_tol * std::max(1.0, std::fabs(f_old));
    if (log.record(k, fx, gn, 0.0, a, gn <= g_target || flat)) break;
  }
  return log.finish();
}

template SolveReport lbfgs<float>(const Context&, const ValueGradFn<float>&, View<float>, const LbfgsOptions&,
                                  const Monitor&);
template SolveReport lbfgs<double>(const Context&, const ValueGradFn<double>&, View<double>,
                                   const LbfgsOptions&, const Monitor&);

}  // namespace recon

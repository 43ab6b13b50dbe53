// Linearised ADMM for TV denoising: the x-subproblem of ADMM is replaced by one gradient
// step, so an iteration is four fused stencil passes and needs no transform.
//   x2 = (1 - alpha) x + alpha x1
//   x1 = x1 - (1/(2 beta)) (rho D^T (D x2 - z + w) + x2 - u)
//   x  = (1 - alpha) x + alpha x1
//   z  = prox_{(lambda/rho) phi}(D x + w);  w = w + D x - z
// ladmm: alpha = 1 and x1 = x (standard linearised ADMM). ladmm-eq129: 003_dcbe4ecb634e1862.txt
// eq. 129 with its initialisation (x = u, z = D u, x1 = 0, v = 0) and alpha from the
// options; w = v/rho is the scaled multiplier, which is where the paper's printed `+ v`
// becomes `+ v/rho` (MATH.md 3.1). Stability: 2 beta >= 1 + rho ||D||^2, ||D||^2 <= 4k.
#pragma once

#include "tv_solvers.hpp"

namespace recon::tv {

template <class T>
void blend(const Context& ctx, index_t n, T alpha, const T* x, const T* x1, T* x2) {
  parallel_for(ctx, n, [=] RECON_HD(index_t i) { x2[i] = (1 - alpha) * x[i] + alpha * x1[i]; });
}

// s = D x2 - z + w over the range.
template <class T>
void shifted_residual(const Context& ctx, const Grad<T>& g, const T* x2, const T* z, const T* w, T* s) {
  for_each_pixel(ctx, g, [=] RECON_HD(index_t i, const index_t* q) {
    for (int c = 0; c < g.k; ++c) {
      const index_t r = c * g.size + i;
      s[r] = g.d_at(x2, c, i, q) - z[r] + w[r];
    }
  });
}

// x1 -= eta (rho D^T s + x2 - u);  x = (1 - alpha) x + alpha x1.
template <class T>
void gradient_step(const Context& ctx, const Grad<T>& g, T eta, T rho, T alpha, const T* s, const T* x2,
                   const T* u, T* x1, T* x) {
  for_each_pixel(ctx, g, [=] RECON_HD(index_t i, const index_t* q) {
    const T x1n = x1[i] - eta * (rho * g.dt_at(s, i, q) + x2[i] - u[i]);
    x1[i] = x1n;
    x[i] = (1 - alpha) * x[i] + alpha * x1n;
  });
}

template <class T, class F>
SolveReport ladmm(const Context& ctx, const Setup<T>& s, const F& f, const Call& call, View<const T> u,
                  View<T> x, Array<T>* dual) {
  const TvOptions& opt = call.options;
  const bool eq129 = opt.solver == TvSolver::LadmmEq129;
  require(!eq129 || (opt.ladmm_alpha > 0 && opt.ladmm_alpha <= 1), "tv_denoise(ladmm-eq129)",
          "alpha must be in (0, 1], got " + std::to_string(opt.ladmm_alpha));
  double rho = admm_rho(f, s, opt.rho);
  const T r = static_cast<T>(rho);
  const T alpha = eq129 ? static_cast<T>(opt.ladmm_alpha) : T(1);
  const T eta = static_cast<T>(1.0 / (1.0 + rho * s.norm_sq_bound));  // 1/(2 beta)

  Array<T> z(ctx, s.range), w(ctx, s.range), z_prev(ctx, s.range), sres(ctx, s.range);
  Array<T> x1(ctx, s.shape), x2(ctx, s.shape);
  if (!opt.warm_start) copy<T>(ctx, u, x);
  s.op.apply(ctx, x, z);
  fill<T>(ctx, w, T(0));
  if (eq129)
    fill<T>(ctx, x1, T(0));
  else
    copy<T>(ctx, x, x1);

  solvers::IterationLog progress(opt.max_iters, opt.check_every, call.monitor);
  for (int k = 1; k <= opt.max_iters; ++k) {
    blend(ctx, s.grad.size, alpha, x.data(), x1.data(), x2.data());
    shifted_residual(ctx, s.grad, x2.data(), z.data(), w.data(), sres.data());
    gradient_step(ctx, s.grad, eta, r, alpha, sres.data(), x2.data(), u.data(), x1.data(), x.data());
    const bool check = progress.is_check(k);
    if (check) copy<T>(ctx, z, z_prev);
    admm_z_update(ctx, s.grad, s.iso, f, static_cast<T>(s.lambda / rho), x.data(), z.data(), w.data());
    if (!check) continue;
    const AdmmResiduals res = admm_residuals(ctx, s, rho, x.data(), z.data(), z_prev.data(), w.data());
    if (progress.record(k, objective(ctx, s, f, x.data(), u), res.primal, res.dual, rho, res.below(opt.tol)))
      break;
  }
  export_dual(ctx, s, rho, w, dual);
  return progress.finish();
}

template <class T>
SolveReport solve_ladmm(const Context& ctx, const Setup<T>& s, const Call& call, View<const T> u, View<T> x,
                        Array<T>* dual) {
  return visit_tv_penalty(call.problem.penalty,
                          [&](const auto& f) { return ladmm<T>(ctx, s, f, call, u, x, dual); });
}

template SolveReport solve_ladmm<float>(const Context&, const Setup<float>&, const Call&, View<const float>,
                                        View<float>, Array<float>*);
template SolveReport solve_ladmm<double>(const Context&, const Setup<double>&, const Call&,
                                         View<const double>, View<double>, Array<double>*);

}  // namespace recon::tv

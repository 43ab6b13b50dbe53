// Accelerated proximal gradient on the dual of TV denoising (Beck & Teboulle's FGP, with
// O'Donoghue & Candes' gradient restart, Found. Comput. Math. 15, 2015):
//   min_p 0.5||u - D^T p||^2 + (lambda phi)*(p),   x = u - D^T p,
// the smooth part has gradient -D(u - D^T p) with Lipschitz constant ||D||^2 <= 4k, and the
// prox of the conjugate follows from Moreau's identity. Convex phi only: for a nonconvex phi
// the conjugate does not give back the primal problem (use admm, ladmm or pdhg).
// Stops when ||x_k - x_{k-1}|| <= tol ||x_k||.
#pragma once

#include "tv_solvers.hpp"

namespace recon::tv {

// r = u - D^T q
template <class T>
void primal_from_dual(const Context& ctx, const Grad<T>& g, const T* u, const T* q, T* r) {
  for_each_pixel(ctx, g, [=] RECON_HD(index_t i, const index_t* c) { r[i] = u[i] - g.dt_at(q, i, c); });
}

template <class T, class F>
SolveReport apgm(const Context& ctx, const Setup<T>& s, const F& f, const Call& call, View<const T> u,
                 View<T> x, Array<T>* dual) {
  if (!f.properties().convex)
    throw InvalidArgument(std::string("tv_denoise(apgm): works on the dual problem, which needs a convex "
                                      "penalty; '") +
                          F::name + "' is not convex (use admm, ladmm or pdhg)");
  const TvOptions& opt = call.options;
  const T step = static_cast<T>(1.0 / s.norm_sq_bound);
  Array<T> p(ctx, s.range), p_new(ctx, s.range), q(ctx, s.range), r(ctx, s.shape), x_prev(ctx, s.shape);
  fill<T>(ctx, p, T(0));
  fill<T>(ctx, q, T(0));
  copy<T>(ctx, u, x);
  double t = 1;

  solvers::IterationLog progress(opt.max_iters, opt.check_every, call.monitor);
  for (int k = 1; k <= opt.max_iters; ++k) {
    primal_from_dual(ctx, s.grad, u.data(), q.data(), r.data());
    dual_prox_step(ctx, s.grad, s.iso, f, s.lambda, step, r.data(), q.data(), p_new.data());
    // Restart when the momentum points against the gradient mapping (q - p_new).(p_new - p) > 0.
    axpby<T>(ctx, T(-1), p_new, T(1), q);  // q = q - p_new
    axpby<T>(ctx, T(1), p_new, T(-1), p);  // p = p_new - p_old
    const bool restart = dot<T>(ctx, q, p) > 0;
    const double t_new = restart ? 1.0 : (1 + std::sqrt(1 + 4 * t * t)) / 2;
    const T momentum = restart ? T(0) : static_cast<T>((t - 1) / t_new);
    t = t_new;
    copy<T>(ctx, p_new, q);
    axpby<T>(ctx, momentum, p, T(1), q);  // q = p_new + momentum (p_new - p_old)
    std::swap(p, p_new);                  // p = p_new (p_new is scratch again)

    if (!progress.is_check(k)) continue;
    copy<T>(ctx, x, x_prev);
    primal_from_dual(ctx, s.grad, u.data(), p.data(), x.data());
    const double change = distance2<T>(ctx, x, x_prev);
    const bool done = relative(change, norm2<T>(ctx, x)) <= opt.tol;
    if (progress.record(k, objective(ctx, s, f, x.data(), u), change, 0.0, static_cast<double>(step), done))
      break;
  }
  primal_from_dual(ctx, s.grad, u.data(), p.data(), x.data());
  if (dual) *dual = std::move(p);
  return progress.finish();
}

template <class T>
SolveReport solve_apgm(const Context& ctx, const Setup<T>& s, const Call& call, View<const T> u, View<T> x,
                       Array<T>* dual) {
  return visit_tv_penalty(call.problem.penalty,
                          [&](const auto& f) { return apgm<T>(ctx, s, f, call, u, x, dual); });
}

template SolveReport solve_apgm<float>(const Context&, const Setup<float>&, const Call&, View<const float>,
                                       View<float>, Array<float>*);
template SolveReport solve_apgm<double>(const Context&, const Setup<double>&, const Call&, View<const double>,
                                        View<double>, Array<double>*);

}  // namespace recon::tv

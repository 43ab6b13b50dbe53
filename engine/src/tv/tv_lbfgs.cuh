// L-BFGS on the TV objective when phi is differentiable (weep, huber, sq-l2):
//   f(x) = 0.5||x - u||^2 + lambda sum phi(D x),  grad = x - u + lambda D^T psi,
// psi = phi'(D x) per component (anisotropic) or phi'(|D x|) D x / |D x| (isotropic).
#pragma once

#include "recon/engine/lbfgs.hpp"
#include "tv_solvers.hpp"

namespace recon::tv {

// psi = phi'(D x) over the range.
template <class T, class F>
void penalty_gradient(const Context& ctx, const Grad<T>& g, bool iso, const F& f, const T* x, T* psi) {
  if (iso) {
    for_each_pixel(ctx, g, [=] RECON_HD(index_t i, const index_t* q) {
      T v[3];
      T nn = T(0);
      for (int c = 0; c < g.k; ++c) {
        v[c] = g.d_at(x, c, i, q);
        nn += v[c] * v[c];
      }
      const T norm = static_cast<T>(sqrt(nn));
      const T factor = norm > T(0) ? f.grad(norm) / norm : T(0);
      for (int c = 0; c < g.k; ++c) psi[c * g.size + i] = factor * v[c];
    });
  } else {
    for_each_pixel(ctx, g, [=] RECON_HD(index_t i, const index_t* q) {
      for (int c = 0; c < g.k; ++c) psi[c * g.size + i] = f.grad(g.d_at(x, c, i, q));
    });
  }
}

// grad = x - u + lambda D^T psi
template <class T>
void assemble_gradient(const Context& ctx, const Grad<T>& g, T lambda, const T* x, const T* u, const T* psi,
                       T* grad) {
  for_each_pixel(ctx, g, [=] RECON_HD(index_t i, const index_t* q) {
    grad[i] = x[i] - u[i] + lambda * g.dt_at(psi, i, q);
  });
}

template <class T, class F>
SolveReport lbfgs_smooth(const Context& ctx, const Setup<T>& s, const F& f, const Call& call, View<const T> u,
                         View<T> x);

template <class T, class F>
SolveReport lbfgs_tv(const Context& ctx, const Setup<T>& s, const F& f, const Call& call, View<const T> u,
                     View<T> x) {
  if constexpr (!F::has_grad) {
    throw InvalidArgument(std::string("tv_denoise(lbfgs): '") + F::name +
                          "' has no gradient (use admm, ladmm or pdhg)");
  } else {
    return lbfgs_smooth(ctx, s, f, call, u, x);
  }
}

template <class T, class F>
SolveReport lbfgs_smooth(const Context& ctx, const Setup<T>& s, const F& f, const Call& call, View<const T> u,
                         View<T> x) {
  if (!f.properties().differentiable)
    throw InvalidArgument(
        std::string("tv_denoise(lbfgs): needs a differentiable penalty (weep, huber, sq-l2); '") + F::name +
        "' is not differentiable (use admm, ladmm or pdhg)");
  const TvOptions& opt = call.options;
  Array<T> psi(ctx, s.range);
  if (!opt.warm_start) copy<T>(ctx, u, x);
  const ValueGradFn<T> value_grad = [&](const Context& c, View<const T> xx, View<T> g) {
    penalty_gradient(c, s.grad, s.iso, f, xx.data(), psi.data());
    assemble_gradient(c, s.grad, s.lambda, xx.data(), u.data(), psi.data(), g.data());
    return objective(c, s, f, xx.data(), u);
  };
  LbfgsOptions lo;
  lo.max_iters = opt.max_iters;
  lo.grad_tol = opt.tol;
  lo.rel_f_tol = 0;
  return lbfgs<T>(ctx, value_grad, x, lo, call.monitor);
}

template <class T>
SolveReport solve_lbfgs(const Context& ctx, const Setup<T>& s, const Call& call, View<const T> u, View<T> x) {
  return visit_tv_penalty(call.problem.penalty,
                          [&](const auto& f) { return lbfgs_tv<T>(ctx, s, f, call, u, x); });
}

template <class T>
double tv_objective_impl(const Context& ctx, const Setup<T>& s, const penalties::Function& fn,
                         View<const T> x, View<const T> u) {
  return visit_tv_penalty(fn, [&](const auto& f) { return objective(ctx, s, f, x.data(), u); });
}

template SolveReport solve_lbfgs<float>(const Context&, const Setup<float>&, const Call&, View<const float>,
                                        View<float>);
template SolveReport solve_lbfgs<double>(const Context&, const Setup<double>&, const Call&,
                                         View<const double>, View<double>);
template double tv_objective_impl<float>(const Context&, const Setup<float>&, const penalties::Function&,
                                         View<const float>, View<const float>);
template double tv_objective_impl<double>(const Context&, const Setup<double>&, const penalties::Function&,
                                          View<const double>, View<const double>);

}  // namespace recon::tv

// PDHG for sum_k w_k Phi_k(A_k x - b_k) (engine/include/recon/engine/composite.hpp), convex
// terms only. Same building blocks as admm.cpp.
#include <cmath>
#include <string>

#include "iteration_log.hpp"
#include "recon/engine/composite.hpp"
#include "recon/kernels/penalties/apply.hpp"
#include "recon/kernels/vector_ops.hpp"
#include "terms.hpp"

namespace recon {

template <class T>
SolveReport pdhg_composite(const Context& ctx, const std::vector<CompositeTerm<T>>& terms, View<T> x,
                           const CompositePdhgOptions& o, const Monitor& monitor) {
  using namespace detail_composite;
  const char* where = "pdhg_composite";
  validate<T>(ctx, where, terms, x);
  require(o.max_iters >= 0, where, "max_iters must be >= 0");
  require(o.tol >= 0, where, "tol must be >= 0");
  require(o.check_every > 0, where, "check_every must be > 0");
  for (std::size_t k = 0; k < terms.size(); ++k)
    if (!penalties::properties_of(terms[k].phi).convex)
      throw InvalidArgument(std::string(where) + ": term " + std::to_string(k) + " (" +
                            penalties::describe(terms[k].phi) +
                            ") is not convex; the dual step needs its conjugate (use admm_composite)");

  // Block-diagonal dual steps sigma_k = 1/||A_k|| and tau = 1/sum_k ||A_k|| give
  // ||Sigma^1/2 K tau^1/2||^2 <= tau sum_k sigma_k ||A_k||^2 = 1 (Pock & Chambolle, ICCV 2011,
  // Lemma 2 with block scalars); 0.99 keeps it strict.
  const Shape domain = x.shape();
  struct Dual {
    const CompositeTerm<T>* term;
    Array<T> y, v;
    double sigma;
  };
  std::vector<Dual> duals;
  double norm_sum = 0;
  for (const auto& t : terms) {
    const double n = std::max(operator_norm<T>(ctx, t, domain), 1e-12);
    norm_sum += n;
    const Shape r = range_of(t, domain);
    duals.push_back({&t, Array<T>(ctx, r), Array<T>(ctx, r), 0.99 / n});
    fill<T>(ctx, duals.back().y.view(), T(0));
  }
  const double tau = 0.99 / norm_sum;

  Array<T> x_old(ctx, domain), x_bar(ctx, domain), grad(ctx, domain), tmp(ctx, domain);
  copy<T>(ctx, x, x_bar.view());
  solvers::IterationLog log(o.max_iters, o.check_every, monitor);
  for (int it = 1; it <= o.max_iters; ++it) {
    // Dual: y_k = prox_{sigma (w Phi)^*}(y_k + sigma (A_k x_bar - b_k))
    //           = v - sigma prox_{(w/sigma) Phi}(v / sigma)   (Moreau).
    for (auto& d : duals) {
      View<T> v = d.v.view();
      residual<T>(ctx, *d.term, x_bar.view(), v);
      axpby<T>(ctx, T(1), d.y.view(), static_cast<T>(d.sigma), v);
      scale<T>(ctx, static_cast<T>(1 / d.sigma), v, d.y.view());
      prox_term<T>(ctx, *d.term, static_cast<T>(d.term->weight / d.sigma), d.y.view(), d.y.view());
      axpby<T>(ctx, T(1), v, static_cast<T>(-d.sigma), d.y.view());
    }
    // Primal: x = x - tau sum_k A_k^T y_k; x_bar = 2 x - x_old.
    copy<T>(ctx, x, x_old.view());
    fill<T>(ctx, grad.view(), T(0));
    for (auto& d : duals) {
      backward<T>(ctx, *d.term, d.y.view(), tmp.view());
      axpby<T>(ctx, T(1), tmp.view(), T(1), grad.view());
    }
    axpby<T>(ctx, static_cast<T>(-tau), grad.view(), T(1), x);
    copy<T>(ctx, x, x_bar.view());
    axpby<T>(ctx, T(-1), x_old.view(), T(2), x_bar.view());
    if (!log.is_check(it)) {
      log.count(it);
      continue;
    }

    const double change = distance2<T>(ctx, x, x_old.view());
    const double scale_x = std::max(norm2<T>(ctx, x), 1e-30);
    double objective = 0;
    for (auto& d : duals) {
      if (is_indicator(d.term->phi)) continue;
      residual<T>(ctx, *d.term, x, d.v.view());
      objective += term_value<T>(ctx, *d.term, d.v.view());
    }
    if (log.record(it, objective, change / tau, 0, tau, change <= o.tol * scale_x)) break;
  }
  return log.finish();
}

template SolveReport pdhg_composite<float>(const Context&, const std::vector<CompositeTerm<float>>&,
                                           View<float>, const CompositePdhgOptions&, const Monitor&);
template SolveReport pdhg_composite<double>(const Context&, const std::vector<CompositeTerm<double>>&,
                                            View<double>, const CompositePdhgOptions&, const Monitor&);

}  // namespace recon

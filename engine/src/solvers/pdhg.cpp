// The engine's one PDHG (Chambolle & Pock, "A first-order primal-dual algorithm for convex
// problems with applications to imaging", J. Math. Imaging Vis. 40, 2011) for
// sum_k w_k Phi_k(A_k x - b_k), convex terms only. pdhg_composite (composite.hpp) and TV
// denoising (tv/tv.cpp) run it with different plans (solvers.hpp):
//   y_k  = prox_{sigma_k (w_k Phi_k)^*}(y_k + sigma_k (A_k xbar - b_k))   every dual term
//   x'   = prox_{tau G}(x - tau sum_k A_k^T y_k)     G = the primal term c/2||x - b||^2, or 0
//   xbar = x' + theta (x' - x)
// With a primal term G is c-strongly convex and the accelerated steps of Algorithm 2 apply
// (theta = 1/sqrt(1 + 2 c tau), tau *= theta, sigma /= theta); they only give ||x_k - x*|| =
// O(1/k) (Theorem 2), too slow for 1e-5 agreement, so the accelerated sequence is restarted from
// the current iterate (steps back to tau0, sigma0) on the KKT error, with the criteria of
// restarted PDHG (Applegate et al., "Practical large-scale linear programming using primal-dual
// hybrid gradient", NeurIPS 2021, sec. 3.1: sufficient decay 0.2, necessary decay 0.8 without
// progress, artificial restart after 36% of the iterations). Departure: Applegate et al.
// restart plain PDHG to the average iterate and measure the normalised duality gap; here the
// accelerated iterate itself is restarted and measured by the KKT error, cheap and defined
// for every phi.
// Stopping (plan.stop): the relative change ||x' - x|| <= tol ||x'||, or the KKT error
//   primal  ||c (x - b) + sum_k A_k^T y_k||                             stationarity in x
//   dual    sqrt(sum_k ||y_k - prox_{sigma0_k F_k*}(y_k + sigma0_k (A_k x - b_k))||^2 / sigma0_k^2)
// <= tol ||x||. Terms with fused stencil passes (fused_split.hpp) run their dual step, and with
// the primal term their primal step, as single passes.
// A dual term whose operator's range is split over ranks (the split projectors, the slab
// gradient) keeps y_k as this rank's share; its sums (objective, KKT error) are all-reduced
// (range_reduce.hpp). x is replicated, or split with the operators' domain (z-slabs).
// Tests: tests/engine/test_composite.cpp, tests/engine/test_tv.cu (1D against Condat's exact
// solution, 2D/3D against dual FISTA with a duality-gap certificate).
#include <algorithm>
#include <cmath>
#include <memory>
#include <string>

#include "fused_split.hpp"
#include "iteration_log.hpp"
#include "recon/engine/composite.hpp"
#include "recon/kernels/graph_replay.hpp"
#include "recon/kernels/penalties/apply.hpp"
#include "recon/kernels/vector_ops.hpp"
#include "solvers.hpp"
#include "terms.hpp"

namespace recon {

namespace solvers {

namespace {

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

template <class T>
struct DualState {
  const CompositeTerm<T>* term;
  Array<T> y, v, spare;  // v: the unfused dual step's work; spare: the KKT check's dual step
  double sigma0, sigma;
  std::unique_ptr<FusedSplit<T>> fused;
};

// y = prox_{sigma (w Phi)^*}(from + sigma (A at - b)) = v - sigma prox_{(w/sigma) Phi}(v / sigma)
// (Moreau), v = from + sigma (A at - b); `out` may be d.y.
template <class T>
void dual_step(const Context& ctx, DualState<T>& d, double sigma, View<const T> at, View<const T> from,
               View<T> out) {
  using namespace detail_composite;
  if (d.fused) {
    d.fused->dual_step(ctx, static_cast<T>(d.term->weight), static_cast<T>(sigma), at.data(), from.data(),
                       out.data());
    return;
  }
  View<T> v = d.v.view();
  residual<T>(ctx, *d.term, at, v);
  axpby<T>(ctx, T(1), from, static_cast<T>(sigma), v);
  scale<T>(ctx, static_cast<T>(1 / sigma), v, out);
  prox_term<T>(ctx, *d.term, static_cast<T>(d.term->weight / sigma), View<const T>(out), out);
  axpby<T>(ctx, T(1), v, static_cast<T>(-sigma), out);
}

}  // namespace

template <class T>
PdhgPlan plan_pdhg(const Context& ctx, const std::vector<CompositeTerm<T>>& terms, const Shape& domain) {
  // Block-diagonal dual steps sigma_k = 1/||A_k|| and tau = 1/sum_k ||A_k|| give
  // ||Sigma^1/2 K tau^1/2||^2 <= tau sum_k sigma_k ||A_k||^2 = 1 (Pock & Chambolle, ICCV 2011,
  // Lemma 2 with block scalars); 0.99 keeps it strict.
  PdhgPlan plan;
  double norm_sum = 0;
  const dist::Communicator* x_split = detail_composite::x_split_of(terms, "pdhg_composite");
  for (const auto& t : terms) {
    const double n = std::max(detail_composite::operator_norm<T>(ctx, t, domain, x_split), 1e-12);
    norm_sum += n;
    plan.sigma.push_back(0.99 / n);
  }
  plan.tau = 0.99 / norm_sum;
  return plan;
}

// Bad terms and options fail before any work (the operator norms of the plan included).
template <class T>
void validate_pdhg(const Context& ctx, const std::vector<CompositeTerm<T>>& terms, View<T> x,
                   const CompositePdhgOptions& o, bool allow_nonconvex) {
  using namespace detail_composite;
  const char* where = "pdhg_composite";
  validate<T>(ctx, where, terms, x);
  require(o.max_iters >= 0, where, "max_iters must be >= 0");
  require(o.tol >= 0, where, "tol must be >= 0");
  require(o.check_every > 0, where, "check_every must be > 0");
  for (std::size_t k = 0; k < terms.size() && !allow_nonconvex; ++k)
    if (!penalties::properties_of(terms[k].phi).convex)
      throw InvalidArgument(std::string(where) + ": term " + std::to_string(k) + " (" +
                            penalties::describe(terms[k].phi) +
                            ") is not convex; the dual step needs its conjugate (use admm_composite)");
}

template <class T>
SolveReport pdhg(const Context& ctx, const std::vector<CompositeTerm<T>>& terms, View<T> x,
                 const CompositePdhgOptions& o, const Monitor& monitor, const PdhgPlan& plan,
                 std::vector<Array<T>>* duals_out) {
  using namespace detail_composite;
  const char* where = "pdhg";
  validate_pdhg<T>(ctx, terms, x, o, plan.allow_nonconvex);
  const Shape domain = x.shape();
  const dist::Communicator* x_split = x_split_of(terms, where);  // sums over x run over its ranks
  const CompositeTerm<T>* primal = plan.primal_term >= 0 ? &terms[plan.primal_term] : nullptr;
  require(!primal || (!primal->op && !primal->group && std::holds_alternative<penalties::SqL2>(primal->phi) &&
                      primal->weight > 0),
          where, "the primal term must be c/2 ||x - b||^2 with c > 0");
  const double c = primal ? primal->weight : 0;
  std::vector<DualState<T>> duals;
  for (std::size_t k = 0; k < terms.size(); ++k) {
    if (static_cast<int>(k) == plan.primal_term) continue;
    const CompositeTerm<T>& t = terms[k];
    const Shape r = range_of(t, domain);
    std::unique_ptr<FusedSplit<T>> fused;
    if (t.op && !t.offset.data()) fused = make_fused_split<T>(t.op.get(), t.phi, t.group);
    const double sigma = plan.sigma.at(duals.size());
    duals.push_back(
        {&t, Array<T>(ctx, r), Array<T>(ctx, r), Array<T>(ctx, r), sigma, sigma, std::move(fused)});
    fill<T>(ctx, duals.back().y.view(), T(0));
  }
  require(!duals.empty(), where, "needs a term besides the primal one");
  const bool kkt_stop = plan.stop == PdhgStop::Kkt;
  // One fused dual term next to the primal term: the primal step is one pass too.
  const bool fused_primal = primal && kkt_stop && duals.size() == 1 && duals.front().fused;
  const T* b = primal && primal->offset.data() ? primal->offset.data() : nullptr;
  require(!fused_primal || b, where, "the fused primal step needs the primal term's offset");
  const bool accelerate = plan.accelerate && primal;
  double tau = plan.tau;

  Array<T> x_old(ctx, domain), x_bar(ctx, domain), grad(ctx, domain), tmp(ctx, domain);
  // grad = sum_k A_k^T y_k
  const auto adjoint_sum = [&] {
    fill<T>(ctx, grad.view(), T(0));
    for (auto& d : duals) {
      backward<T>(ctx, *d.term, d.y.view(), tmp.view());
      axpby<T>(ctx, T(1), tmp.view(), T(1), grad.view());
    }
  };
  // A_k x - b_k for the objective, only for the terms whose value is not computed without it
  // (indicators are left out, the primal term and fused terms have their own value).
  // (A flag, not an empty buffer, marks them: a rank without views holds an empty range but
  // must still meet the all-reduce of the term's value.)
  std::vector<Array<T>> term_residual;
  std::vector<bool> evaluated;
  for (const auto& t : terms) {
    const bool fused =
        std::any_of(duals.begin(), duals.end(), [&](const auto& d) { return d.term == &t && d.fused; });
    const bool needed = &t != primal && !fused && !is_indicator(t.phi);
    term_residual.emplace_back(ctx, needed ? range_of(t, domain) : Shape{0});
    evaluated.push_back(needed);
  }
  copy<T>(ctx, x, x_bar.view());
  IterationLog log(o.max_iters, o.check_every, monitor);
  RestartRule rule;
  // The fused iteration with fixed steps (no acceleration) queues the same kernels with the same
  // arguments every time: on a GPU a CUDA graph replays it (graph_replay.hpp).
  GraphReplay replay(ctx);
  const bool replay_fused = fused_primal && !accelerate && duals.front().fused->replayable();
  for (int it = 1; it <= o.max_iters; ++it) {
    const double theta = accelerate ? 1 / std::sqrt(1 + 2 * c * tau) : 1.0;
    if (fused_primal) {
      DualState<T>& d = duals.front();
      const auto iterate = [&] {
        d.fused->pdhg_iteration(ctx, static_cast<T>(d.term->weight), static_cast<T>(d.sigma),
                                static_cast<T>(tau), static_cast<T>(theta), static_cast<T>(c), b, d.y.data(),
                                x.data(), x_bar.data());
      };
      if (replay_fused)
        replay.run(iterate);
      else
        iterate();
    } else {
      for (auto& d : duals) dual_step<T>(ctx, d, d.sigma, x_bar.view(), d.y.view(), d.y.view());
      // x' = prox_{tau G}(x - tau sum_k A_k^T y_k); xbar = (1 + theta) x' - theta x.
      copy<T>(ctx, x, x_old.view());
      adjoint_sum();
      axpby<T>(ctx, static_cast<T>(-tau), grad.view(), T(1), x);
      if (primal) {  // (v + tau c b) / (1 + tau c)
        if (b) axpby<T>(ctx, static_cast<T>(tau * c), primal->offset, T(1), x);
        scale<T>(ctx, static_cast<T>(1 / (1 + tau * c)), x, x);
      }
      copy<T>(ctx, x, x_bar.view());
      axpby<T>(ctx, static_cast<T>(-theta), x_old.view(), static_cast<T>(1 + theta), x_bar.view());
    }
    const double step_taken = tau;
    if (accelerate) {
      tau *= theta;
      for (auto& d : duals) d.sigma /= theta;
    }
    if (!log.is_check(it)) {
      log.count(it);
      continue;
    }

    // The objective, indicators left out (x meets them only to within the residuals); fused
    // terms and the primal term without materialising A x - b.
    double objective = 0;
    for (const auto& d : duals)
      if (d.fused) objective += d.term->weight * d.fused->value_sum(ctx, x.data());
    if (primal) {
      const double r =
          b ? split_distance2<T>(ctx, x_split, x, primal->offset) : split_norm2<T>(ctx, x_split, x);
      objective += 0.5 * c * r * r;
    }
    for (std::size_t k = 0; k < terms.size(); ++k) {
      if (!evaluated[k]) continue;
      residual<T>(ctx, terms[k], x, term_residual[k].view());
      objective += term_value<T>(ctx, terms[k], term_residual[k].view(), x_split);
    }
    if (!kkt_stop) {
      const double change = split_distance2<T>(ctx, x_split, x, x_old.view());
      const double scale_x = std::max(split_norm2<T>(ctx, x_split, x), 1e-30);
      if (log.record(it, objective, change / tau, 0, tau, change <= o.tol * scale_x)) break;
      continue;
    }
    double primal_res;
    if (duals.size() == 1 && duals.front().fused && b) {
      primal_res = std::sqrt(
          duals.front().fused->stationarity_sq(ctx, static_cast<T>(c), b, duals.front().y.data(), x.data()));
    } else {
      adjoint_sum();
      if (primal) {
        axpby<T>(ctx, static_cast<T>(c), x, T(1), grad.view());
        if (b) axpby<T>(ctx, static_cast<T>(-c), primal->offset, T(1), grad.view());
      }
      primal_res = split_norm2<T>(ctx, x_split, grad.view());
    }
    double dual2 = 0;
    for (auto& d : duals) {
      dual_step<T>(ctx, d, d.sigma0, View<const T>(x), d.y.view(), d.spare.view());
      dual2 += range_sum(split_of(*d.term, x_split),
                         std::pow(distance2<T>(ctx, d.y.view(), d.spare.view()) / d.sigma0, 2));
    }
    const double dual_res = std::sqrt(dual2);
    const double kkt = std::hypot(primal_res, dual_res);
    const double x_norm = split_norm2<T>(ctx, x_split, x);
    const bool done = kkt / (x_norm > 1e-300 ? x_norm : 1e-300) <= o.tol;
    if (log.record(it, objective, primal_res, dual_res, step_taken, done)) break;
    if (accelerate && rule.due(it, kkt)) {
      tau = plan.tau;
      for (auto& d : duals) d.sigma = d.sigma0;
      copy<T>(ctx, x, x_bar.view());
    }
  }
  if (duals_out) {
    duals_out->clear();
    for (auto& d : duals) duals_out->push_back(std::move(d.y));
  }
  return log.finish();
}

#define RECON_INSTANTIATE_PDHG(T)                                                                     \
  template PdhgPlan plan_pdhg<T>(const Context&, const std::vector<CompositeTerm<T>>&, const Shape&); \
  template void validate_pdhg<T>(const Context&, const std::vector<CompositeTerm<T>>&, View<T>,       \
                                 const CompositePdhgOptions&, bool);                                  \
  template SolveReport pdhg<T>(const Context&, const std::vector<CompositeTerm<T>>&, View<T>,         \
                               const CompositePdhgOptions&, const Monitor&, const PdhgPlan&,          \
                               std::vector<Array<T>>*);
RECON_INSTANTIATE_PDHG(float)
RECON_INSTANTIATE_PDHG(double)

}  // namespace solvers

template <class T>
SolveReport pdhg_composite(const Context& ctx, const std::vector<CompositeTerm<T>>& terms, View<T> x,
                           const CompositePdhgOptions& o, const Monitor& monitor) {
  solvers::validate_pdhg<T>(ctx, terms, x, o, false);
  return solvers::pdhg<T>(ctx, terms, x, o, monitor, solvers::plan_pdhg<T>(ctx, terms, x.shape()), nullptr);
}

template SolveReport pdhg_composite<float>(const Context&, const std::vector<CompositeTerm<float>>&,
                                           View<float>, const CompositePdhgOptions&, const Monitor&);
template SolveReport pdhg_composite<double>(const Context&, const std::vector<CompositeTerm<double>>&,
                                            View<double>, const CompositePdhgOptions&, const Monitor&);

}  // namespace recon

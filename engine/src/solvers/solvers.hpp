// The solvers' engine-internal entry points, for the problem builders (TV denoising, CT
// reconstruction, CS recovery): the public ones (composite.hpp) plus what only a builder needs.
#pragma once

#include <vector>

#include "recon/engine/composite.hpp"

namespace recon::solvers {

// ADMM's linearised x-step (admm.cpp): one split term A, the sq-l2 terms on x itself.
struct LinearisedStep {
  double lipschitz = 0;       // L >= ||A||^2: the step is eta = 1 / (c + rho L)
  double alpha = 1;           // averaging weight in (0, 1]; 1: plain linearised ADMM
  bool x1_from_zero = false;  // the averaged sequence x1 starts at 0 (else at x)
};

// ADMM on the terms (admm.cpp). multipliers, when given, receives the unscaled multiplier
// y_k = rho_k u_k of every split term, in the order of the terms (quadratic terms excluded);
// linearised, when given, replaces the exact/CG x-update.
template <class T>
SolveReport admm(const Context& ctx, const std::vector<CompositeTerm<T>>& terms, View<T> x,
                 const CompositeAdmmOptions& options, const Monitor& monitor,
                 std::vector<Array<T>>* multipliers, const LinearisedStep* linearised = nullptr);

// How pdhg runs a problem: which term (if any) is taken in the primal step, the steps, and the
// stopping test. pdhg_composite's plan (plan_pdhg) dualises every term; TV denoising takes
// 0.5||x - u||^2 in the primal step, accelerates and stops on the KKT error.
enum class PdhgStop { Change, Kkt };
struct PdhgPlan {
  int primal_term = -1;       // a term c/2 ||x - b||^2 (identity operator, c > 0), or -1: none
  double tau = 0;             // initial primal step
  std::vector<double> sigma;  // initial dual step of every other term, in order
  bool accelerate = false;    // Chambolle-Pock Alg. 2 with restarts (needs the primal term)
  PdhgStop stop = PdhgStop::Change;
  // Accept nonconvex terms: the dual step still applies Moreau's identity to their prox, a
  // heuristic without a convergence guarantee (TV denoising offers it; pdhg_composite refuses).
  bool allow_nonconvex = false;
};

// sigma_k = 0.99/||A_k||, tau = 0.99/sum_k ||A_k|| (power method), every term dual.
template <class T>
PdhgPlan plan_pdhg(const Context& ctx, const std::vector<CompositeTerm<T>>& terms, const Shape& domain);

template <class T>
void validate_pdhg(const Context& ctx, const std::vector<CompositeTerm<T>>& terms, View<T> x,
                   const CompositePdhgOptions& options, bool allow_nonconvex);

// PDHG on the terms (pdhg.cpp); duals, when given, receives y_k of every dual term in order.
template <class T>
SolveReport pdhg(const Context& ctx, const std::vector<CompositeTerm<T>>& terms, View<T> x,
                 const CompositePdhgOptions& options, const Monitor& monitor, const PdhgPlan& plan,
                 std::vector<Array<T>>* duals);

}  // namespace recon::solvers

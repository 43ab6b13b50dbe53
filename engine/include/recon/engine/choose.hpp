// Choosing the solver for min_x sum_k w_k Phi_k(A_k x - b_k) (composite.hpp) from the terms'
// properties, with its step sizes, as BART's italgo_choose / italgo_config pick an algorithm
// and its parameters from the regularisers:
//   LeastSquares  every term is sq-l2: CG on the normal equations sum_k w_k A_k^T (A_k x - b_k) = 0.
//   Fista         one term is not smooth, acts on x itself (no operator, no offset) and is
//                 convex; every other term is smooth (differentiable, Lipschitz gradient):
//                 FISTA with function-value restart on the smooth sum, step 1/L with
//                 L = 1.05 sum_k w_k L_k ||A_k||^2 (smooth_lipschitz below).
//   MonotoneApg   the same with a nonconvex nonsmooth term: Li & Lin's monotone APG, whose
//                 objective never increases.
//   Admm          anything else: the engine's ADMM with each operator term's rho scaled by
//                 1/||A_k||^2, so operators of very different norms (a projector beside a
//                 gradient) balance; ADMM itself keeps rho above the weak-convexity floor.
// Tests: tests/engine/test_choose.cpp.
#pragma once

#include <string>
#include <vector>

#include "recon/engine/composite.hpp"

namespace recon {

enum class CompositeAlgorithm { LeastSquares, Fista, MonotoneApg, Admm };
const char* to_string(CompositeAlgorithm a);

struct CompositeChoice {
  CompositeAlgorithm algorithm = CompositeAlgorithm::Admm;
  double lipschitz = 0;           // Fista, MonotoneApg: L of the smooth sum's gradient
  std::vector<double> rho_scale;  // Admm: per term, in the order of the terms
  std::string reason;             // one line: why this algorithm
};

// Throws InvalidArgument / ShapeMismatch for bad terms (as admm_composite).
template <class T>
CompositeChoice choose_composite_solver(const Context& ctx, const std::vector<CompositeTerm<T>>& terms,
                                        const Shape& domain);

// L = 1.05 sum_k w_k L_k ||A_k||^2 over the given smooth terms (L_k: the Lipschitz constant of
// Phi_k', ||A_k|| by 50 power iterations, which estimate from below, hence the 5%).
template <class T>
double smooth_lipschitz(const Context& ctx, const std::vector<CompositeTerm<T>>& smooth, const Shape& domain);

struct CompositeSolveOptions {
  int max_iters = 500;
  double tol = 1e-6;  // the chosen solver's relative stopping tolerance
};

// Chooses (choose_composite_solver) and runs. x: the start on input, the result on output;
// chosen, when given, receives the choice.
template <class T>
SolveReport solve_composite(const Context& ctx, const std::vector<CompositeTerm<T>>& terms, View<T> x,
                            const CompositeSolveOptions& options = {}, const Monitor& monitor = {},
                            CompositeChoice* chosen = nullptr);

}  // namespace recon

// Hadamard over-parametrisation (Kolb et al., "Smoothing the edges: smooth optimization for
// sparse regularization using Hadamard overparametrization"; MATH.md 3.4):
// the non-smooth problem
//   min_x L(x) + lambda sum_g ||x_g||_2^(2/d)
// is solved as the smooth problem in the factors theta = (u_1, ..., u_{d-1}, v)
//   min_theta L(u_1 (.) ... (.) u_{d-1} (.) v) + (lambda/d)(sum_k ||u_k||^2 + ||v||^2),
// where each u_k holds ONE scalar per group (broadcast over the group) and v one value per
// element, so x_g = (prod_k u_{k,g}) v_g. By AM-GM the minimum of the factor penalty over
// factorisations of x_g is ||x_g||^(2/d), so both problems have the same global and local
// minimisers (the paper's theorem). Special cases: group_size 1, depth 2 is the lasso
// (lambda ||x||_1); group_size k, depth 2 the group lasso (lambda sum_g ||x_g||_2); group_size
// 1, depth d the l_{2/d} quasi-norm lambda sum_i |x_i|^(2/d).
// Chain rule with P_g = prod_k u_{k,g} and G = grad L(x):
//   d/dv_i    = G_i P_g(i)                          + (2 lambda/d) v_i
//   d/du_{k,g} = (prod_{j != k} u_{j,g}) <G_g, v_g> + (2 lambda/d) u_{k,g}.
// Groups follow the library's group layout (penalties/apply.hpp): x seen as (k, m) with
// k = group_size, m = n/k groups, group j = {x[c*m + j], c < k}.
// theta = 0 is a stationary point (a saddle for d = 2) from which gradient methods never move,
// and x = 0 is a local minimiser of every d >= 3 problem; the start is therefore the balanced
// factorisation of the caller's x0 (see overparam_factorise), with a floor that keeps the
// scalar factors of a zero group away from 0.
// Tests: tests/overparam/test_overparam.cpp (FD gradients; lasso vs FISTA; group lasso vs
// proximal gradient with the group soft threshold; l_{2/d} stationarity; bad input).
#pragma once

#include "recon/engine/lbfgs.hpp"
#include "recon/engine/solver_types.hpp"
#include "recon/kernels/array.hpp"

namespace recon {

struct OverparamOptions {
  double lambda = 0;       // >= 0
  int depth = 2;           // d >= 2: penalty lambda sum_g ||x_g||^(2/d)
  index_t group_size = 1;  // k >= 1, must divide n
  // A group with ||x0_g|| < init_floor starts with every scalar factor init_floor^(1/d) and
  // v_g = x0_g / P_g (so still x = x0); > 0.
  double init_floor = 1e-3;
  LbfgsOptions lbfgs;
};

// Number of surrogate variables for n base variables: (d-1) n/k + n. Validates the options.
index_t overparam_size(index_t n, const OverparamOptions& options);

// Balanced factorisation of x (size n) into theta (size overparam_size): for each group,
// t_g = max(||x_g||, init_floor)^(1/d), u_{k,g} = t_g, v_g = x_g / t_g^(d-1); composing gives
// x back and every factor of a nonzero group has norm t_g.
template <class T>
void overparam_factorise(const Context& ctx, View<const T> x, const OverparamOptions& options, View<T> theta);

// x = (prod_k u_k) (.) v.
template <class T>
void overparam_compose(const Context& ctx, View<const T> theta, const OverparamOptions& options, View<T> x);

// The smooth surrogate as a function of theta, for a loss of x with n elements (n given by
// `shape`, the shape loss sees). Owns its two work arrays of size n.
template <class T>
ValueGradFn<T> overparam_surrogate(const Context& ctx, ValueGradFn<T> loss, const Shape& shape,
                                   const OverparamOptions& options);

// Minimises L(x) + lambda sum_g ||x_g||^(2/d) by L-BFGS on the surrogate, starting from the
// balanced factorisation of the x given; x holds the result. The report's objective is the
// surrogate's (it equals the base objective at a minimiser, not before).
template <class T>
SolveReport overparam_solve(const Context& ctx, const ValueGradFn<T>& loss, View<T> x,
                            const OverparamOptions& options, const Monitor& monitor = {});

}  // namespace recon

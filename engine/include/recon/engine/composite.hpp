// Composite problems  min_x  sum_k w_k Phi_k(A_k x - b_k)  solved by ADMM (MATH.md 3.1,
// Boyd et al. 2011 section 3.1 with the splitting z_k = A_k x - b_k for every term).
// Each term is a penalty or loss of the library (scalar, or group: Phi of the Euclidean norm
// along the leading axis, e.g. isotropic TV) or an indicator (nonneg, box) applied to a linear
// image of x. This is the engine behind `recon ct recon` (loss(A x - y) + lambda phi(D x) +
// i_{x >= 0}) and `recon cs` (loss(A x - y) + lambda phi(x)).
//
// Iteration (scaled form, rho_k = rho_scale_k * rho per term):
//   x   = argmin sum_k rho_k/2 ||A_k x - b_k - z_k + u_k||^2  [+ the quadratic terms, exactly]
//         by warm-started CG on (sum_k rho_k A_k^T A_k) x = sum_k rho_k A_k^T (b_k + z_k - u_k)
//   z_k = prox_{(w_k/rho_k) Phi_k}(A_k x - b_k + u_k)      (the global minimiser, any Phi_k)
//   u_k = u_k + A_k x - b_k - z_k
// Terms whose Phi is sq-l2 are not split (unless split_quadratic): w/2 ||A x - b||^2 enters the
// x-update exactly.
// Stopping: r = sqrt(sum ||A_k x - b_k - z_k||^2) <= tol * max(sqrt(sum ||A_k x||^2), sqrt(sum ||z_k +
// b_k||^2)) and s = ||sum rho_k A_k^T (z_k - z_k_prev)|| <= tol * sqrt(sum ||rho_k A_k^T u_k||^2) (Boyd
// 3.3.1, relative form; per term because the sum vanishes at the solution when every term is
// split). rho balancing (Boyd 3.4.1, factor 2 when r and s differ by 10x) rescales u.
// For nonconvex Phi the iteration converges to a stationary point for rho large enough
// (MATH.md 3.1); rho is kept >= 2 w_k rho_w,k / rho_scale_k for weakly convex Phi_k (so every
// z-step is a strongly convex prox) and the monitor's residuals show whether it converged.
#pragma once

#include <vector>

#include "recon/engine/solver_types.hpp"
#include "recon/kernels/penalties/function.hpp"
#include "recon/operators/operator.hpp"

namespace recon {

template <class T>
struct CompositeTerm {
  Operator<T> op;           // A_k (a shared handle); empty means the identity
  View<const T> offset;     // b_k, shape of A_k's range; no storage means 0
  penalties::Function phi;  // penalty, loss or indicator
  double weight = 1;        // w_k >= 0
  bool group = false;       // Phi(||.||) over the leading axis of A_k's range
  // This term's rho is rho_scale * the common rho. Operators of very different norms (a CT
  // projector next to a gradient) balance with rho_scale = 1 / ||A_k||^2.
  double rho_scale = 1;
};

struct CompositeAdmmOptions {
  int max_iters = 300;
  double tol = 1e-4;            // relative primal and dual residual tolerance
  double rho = 1;               // initial rho for every split term (> 0)
  bool balance_rho = true;      // residual balancing ...
  int balance_iters = 1 << 30;  // ... during the first iterations only (default: all); a
                                // problem whose rho oscillates converges once rho is frozen
  // sq-l2 terms enter the x-update exactly (fewer outer iterations), unless split: with every
  // term split and rho_scale_k = 1/||A_k||^2 the x-update matrix is well conditioned, which is
  // what a CG x-update with an ill-conditioned A (CT) needs.
  bool split_quadratic = false;
  int cg_max_iters = 30;  // inner CG per x-update (warm-started)
  double cg_rel_tol = 1e-6;
  int check_every = 1;  // residuals and monitor every this many iterations
  // The exact x-update when one term is split, its operator has a closed-form normal_inverse
  // (finite differences: DCT/FFT) and the sq-l2 terms act on x itself (tv_denoise's ADMM asks for
  // it), or when the one sq-l2 term's operator has one (a dense matrix) and every split term acts
  // on x itself (the LASSO). Off by default: on the 2D TV problem of tests/engine/test_composite.cpp the CG
  // path, whose residual balancing settles on another rho, reaches tol 1e-7 in about 3900 iterations, the
  // exact one not within 5000 (both converge; the tail of ADMM is rho-sensitive).
  bool use_normal_inverse = false;
};

// x: the starting point on input, the result on output; shape = every A_k's domain.
// Throws InvalidArgument / ShapeMismatch before iterating for bad terms (no terms, shapes,
// negative weights, group forms of non-even functions, a problem with no split term).
template <class T>
SolveReport admm_composite(const Context& ctx, const std::vector<CompositeTerm<T>>& terms, View<T> x,
                           const CompositeAdmmOptions& options = {}, const Monitor& monitor = {});

// PDHG (Chambolle & Pock 2011) on the same problems, convex terms only: no inner solve, one A_k
// and one A_k^T per term and iteration, so it suits operators without a cheap normal
// equation. Dual steps sigma_k = 0.99/||A_k||, primal step tau = 0.99/sum_k ||A_k|| (power
// method), the dual step through Moreau's identity with the term's prox. Converges as O(1/k):
// use it for moderate accuracy, ADMM for tight tolerances.
struct CompositePdhgOptions {
  int max_iters = 1000;
  double tol = 1e-5;  // relative change of x between checks
  int check_every = 10;
};

template <class T>
SolveReport pdhg_composite(const Context& ctx, const std::vector<CompositeTerm<T>>& terms, View<T> x,
                           const CompositePdhgOptions& options = {}, const Monitor& monitor = {});

// sum_k w_k Phi_k(A_k x - b_k) in double (+inf outside an indicator's set).
template <class T>
double composite_objective(const Context& ctx, const std::vector<CompositeTerm<T>>& terms, View<const T> x);

}  // namespace recon

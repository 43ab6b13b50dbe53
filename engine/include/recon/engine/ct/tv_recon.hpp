// Regularised CT reconstruction: min_x  sum loss(A x - y) + lambda sum phi(D x)
// [+ i_{x >= 0}] with A any linear operator (the Joseph projector), D the forward-difference
// gradient over the volume's axes (Neumann), phi applied per component (anisotropic TV) or to
// the gradient magnitude (isotropic), any loss and penalty of the library. A thin layer over
// the composite solvers (engine/include/recon/engine/composite.hpp) and APGM:
//   admm  terms {loss on A, offset y}, {lambda phi on D}, {nonneg on I}; rho_k = rho / ||op_k||^2
//         so the projector (||A|| ~ sqrt(views) x path length) and D (||D||^2 <= 4 ndim) enter
//         the CG x-update on an equal footing; any penalty and loss (nonconvex: stationary point)
//   pdhg  the same terms, convex loss and penalty only
//   apgm  accelerated proximal gradient (engine/include/recon/engine/apgm.hpp: Li & Lin's
//         monotone APG, or FISTA with restart) on f(x) = sum loss(A x - y), smooth losses only
//         (differentiable with a Lipschitz gradient: sq-l2, huber, cauchy, welsch,
//         geman-mcclure, barron...; l1 and the other non-smooth losses are refused: use admm).
//         Step 1/L, L = 1.05 max loss'' ||A||^2 (power method, which estimates from below),
//         with backtracking as the safeguard. The prox of alpha lambda sum phi(D x) [+ i_{x>=0}]
//         has no closed form: it is an inner tv_denoise solve (any penalty, iso/aniso, 2D/3D)
//         with a fixed budget of inner_iters iterations, warm-started from the previous prox
//         output of the same sequence, as in Beck & Teboulle's FISTA-TV ("Fast gradient-based
//         algorithms for constrained total variation image denoising and deblurring", IEEE
//         TIP 18, 2009). The prox is therefore inexact; the objective F is evaluated exactly,
//         and the monotone variant keeps x_t when both candidates are worse, so F never
//         increases (FISTA's guarantee needs an exact prox). tv_denoise warm-starts x only (its
//         dual restarts at 0), hence pdhg as the default inner solver: on the 12-view test
//         (anisotropic) APGM is within 1e-3 of the ADMM objective after 128 iterations with 10
//         inner PDHG iterations, after 268 with 10 inner ADMM ones (ADMM's multiplier restarts).
//         Non-negativity: the TV prox is clipped at 0. For anisotropic TV with phi = l1 that is
//         the exact prox of TV + i_{x>=0}: anisotropic l1-TV is the Lovasz extension of a graph
//         cut, so the level sets {x > t} of the prox of TV + sum psi_i minimise
//         cut(S) + sum_{i in S} psi_i'(t) (Bach, "Learning with submodular functions", 2013,
//         ch. 8); with psi_i = 0.5(. - v_i)^2 + i_{>=0} these set problems are unchanged for
//         t >= 0 and take every voxel for t < 0, i.e. the result is max(prox_TV(v), 0)
//         (checked against an independent constrained solve in the tests). For isotropic TV
//         and any other phi the clipped point only approximates the constrained prox (on a
//         random 12x12 image, weight 0.3: up to 0.09 apart for isotropic l1, 0.05 for
//         anisotropic huber(0.1)); F stays exact and monotone, and on the 12-view test the
//         isotropic l1 result lies within 2e-5 of the ADMM objective.
//         Per iteration: monotone 3 A, 3 A^T and 2 inner solves; fista and ista 2 A, 2 A^T and
//         1 inner solve (measured on the 12-view 32^2 test, one thread: monotone 1.9 ms,
//         fista 1.2 ms, ADMM 2.3 ms per iteration; within 1e-3 of the ADMM objective after
//         121 APGM iterations, 169 ADMM ones).
// Tests: tests/ct/test_tv_recon.cpp.
#pragma once

#include <string>

#include "recon/engine/apgm.hpp"
#include "recon/engine/solver_types.hpp"
#include "recon/engine/tv.hpp"
#include "recon/kernels/penalties/function.hpp"
#include "recon/operators/operator.hpp"

namespace recon::ct {

enum class TvReconSolver { Admm, Pdhg, Apgm };
TvReconSolver parse_tv_recon_solver(const std::string& name);  // "admm" | "pdhg" | "apgm"

struct TvReconProblem {
  penalties::Function loss = penalties::SqL2{};
  penalties::Function penalty = penalties::L1{};
  double lambda = 0.01;
  TvNorm norm = TvNorm::Isotropic;
  bool nonneg = true;
};

struct TvReconOptions {
  TvReconSolver solver = TvReconSolver::Admm;
  int max_iters = 100;
  double tol = 1e-4;
  double rho = 1;                                    // ADMM: common penalty before the per-operator scaling
  int cg_max_iters = 10;                             // ADMM: CG iterations per x-update (warm-started)
  int check_every = 1;                               // ADMM, PDHG (APGM checks every iteration)
  ApgmVariant apgm_variant = ApgmVariant::Monotone;  // APGM: monotone (F never increases), fista, ista
  int inner_iters = 10;                              // APGM: tv_denoise iterations per prox
  TvSolver inner_solver = TvSolver::Pdhg;  // APGM: tv_denoise's solver (its apgm ignores the warm start)
};

// x: the starting point on input (zeros, or an FBP), the result on output.
template <class T>
SolveReport tv_reconstruct(const Context& ctx, const Operator<T>& a, View<const T> y, View<T> x,
                           const TvReconProblem& problem, const TvReconOptions& options = {},
                           const Monitor& monitor = {});

// The objective at x (+inf when nonneg is asked for and x has a negative voxel).
template <class T>
double tv_recon_objective(const Context& ctx, const Operator<T>& a, View<const T> y, View<const T> x,
                          const TvReconProblem& problem);

}  // namespace recon::ct

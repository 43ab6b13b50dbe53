// Regularised CT reconstruction (issue 7): min_x  sum loss(A x - y) + lambda sum phi(D x)
// [+ i_{x >= 0}] with A any linear operator (the Joseph projector), D the forward-difference
// gradient over the volume's axes (Neumann), phi applied per component (anisotropic TV) or to
// the gradient magnitude (isotropic), any loss and penalty of the library. A thin layer over
// the composite solvers (engine/include/recon/engine/composite.hpp):
//   admm  terms {loss on A, offset y}, {lambda phi on D}, {nonneg on I}; rho_k = rho / ||op_k||^2
//         so the projector (||A|| ~ sqrt(views) x path length) and D (||D||^2 <= 4 ndim) enter
//         the CG x-update on an equal footing; any penalty and loss (nonconvex: stationary point)
//   pdhg  the same terms, convex loss and penalty only
// APGM is not offered here: lambda sum phi(D x) has no closed-form prox (FISTA-TV would need
// an inner TV solve per step); `recon cs` and engine/include/recon/engine/apgm.hpp cover
// APGM for separable penalties. Tests: tests/ct/test_tv_recon.cpp.
#pragma once

#include <string>

#include "recon/engine/solver_types.hpp"
#include "recon/engine/tv.hpp"
#include "recon/kernels/penalties/function.hpp"
#include "recon/operators/linear_operator.hpp"

namespace recon::ct {

enum class TvReconSolver { Admm, Pdhg };
TvReconSolver parse_tv_recon_solver(const std::string& name);  // "admm" | "pdhg"

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
  double rho = 1;        // ADMM: common penalty before the per-operator scaling
  int cg_max_iters = 10; // ADMM: CG iterations per x-update (warm-started)
  int check_every = 1;
};

// x: the starting point on input (zeros, or an FBP), the result on output.
template <class T>
SolveReport tv_reconstruct(const Context& ctx, const LinearOperator<T>& a, View<const T> y, View<T> x,
                           const TvReconProblem& problem, const TvReconOptions& options = {},
                           const Monitor& monitor = {});

// The objective at x (+inf when nonneg is asked for and x has a negative voxel).
template <class T>
double tv_recon_objective(const Context& ctx, const LinearOperator<T>& a, View<const T> y, View<const T> x,
                          const TvReconProblem& problem);

}  // namespace recon::ct

// Total-variation denoising (DESIGN.md section 5, MATH.md 3.1):
//   min_x 0.5||x - u||^2 + lambda * sum phi(D x)
// for 1D signals, 2D images and 3D volumes, D the forward-difference gradient (Neumann or
// periodic), anisotropic (phi of every component) or isotropic (phi of the gradient
// magnitude at each pixel), phi any penalty of the library (MATH.md section 1).
// Solvers (admm, ladmm and pdhg are the engine's one ADMM and PDHG, engine/src/solvers/, on the
// terms {0.5||x - u||^2, lambda phi(D x)} with fused stencil passes for D):
//   admm         scaled ADMM, exact x-update by DCT/FFT (normal_inverse), or CG (use_cg)
//   ladmm        linearised ADMM: one gradient step on the x-subproblem, fixed rho
//   ladmm-eq129  eq. 129 of Pinilla & Thiyagalingam, "Global optimality for non-linear
//                constrained restoration problems via invexity" (Ouyang et al. 2015), with
//                v/rho inside the x1-update (the printed `+ v` solves the problem with weight
//                rho*lambda); x1 starts at 0, z at prox(D u) like every ADMM start
//   pdhg         Chambolle-Pock; accelerated (Alg. 2) and restarted on the KKT error when phi
//                is convex (Applegate et al. 2021), plain fixed steps otherwise
//   apgm         FISTA with adaptive restart on the dual problem (convex phi only)
//   lbfgs        L-BFGS on the smooth objective (differentiable phi only: weep, huber, sq-l2)
// Tests: tests/engine/test_tv.cu.
#pragma once

#include <memory>
#include <string>

#include "recon/engine/solver_types.hpp"
#include "recon/kernels/array.hpp"
#include "recon/kernels/penalties/function.hpp"
#include "recon/operators/finite_difference.hpp"

namespace recon {

namespace dist {
class Communicator;
}

enum class TvNorm { Anisotropic, Isotropic };
enum class TvSolver { Admm, Ladmm, LadmmEq129, Pdhg, Apgm, Lbfgs };

TvSolver parse_tv_solver(const std::string& name);  // InvalidArgument listing the names
std::string to_string(TvSolver s);
TvNorm parse_tv_norm(const std::string& name);  // "aniso" | "iso"

struct TvProblem {
  penalties::Function penalty = penalties::L1{};
  double lambda = 0.1;
  TvNorm norm = TvNorm::Isotropic;
  Boundary boundary = Boundary::Neumann;
};

struct TvOptions {
  TvSolver solver = TvSolver::Admm;
  int max_iters = 500;
  double tol = 1e-5;         // relative primal/dual residuals (ADMM), relative change (others)
  int check_every = 10;      // residuals and the monitor's objective are computed this often
  double rho = 0;            // ADMM penalty; 0 picks max(1, 2 lambda rho_w), rho_w = weak convexity
  bool balance_rho = true;   // residual balancing (Boyd et al. 2011, 3.4.1), admm only; rho never
                             // drops below its automatic value for a nonconvex phi
  bool use_cg = false;       // ADMM x-update by CG instead of the DCT/FFT closed form
  double ladmm_alpha = 0.5;  // eq. 129's alpha (ladmm-eq129 only)
  bool warm_start = false;   // start from x instead of u
};

// x receives the result (and holds the start when warm_start). If dual is non-null it
// receives the dual variable p (range of D: (k, shape...)) with x = u - D^T p at optimality;
// ADMM's is rho times the scaled multiplier. Throws InvalidArgument for a penalty the solver
// cannot handle, lambda < 0, NaN/Inf in u, and ShapeMismatch for wrong shapes.
template <class T>
SolveReport tv_denoise(const Context& ctx, View<const T> u, View<T> x, const TvProblem& problem,
                       const TvOptions& options, const Monitor& monitor = {}, Array<T>* dual = nullptr);

// 0.5||x - u||^2 + lambda * sum phi(D x), in double.
template <class T>
double tv_objective(const Context& ctx, View<const T> x, View<const T> u, const TvProblem& problem);

// TV denoising of an array split into blocks along axis 0 over the ranks of comm: z-slabs of a
// volume, row blocks of an image (docs/distributed.md). `whole` is the whole array's shape; u
// and x are this rank's block, rows dist::block_share(whole[0], rank, ranks). Every rank calls it;
// a failure on any rank throws the same error on every rank. Every solver: admm's x-update is then
// CG (the DCT/FFT closed form needs the whole array); apgm and lbfgs sum their dot products over
// the ranks. D x and D^T p are the serial operator's rows bitwise (SlabGradient);
// the sums of the checks run over the ranks, so the result is the serial solver's up to the
// rounding of those sums (and, for admm, up to CG's tolerance against the closed form).
template <class T>
SolveReport tv_denoise_slabs(const Context& ctx, std::shared_ptr<const dist::Communicator> comm,
                             const Shape& whole, View<const T> u, View<T> x, const TvProblem& problem,
                             const TvOptions& options, const Monitor& monitor = {});

// tv_objective of the whole array from every rank's block, the same value on every rank.
template <class T>
double tv_objective_slabs(const Context& ctx, std::shared_ptr<const dist::Communicator> comm,
                          const Shape& whole, View<const T> x, View<const T> u, const TvProblem& problem);

}  // namespace recon

// Proximal gradient methods for F(x) = f(x) + g(x), f smooth (value + gradient, ValueGradFn of
// lbfgs.hpp), g given by its prox (ProxTerm), or g = w sum_i phi(x_i) with phi a penalty of the
// library (its prox is the global minimiser, kernels/penalties/apply.hpp), w >= 0. Below
// prox_{alpha w phi} stands for prox_{alpha g}. Three variants:
//   Monotone  Li & Lin's monotone APG (NeurIPS 2015, Alg. 1) exactly as MATH.md 3.2 /
//             Pinilla & Thiyagalingam, "Global optimality for non-linear constrained
//             restoration problems via invexity", eq. 103, with alpha_1 = alpha_2 = alpha:
//               y = x_t + (r_{t-1}/r_t)(z_t - x_t) + ((r_{t-1} - 1)/r_t)(x_t - x_{t-1})
//               z_{t+1} = prox_{alpha w phi}(y - alpha grad f(y))
//               v_{t+1} = prox_{alpha w phi}(x_t - alpha grad f(x_t))
//               r_{t+1} = (sqrt(4 r_t^2 + 1) + 1)/2
//               x_{t+1} = z_{t+1} if F(z_{t+1}) <= F(v_{t+1}) else v_{t+1}
//             Two prox steps per iteration; F(x_t) never increases, also for nonconvex phi,
//             because v is a prox-gradient step from x_t with alpha <= 1/L. An inexact prox
//             (an inner solver) can break that, so x_{t+1} = x_t when both candidates are worse
//             (as in Beck & Teboulle's MFISTA): F never increases with any prox.
//   Fista     Beck & Teboulle 2009 with an adaptive restart of the momentum (O'Donoghue &
//             Candes, "Adaptive restart for accelerated gradient schemes", 2015), options.restart:
//             FunctionValue (default): when F(x_{k+1}) > F(x_k) the step is rejected, the
//               momentum reset (t = 1, y = x_k) and the next step is a plain prox-gradient
//               step, so F does not increase either (departure from O'Donoghue & Candes, who
//               keep x_{k+1}) as long as the prox is exact;
//             Gradient: x_{k+1} is kept and the momentum reset when
//               (y_k - x_{k+1}) . (x_{k+1} - x_k) > 0 (no function values needed);
//             None: Beck & Teboulle's FISTA as published.
//   Ista      x_{k+1} = prox_{alpha w phi}(x_k - alpha grad f(x_k)).
// Step: alpha = options.step if > 0, else 1/options.lipschitz if > 0, else backtracking is
// required. With options.backtracking every prox step from a point p checks
// f(x+) <= f(p) + <grad f(p), x+ - p> + ||x+ - p||^2/(2 alpha) and halves alpha until it holds
// (Beck & Teboulle 2009, sec. 4); alpha never grows again.
// Stopping: ||x_{t+1} - x_t|| <= tol * ||x_{t+1}|| (Converged), max_iters, or the monitor,
// tested every check_every iterations (Fista and Ista then evaluate F only there).
// The monitor gets F (objective), ||x_{t+1} - x_t|| (primal_residual), alpha (step).
// All buffers are allocated before the loop; x is the warm start on input.
// Tests: tests/cs/test_apgm.cpp (LASSO against its KKT conditions, the three variants agree,
// monotone F with log and MCP penalties, fixed point of the prox-gradient map, errors);
// tests/ct/test_tv_recon.cpp (an inexact TV prox).
#pragma once

#include <functional>
#include <string>

#include "recon/engine/lbfgs.hpp"
#include "recon/engine/solver_types.hpp"
#include "recon/kernels/penalties/function.hpp"

namespace recon {

namespace dist {
class Communicator;
}

enum class ApgmVariant { Monotone, Fista, Ista };
enum class ApgmRestart { FunctionValue, Gradient, None };

// "monotone" | "fista" | "ista"; InvalidArgument otherwise.
ApgmVariant parse_apgm_variant(const std::string& name);
const char* to_string(ApgmVariant v);

struct ApgmOptions {
  ApgmVariant variant = ApgmVariant::Monotone;
  ApgmRestart restart = ApgmRestart::FunctionValue;  // Fista only
  int max_iters = 500;
  double tol = 1e-6;     // relative change of x
  int check_every = 1;   // F, the stopping test and the monitor every this many iterations
  double step = 0;       // alpha > 0, or 0: from lipschitz
  double lipschitz = 0;  // L of grad f (alpha = 1/L when step is 0)
  bool backtracking = false;
  double backtrack_factor = 0.5;  // in (0, 1)
  int max_backtracks = 60;        // per prox step; exhausting them stops with LineSearchFailed
  // x split into blocks over these ranks (z-slabs of a volume, docs/distributed.md): every rank
  // runs apgm on its block, f and g summing their values over the ranks, and the solver's own
  // inner products and norms of x run over every block. Null: x is whole here.
  const dist::Communicator* x_split = nullptr;
};

// The nonsmooth part g. prox(ctx, alpha, v, out) writes prox_{alpha g}(v), or an approximation
// of it, to out (v and out do not alias); on entry out holds that prox's previous output in the
// same sequence of iterates (x at the start), a warm start for an inner solver, unless
// warm_start is false. value(ctx, x)
// is g(x), +inf outside its domain.
template <class T>
struct ProxTerm {
  std::function<void(const Context&, double alpha, View<const T> v, View<T> out)> prox;
  std::function<double(const Context&, View<const T> x)> value;
  bool warm_start = true;  // false: prox does not read out (an exact prox), which saves a copy
};

// x: the starting point on input, the result on output. Throws InvalidArgument before
// iterating for bad options (no way to choose a step, negative weight, tol < 0, ...).
template <class T>
SolveReport apgm(const Context& ctx, const ValueGradFn<T>& f, const ProxTerm<T>& g, View<T> x,
                 const ApgmOptions& options = {}, const Monitor& monitor = {});

// g = weight * sum_i phi(x_i).
template <class T>
SolveReport apgm(const Context& ctx, const ValueGradFn<T>& f, const penalties::Function& phi, double weight,
                 View<T> x, const ApgmOptions& options = {}, const Monitor& monitor = {});

}  // namespace recon

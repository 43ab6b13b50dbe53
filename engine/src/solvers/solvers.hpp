// The solvers' engine-internal entry points, for the problem builders (TV denoising, CT
// reconstruction, CS recovery): the public ones (composite.hpp) plus what only a builder needs.
#pragma once

#include <cmath>
#include <functional>
#include <vector>

#include "recon/engine/apgm.hpp"
#include "recon/engine/composite.hpp"
#include "recon/kernels/vector_ops.hpp"

namespace recon::solvers {

// ADMM's linearised x-step (admm.cpp): one split term A, the sq-l2 terms on x itself.
struct LinearisedStep {
  double lipschitz = 0;       // L >= ||A||^2: the step is eta = 1 / (c + rho L)
  double alpha = 1;           // averaging weight in (0, 1]; 1: plain linearised ADMM
  bool x1_from_zero = false;  // the averaged sequence x1 starts at 0 (else at x)
};

// What a builder may ask of ADMM beyond x. Per split term means in the order of the terms,
// the quadratic terms (not split) left out.
template <class T>
struct AdmmExtras {
  const LinearisedStep* linearised = nullptr;    // replaces the exact/CG x-update
  std::vector<Array<T>>* multipliers = nullptr;  // receives y_k = rho_k u_k per split term
  std::vector<Array<T>>* splits = nullptr;       // receives z_k per split term
  // Called at every check, after the z-update, with z_k per split term (the LASSO references
  // measure their objective at z, the sparse iterate).
  std::function<void(const std::vector<View<const T>>& z)> on_check;
};

// ADMM on the terms (admm.cpp).
template <class T>
SolveReport admm(const Context& ctx, const std::vector<CompositeTerm<T>>& terms, View<T> x,
                 const CompositeAdmmOptions& options, const Monitor& monitor,
                 const AdmmExtras<T>& extras = {});

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

// The prox-gradient map T(y) = prox_{alpha g}(y - alpha grad f(y)) that FISTA iterates
// (apgm.cpp): from a smooth f and a prox (apgm's public entry), or fused stencil passes (the
// dual of TV denoising, tv/tv_dual_fista.cpp).
template <class T>
class ProxGradientMap {
 public:
  struct Check {
    double objective, change, scale;  // the stopping test: change <= tol * scale
  };
  virtual ~ProxGradientMap() = default;
  // out = T(y). last_out holds the previous call's output (the start point at first), a warm
  // start for an inexact prox; y_is_last_out: y equals it (what was computed there may be
  // reused). False when no step was found (backtracking).
  virtual bool apply(const Context& ctx, View<const T> y, bool y_is_last_out, View<const T> last_out,
                     View<T> out) = 0;
  virtual double step() const = 0;
  // F = f + g at x, and at the last output (unchanged since): the function-value restart
  // compares them. Maps that do not know F return NaN and cannot run that restart.
  virtual double value(const Context&, View<const T>) { return std::nan(""); }
  virtual double last_value(const Context&) { return std::nan(""); }
  // What a check records at the iterate x, given x - x_prev and F(x): by default F, ||x - x_prev||
  // and ||x||; a map on a dual variable measures the primal instead.
  virtual Check check(const Context& ctx, View<const T> x, View<const T> difference, double objective) {
    return {objective, norm2<T>(ctx, difference), norm2<T>(ctx, x)};
  }
};

struct FistaPlan {
  bool momentum = true;  // false: ISTA
  ApgmRestart restart = ApgmRestart::FunctionValue;
  int max_iters = 500;
  int check_every = 1;
  double tol = 1e-6;
  const dist::Communicator* x_split = nullptr;  // x split over ranks: the restart's dot over every block
};

// FISTA / ISTA on the map from x (x: the start on input, the last iterate on output).
template <class T>
SolveReport fista(const Context& ctx, ProxGradientMap<T>& map, View<T> x, const FistaPlan& plan,
                  const Monitor& monitor);

}  // namespace recon::solvers

// The fusion hook of the splitting solvers: for a term w Phi(A x) whose operator A is a
// finite-difference stencil (LinearOperator::gradient_stencil), the per-iteration work on the
// term runs as single passes that evaluate A x and A^T y on the fly instead of materialising
// them (tv/tv_kernels.cuh). This is what keeps TV denoising at its speed inside the general
// solvers: the unfused ADMM iteration is three times slower at 512^2 on one host thread.
// The passes compute exactly what the general code computes from the arrays (up to rounding).
#pragma once

#include <memory>

#include "recon/kernels/penalties/function.hpp"
#include "recon/operators/linear_operator.hpp"

namespace recon::solvers {

template <class T>
class FusedSplit {
 public:
  virtual ~FusedSplit() = default;
  // ADMM's z- and scaled-dual update: v = A x + u, z = prox_{gamma Phi}(v), u = v - z.
  virtual void split_update(const Context& ctx, T gamma, const T* x, T* z, T* u) const = 0;
  // The x-update's right-hand side: out = a * base + A^T (z - u); z or u may be null (0).
  virtual void adjoint_difference(const Context& ctx, T a, const T* base, const T* z, const T* u,
                                  T* out) const = 0;
  // The linearised x-step: s = A x2 - z + u.
  virtual void shifted_residual(const Context& ctx, const T* x2, const T* z, const T* u, T* s) const = 0;
  // x1 -= eta (rho A^T s + c (x2 - b)); x = (1 - alpha) x + alpha x1 (x1, x2 may be x).
  virtual void gradient_step(const Context& ctx, T eta, T rho, T alpha, T c, const T* b, const T* s,
                             const T* x2, T* x1, T* x) const = 0;
  // PDHG's dual step: y = prox_{sigma (w Phi)^*}(from + sigma A xbar) (Moreau's identity).
  virtual void dual_step(const Context& ctx, T weight, T sigma, const T* xbar, const T* from, T* y) const = 0;
  // One PDHG iteration with G = c/2 ||x - b||^2: the dual step (dual_step with from = y), then
  // the primal step x' = (x - tau A^T y + tau c b) / (1 + tau c), xbar = x' + theta (x' - x),
  // x = x' (one sweep over the pixels where the backend allows).
  virtual void pdhg_iteration(const Context& ctx, T weight, T sigma, T tau, T theta, T c, const T* b, T* y,
                              T* x, T* xbar) const = 0;
  // Whether pdhg_iteration only queues device work on ctx's stream (no host communication), so
  // that a CUDA graph may capture it once and replay it (GraphReplay).
  virtual bool replayable() const { return false; }
  // sum Phi(A x): the term's value without its weight.
  virtual double value_sum(const Context& ctx, const T* x) const = 0;
  // sum (c (x - b) + A^T y)^2: PDHG's squared primal KKT residual.
  virtual double stationarity_sq(const Context& ctx, T c, const T* b, const T* y, const T* x) const = 0;
};

// The fused passes for Phi (per element, or of the Euclidean norm over the leading axis when
// `group`) on `op`; null when op has no stencil or Phi is not a penalty the fused kernels take.
template <class T>
std::unique_ptr<FusedSplit<T>> make_fused_split(const LinearOperator<T>& op, const penalties::Function& phi,
                                                bool group);

}  // namespace recon::solvers

// The fusion hook of the splitting solvers: for a term w Phi(A x) whose operator A is a
// finite-difference stencil (LinearOperator::gradient_stencil), the per-iteration work on the
// term runs as single passes that evaluate A x and A^T y on the fly instead of materialising
// them (tv/tv_kernels.cuh). This is what keeps TV denoising at its speed inside the general
// solvers: the unfused ADMM iteration is three times slower at 512^2 on one host thread.
// The passes compute exactly what the general code computes from the arrays.
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
  // The x-update's right-hand side: out = a * base + A^T (z - u).
  virtual void adjoint_difference(const Context& ctx, T a, const T* base, const T* z, const T* u,
                                  T* out) const = 0;
};

// The fused passes for Phi (per element, or of the Euclidean norm over the leading axis when
// `group`) on `op`; null when op has no stencil or Phi is not a penalty the fused kernels take.
template <class T>
std::unique_ptr<FusedSplit<T>> make_fused_split(const LinearOperator<T>& op, const penalties::Function& phi,
                                                bool group);

}  // namespace recon::solvers

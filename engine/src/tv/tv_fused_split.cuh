// The fused stencil passes of the splitting solvers (solvers/fused_split.hpp) for a
// finite-difference operator and a TV penalty: the kernels of tv_kernels.cuh behind the
// solvers' type-erased hook. Compiled in tv_solvers.cu with the other users of those kernels.
#pragma once

#include "../solvers/fused_split.hpp"
#include "slab_fused_split.hpp"
#include "tv_setup.hpp"

namespace recon::tv {

template <class T, class F>
class GradientSplit final : public solvers::FusedSplit<T> {
 public:
  GradientSplit(const Grad<T>& grad, bool group, const F& f) : grad_(grad), group_(group), f_(f) {}
  void split_update(const Context& ctx, T gamma, const T* x, T* z, T* u) const override {
    admm_z_update(ctx, grad_, group_, f_, gamma, x, z, u);
  }
  void adjoint_difference(const Context& ctx, T a, const T* base, const T* z, const T* u,
                          T* out) const override {
    combine_adjoint(ctx, grad_, a, base, z, u, out);
  }
  void shifted_residual(const Context& ctx, const T* x2, const T* z, const T* u, T* s) const override {
    tv::shifted_residual(ctx, grad_, x2, z, u, s);
  }
  void gradient_step(const Context& ctx, T eta, T rho, T alpha, T c, const T* b, const T* s, const T* x2,
                     T* x1, T* x) const override {
    tv::gradient_step(ctx, grad_, eta, rho, alpha, c, b, s, x2, x1, x);
  }
  void dual_step(const Context& ctx, T weight, T sigma, const T* xbar, const T* from, T* y) const override {
    dual_prox_step(ctx, grad_, group_, f_, weight, sigma, xbar, from, y);
  }
  void pdhg_iteration(const Context& ctx, T weight, T sigma, T tau, T theta, T c, const T* b, T* y, T* x,
                      T* xbar) const override {
    tv::pdhg_iteration(ctx, grad_, group_, f_, weight, sigma, tau, theta, c, b, y, x, xbar);
  }
  bool replayable() const override { return true; }  // kernels on ctx's stream only
  double value_sum(const Context& ctx, const T* x) const override {
    return penalty_sum(ctx, grad_, group_, f_, x);
  }
  double stationarity_sq(const Context& ctx, T c, const T* b, const T* y, const T* x) const override {
    return tv::stationarity_sq(ctx, grad_, c, b, y, x);
  }

 private:
  Grad<T> grad_;
  bool group_;
  F f_;
};

}  // namespace recon::tv

namespace recon::solvers {

template <class T>
std::unique_ptr<FusedSplit<T>> make_fused_split(const LinearOperator<T>& op, const penalties::Function& phi,
                                                bool group) {
  // A gradient split into row blocks over ranks: the same passes on its padded blocks.
  if (const auto* slab = dynamic_cast<const SlabGradient<T>*>(&op)) {
    std::unique_ptr<FusedSplit<T>> padded = make_fused_split<T>(slab->padded(), phi, group);
    if (!padded) return nullptr;
    return std::make_unique<tv::SlabFusedSplit<T>>(*slab, std::move(padded), phi, group);
  }
  const DifferenceOperator<T>* diff = op.as_difference();
  // The passes index the range as (k, domain...), k components over at most 3 axes; a group
  // is the Euclidean norm over those components.
  if (!diff || op.domain().ndim() > 3 || (group && op.range().ndim() != op.domain().ndim() + 1))
    return nullptr;
  const tv::Grad<T> grad = gradient_geometry(*diff);
  return std::visit(
      [&](const auto& f) -> std::unique_ptr<FusedSplit<T>> {
        using F = std::decay_t<decltype(f)>;
        if constexpr (tv::is_tv_penalty<F>) {
          return std::make_unique<tv::GradientSplit<T, F>>(grad, group, f);
        } else {
          return nullptr;
        }
      },
      phi);
}

template std::unique_ptr<FusedSplit<float>> make_fused_split<float>(const LinearOperator<float>&,
                                                                    const penalties::Function&, bool);
template std::unique_ptr<FusedSplit<double>> make_fused_split<double>(const LinearOperator<double>&,
                                                                      const penalties::Function&, bool);

}  // namespace recon::solvers

// The splitting solvers' fused TV passes (solvers/fused_split.hpp) on an array split into row
// blocks over ranks (SlabGradient, docs/distributed.md): each pass copies the rank's blocks into
// padded buffers with their halo rows from the neighbours (SlabGradient's pad_domain/pad_range),
// runs the serial fused pass of the padded gradient on them, and copies the rank's rows back. The
// rows a rank keeps are computed as the serial pass computes them (the halo rows make the block's
// edge rows interior where they are interior in the whole array), so a split PDHG or linearised
// ADMM iteration runs in a few passes over memory instead of the generic path's dozens. The sums
// (value_sum, stationarity_sq) run on the rank's own rows through the slab gradient and are
// all-reduced, so every rank reads the same value.
#pragma once

#include <memory>
#include <optional>

#include "../solvers/fused_split.hpp"
#include "../solvers/range_reduce.hpp"
#include "recon/kernels/penalties/apply.hpp"
#include "recon/operators/slab_gradient.hpp"

namespace recon::tv {

template <class T>
class SlabFusedSplit final : public solvers::FusedSplit<T> {
 public:
  SlabFusedSplit(const SlabGradient<T>& op, std::unique_ptr<solvers::FusedSplit<T>> padded,
                 const penalties::Function& phi, bool group)
      : op_(op), padded_(std::move(padded)), phi_(phi), group_(group) {}

  void split_update(const Context& ctx, T gamma, const T* x, T* z, T* u) const override {
    T* px = domain(ctx, 0, x);
    T *pz = range(ctx, 0, z), *pu = range(ctx, 1, u);
    padded_->split_update(ctx, gamma, px, pz, pu);
    op_.unpad_range(ctx, pz, z);
    op_.unpad_range(ctx, pu, u);
  }
  void adjoint_difference(const Context& ctx, T a, const T* base, const T* z, const T* u,
                          T* out) const override {
    T* pout = buffer(ctx, 1, false);
    padded_->adjoint_difference(ctx, a, domain(ctx, 0, base), range(ctx, 0, z), range(ctx, 1, u), pout);
    op_.unpad_domain(ctx, pout, out);
  }
  void shifted_residual(const Context& ctx, const T* x2, const T* z, const T* u, T* s) const override {
    T* ps = buffer(ctx, 2, true);
    padded_->shifted_residual(ctx, domain(ctx, 0, x2), range(ctx, 0, z), range(ctx, 1, u), ps);
    op_.unpad_range(ctx, ps, s);
  }
  // x1 and x2 may be x: the padded copies alias as the blocks do.
  void gradient_step(const Context& ctx, T eta, T rho, T alpha, T c, const T* b, const T* s, const T* x2,
                     T* x1, T* x) const override {
    T* px = domain(ctx, 0, x);
    T* px1 = x1 == x ? px : domain(ctx, 1, x1);
    const T* px2 = x2 == x ? px : (x2 == x1 ? px1 : domain(ctx, 2, x2));
    padded_->gradient_step(ctx, eta, rho, alpha, c, domain(ctx, 3, b), range(ctx, 0, s), px2, px1, px);
    op_.unpad_domain(ctx, px, x);
    if (x1 != x) op_.unpad_domain(ctx, px1, x1);
  }
  // `from` may be y.
  void dual_step(const Context& ctx, T weight, T sigma, const T* xbar, const T* from, T* y) const override {
    T* pfrom = range(ctx, 0, from);
    T* py = y == from ? pfrom : buffer(ctx, 1, true);
    padded_->dual_step(ctx, weight, sigma, domain(ctx, 0, xbar), pfrom, py);
    op_.unpad_range(ctx, py, y);
  }
  void pdhg_iteration(const Context& ctx, T weight, T sigma, T tau, T theta, T c, const T* b, T* y, T* x,
                      T* xbar) const override {
    T *py = range(ctx, 0, y), *px = domain(ctx, 0, x), *pxbar = domain(ctx, 1, xbar);
    padded_->pdhg_iteration(ctx, weight, sigma, tau, theta, c, domain(ctx, 2, b), py, px, pxbar);
    op_.unpad_range(ctx, py, y);
    op_.unpad_domain(ctx, px, x);
    op_.unpad_domain(ctx, pxbar, xbar);
  }
  // sum phi(D x) over the whole array: the rank's rows of D x, summed over the ranks.
  double value_sum(const Context& ctx, const T* x) const override {
    View<T> dx = own(ctx, range_own_, op_.range());
    op_.apply(ctx, View<const T>(x, op_.domain(), ctx.device()), dx);
    const double v = group_ ? penalties::value_sum_group<T>(ctx, phi_, View<const T>(dx))
                            : penalties::value_sum<T>(ctx, phi_, View<const T>(dx));
    return solvers::range_sum(op_.domain_split(), v);
  }
  // sum (c (x - b) + D^T y)^2 over the whole array.
  double stationarity_sq(const Context& ctx, T c, const T* b, const T* y, const T* x) const override {
    View<T> r = own(ctx, domain_own_, op_.domain());
    op_.adjoint(ctx, View<const T>(y, op_.range(), ctx.device()), r);
    const View<const T> xv(x, op_.domain(), ctx.device());
    axpby<T>(ctx, c, xv, T(1), r);
    if (b) axpby<T>(ctx, -c, View<const T>(b, op_.domain(), ctx.device()), T(1), r);
    return solvers::split_dot<T>(ctx, op_.domain_split(), View<const T>(r), View<const T>(r));
  }

 private:
  // Padded buffer `slot` of the domain (range == false) or of the range, allocated on first use.
  T* buffer(const Context& ctx, int slot, bool range) const {
    std::optional<Array<T>>& a = (range ? ranges_ : domains_)[slot];
    const Shape& shape = range ? op_.padded().range() : op_.padded().domain();
    if (!a || a->context() != ctx) a.emplace(ctx, shape);
    return a->data();
  }
  // `block` padded into buffer `slot` (null stays null).
  T* domain(const Context& ctx, int slot, const T* block) const {
    if (!block) return nullptr;
    T* p = buffer(ctx, slot, false);
    op_.pad_domain(ctx, block, p);
    return p;
  }
  T* range(const Context& ctx, int slot, const T* block) const {
    if (!block) return nullptr;
    T* p = buffer(ctx, slot, true);
    op_.pad_range(ctx, block, p);
    return p;
  }
  View<T> own(const Context& ctx, std::optional<Array<T>>& a, const Shape& shape) const {
    if (!a || a->context() != ctx) a.emplace(ctx, shape);
    return a->view();
  }

  const SlabGradient<T>& op_;
  std::unique_ptr<solvers::FusedSplit<T>> padded_;
  penalties::Function phi_;
  bool group_;
  mutable std::optional<Array<T>> domains_[4], ranges_[3], range_own_, domain_own_;
};

}  // namespace recon::tv

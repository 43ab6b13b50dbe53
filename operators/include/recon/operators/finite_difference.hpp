// Forward finite differences (DESIGN.md section 4; Pinilla & Thiyagalingam, "Global optimality
// for non-linear constrained restoration problems via invexity", eq. 23/25/31).
//   FiniteDifference along one axis:  (D x)_j = x_{j+1} - x_j,  range = domain
//   Gradient over 1-3 axes:           components stacked on a new leading axis, range (k, domain...)
// Boundary: Neumann = zero at the far edge ((D x)_{n-1} = 0), Periodic = x_0 - x_{n-1} there.
// Adjoint (negative divergence), written out: (D^T y)_j = y_{j-1} - y_j, where the Neumann
// boundary drops y_{-1} and y_{n-1}.
// normal_inverse: x = (D^T D + lambda I)^{-1} b, lambda > 0, exact by FFT (periodic) or DCT-II
// (Neumann; the DFT of the half-sample mirrored extension) on both backends, for domains of at
// most 3 axes. For the TV-ADMM x-update (I + rho D^T D) x = r (MATH.md 3.1) call it with
// lambda = 1/rho on b = r/rho.
// Tests: tests/operators/test_finite_difference.cu (adjoint, explicit matrices, solve residual).
#pragma once

#include <vector>

#include "recon/kernels/macros.hpp"
#include "recon/operators/operator.hpp"

namespace recon {

enum class Boundary { Neumann, Periodic };

// One forward difference along an axis with `n` entries and stride `inner` (elements after it).
template <class T>
struct DifferenceEval {
  const T* x;
  index_t n, inner;
  bool periodic;
  RECON_HD T operator()(index_t i) const { return at(i, (i / inner) % n); }
  // The same when the caller knows j, the coordinate of i along the axis.
  RECON_HD T at(index_t i, index_t j) const {
    if (j + 1 < n) return inside(i);
    return periodic ? x[i - (n - 1) * inner] - x[i] : T(0);
  }
  // The same away from the last entry (j + 1 < n): no boundary rule, no test.
  RECON_HD T inside(index_t i) const { return x[i + inner] - x[i]; }
};

// The adjoint of DifferenceEval at element i of the domain.
template <class T>
struct DifferenceAdjointEval {
  const T* y;
  index_t n, inner;
  bool periodic;
  RECON_HD T operator()(index_t i) const { return at(i, (i / inner) % n); }
  RECON_HD T at(index_t i, index_t j) const {
    if (j > 0 && j + 1 < n) return inside(i);
    T v = (j + 1 < n || periodic) ? -y[i] : T(0);
    if (j > 0)
      v += y[i - inner];
    else if (periodic)
      v += y[i + (n - 1) * inner];
    return v;
  }
  // The same away from both ends (0 < j < n - 1).
  RECON_HD T inside(index_t i) const { return y[i - inner] - y[i]; }
};

// Element r of the range of a Gradient (component r / size, position r % size).
template <class T>
struct GradientEval {
  DifferenceEval<T> axis[3];
  index_t size;
  RECON_HD T operator()(index_t r) const {
    const index_t c = r / size;
    return axis[c](r - c * size);
  }
};

template <class T>
class DifferenceOperator final : public LinearOperator<T> {
 public:
  // axes: distinct axes of `domain` (1 to 3); stack: range (k, domain...) instead of domain
  // (only for one axis).
  DifferenceOperator(const Shape& domain, std::vector<int> axes, Boundary boundary, bool stack);
  bool has_normal_inverse() const override { return this->domain().ndim() <= 3; }
  const std::vector<int>& axes() const { return axes_; }
  Boundary boundary() const { return boundary_; }
  GradientEval<T> evaluator(const T* x) const;
  const DifferenceOperator<T>* as_difference() const override { return this; }

 protected:
  void do_apply(const Context& ctx, View<const T> x, View<T> y) const override;
  void do_adjoint(const Context& ctx, View<const T> y, View<T> x) const override;
  void do_normal_inverse(const Context& ctx, T lambda, View<const T> b, View<T> x) const override;

 private:
  std::vector<int> axes_;
  Boundary boundary_;
};

template <class T>
Operator<T> finite_difference(const Shape& domain, int axis, Boundary boundary = Boundary::Neumann);
// Empty axes: every axis of the domain (which then has at most 3 axes).
template <class T>
Operator<T> gradient(const Shape& domain, Boundary boundary = Boundary::Neumann, std::vector<int> axes = {});

}  // namespace recon

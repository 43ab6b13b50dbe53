// Operator<T>: a cheap shared handle to a LinearOperator<T>, and the operator algebra
// (DESIGN.md section 4): compose(outer, inner) = outer * inner, A + B, A - B, a * A, A.T(),
// vstack({A, B, ...}) (block column) and gram(A) = A^T A. Every combinator checks shapes when
// it is built (ShapeMismatch), so a wrong expression fails before any data is touched.
// Tests: tests/operators/test_algebra.cu.
#pragma once

#include <memory>
#include <vector>

#include "recon/operators/linear_operator.hpp"

namespace recon {

template <class Real>  // not T: T() is the adjoint
class Operator {
 public:
  using value_type = Real;
  Operator() = default;
  explicit Operator(std::shared_ptr<const LinearOperator<Real>> op);

  const LinearOperator<Real>& get() const;
  const std::shared_ptr<const LinearOperator<Real>>& ptr() const { return op_; }
  explicit operator bool() const { return static_cast<bool>(op_); }

  const std::string& name() const { return get().name(); }
  const Shape& domain() const { return get().domain(); }
  const Shape& range() const { return get().range(); }
  void apply(const Context& ctx, View<const Real> x, View<Real> y) const { get().apply(ctx, x, y); }
  void adjoint(const Context& ctx, View<const Real> y, View<Real> x) const { get().adjoint(ctx, y, x); }
  void normal(const Context& ctx, View<const Real> x, View<Real> y) const { get().normal(ctx, x, y); }
  bool has_normal_inverse() const { return get().has_normal_inverse(); }
  bool is_orthogonal() const { return get().is_orthogonal(); }
  void normal_inverse(const Context& ctx, Real lambda, View<const Real> b, View<Real> x) const {
    get().normal_inverse(ctx, lambda, b, x);
  }

  // The adjoint as an operator; T().T() is the original operator.
  Operator T() const;

  // Largest singular value by the power method on A^T A from a reproducible random start
  // (an estimate from below; allocates its own buffers).
  double norm_estimate(const Context& ctx, int iterations = 100, unsigned seed = 7) const;

 private:
  std::shared_ptr<const LinearOperator<Real>> op_;
};

// outer o inner: needs inner.range() == outer.domain().
template <class T>
Operator<T> compose(const Operator<T>& outer, const Operator<T>& inner);
template <class T>
Operator<T> operator*(const Operator<T>& outer, const Operator<T>& inner) {
  return compose(outer, inner);
}
// A + B and A - B: equal domains and equal ranges.
template <class T>
Operator<T> operator+(const Operator<T>& a, const Operator<T>& b);
template <class T>
Operator<T> operator-(const Operator<T>& a, const Operator<T>& b);
// s * A
template <class T>
Operator<T> scaled(typename Operator<T>::value_type s, const Operator<T>& a);
template <class T>
Operator<T> operator*(typename Operator<T>::value_type s, const Operator<T>& a) {
  return scaled(s, a);
}
// Block column [A; B; ...] on a common domain. The range is (k, r...) when all k ranges are
// the same shape r with at most 3 axes, otherwise the flat concatenation (sum of sizes,).
template <class T>
Operator<T> vstack(const std::vector<Operator<T>>& blocks);
// A^T A (uses A's normal hook).
template <class T>
Operator<T> gram(const Operator<T>& a);

}  // namespace recon

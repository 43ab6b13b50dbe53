// LinearOperator<T>: a linear map A between real arrays of fixed shapes (DESIGN.md section 4).
// apply: y = A x, adjoint: x = A^T y (transpose under the real inner product), both into
// caller-owned outputs on the context's device. Optional hooks: normal (A^T A, when cheaper
// than apply + adjoint) and normal_inverse (x = (A^T A + lambda I)^{-1} b, when a transform
// diagonalises A^T A: the closed-form ADMM x-update of MATH.md 3.1).
//
// Arguments are validated before anything is launched: exact shapes (ShapeMismatch), the
// context's device and no overlap between input and output (InvalidArgument).
// Work buffers are allocated on the first call on a context and kept, so repeated calls do
// not allocate. An operator instance is therefore not meant for concurrent calls from
// several host threads.
// Tests: tests/operators/test_algebra.cu (TypedTest AlgebraTest, AlgebraErrors), the argument
// checks in tests/operators/test_dense_matrix.cu; every operator test runs the adjoint check of
// tests/support/adjoint.hpp.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "recon/kernels/array.hpp"
#include "recon/kernels/context.hpp"
#include "recon/kernels/error.hpp"
#include "recon/kernels/shape.hpp"
#include "recon/kernels/vector_ops.hpp"

namespace recon {

namespace detail {
// Throws ShapeMismatch / InvalidArgument naming `where` unless v has exactly `expected` as
// shape, lives on ctx's device and has storage (when the shape has elements).
void check_view(const Context& ctx, const std::string& where, const char* name, const Shape& shape,
                Device device, const void* data, const Shape& expected);
// Throws InvalidArgument when the byte ranges [a, a+na) and [b, b+nb) overlap.
void check_no_overlap(const std::string& where, const void* a, std::size_t na, const void* b, std::size_t nb);
// Throws InvalidArgument when an operator's own data (weights, indices, spectra) lives on
// another device than the context it is applied on.
void check_data_device(const Context& ctx, const std::string& where, Device data_device);
}  // namespace detail

template <class T>
class DifferenceOperator;
namespace dist {
class Communicator;
}

template <class T>
class LinearOperator {
 public:
  LinearOperator(std::string name, const Shape& domain, const Shape& range)
      : name_(std::move(name)), domain_(domain), range_(range) {
    if (domain.size() == 0 || range.size() == 0)
      throw InvalidArgument(name_ + ": empty domain " + domain.str() + " or range " + range.str() +
                            "; operators need at least one element");
  }
  // An operator whose range may be empty here: one rank's share of a distributed operator's
  // rows (ct::DistributedProjector on a rank without views). The domain may not be empty.
  struct EmptyRangeAllowed {};
  LinearOperator(std::string name, const Shape& domain, const Shape& range, EmptyRangeAllowed)
      : name_(std::move(name)), domain_(domain), range_(range) {
    if (domain.size() == 0)
      throw InvalidArgument(name_ + ": empty domain " + domain.str() +
                            "; operators need at least one element");
  }
  // A composite of the algebra (operator.hpp): its spaces are its parts', each checked when that
  // part was made, so either may be empty exactly where a part's share of a split is.
  struct PartsChecked {};
  LinearOperator(std::string name, const Shape& domain, const Shape& range, PartsChecked)
      : name_(std::move(name)), domain_(domain), range_(range) {}
  virtual ~LinearOperator() = default;
  LinearOperator(const LinearOperator&) = delete;
  LinearOperator& operator=(const LinearOperator&) = delete;

  const std::string& name() const { return name_; }
  const Shape& domain() const { return domain_; }
  const Shape& range() const { return range_; }

  // y = A x
  void apply(const Context& ctx, View<const T> x, View<T> y) const {
    check_pair(ctx, "apply", x, domain_, y, range_);
    do_apply(ctx, x, y);
  }
  // x = A^T y
  void adjoint(const Context& ctx, View<const T> y, View<T> x) const {
    check_pair(ctx, "adjoint", y, range_, x, domain_);
    do_adjoint(ctx, y, x);
  }
  // y = A^T A x
  void normal(const Context& ctx, View<const T> x, View<T> y) const {
    check_pair(ctx, "normal", x, domain_, y, domain_);
    do_normal(ctx, x, y);
  }
  // Whether normal_inverse has a closed form for this operator.
  virtual bool has_normal_inverse() const { return false; }
  // Whether A^T A = A A^T = I (square and orthogonal: Identity, Reshape, Walsh-Hadamard, c2c
  // Fourier). compose(B, Q) with such a Q inherits B's normal_inverse: Q^T (B^T B + l)^-1 Q.
  virtual bool is_orthogonal() const { return false; }
  // The finite-difference operator this is, for the solvers' fused stencil passes
  // (engine/src/solvers/fused_split.hpp); null for every other operator.
  virtual const DifferenceOperator<T>* as_difference() const { return nullptr; }
  // The communicator over whose ranks the range is split, each rank holding a share of the
  // rows (ct::DistributedProjector); null when the whole range is here. Solvers sum their inner
  // products over the range across these ranks (engine/src/solvers/range_reduce.hpp).
  virtual const dist::Communicator* range_split() const { return nullptr; }
  // The communicator over whose ranks the domain is split, each rank holding a block of x
  // (SlabGradient, ct::SlabProjector: z-slabs of a volume); null when x is whole here. Solvers
  // then sum their inner products over x across these ranks too.
  virtual const dist::Communicator* domain_split() const { return nullptr; }
  // Whether each rank holds whole groups along the range's leading axis (the components of a
  // slab's gradient), so that a group prox (isotropic TV) is local; true for an unsplit range.
  virtual bool range_groups_local() const { return range_split() == nullptr; }
  // x = (A^T A + lambda I)^{-1} b; lambda > 0 (some operators also accept 0).
  void normal_inverse(const Context& ctx, T lambda, View<const T> b, View<T> x) const {
    check_pair(ctx, "normal_inverse", b, domain_, x, domain_);
    if (!has_normal_inverse())
      throw InvalidArgument(name_ +
                            ".normal_inverse: no closed form for this operator; solve "
                            "(A^T A + lambda I) x = b iteratively (CG) instead");
    if (!(lambda >= T(0)))
      throw InvalidArgument(name_ + ".normal_inverse: lambda must be >= 0, got " + std::to_string(lambda));
    do_normal_inverse(ctx, lambda, b, x);
  }

 protected:
  virtual void do_apply(const Context& ctx, View<const T> x, View<T> y) const = 0;
  virtual void do_adjoint(const Context& ctx, View<const T> y, View<T> x) const = 0;
  // Default: adjoint(apply(x)) through a range-sized work buffer.
  virtual void do_normal(const Context& ctx, View<const T> x, View<T> y) const {
    View<T> tmp = scratch(ctx, 0, range_);
    do_apply(ctx, x, tmp);
    do_adjoint(ctx, tmp, y);
  }
  virtual void do_normal_inverse(const Context&, T, View<const T>, View<T>) const {}

  // Work buffer number `slot` with `shape` on ctx's device: allocated on the first use (or when
  // the context or the shape changes) and kept for later calls.
  View<T> scratch(const Context& ctx, std::size_t slot, const Shape& shape) const {
    if (slots_.size() <= slot) slots_.resize(slot + 1);
    auto& a = slots_[slot];
    if (!a || a->context() != ctx || a->shape() != shape) a = std::make_unique<Array<T>>(ctx, shape);
    return a->view();
  }

 private:
  template <class X, class Y>
  void check_pair(const Context& ctx, const char* method, const View<X>& in, const Shape& in_shape,
                  const View<Y>& out, const Shape& out_shape) const {
    const std::string where = name_ + "." + method;
    detail::check_view(ctx, where, "input", in.shape(), in.device(), in.data(), in_shape);
    detail::check_view(ctx, where, "output", out.shape(), out.device(), out.data(), out_shape);
    detail::check_no_overlap(where, in.data(), sizeof(T) * in.size(), out.data(), sizeof(T) * out.size());
  }

  std::string name_;
  Shape domain_, range_;
  mutable std::vector<std::unique_ptr<Array<T>>> slots_;
};

// Base of the operators with A^T A = I (Identity/Reshape, Fourier, Walsh-Hadamard): normal is a
// copy and normal_inverse is b / (1 + lambda).
template <class T>
class IsometryOperator : public LinearOperator<T> {
 public:
  using LinearOperator<T>::LinearOperator;
  bool has_normal_inverse() const override { return true; }

 protected:
  void do_normal(const Context& ctx, View<const T> x, View<T> y) const override { copy<T>(ctx, x, y); }
  void do_normal_inverse(const Context& ctx, T lambda, View<const T> b, View<T> x) const override {
    scale<T>(ctx, T(1) / (T(1) + lambda), b, x);
  }
};

}  // namespace recon

// Elementwise and selection operators (DESIGN.md section 4), each with a RECON_HD evaluator of
// one output element so that the engine can fuse "apply + elementwise" in one pass.
//   Diagonal    y_i = w_i x_i               adjoint: the same         normal_inverse: b / (w^2 + l)
//   Subsample   y_k = x[idx_k] (range (m,)) adjoint: zero-fill, x[idx_k] = y_k
//               normal_inverse: b / (1 + l) on the kept entries, b / l elsewhere (l > 0)
//   mask(...)   Subsample of the entries whose mask value is non-zero, in C order
//   Reshape     y = x seen with another shape of the same size; identity(s) = Reshape s -> s
//               adjoint: x = y                 normal_inverse: b / (1 + l)
// Partial Fourier / subsampled Hadamard are compose(subsample, fourier / walsh_hadamard).
// Tests: tests/operators/test_elementwise.cu.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "recon/kernels/macros.hpp"
#include "recon/operators/operator.hpp"

namespace recon {

template <class T>
struct DiagonalEval {
  const T* w;
  const T* x;
  RECON_HD T operator()(index_t i) const { return w[i] * x[i]; }
};

template <class T>
struct GatherEval {
  const index_t* idx;
  const T* x;
  RECON_HD T operator()(index_t k) const { return x[idx[k]]; }
};

template <class T>
class DiagonalOperator final : public LinearOperator<T> {
 public:
  explicit DiagonalOperator(std::shared_ptr<const Array<T>> weights);
  bool has_normal_inverse() const override { return true; }
  DiagonalEval<T> evaluator(const T* x) const { return {weights_->data(), x}; }

 protected:
  void do_apply(const Context& ctx, View<const T> x, View<T> y) const override;
  void do_adjoint(const Context& ctx, View<const T> y, View<T> x) const override;
  void do_normal(const Context& ctx, View<const T> x, View<T> y) const override;
  void do_normal_inverse(const Context& ctx, T lambda, View<const T> b, View<T> x) const override;

 private:
  void check_device(const Context& ctx) const;
  std::shared_ptr<const Array<T>> weights_;
};

template <class T>
class SubsampleOperator final : public LinearOperator<T> {
 public:
  // indices: distinct flat (C-order) positions in the domain, kept on ctx's device.
  SubsampleOperator(const Context& ctx, const Shape& domain, const std::vector<index_t>& indices);
  bool has_normal_inverse() const override { return true; }
  GatherEval<T> evaluator(const T* x) const { return {indices_.data(), x}; }

 protected:
  void do_apply(const Context& ctx, View<const T> x, View<T> y) const override;
  void do_adjoint(const Context& ctx, View<const T> y, View<T> x) const override;
  void do_normal_inverse(const Context& ctx, T lambda, View<const T> b, View<T> x) const override;

 private:
  void check_device(const Context& ctx) const;
  Array<index_t> indices_;
};

template <class T>
class ReshapeOperator final : public IsometryOperator<T> {
 public:
  // identity(shape) is the Reshape from a shape to itself.
  ReshapeOperator(const Shape& from, const Shape& to);
  bool is_orthogonal() const override { return true; }

 protected:
  void do_apply(const Context& ctx, View<const T> x, View<T> y) const override;
  void do_adjoint(const Context& ctx, View<const T> y, View<T> x) const override;
};

template <class T>
Operator<T> identity(const Shape& shape);
// The weights' shape is the domain; they stay on their device (apply there).
template <class T>
Operator<T> diagonal(Array<T> weights);
template <class T>
Operator<T> subsample(const Context& ctx, const Shape& domain, const std::vector<index_t>& indices);
// keep.size() == domain.size(); the range is (number of non-zero entries,).
template <class T>
Operator<T> mask(const Context& ctx, const Shape& domain, const std::vector<std::uint8_t>& keep);
template <class T>
Operator<T> reshape(const Shape& from, const Shape& to);

}  // namespace recon

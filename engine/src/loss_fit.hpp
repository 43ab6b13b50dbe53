// sum loss(A x - y) and its gradient A^T loss'(A x - y): the smooth data term that APGM
// minimises in `recon cs` and `ct recon --solver apgm`, with its residual buffers allocated once.
// With a's range split over ranks (the view-split projector) the value is summed over the ranks;
// the gradient's adjoint all-reduces itself.
#pragma once

#include "recon/kernels/penalties/apply.hpp"
#include "recon/kernels/vector_ops.hpp"
#include "recon/operators/linear_operator.hpp"
#include "solvers/range_reduce.hpp"

namespace recon::detail {

template <class T>
class LossFit {
 public:
  // a, y and loss must outlive the LossFit.
  LossFit(const Context& ctx, const LinearOperator<T>& a, View<const T> y, const penalties::Function& loss)
      : a_(a), y_(y), loss_(loss), r_(ctx, a.range()), g_(ctx, a.range()) {}

  double value(const Context& ctx, View<const T> x) {
    a_.apply(ctx, x, r_.view());
    axpby<T>(ctx, T(-1), y_, T(1), r_.view());
    return solvers::range_sum(a_.range_split(), penalties::value_sum<T>(ctx, loss_, r_));
  }

  double value_grad(const Context& ctx, View<const T> x, View<T> grad) {
    const double v = value(ctx, x);
    penalties::gradient<T>(ctx, loss_, r_, g_.view());
    a_.adjoint(ctx, g_, grad);
    return v;
  }

 private:
  const LinearOperator<T>& a_;
  View<const T> y_;
  const penalties::Function& loss_;
  Array<T> r_, g_;
};

}  // namespace recon::detail

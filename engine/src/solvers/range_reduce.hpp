// Inner products over an operator's range for the solvers: when the range is split over the
// ranks of a communicator (LinearOperator::range_split, ct::DistributedProjector), each rank
// holds a share of the rows and the sums run over every rank; the domain is replicated, so its
// inner products stay local. Without a split these are dot and norm2 themselves.
#pragma once

#include <cmath>

#include "recon/kernels/communicator.hpp"
#include "recon/kernels/vector_ops.hpp"
#include "recon/operators/operator.hpp"

namespace recon::solvers {

template <class T>
double range_dot(const Context& ctx, const Operator<T>& a, View<const T> u, View<const T> v) {
  const dist::Communicator* split = a.get().range_split();
  const double local = dot<T>(ctx, u, v);
  return split ? split->all_reduce(local, dist::ReduceOp::Sum) : local;
}

template <class T>
double range_norm2(const Context& ctx, const Operator<T>& a, View<const T> u) {
  if (!a.get().range_split()) return norm2<T>(ctx, u);
  return std::sqrt(range_dot<T>(ctx, a, u, u));
}

}  // namespace recon::solvers

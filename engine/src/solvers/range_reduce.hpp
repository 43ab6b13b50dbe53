// Sums over split vectors for the solvers. When an operator's range is split over the ranks of a
// communicator (LinearOperator::range_split, ct::DistributedProjector), each rank holds a share
// of the rows and the sums over the range run over every rank; when its domain is split
// (LinearOperator::domain_split, SlabGradient: z-slabs), the sums over x do. A vector that is
// replicated keeps its sums local (reducing them would count them once per rank). Without a
// split these are the local sums themselves. CGLS and SIRT use them for r = y - A x; the composite solvers
// (ADMM, PDHG) and APGM's data term for their terms' residuals, values and splits (terms.hpp, loss_fit.hpp).
// Every decision a solver takes (stopping, rho balancing, restarts) depends on such reduced sums or on
// replicated values only, so that every rank takes the same branches and meets the same collectives.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>

#include "recon/kernels/communicator.hpp"
#include "recon/kernels/vector_ops.hpp"
#include "recon/operators/operator.hpp"

namespace recon::solvers {

// The communicator that a's range is split over, or null (whole on every rank; an empty handle,
// the identity of a composite term, is never split).
template <class T>
const dist::Communicator* range_split_of(const Operator<T>& a) {
  return a ? a.get().range_split() : nullptr;
}

// This rank's share of a sum over a range, summed over the ranks when the range is split.
inline double range_sum(const dist::Communicator* split, double local) {
  return split ? split->all_reduce(local, dist::ReduceOp::Sum) : local;
}

// Several such sums in one all-reduce.
template <std::size_t N>
std::array<double, N> range_sums(const dist::Communicator* split, std::array<double, N> local) {
  if (split) split->all_reduce_sum(local.data(), N);
  return local;
}

// The communicator that a's domain is split over, or null.
template <class T>
const dist::Communicator* domain_split_of(const Operator<T>& a) {
  return a ? a.get().domain_split() : nullptr;
}

// Sums over a vector split over `split` (null: whole here).
template <class T>
double split_dot(const Context& ctx, const dist::Communicator* split, View<const T> u, View<const T> v) {
  return range_sum(split, dot<T>(ctx, u, v));
}
template <class T>
double split_norm2(const Context& ctx, const dist::Communicator* split, View<const T> u) {
  if (!split) return norm2<T>(ctx, u);
  return std::sqrt(split_dot<T>(ctx, split, u, u));
}
template <class T>
double split_distance2(const Context& ctx, const dist::Communicator* split, View<const T> u,
                       View<const T> v) {
  if (!split) return distance2<T>(ctx, u, v);
  const double d = distance2<T>(ctx, u, v);
  return std::sqrt(range_sum(split, d * d));
}

template <class T>
double range_dot(const Context& ctx, const Operator<T>& a, View<const T> u, View<const T> v) {
  return range_sum(range_split_of(a), dot<T>(ctx, u, v));
}

template <class T>
double range_norm2(const Context& ctx, const Operator<T>& a, View<const T> u) {
  if (!range_split_of(a)) return norm2<T>(ctx, u);
  return std::sqrt(range_dot<T>(ctx, a, u, u));
}

}  // namespace recon::solvers

// Term utilities shared by the composite solvers (admm.cpp, pdhg.cpp):
// A_k x - b_k, A_k^T y, the term's value and prox, and the up-front validation. A term whose
// operator's range is split over ranks (range_reduce.hpp) holds this rank's share of A_k x - b_k:
// its value is summed over the ranks here, its prox is element-wise and stays local. When x is
// split (z-slabs: the operators' domain_split), a term on x itself is split with it.
#pragma once

#include <cmath>
#include <string>
#include <vector>

#include "range_reduce.hpp"
#include "recon/engine/composite.hpp"
#include "recon/kernels/penalties/apply.hpp"
#include "recon/kernels/vector_ops.hpp"
#include "recon/operators/power_start.hpp"

namespace recon {

namespace detail_composite {

inline bool is_indicator(const penalties::Function& fn) {
  return penalties::kind_of(fn) == penalties::FunctionKind::Indicator;
}

// w/2 ||A x - b||^2 goes into the x-update exactly instead of being split.
inline bool is_quadratic(const penalties::Function& fn, bool group) {
  return std::holds_alternative<penalties::SqL2>(fn) && !group;
}

template <class T>
Shape range_of(const CompositeTerm<T>& t, const Shape& domain) {
  return t.op ? t.op.range() : domain;
}

// The communicator x is split over: the terms' operators' domain split, which they must share
// (InvalidArgument otherwise: sums over x would count some ranks' blocks only); null when x is
// whole on every rank.
template <class T>
const dist::Communicator* x_split_of(const std::vector<CompositeTerm<T>>& terms, const char* where) {
  const dist::Communicator* split = nullptr;
  bool first = true;
  for (const auto& t : terms) {
    if (!t.op) continue;
    const dist::Communicator* s = solvers::domain_split_of(t.op);
    require(first || s == split, where,
            "the terms' operators split x differently (some over ranks, some not); give every term the "
            "same decomposition");
    split = s;
    first = false;
  }
  return split;
}

// The communicator that t's range is split over, or null; a term on x itself (no operator) is
// split as x is (x_split).
template <class T>
const dist::Communicator* split_of(const CompositeTerm<T>& t, const dist::Communicator* x_split) {
  return t.op ? solvers::range_split_of(t.op) : x_split;
}

// Whether t has an offset b_k. A rank whose share of a split range is empty holds no storage
// either way, so the ranks agree: the branches that follow call the all-reducing adjoint.
template <class T>
bool has_offset(const CompositeTerm<T>& t, const dist::Communicator* x_split) {
  const bool local = t.offset.data() != nullptr;
  const dist::Communicator* split = split_of(t, x_split);
  return split ? split->any(local) : local;
}

// out = A x (the identity when op is null).
template <class T>
void forward(const Context& ctx, const CompositeTerm<T>& t, View<const T> x, View<T> out) {
  if (t.op)
    t.op.apply(ctx, x, out);
  else
    copy<T>(ctx, x, out);
}
template <class T>
void backward(const Context& ctx, const CompositeTerm<T>& t, View<const T> y, View<T> out) {
  if (t.op)
    t.op.adjoint(ctx, y, out);
  else
    copy<T>(ctx, y, out);
}

// out = A x - b
template <class T>
void residual(const Context& ctx, const CompositeTerm<T>& t, View<const T> x, View<T> out) {
  forward(ctx, t, x, out);
  if (t.offset.data()) axpby<T>(ctx, T(-1), t.offset, T(1), out);
}

template <class T>
double term_value(const Context& ctx, const CompositeTerm<T>& t, View<const T> r,
                  const dist::Communicator* x_split) {
  if (t.weight == 0) return 0;
  const double v =
      t.group ? penalties::value_sum_group<T>(ctx, t.phi, r) : penalties::value_sum<T>(ctx, t.phi, r);
  return t.weight * solvers::range_sum(split_of(t, x_split), v);
}

template <class T>
void prox_term(const Context& ctx, const CompositeTerm<T>& t, T gamma, View<const T> in, View<T> out) {
  if (t.group)
    penalties::prox_group<T>(ctx, t.phi, gamma, in, out);
  else
    penalties::prox<T>(ctx, t.phi, gamma, in, out);
}

template <class T>
void validate(const Context& ctx, const char* where, const std::vector<CompositeTerm<T>>& terms, View<T> x) {
  require(!terms.empty(), where, "needs at least one term");
  detail::check_operand<T>(ctx, where, "x", x, x.size());
  const dist::Communicator* x_split = x_split_of(terms, where);
  for (std::size_t k = 0; k < terms.size(); ++k) {
    const auto& t = terms[k];
    const std::string name =
        std::string(where) + " term " + std::to_string(k) + " (" + penalties::describe(t.phi) + ")";
    if (t.op && t.op.domain() != x.shape())
      throw ShapeMismatch(name + ": operator " + t.op.name() + " has domain " + t.op.domain().str() +
                          " but x has shape " + x.shape().str());
    const Shape range = range_of(t, x.shape());
    if (t.offset.data() && t.offset.shape() != range)
      throw ShapeMismatch(name + ": offset has shape " + t.offset.shape().str() + ", expected " +
                          range.str());
    if (t.offset.data()) detail::check_operand<const T>(ctx, where, "offset", t.offset, range.size());
    require(std::isfinite(t.weight) && t.weight >= 0, name, "weight must be finite and >= 0");
    require(std::isfinite(t.rho_scale) && t.rho_scale > 0, name, "rho_scale must be finite and > 0");
    // The group norm runs along the leading axis, which a range split by rows cuts across the
    // ranks (a slab's gradient keeps its components whole on each rank).
    require(!t.group || (t.op ? t.op.get().range_groups_local() : x_split == nullptr), name,
            "the group form is not supported on an operator whose range is split over ranks by rows");
    penalties::validate(t.phi);
  }
}

// ||A|| by 50 power iterations on A^T A from a fixed random start (1 for the identity); with x
// split (x_split) its norms run over the ranks, from each rank's block of the serial start.
template <class T>
double operator_norm(const Context& ctx, const CompositeTerm<T>& t, const Shape& domain,
                     const dist::Communicator* x_split) {
  if (!t.op) return 1;
  Array<T> v = Array<T>::from_host(ctx, domain, power_start<T>(domain.size(), 7, x_split)), w(ctx, domain);
  double sigma2 = 0;
  for (int it = 0; it < 50; ++it) {
    const double nv = solvers::split_norm2<T>(ctx, x_split, v.view());
    if (nv == 0) return 0;
    scale<T>(ctx, static_cast<T>(1 / nv), v.view(), v.view());
    t.op.normal(ctx, v.view(), w.view());
    sigma2 = solvers::split_norm2<T>(ctx, x_split, w.view());
    std::swap(v, w);
  }
  return std::sqrt(sigma2);
}

}  // namespace detail_composite
}  // namespace recon

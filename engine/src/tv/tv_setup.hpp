// What every TV solver shares: the gradient operator and its evaluators, the penalty
// dispatch, and the bookkeeping of the check iterations.
#pragma once

#include <cmath>
#include <type_traits>

#include "../solvers/iteration_log.hpp"
#include "recon/engine/tv.hpp"
#include "recon/kernels/vector_ops.hpp"
#include "tv_kernels.cuh"

namespace recon::tv {

// The penalties of MATH.md section 1, by their kind (losses and constraints are not TV penalties).
template <class F>
constexpr bool is_tv_penalty = F::kind == penalties::FunctionKind::Penalty;

// Calls body(f) with the concrete penalty struct; InvalidArgument for a loss or constraint.
// (The result type is named once, outside the visitor: clang 14's front end crashes on
// decltype(body(...)) as the visitor's own return type.)
template <class Body>
auto visit_tv_penalty(const penalties::Function& fn, Body&& body) {
  using Result = decltype(body(penalties::L1{}));
  return std::visit(
      [&](const auto& f) -> Result {
        using F = std::decay_t<decltype(f)>;
        if constexpr (is_tv_penalty<F>) {
          return body(f);
        } else {
          throw InvalidArgument(
              std::string("tv_denoise: '") + F::name +
              "' is not a TV penalty (expected one of l1, l0, lp, log, mcp, scad, capped-l1, "
              "capped-log, weep, huber, sq-l2)");
        }
      },
      fn);
}

template <class T>
struct Setup {
  Operator<T> op;  // D: shape -> (k, shape...)
  Grad<T> grad;
  bool iso = true;
  Shape shape, range;
  T lambda = 0;
  double norm_sq_bound = 4;  // ||D||^2 <= 4 k
};

template <class T>
Setup<T> make_setup(const Shape& shape, const TvProblem& problem) {
  Setup<T> s;
  s.op = gradient<T>(shape, problem.boundary);
  s.grad = gradient_geometry(*s.op.get().as_difference());
  s.iso = problem.norm == TvNorm::Isotropic;
  s.shape = shape;
  s.range = s.op.range();
  s.lambda = static_cast<T>(problem.lambda);
  s.norm_sq_bound = 4.0 * s.grad.k;
  return s;
}

template <class T, class F>
double objective(const Context& ctx, const Setup<T>& s, const F& f, const T* x, View<const T> u) {
  const View<const T> xv(x, s.shape, ctx.device());
  const double fit = distance2<T>(ctx, xv, u);
  return 0.5 * fit * fit + static_cast<double>(s.lambda) * penalty_sum(ctx, s.grad, s.iso, f, x);
}

inline double relative(double value, double scale) { return value / (scale > 1e-300 ? scale : 1e-300); }

}  // namespace recon::tv

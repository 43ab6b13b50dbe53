// expect_adjoint: the adjoint test <A x, y> = <x, A^T y> with ODL's diagnostics, for any
// operator on any backend. Reports the normalised error
//   |<A x, y> - <x, A^T y>| / (|A| |x| |y|)        (|A| from the power method)
// on random and structured pairs, and the fitted scale s = sum a_i b_i / sum b_i^2 with
// a_i = <A x_i, y_i>, b_i = <x_i, A^T y_i>, which exposes a missing factor (s != 1) that a
// small normalised error on random data could hide.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <ostream>
#include <string>
#include <vector>

#include "backends.hpp"
#include "recon/operators/operator.hpp"

namespace recon {
// gtest prints shapes as "(3, 4)" instead of their bytes.
inline void PrintTo(const Shape& s, std::ostream* os) { *os << s.str(); }
}  // namespace recon

namespace recon::testing {

// Required adjoint tolerance: 1e-6 relative in double, 1e-4 in float.
template <class T>
double adjoint_tol() {
  return sizeof(T) == 4 ? 1e-4 : 1e-6;
}

template <class T>
std::vector<T> apply_host(const Operator<T>& op, const Context& ctx, const std::vector<T>& x) {
  auto xa = Array<T>::from_host(ctx, op.domain(), x);
  Array<T> y(ctx, op.range());
  op.apply(ctx, xa, y);
  return y.to_host_vector();
}

template <class T>
std::vector<T> adjoint_host(const Operator<T>& op, const Context& ctx, const std::vector<T>& y) {
  auto ya = Array<T>::from_host(ctx, op.range(), y);
  Array<T> x(ctx, op.domain());
  op.adjoint(ctx, ya, x);
  return x.to_host_vector();
}

template <class T>
double dot_host(const std::vector<T>& a, const std::vector<T>& b) {
  long double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += static_cast<long double>(a[i]) * b[i];
  return static_cast<double>(s);
}

template <class T>
double norm_host(const std::vector<T>& a) {
  return std::sqrt(dot_host(a, a));
}

struct AdjointReport {
  double max_normalised_error = 0;
  double fitted_scale = 0;
};

template <class T>
AdjointReport adjoint_report(const Operator<T>& op, const Context& ctx, unsigned seed = 11) {
  const auto n = static_cast<std::size_t>(op.domain().size()),
             m = static_cast<std::size_t>(op.range().size());
  const double op_norm = op.norm_estimate(ctx, 30);
  std::vector<std::vector<T>> xs, ys;
  // Pair 1: independent random vectors. Pair 2: y = A x (a large inner product).
  // Pair 3: a smooth ramp against A ramp plus noise (structured input).
  xs.push_back(random_values<T>(n, seed));
  ys.push_back(random_values<T>(m, seed + 1));
  xs.push_back(random_values<T>(n, seed + 2));
  ys.push_back(apply_host(op, ctx, xs.back()));
  std::vector<T> ramp(n);
  for (std::size_t i = 0; i < n; ++i) ramp[i] = static_cast<T>(std::sin(0.05 * static_cast<double>(i)) + 0.5);
  auto y3 = apply_host(op, ctx, ramp);
  const auto noise = random_values<T>(m, seed + 3);
  for (std::size_t i = 0; i < m; ++i) y3[i] += noise[i];
  xs.push_back(ramp);
  ys.push_back(y3);

  AdjointReport r;
  double ab = 0, bb = 0;
  for (std::size_t k = 0; k < xs.size(); ++k) {
    const double a = dot_host(apply_host(op, ctx, xs[k]), ys[k]);
    const double b = dot_host(xs[k], adjoint_host(op, ctx, ys[k]));
    const double denom = op_norm * norm_host(xs[k]) * norm_host(ys[k]);
    const double err = denom > 0 ? std::fabs(a - b) / denom : std::fabs(a - b);
    r.max_normalised_error = std::max(r.max_normalised_error, err);
    ab += a * b;
    bb += b * b;
  }
  r.fitted_scale = bb > 0 ? ab / bb : 1.0;
  return r;
}

template <class T>
void expect_adjoint(const Operator<T>& op, const Context& ctx, const std::string& what = "") {
  const AdjointReport r = adjoint_report(op, ctx);
  EXPECT_LT(r.max_normalised_error, adjoint_tol<T>())
      << op.name() << " " << what << " on " << op.domain().str();
  EXPECT_NEAR(r.fitted_scale, 1.0, adjoint_tol<T>())
      << op.name() << " " << what << " on " << op.domain().str();
}

}  // namespace recon::testing

// Helpers shared by the CT tests: the adjoint check (DESIGN.md section 8: normalised error
// |<Ax, y> - <x, A^T y>| / (|Ax| |y|) and the fitted scale <x, A^T y> / <Ax, y>, which catches
// a wrongly scaled adjoint) and a few test geometries.
#pragma once

#include <cmath>
#include <vector>

#include "backends.hpp"
#include "recon/kernels/vector_ops.hpp"
#include "recon/operators/linear_operator.hpp"

namespace recon::testing {

struct AdjointResult {
  double error = 0;  // normalised
  double scale = 0;  // fitted; 1 for an exact adjoint
};

template <class T>
AdjointResult adjoint_check(const LinearOperator<T>& op, const Context& ctx, unsigned seed) {
  const auto x = Array<T>::from_host(ctx, op.domain(), random_values<T>(op.domain().size(), seed));
  const auto y = Array<T>::from_host(ctx, op.range(), random_values<T>(op.range().size(), seed + 1));
  Array<T> ax(ctx, op.range()), aty(ctx, op.domain());
  op.apply(ctx, x.view(), ax.view());
  op.adjoint(ctx, y.view(), aty.view());
  const double lhs = dot<T>(ctx, ax.view(), y.view()), rhs = dot<T>(ctx, x.view(), aty.view());
  const double denom = norm2<T>(ctx, ax.view()) * norm2<T>(ctx, y.view());
  return {std::fabs(lhs - rhs) / denom, rhs / lhs};
}

template <class T>
void expect_adjoint(const LinearOperator<T>& op, const Context& ctx) {
  const double tol = sizeof(T) == 4 ? 1e-4 : 1e-10;  // 1e-6 is required in double; the pair is exact
  for (unsigned seed : {11u, 12u}) {
    const AdjointResult r = adjoint_check(op, ctx, seed);
    EXPECT_LT(r.error, tol) << op.name() << " seed " << seed;
    EXPECT_NEAR(r.scale, 1.0, 1e-4) << op.name() << " seed " << seed;
  }
}

}  // namespace recon::testing

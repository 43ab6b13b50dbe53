// stencil_pass_pair: the host's one sweep (each row's first body, then its second; blocks of
// rows per thread, each deferring its first rows' second body) gives exactly what two full
// passes give, for a pair shaped like PDHG's steps (the first reads ahead and writes p, the
// second reads p behind and overwrites what the first reads), on shapes above the parallel
// threshold, with several thread counts and every axis layout the operators use.
#include <gtest/gtest.h>

#include <vector>

#include "recon/operators/difference_stencil.hpp"
#include "recon/operators/operators.hpp"

namespace recon::testing {
namespace {

// p = p / 2 + D xbar (reads xbar at and ahead of i, p at i).
struct ForwardBody {
  const float* xbar;
  float* p;
  index_t n;
  RECON_HD void operator()(index_t i, const PixelStencil<float>& at) const {
    for (int c = 0; c < at.k; ++c) p[c * n + i] = p[c * n + i] / 2 + at.d(xbar, c);
  }
};

// x = x - D^T p / 4; xbar = 2 x - xbar (reads p at and behind i, overwrites xbar at i).
struct BackwardBody {
  const float* p;
  float* x;
  float* xbar;
  RECON_HD void operator()(index_t i, const PixelStencil<float>& at) const {
    const float xn = x[i] - at.dt(p) / 4;
    xbar[i] = 2 * xn - xbar[i];
    x[i] = xn;
  }
};

std::vector<float> pattern(index_t n, unsigned salt) {
  std::vector<float> v(n);
  for (index_t i = 0; i < n; ++i) v[i] = static_cast<float>((i * 2654435761u + salt) % 1000u) / 100.0f;
  return v;
}

void expect_pair_equals_two_passes(const Operator<float>& op, int threads) {
  const Context ctx = Context::host(threads);
  const DifferenceOperator<float>* diff = op.get().as_difference();
  ASSERT_NE(diff, nullptr);
  const GradientGeometry<float> g = gradient_geometry(*diff);
  const index_t n = g.size;
  std::vector<float> p0 = pattern(g.k * n, 1), x0 = pattern(n, 2), xbar0 = pattern(n, 3);
  std::vector<float> p1 = p0, x1 = x0, xbar1 = xbar0;
  stencil_pass(ctx, g, ForwardBody{xbar0.data(), p0.data(), n});
  stencil_pass(ctx, g, BackwardBody{p0.data(), x0.data(), xbar0.data()});
  stencil_pass_pair(ctx, g, ForwardBody{xbar1.data(), p1.data(), n},
                    BackwardBody{p1.data(), x1.data(), xbar1.data()});
  const std::string where = op.get().domain().str() + ", " + std::to_string(threads) + " threads";
  EXPECT_EQ(p1, p0) << where;
  EXPECT_EQ(x1, x0) << where;
  EXPECT_EQ(xbar1, xbar0) << where;
}

TEST(StencilPassPair, EqualsTwoPassesOnEveryLayout) {
  for (int threads : {1, 2, 3, 7}) {
    expect_pair_equals_two_passes(gradient<float>(Shape{300, 257}, Boundary::Neumann), threads);
    expect_pair_equals_two_passes(gradient<float>(Shape{301, 256}, Boundary::Periodic), threads);
    expect_pair_equals_two_passes(gradient<float>(Shape{41, 37, 45}, Boundary::Neumann), threads);
    expect_pair_equals_two_passes(gradient<float>(Shape{41, 37, 45}, Boundary::Periodic, {2, 0}), threads);
    expect_pair_equals_two_passes(finite_difference<float>(Shape{70001}, 0, Boundary::Neumann), threads);
    expect_pair_equals_two_passes(finite_difference<float>(Shape{9, 40, 13, 17}, 1, Boundary::Periodic),
                                  threads);
    // Fewer rows than twice the reach per thread: fewer blocks.
    expect_pair_equals_two_passes(gradient<float>(Shape{3, 150, 160}, Boundary::Neumann), threads);
  }
}

// The gradient's apply and adjoint store through streaming stores on large images with long rows
// (stream_stencil_stores); they must give what plain stores give, bit for bit, on rows whose
// starts fall at every 16-byte phase (4097 floats per row) and with both boundaries.
struct PlainDifference {
  const float* x;
  float* y;
  index_t n;
  RECON_HD void operator()(index_t i, const PixelStencil<float>& at) const {
    for (int c = 0; c < at.k; ++c) y[c * n + i] = at.d(x, c);
  }
};
struct PlainDivergence {
  const float* y;
  float* x;
  RECON_HD void operator()(index_t i, const PixelStencil<float>& at) const { x[i] = at.dt(y); }
};

TEST(StreamingStores, GradientEqualsPlainStores) {
  for (const Boundary b : {Boundary::Neumann, Boundary::Periodic}) {
    const Context ctx = Context::host(2);
    const auto op = gradient<float>(Shape{4100, 4097}, b);
    const GradientGeometry<float> g = gradient_geometry(*op.get().as_difference());
    ASSERT_TRUE(stream_stencil_stores(ctx, g)) << "the image must take the streaming path";
    const index_t n = g.size;
    const auto x = Array<float>::from_host(ctx, Shape{n}, pattern(n, 5));
    const auto y = Array<float>::from_host(ctx, Shape{2 * n}, pattern(2 * n, 6));
    Array<float> dx(ctx, op.range()), dty(ctx, op.domain());
    op.apply(ctx, x.cview().reshaped(op.domain()), dx);
    op.adjoint(ctx, y.cview().reshaped(op.range()), dty);
    std::vector<float> plain_dx(2 * n), plain_dty(n);
    stencil_pass(ctx, g, PlainDifference{x.data(), plain_dx.data(), n});
    stencil_pass(ctx, g, PlainDivergence{y.data(), plain_dty.data()});
    EXPECT_TRUE(dx.to_host_vector() == plain_dx);
    EXPECT_TRUE(dty.to_host_vector() == plain_dty);
  }
  EXPECT_FALSE(stream_stencil_stores(
      Context::host(),
      gradient_geometry(*gradient<float>(Shape{2048, 2048}, Boundary::Neumann).get().as_difference())));
}

}  // namespace
}  // namespace recon::testing

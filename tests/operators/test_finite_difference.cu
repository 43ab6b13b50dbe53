// Finite differences and gradients: adjoint test for every boundary on 1D/2D/3D odd and even
// shapes, values against a direct loop, and the spectral normal_inverse checked by applying
// (D^T D + lambda I) to its result.
#include <gtest/gtest.h>

#include "adjoint.hpp"
#include "recon/operators/operators.hpp"
// Internal: the device's spectral algorithm, run here on the host's FFTW.
#include "../../operators/src/laplacian_solve.hpp"

namespace recon::testing {
namespace {

template <class B>
using DifferenceTest = BackendTest<B>;
TYPED_TEST_SUITE(DifferenceTest, AllBackends, BackendName);

const Shape kShapes[] = {Shape{1},    Shape{2},    Shape{7},       Shape{8},
                         Shape{5, 6}, Shape{4, 7}, Shape{3, 4, 5}, Shape{4, 4, 2}};
const Boundary kBoundaries[] = {Boundary::Neumann, Boundary::Periodic};

std::string label(Boundary b) { return b == Boundary::Periodic ? "periodic" : "neumann"; }

TYPED_TEST(DifferenceTest, AdjointOfEveryAxisAndBoundary) {
  using T = typename TypeParam::value_type;
  for (const Shape& s : kShapes)
    for (Boundary b : kBoundaries) {
      for (int a = 0; a < s.ndim(); ++a) expect_adjoint(finite_difference<T>(s, a, b), this->ctx(), label(b));
      expect_adjoint(gradient<T>(s, b), this->ctx(), label(b));
    }
  expect_adjoint(gradient<T>(Shape{3, 4, 5}, Boundary::Neumann, {2, 0}), this->ctx(), "axes {2, 0}");
  for (int a = 0; a < 4; ++a)
    expect_adjoint(finite_difference<T>(Shape{2, 3, 4, 3}, a, Boundary::Periodic), this->ctx(), "4D");
}

// Direct loop over the multi-index, in long double.
template <class T>
std::vector<T> reference_gradient(const Shape& s, const std::vector<int>& axes, Boundary b,
                                  const std::vector<T>& x) {
  const index_t n = s.size();
  std::vector<T> y(axes.size() * static_cast<std::size_t>(n));
  for (std::size_t c = 0; c < axes.size(); ++c) {
    index_t stride = 1;
    for (int a = axes[c] + 1; a < s.ndim(); ++a) stride *= s[a];
    const index_t len = s[axes[c]];
    for (index_t i = 0; i < n; ++i) {
      const index_t j = (i / stride) % len;
      long double v = 0;
      if (j + 1 < len)
        v = static_cast<long double>(x[i + stride]) - x[i];
      else if (b == Boundary::Periodic)
        v = static_cast<long double>(x[i - j * stride]) - x[i];
      y[c * n + i] = static_cast<T>(v);
    }
  }
  return y;
}

TYPED_TEST(DifferenceTest, MatchesDirectLoop) {
  using T = typename TypeParam::value_type;
  const Shape s{3, 4, 5};
  const auto x = random_values<T>(s.size(), 3);
  for (Boundary b : kBoundaries) {
    EXPECT_EQ(apply_host(gradient<T>(s, b), this->ctx(), x), reference_gradient(s, {0, 1, 2}, b, x));
    EXPECT_EQ(apply_host(finite_difference<T>(s, 1, b), this->ctx(), x), reference_gradient(s, {1}, b, x));
    EXPECT_EQ(apply_host(gradient<T>(s, b, {2, 0}), this->ctx(), x), reference_gradient(s, {2, 0}, b, x));
    const Shape s4{2, 3, 4, 3};
    const auto x4 = random_values<T>(s4.size(), 4);
    EXPECT_EQ(apply_host(finite_difference<T>(s4, 1, b), this->ctx(), x4),
              reference_gradient(s4, {1}, b, x4));
  }
  const auto g = apply_host(finite_difference<T>(Shape{4}, 0, Boundary::Neumann), this->ctx(),
                            std::vector<T>{1, 3, 6, 10});
  EXPECT_EQ(g, (std::vector<T>{2, 3, 4, 0}));
}

// ||(D^T D + lambda I) x - b|| / ||b|| for x = solve(b) (normal_inverse by default).
template <class T, class Solve>
double solve_residual(const Operator<T>& d, const Context& ctx, T lambda, unsigned seed, Solve solve) {
  const auto bv = random_values<T>(static_cast<std::size_t>(d.domain().size()), seed);
  auto b = Array<T>::from_host(ctx, d.domain(), bv);
  Array<T> x(ctx, d.domain()), dtdx(ctx, d.domain());
  solve(b, x);
  d.normal(ctx, x, dtdx);
  const auto xv = x.to_host_vector(), nv = dtdx.to_host_vector();
  std::vector<double> r(bv.size());
  for (std::size_t i = 0; i < bv.size(); ++i)
    r[i] = static_cast<double>(nv[i]) + static_cast<double>(lambda) * xv[i] - static_cast<double>(bv[i]);
  return norm_host(r) / norm_host(bv);
}

template <class T>
double solve_residual(const Operator<T>& d, const Context& ctx, T lambda, unsigned seed) {
  return solve_residual(d, ctx, lambda, seed,
                        [&](const Array<T>& b, Array<T>& x) { d.normal_inverse(ctx, lambda, b, x); });
}

// The same system solved by the device's algorithm (mirrored extension + r2c FFT).
template <class T>
double fft_path_residual(const Operator<T>& d, const std::vector<int>& axes, Boundary bc, const Context& ctx,
                         T lambda) {
  const auto grid = detail::laplacian_grid(d.domain(), axes, bc == Boundary::Periodic);
  Array<T> ext(ctx, grid.extended), spec(ctx, detail::laplacian_spectrum_shape(grid));
  return solve_residual(d, ctx, lambda, 8, [&](const Array<T>& b, Array<T>& x) {
    detail::laplacian_solve_fft(ctx, grid, lambda, b.data(), x.data(), ext.data(), spec.data());
  });
}

TYPED_TEST(DifferenceTest, NormalInverseSolvesTheSystem) {
  using T = typename TypeParam::value_type;
  // The system's condition number is about (4 ndim + lambda) / lambda; float keeps ~1e-6 of it.
  const double tol = sizeof(T) == 4 ? 2e-4 : 1e-9;
  const Shape shapes[] = {Shape{1},    Shape{9},       Shape{16},     Shape{5, 6},
                          Shape{7, 7}, Shape{3, 4, 5}, Shape{4, 6, 2}};
  for (const Shape& s : shapes)
    for (Boundary b : kBoundaries)
      for (T lambda : {T(0.05), T(2)}) {
        EXPECT_LT(solve_residual(gradient<T>(s, b), this->ctx(), lambda, 5), tol)
            << s.str() << " " << label(b) << " lambda " << lambda;
        EXPECT_LT(solve_residual(finite_difference<T>(s, s.ndim() - 1, b), this->ctx(), lambda, 6), tol)
            << s.str() << " " << label(b) << " lambda " << lambda;
      }
  EXPECT_LT(solve_residual(gradient<T>(Shape{5, 4, 6}, Boundary::Neumann, {0, 2}), this->ctx(), T(0.3), 7),
            tol);
}

TYPED_TEST(DifferenceTest, DeviceSpectralPathSolvesTheSystem) {
  using T = typename TypeParam::value_type;
  const double tol = sizeof(T) == 4 ? 2e-4 : 1e-9;
  for (const Shape& s : {Shape{9}, Shape{5, 6}, Shape{3, 4, 5}})
    for (Boundary b : kBoundaries) {
      std::vector<int> all;
      for (int a = 0; a < s.ndim(); ++a) all.push_back(a);
      EXPECT_LT(fft_path_residual(gradient<T>(s, b), all, b, this->ctx(), T(0.1)), tol)
          << s.str() << " " << label(b);
      const int last = s.ndim() - 1;
      EXPECT_LT(fft_path_residual(finite_difference<T>(s, last, b), {last}, b, this->ctx(), T(0.1)), tol)
          << s.str();
    }
}

TYPED_TEST(DifferenceTest, TvAdmmUpdateForm) {
  // (I + rho D^T D) x = r  <=>  (D^T D + I/rho) x = r/rho
  using T = typename TypeParam::value_type;
  const Shape s{6, 5};
  const T rho = T(4);
  const auto d = gradient<T>(s, Boundary::Neumann);
  const auto rv = random_values<T>(s.size(), 9);
  std::vector<T> scaled_r(rv);
  for (auto& v : scaled_r) v /= rho;
  auto r = Array<T>::from_host(this->ctx(), s, scaled_r);
  Array<T> x(this->ctx(), s), dtdx(this->ctx(), s);
  d.normal_inverse(this->ctx(), T(1) / rho, r, x);
  d.normal(this->ctx(), x, dtdx);
  const auto xv = x.to_host_vector(), nv = dtdx.to_host_vector();
  for (std::size_t i = 0; i < rv.size(); ++i)
    EXPECT_NEAR(xv[i] + rho * nv[i], rv[i], sizeof(T) == 4 ? 1e-4 : 1e-10);
}

TEST(DifferenceErrors, RejectsBadAxesAndParameters) {
  EXPECT_THROW(finite_difference<float>(Shape{4, 4}, 2), InvalidArgument);
  EXPECT_THROW(finite_difference<float>(Shape{4, 4}, -1), InvalidArgument);
  EXPECT_THROW(gradient<float>(Shape{4, 4}, Boundary::Neumann, {1, 1}), InvalidArgument);
  EXPECT_THROW(gradient<float>(Shape{2, 2, 2, 2}), InvalidArgument);
  EXPECT_THROW(gradient<float>(Shape{0, 3}), InvalidArgument);
  const Context ctx = Context::host();
  const auto d = gradient<double>(Shape{4, 4});
  Array<double> b(ctx, Shape{4, 4}), x(ctx, Shape{4, 4}), wrong(ctx, Shape{4, 5});
  fill<double>(ctx, b, 1.0);
  EXPECT_THROW(d.normal_inverse(ctx, 0.0, b, x), InvalidArgument);
  EXPECT_THROW(d.normal_inverse(ctx, -1.0, b, x), InvalidArgument);
  EXPECT_THROW(d.apply(ctx, wrong, x), ShapeMismatch);
  try {
    d.apply(ctx, b, x);
    FAIL() << "a gradient accepted the domain shape as its range";
  } catch (const ShapeMismatch& e) {
    EXPECT_STREQ(e.what(), "Gradient.apply: output has shape (4, 4), expected (2, 4, 4)");
  }
}

}  // namespace
}  // namespace recon::testing

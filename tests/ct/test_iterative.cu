// SIRT and CGLS on small consistent CT problems: the residual goes to tolerance, SIRT keeps
// x >= 0 when asked, and CGLS agrees with a dense least-squares solve (normal equations by
// Cholesky on the explicit matrix of the projector).
#include <gtest/gtest.h>

#include <cmath>

#include "backends.hpp"
#include "recon/datasets/phantoms.hpp"
#include "recon/engine/ct/cgls.hpp"
#include "recon/engine/ct/sirt.hpp"
#include "recon/operators/ct/projector.hpp"

namespace recon::testing {
namespace {

template <class B>
class CtIterative : public BackendTest<B> {};
TYPED_TEST_SUITE(CtIterative, AllBackends, BackendName);

// A small overdetermined fan-beam problem with exact data y = A x_true.
template <class T>
struct Problem {
  ct::Geometry g{ct::volume2d(20, 20), ct::fan2d(32, 1.2, ct::uniform_angles(40, 0, 2 * M_PI), 60, 30)};
  Operator<T> a = ct::joseph_projector<T>(g);
  std::vector<double> truth = datasets::rasterize(g.volume, datasets::shepp_logan(g.volume), 2);
  Array<T> xt, y, x;  // truth, data A x_true, zero start
  explicit Problem(const Context& ctx)
      : xt(Array<T>::from_host(ctx, a.domain(), std::vector<T>(truth.begin(), truth.end()))),
        y(ctx, a.range()),
        x(ctx, a.domain()) {
    a.apply(ctx, xt.view(), y.view());
    fill<T>(ctx, x.view(), T(0));
  }
};

TYPED_TEST(CtIterative, SirtReachesToleranceAndStaysNonNegative) {
  using T = typename TypeParam::value_type;
  const Context& ctx = this->ctx();
  Problem<T> pb(ctx);
  Array<T>& y = pb.y;
  Array<T>& x = pb.x;
  std::vector<double> residuals;
  ct::SirtOptions opt;
  opt.max_iters = 3000;
  opt.rel_tol = 1e-3;
  opt.nonneg = true;
  const SolveReport rep = ct::sirt<T>(ctx, pb.a, y.view(), x.view(), opt, [&](const IterationInfo& it) {
    residuals.push_back(it.primal_residual);
    return true;
  });
  EXPECT_TRUE(rep.converged()) << "after " << rep.iterations << " iterations, residual "
                               << rep.last.primal_residual;
  EXPECT_LE(rep.last.primal_residual, 1e-3 * norm2<T>(ctx, y.view()) * (1 + 1e-9));
  ASSERT_GT(residuals.size(), 10u);
  EXPECT_LT(residuals.back(), 0.05 * residuals.front());
  for (T v : x.to_host_vector()) EXPECT_GE(v, T(0));
}

TYPED_TEST(CtIterative, CglsReachesTolerance) {
  using T = typename TypeParam::value_type;
  const Context& ctx = this->ctx();
  Problem<T> pb(ctx);
  Array<T>& y = pb.y;
  Array<T>& x = pb.x;
  const Array<T>& xt = pb.xt;
  ct::CglsOptions opt;
  opt.max_iters = 400;
  opt.rel_tol = sizeof(T) == 4 ? 1e-4 : 1e-8;
  const SolveReport rep = ct::cgls<T>(ctx, pb.a, y.view(), x.view(), opt);
  EXPECT_TRUE(rep.converged()) << rep.iterations << " iterations, gradient " << rep.last.primal_residual;
  // Consistent, overdetermined and (numerically) full rank: the solution is x_true.
  EXPECT_LT(distance2<T>(ctx, x.view(), xt.view()) / norm2<T>(ctx, xt.view()), sizeof(T) == 4 ? 2e-2 : 1e-4);
}

// Dense least squares on the explicit matrix: Cholesky of A^T A.
std::vector<double> dense_least_squares(const Operator<double>& a, const Context& ctx,
                                        const std::vector<double>& y) {
  const index_t n = a.domain().size(), m = a.range().size();
  std::vector<double> cols(static_cast<size_t>(n * m));  // column j at j*m
  Array<double> e(ctx, a.domain()), col(ctx, a.range());
  for (index_t j = 0; j < n; ++j) {
    std::vector<double> unit(static_cast<size_t>(n), 0.0);
    unit[static_cast<size_t>(j)] = 1;
    e = Array<double>::from_host(ctx, a.domain(), unit);
    a.apply(ctx, e.view(), col.view());
    const auto c = col.to_host_vector();
    std::copy(c.begin(), c.end(), cols.begin() + j * m);
  }
  std::vector<double> ata(static_cast<size_t>(n * n)), aty(static_cast<size_t>(n));
  for (index_t i = 0; i < n; ++i) {
    for (index_t j = 0; j < n; ++j) {
      double s = 0;
      for (index_t k = 0; k < m; ++k) s += cols[i * m + k] * cols[j * m + k];
      ata[i * n + j] = s;
    }
    double s = 0;
    for (index_t k = 0; k < m; ++k) s += cols[i * m + k] * y[static_cast<size_t>(k)];
    aty[i] = s;
  }
  for (index_t j = 0; j < n; ++j) {  // in-place Cholesky, lower triangle
    for (index_t k = 0; k < j; ++k) ata[j * n + j] -= ata[j * n + k] * ata[j * n + k];
    const double d = std::sqrt(ata[j * n + j]);
    ata[j * n + j] = d;
    for (index_t i = j + 1; i < n; ++i) {
      for (index_t k = 0; k < j; ++k) ata[i * n + j] -= ata[i * n + k] * ata[j * n + k];
      ata[i * n + j] /= d;
    }
  }
  for (index_t i = 0; i < n; ++i) {  // L z = A^T y
    for (index_t k = 0; k < i; ++k) aty[i] -= ata[i * n + k] * aty[k];
    aty[i] /= ata[i * n + i];
  }
  for (index_t i = n - 1; i >= 0; --i) {  // L^T x = z
    for (index_t k = i + 1; k < n; ++k) aty[i] -= ata[k * n + i] * aty[k];
    aty[i] /= ata[i * n + i];
  }
  return aty;
}

TEST(CtIterativeHost, CglsMatchesDenseLeastSquares) {
  const Context ctx = Context::host();
  // Inconsistent data (random y): the least-squares solution is not an exact fit.
  const Operator<double> a = ct::joseph_projector<double>(
      {ct::volume2d(7, 8), ct::parallel2d(13, 0.9, ct::uniform_angles(17, 0, M_PI), 0.3)});
  const std::vector<double> yv = random_values<double>(static_cast<size_t>(a.range().size()), 5, 0, 1);
  const std::vector<double> reference = dense_least_squares(a, ctx, yv);
  const auto y = Array<double>::from_host(ctx, a.range(), yv);
  Array<double> x(ctx, a.domain());
  fill<double>(ctx, x.view(), 0.0);
  ct::CglsOptions opt;
  opt.max_iters = 500;
  opt.rel_tol = 1e-12;
  ASSERT_TRUE(ct::cgls<double>(ctx, a, y.view(), x.view(), opt).converged());
  const std::vector<double> got = x.to_host_vector();
  double err = 0, ref = 0;
  for (size_t i = 0; i < got.size(); ++i)
    err += (got[i] - reference[i]) * (got[i] - reference[i]), ref += reference[i] * reference[i];
  EXPECT_LT(std::sqrt(err / ref), 1e-8);
}

TEST(CtIterativeHost, RejectsBadOptions) {
  const Context ctx = Context::host();
  const Operator<double> a = ct::joseph_projector<double>(
      {ct::volume2d(4, 4), ct::parallel2d(6, 1, ct::uniform_angles(5, 0, M_PI))});
  Array<double> y(ctx, a.range()), x(ctx, a.domain());
  ct::SirtOptions bad;
  bad.relaxation = 2.5;
  EXPECT_THROW(ct::sirt<double>(ctx, a, y.view(), x.view(), bad), InvalidArgument);
  ct::CglsOptions neg;
  neg.max_iters = -1;
  EXPECT_THROW(ct::cgls<double>(ctx, a, y.view(), x.view(), neg), InvalidArgument);
}

}  // namespace
}  // namespace recon::testing

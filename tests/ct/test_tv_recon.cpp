// Regularised CT reconstruction (engine/include/recon/engine/ct/tv_recon.hpp): sparse-view TV
// beats least squares by a stated margin, ADMM and PDHG reach the same minimiser, a robust loss
// resists corrupted rays, and bad problems fail before iterating.
#include <gtest/gtest.h>

#include <cmath>

#include "backends.hpp"
#include "recon/engine/ct/cgls.hpp"
#include "recon/engine/ct/tv_recon.hpp"
#include "recon/engine/metrics.hpp"
#include "recon/operators/ct/phantom.hpp"
#include "recon/operators/ct/projector.hpp"

namespace recon::testing {
namespace {

template <class B>
class CtTvRecon : public BackendTest<B> {};
TYPED_TEST_SUITE(CtTvRecon, AllBackends, BackendName);

// 32 x 32 Shepp-Logan (values in [0, 1]), parallel beam with `views` views over 180 degrees.
template <class T>
struct SparseView {
  ct::Geometry g;
  ct::JosephProjector<T> a;
  std::vector<double> truth;
  Array<T> xt, y, x;
  SparseView(const Context& ctx, index_t views)
      : g{ct::volume2d(32, 32), ct::parallel2d(46, 1.0, ct::uniform_angles(views, 0, M_PI))},
        a(g),
        truth(ct::rasterize(g.volume, ct::shepp_logan(g.volume), 2)),
        xt(Array<T>::from_host(ctx, a.domain(), std::vector<T>(truth.begin(), truth.end()))),
        y(ctx, a.range()),
        x(ctx, a.domain()) {
    a.apply(ctx, xt.view(), y.view());
    fill<T>(ctx, x.view(), T(0));
  }
  double psnr_of(const Context& ctx, const Array<T>& r) const { return psnr<T>(ctx, xt.view(), r.view(), 1.0); }
};

// 8 views of a 32^2 image (256 rays for 1024 unknowns): TV + non-negativity recovers the
// piecewise-constant phantom far better than the minimum-norm least-squares solution.
TYPED_TEST(CtTvRecon, SparseViewTvBeatsLeastSquaresByTenDecibels) {
  using T = typename TypeParam::value_type;
  const Context& ctx = this->ctx();
  SparseView<T> pb(ctx, 8);
  Array<T> x_ls(ctx, pb.a.domain());
  fill<T>(ctx, x_ls.view(), T(0));
  ct::CglsOptions co;
  co.max_iters = 200;
  ct::cgls<T>(ctx, pb.a, pb.y.view(), x_ls.view(), co);

  ct::TvReconProblem p;
  p.lambda = 1e-3;
  ct::TvReconOptions o;
  o.max_iters = 1000;
  o.tol = 1e-5;
  o.cg_max_iters = 20;
  ct::tv_reconstruct<T>(ctx, pb.a, pb.y.view(), pb.x.view(), p, o);
  const double tv_db = pb.psnr_of(ctx, pb.x), ls_db = pb.psnr_of(ctx, x_ls);
  EXPECT_GT(tv_db, ls_db + 10) << "TV " << tv_db << " dB, least squares " << ls_db << " dB";
  for (T v : pb.x.to_host_vector()) EXPECT_GE(v, T(0));  // projected at the end
}

// Two different algorithms, one convex problem (l2 loss, isotropic l1-TV, x >= 0): same minimiser.
TYPED_TEST(CtTvRecon, AdmmAndPdhgReachTheSameMinimiser) {
  using T = typename TypeParam::value_type;
  if (sizeof(T) == 4) GTEST_SKIP() << "double only: PDHG needs many iterations to reach 1e-3";
  const Context& ctx = this->ctx();
  SparseView<T> pb(ctx, 12);
  ct::TvReconProblem p;
  p.lambda = 0.05;
  ct::TvReconOptions o;
  o.max_iters = 3000;
  o.tol = 1e-7;
  o.cg_max_iters = 50;
  const SolveReport ra = ct::tv_reconstruct<T>(ctx, pb.a, pb.y.view(), pb.x.view(), p, o);
  EXPECT_TRUE(ra.converged()) << to_string(ra.reason);
  Array<T> x_pdhg(ctx, pb.a.domain());
  fill<T>(ctx, x_pdhg.view(), T(0));
  o.solver = ct::TvReconSolver::Pdhg;
  o.max_iters = 40000;
  o.tol = 1e-8;
  o.check_every = 50;
  ct::tv_reconstruct<T>(ctx, pb.a, pb.y.view(), x_pdhg.view(), p, o);
  EXPECT_LT(distance2<T>(ctx, pb.x.view(), x_pdhg.view()) / norm2<T>(ctx, pb.x.view()), 1e-3);
  const double fa = ct::tv_recon_objective<T>(ctx, pb.a, pb.y.view(), pb.x.view(), p);
  ct::TvReconProblem relaxed = p;
  relaxed.nonneg = false;  // PDHG's x is feasible only in the limit
  EXPECT_NEAR(ct::tv_recon_objective<T>(ctx, pb.a, pb.y.view(), x_pdhg.view(), relaxed), fa, 1e-3 * fa);
}

// A tenth of the rays corrupted by large positive errors (detector defects): the Cauchy loss
// keeps the reconstruction close to the phantom, the l2 loss does not.
TYPED_TEST(CtTvRecon, CauchyLossResistsCorruptedRays) {
  using T = typename TypeParam::value_type;
  const Context& ctx = this->ctx();
  SparseView<T> pb(ctx, 30);
  auto yv = pb.y.to_host_vector();
  for (std::size_t i = 0; i < yv.size(); i += 10) yv[i] += T(20);
  const Array<T> y_bad = Array<T>::from_host(ctx, pb.a.range(), yv);

  ct::TvReconProblem p;
  p.lambda = 0.02;
  ct::TvReconOptions o;
  o.max_iters = 300;
  o.tol = 1e-5;
  o.cg_max_iters = 20;
  Array<T> x_l2(ctx, pb.a.domain());
  fill<T>(ctx, x_l2.view(), T(0));
  ct::tv_reconstruct<T>(ctx, pb.a, y_bad.view(), x_l2.view(), p, o);
  p.loss = penalties::make_function("cauchy", {{"delta", 0.5}});
  ct::tv_reconstruct<T>(ctx, pb.a, y_bad.view(), pb.x.view(), p, o);
  const double cauchy_db = pb.psnr_of(ctx, pb.x), l2_db = pb.psnr_of(ctx, x_l2);
  EXPECT_GT(cauchy_db, l2_db + 6) << "Cauchy " << cauchy_db << " dB, l2 " << l2_db << " dB";
}

TEST(CtTvReconErrors, BadProblemsFailBeforeIterating) {
  const Context ctx = Context::host();
  SparseView<double> pb(ctx, 4);
  Array<double> wrong(ctx, Shape{3, 46});
  EXPECT_THROW(ct::tv_reconstruct<double>(ctx, pb.a, wrong.view(), pb.x.view(), {}), ShapeMismatch);
  ct::TvReconProblem negative;
  negative.lambda = -1;
  EXPECT_THROW(ct::tv_reconstruct<double>(ctx, pb.a, pb.y.view(), pb.x.view(), negative), InvalidArgument);
  ct::TvReconProblem nonconvex;
  nonconvex.penalty = penalties::make_function("mcp", {{"mu", 0.1}, {"theta", 3}});
  ct::TvReconOptions pdhg;
  pdhg.solver = ct::TvReconSolver::Pdhg;
  EXPECT_THROW(ct::tv_reconstruct<double>(ctx, pb.a, pb.y.view(), pb.x.view(), nonconvex, pdhg), InvalidArgument);
  EXPECT_THROW(ct::parse_tv_recon_solver("apgm"), InvalidArgument);
}

}  // namespace
}  // namespace recon::testing

// JosephProjector: exact adjoint pair on every geometry family and backend, line integrals of
// uniform objects against analytic chord lengths, > 16384 views on a 2048^2 grid,
// the host's A^T for any thread count, and host/device parity (with a GPU).
#include <gtest/gtest.h>

#include <cmath>

#include "backends.hpp"
#include "ct_geometries.hpp"
#include "ct_support.hpp"
#include "recon/datasets/phantoms.hpp"
#include "recon/operators/ct/projector.hpp"

namespace recon::testing {
namespace {

template <class B>
class CtProjector : public BackendTest<B> {};
TYPED_TEST_SUITE(CtProjector, AllBackends, BackendName);

TYPED_TEST(CtProjector, AdjointOnEveryGeometry) {
  using T = typename TypeParam::value_type;
  for (const auto& [name, g] : ct_test_geometries()) {
    SCOPED_TRACE(name);
    expect_adjoint(ct::JosephProjector<T>(g), this->ctx());
  }
}

// The gather form of A^T sums the scatter form's weights per voxel in another order: equal to
// rounding on every geometry family, with every visiting ray found (y is positive everywhere,
// so a ray missed at the edge of a voxel's footprint shows), and an adjoint pair with A.
TYPED_TEST(CtProjector, GatherAdjointEqualsScatter) {
  using T = typename TypeParam::value_type;
  const double tol = sizeof(T) == 4 ? 2e-6 : 1e-14;
  for (const auto& [name, g] : ct_test_geometries()) {
    SCOPED_TRACE(name);
    const ct::JosephProjector<T> gather(g, ct::JosephAdjoint::Gather), scatter(g, ct::JosephAdjoint::Scatter);
    expect_adjoint(gather, this->ctx());
    const auto y = Array<T>::from_host(this->ctx(), gather.range(),
                                       random_values<T>(gather.range().size(), 7, T(0.5), T(1)));
    Array<T> a(this->ctx(), gather.domain()), b(this->ctx(), gather.domain());
    gather.adjoint(this->ctx(), y.view(), a.view());
    scatter.adjoint(this->ctx(), y.view(), b.view());
    const std::vector<T> va = a.to_host_vector(), vb = b.to_host_vector();
    double peak = 0, diff = 0;
    for (size_t i = 0; i < va.size(); ++i) {
      peak = std::max(peak, std::fabs(static_cast<double>(vb[i])));
      diff = std::max(diff, std::fabs(static_cast<double>(va[i]) - static_cast<double>(vb[i])));
    }
    EXPECT_GT(peak, 0.0);
    EXPECT_LE(diff, tol * peak);
  }
}

// Projects the sampled phantom and compares with the exact line integrals over rays whose
// exact value exceeds `min_fraction` of the largest one (the rim of an object is where a
// sampled image and the exact shape differ most): the largest error and the mean signed error
// (a bias: wrong step length or scale), both relative to the largest line integral. The
// largest error is the sampling of the boundary, about a voxel at each end of a chord.
struct ChordErrors {
  double worst = 0, bias = 0;
};
template <class T>
ChordErrors chord_errors(const Context& ctx, const ct::Geometry& g,
                         const std::vector<datasets::Ellipsoid>& phantom, double min_fraction) {
  const std::vector<double> x = datasets::rasterize(g.volume, phantom, 4);
  const std::vector<double> exact = datasets::line_integrals(g.projection, phantom);
  ct::JosephProjector<T> op(g);
  const auto xa = Array<T>::from_host(ctx, op.domain(), std::vector<T>(x.begin(), x.end()));
  Array<T> y(ctx, op.range());
  op.apply(ctx, xa.view(), y.view());
  const std::vector<T> got = y.to_host_vector();
  double peak = 0;
  for (double e : exact) peak = std::max(peak, e);
  ChordErrors r;
  int count = 0;
  for (size_t i = 0; i < exact.size(); ++i)
    if (exact[i] > min_fraction * peak) {
      r.worst = std::max(r.worst, std::fabs(got[i] - exact[i]) / peak);
      r.bias += (got[i] - exact[i]) / peak;
      ++count;
    }
  r.bias /= count;
  return r;
}

TYPED_TEST(CtProjector, DiskMatchesChordLengths2D) {
  using T = typename TypeParam::value_type;
  const auto disk = datasets::ball(0.7, 40.0, {3, -5, 0});
  const auto vol = ct::volume2d(128, 128);
  for (const ct::ProjectionGeometry& p :
       {ct::parallel2d(180, 0.9, ct::uniform_angles(20, 0, M_PI), 1.5),
        ct::fan2d(200, 1.2, ct::uniform_angles(20, 0, 2 * M_PI), 200, 100, -2.0)}) {
    const ChordErrors e = chord_errors<T>(this->ctx(), {vol, p}, disk, 0.3);
    EXPECT_LT(e.worst, 0.01) << p.type_name();
    EXPECT_LT(std::fabs(e.bias), 1e-3) << p.type_name();
  }
}

TYPED_TEST(CtProjector, SphereMatchesChordLengths3D) {
  using T = typename TypeParam::value_type;
  const auto sphere = datasets::ball(1.3, 18.0, {2, -1, 1.5});
  const auto vol = ct::volume3d(48, 48, 48);
  for (const ct::ProjectionGeometry& p :
       {ct::cone(60, 64, 1.2, 1.1, ct::uniform_angles(8, 0, 2 * M_PI), 100, 60, 0.5, 1),
        ct::parallel3d(50, 60, 1, 0.9, ct::uniform_angles(8, 0, M_PI))}) {
    const ChordErrors e = chord_errors<T>(this->ctx(), {vol, p}, sphere, 0.3);
    EXPECT_LT(e.worst, 0.04) << p.type_name();            // radius 18 voxels: ~1 voxel of 36
    EXPECT_LT(std::fabs(e.bias), 5e-3) << p.type_name();  // interpolation blurs the concave rim
  }
}

// At 90 degrees a parallel ray's slope across its main axis is cos(pi/2) ~ 6e-17, not 0: a ray
// beside the volume gets a slice range starting near 1e17, and one above it as well must come
// out empty (an "empty" range [lo, lo - 1] once rounded to [lo, lo], and the walk read voxel
// slice ~1e17). Rows and columns facing the constant volume see 8 voxels; the others nothing.
TYPED_TEST(CtProjector, RightAngleRaysBesideTheVolumeSeeNothing) {
  using T = typename TypeParam::value_type;
  const index_t rows = 12, cols = 14;
  const ct::Geometry g{ct::volume3d(4, 8, 8), ct::parallel3d(rows, cols, 1.0, 1.0, {M_PI / 2, 3 * M_PI / 2})};
  ct::JosephProjector<T> op(g);
  const auto x = Array<T>::from_host(this->ctx(), op.domain(), std::vector<T>(4 * 8 * 8, T(1)));
  Array<T> y(this->ctx(), op.range());
  op.apply(this->ctx(), x.view(), y.view());
  const std::vector<T> got = y.to_host_vector();
  for (index_t view = 0; view < 2; ++view)
    for (index_t r = 0; r < rows; ++r)
      for (index_t c = 0; c < cols; ++c) {
        const bool facing = r >= 4 && r < 8 && c >= 3 && c < 11;  // detector pixel centres over voxel centres
        EXPECT_NEAR(got[(view * rows + r) * cols + c], facing ? 8.0 : 0.0, 1e-4)
            << "view " << view << " row " << r << " col " << c;
      }
}

// Rays along the y axis through voxel centres see each voxel of a constant column exactly
// once, with step vy: the sum is the exact chord length ny * vy.
TYPED_TEST(CtProjector, AxisAlignedRaysAreExact) {
  using T = typename TypeParam::value_type;
  const ct::Geometry g{ct::volume2d(20, 24, 1.0, 0.75), ct::parallel2d(24, 1.0, {0.0})};
  ct::JosephProjector<T> op(g);
  const auto x = Array<T>::from_host(this->ctx(), op.domain(), std::vector<T>(20 * 24, T(2)));
  Array<T> y(this->ctx(), op.range());
  op.apply(this->ctx(), x.view(), y.view());
  for (T v : y.to_host_vector()) EXPECT_NEAR(v, 2 * 20 * 0.75, 1e-5);
}

// 64-bit indexing and more views than ASTRA's historical 16384 limit on a 2048^2 grid
// (few detector columns keep the test fast).
TYPED_TEST(CtProjector, ManyViewsOnLargeGrid) {
  using T = typename TypeParam::value_type;
  const auto disk = datasets::ball(1.0, 700.0);
  const ct::Geometry g{ct::volume2d(2048, 2048),
                       ct::parallel2d(5, 300.0, ct::uniform_angles(16500, 0, M_PI))};
  const std::vector<double> x = datasets::rasterize(g.volume, disk, 1);
  const std::vector<double> exact = datasets::line_integrals(g.projection, disk);
  ct::JosephProjector<T> op(g);
  const auto xa = Array<T>::from_host(this->ctx(), op.domain(), std::vector<T>(x.begin(), x.end()));
  Array<T> y(this->ctx(), op.range());
  op.apply(this->ctx(), xa.view(), y.view());
  const std::vector<T> got = y.to_host_vector();
  ASSERT_EQ(got.size(), exact.size());
  for (size_t i = 0; i < got.size(); i += 997) EXPECT_NEAR(got[i], exact[i], 2e-3 * 1400) << "ray " << i;
  // The last view is as good as the first.
  EXPECT_NEAR(got.back(), exact.back(), 2e-3 * 1400);
}

}  // namespace
}  // namespace recon::testing

namespace recon::testing {
namespace {

// The host's A^T splits the views into one group per thread, each scattered into its own
// volume: any thread count (more than the cores, not dividing the views) gives the same A^T y.
TEST(CtProjectorHostAdjoint, SameForAnyThreadCount) {
  const Context one = Context::host(1);
  for (const auto& [name, g] : ct_test_geometries()) {
    SCOPED_TRACE(name);
    ct::JosephProjector<double> op(g);
    const auto y =
        Array<double>::from_host(one, op.range(), random_values<double>(op.range().size(), 5, 0, 1));
    Array<double> ref(one, op.domain());
    op.adjoint(one, y.view(), ref.view());
    const std::vector<double> r = ref.to_host_vector();
    for (int threads : {3, 7}) {
      const Context ctx = Context::host(threads);
      Array<double> got(ctx, op.domain());
      op.adjoint(ctx, y.view(), got.view());
      const std::vector<double> v = got.to_host_vector();
      double peak = 0, diff = 0;
      for (size_t i = 0; i < v.size(); ++i) {
        peak = std::max(peak, std::fabs(r[i]));
        diff = std::max(diff, std::fabs(v[i] - r[i]));
      }
      EXPECT_GT(peak, 0.0);
      EXPECT_LE(diff, 1e-12 * peak) << threads << " threads";
    }
  }
}

// The gather form writes each voxel from one thread in a fixed order: the same bits for any
// thread count, and under a memory cap that leaves room for one view's table at a time.
TEST(CtProjectorGatherAdjoint, SameBitsForAnyThreadCountAndChunking) {
  for (const auto& [name, g] : ct_test_geometries()) {
    SCOPED_TRACE(name);
    const ct::JosephProjector<float> op(g, ct::JosephAdjoint::Gather);
    const Context one = Context::host(1);
    const auto y = Array<float>::from_host(one, op.range(), random_values<float>(op.range().size(), 5, 0, 1));
    Array<float> ref(one, op.domain());
    op.adjoint(one, y.view(), ref.view());
    Context capped = Context::host(3);
    const double one_view = static_cast<double>(g.projection.rows * g.projection.cols) * 32;
    capped.set_memory_limit(static_cast<std::size_t>(
        static_cast<double>((op.range().size() + op.domain().size()) * sizeof(float)) + 3 * one_view));
    const auto yc = y.to(capped);
    Array<float> got(capped, op.domain());
    op.adjoint(capped, yc.view(), got.view());
    EXPECT_EQ(got.to_host_vector(), ref.to_host_vector());
  }
}

// Host and Cuda run the same walk: A x and A^T y agree to float rounding (atomic order and
// fused multiply-adds differ), on every geometry family.
TEST(CtProjectorParity, HostAndCudaAgree) {
  if (!cuda_available()) GTEST_SKIP() << "no CUDA device on this machine";
  const Context host = Context::host(), cuda = Context::cuda();
  for (const auto& [name, g] : ct_test_geometries()) {
    SCOPED_TRACE(name);
    ct::JosephProjector<float> op(g);
    const auto xh =
        Array<float>::from_host(host, op.domain(), random_values<float>(op.domain().size(), 3, 0, 1));
    const auto yh =
        Array<float>::from_host(host, op.range(), random_values<float>(op.range().size(), 4, 0, 1));
    const auto xc = xh.to(cuda), yc = yh.to(cuda);
    Array<float> ah(host, op.range()), ac(cuda, op.range()), bh(host, op.domain()), bc(cuda, op.domain());
    op.apply(host, xh.view(), ah.view());
    op.apply(cuda, xc.view(), ac.view());
    op.adjoint(host, yh.view(), bh.view());
    op.adjoint(cuda, yc.view(), bc.view());
    for (const auto& [h, c] : {std::make_pair(&ah, &ac), std::make_pair(&bh, &bc)}) {
      const std::vector<float> vh = h->to_host_vector(), vc = c->to_host_vector();
      double peak = 0, diff = 0;
      for (size_t i = 0; i < vh.size(); ++i) {
        peak = std::max(peak, std::fabs(static_cast<double>(vh[i])));
        diff = std::max(diff, std::fabs(static_cast<double>(vh[i]) - vc[i]));
      }
      EXPECT_LE(diff, 1e-4 * peak);
    }
  }
}

}  // namespace
}  // namespace recon::testing

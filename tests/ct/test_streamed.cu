// The streamed projector (host-resident data, the device computing slab x view-chunk pieces)
// equals the in-memory JosephProjector on every geometry family: bitwise for A with a single
// slab, up to the order of float additions otherwise; its A^T is its adjoint; it runs under a
// device memory limit that the in-memory path does not fit; bad plans are rejected. FBP / FDK
// streamed in slabs equal the in-memory ones.
#include <gtest/gtest.h>

#include <cmath>

#include "adjoint.hpp"
#include "backends.hpp"
#include "ct_geometries.hpp"
#include "recon/operators/ct/projector.hpp"
#include "recon/operators/ct/streamed.hpp"

namespace recon::testing {
namespace {

template <class B>
class CtStreamed : public BackendTest<B> {};
TYPED_TEST_SUITE(CtStreamed, AllBackends, BackendName);

// max |a - b| <= tol * max |a|.
template <class T>
void expect_close(const std::vector<T>& a, const std::vector<T>& b, double tol) {
  ASSERT_EQ(a.size(), b.size());
  double peak = 0, diff = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    peak = std::max(peak, std::fabs(static_cast<double>(a[i])));
    diff = std::max(diff, std::fabs(static_cast<double>(a[i]) - static_cast<double>(b[i])));
  }
  EXPECT_LE(diff, tol * peak) << "peak " << peak;
}

template <class T>
double sum_tol() {
  return sizeof(T) == 4 ? 2e-5 : 1e-13;
}

// Plans for a geometry: one slab (several chunks), then for 3D uneven slabs, one-slice slabs
// and one-view chunks.
std::vector<ct::StreamPlan> test_plans(const ct::Geometry& g) {
  std::vector<ct::StreamPlan> plans{{g.volume.ndim() == 3 ? g.volume.nz() : 1, 4}};
  if (g.volume.ndim() == 3) plans.insert(plans.end(), {{4, 5}, {1, 3}, {3, 1}});
  plans.push_back({1, 1});
  return plans;
}

TYPED_TEST(CtStreamed, MatchesTheInMemoryProjector) {
  using T = typename TypeParam::value_type;
  const Context& ctx = this->ctx();
  const Context host = Context::host();
  for (const auto& [name, g] : ct_test_geometries()) {
    const ct::JosephProjector<T> whole(g);
    const auto x = random_values<T>(whole.domain().size(), 1), y = random_values<T>(whole.range().size(), 2);
    const auto xd = Array<T>::from_host(ctx, whole.domain(), x),
               yd = Array<T>::from_host(ctx, whole.range(), y);
    Array<T> ax(ctx, whole.range()), aty(ctx, whole.domain());
    whole.apply(ctx, xd.view(), ax.view());
    whole.adjoint(ctx, yd.view(), aty.view());
    const auto xh = Array<T>::from_host(host, whole.domain(), x),
               yh = Array<T>::from_host(host, whole.range(), y);
    for (const ct::StreamPlan& plan : test_plans(g)) {
      SCOPED_TRACE(name + " slab " + std::to_string(plan.slab_depth) + " views " +
                   std::to_string(plan.views_per_chunk));
      const ct::StreamedProjector<T> streamed(g, ctx, plan);
      Array<T> sx(host, whole.range()), sty(host, whole.domain());
      streamed.apply(host, xh.view(), sx.view());
      streamed.adjoint(host, yh.view(), sty.view());
      const bool one_slab = g.volume.ndim() == 2 || plan.slab_depth == g.volume.nz();
      if (one_slab && !ctx.is_cuda())
        EXPECT_EQ(ax.to_host_vector(), sx.to_host_vector());
      else
        expect_close(ax.to_host_vector(), sx.to_host_vector(), sum_tol<T>());
      expect_close(aty.to_host_vector(), sty.to_host_vector(), sum_tol<T>());
    }
  }
}

TYPED_TEST(CtStreamed, IsItsOwnAdjoint) {
  using T = typename TypeParam::value_type;
  const Context host = Context::host();
  for (const auto& [name, g] : ct_test_geometries()) {
    SCOPED_TRACE(name);
    const Operator<T> op(std::make_shared<const ct::StreamedProjector<T>>(
        g, this->ctx(), ct::StreamPlan{g.volume.ndim() == 3 ? 3 : 1, 2}));
    EXPECT_LE(adjoint_report(op, host).max_normalised_error, adjoint_tol<T>());
  }
}

// Under a device limit of 40% of the in-memory path's arrays, that path cannot allocate them;
// the streamed projector plans pieces beneath the limit and gives the same projections.
TYPED_TEST(CtStreamed, RunsUnderADeviceMemoryLimit) {
  using T = typename TypeParam::value_type;
  const Context host = Context::host();
  const ct::Geometry g{ct::volume3d(24, 20, 22),
                       ct::cone(18, 30, 1.5, 1.5, ct::uniform_angles(40, 0, 2 * M_PI), 60, 40)};
  const ct::JosephProjector<T> whole(g);
  const double in_memory = sizeof(T) * static_cast<double>(whole.domain().size() + whole.range().size());
  const Context device = this->ctx().is_cuda() ? Context::cuda(this->ctx().ordinal()) : Context::host();
  device.set_memory_limit(static_cast<std::size_t>(0.4 * in_memory));
  EXPECT_THROW(
      {
        Array<T> volume(device, whole.domain());
        Array<T> projections(device, whole.range());
      },
      OutOfMemory);
  const Operator<T> streamed = ct::streamed_projector<T>(g, device);
  const auto& op = dynamic_cast<const ct::StreamedProjector<T>&>(streamed.get());
  EXPECT_GT(op.pieces().size(), 1u);
  EXPECT_LE(ct::stream_piece_bytes(g, sizeof(T), op.plan()), static_cast<double>(device.memory_limit()));
  const auto x = random_values<T>(whole.domain().size(), 3), y = random_values<T>(whole.range().size(), 4);
  const Context reference = Context::host();
  expect_close(apply_host(Operator<T>(std::make_shared<const ct::JosephProjector<T>>(g)), reference, x),
               apply_host(streamed, host, x), sum_tol<T>());
  expect_close(adjoint_host(Operator<T>(std::make_shared<const ct::JosephProjector<T>>(g)), reference, y),
               adjoint_host(streamed, host, y), sum_tol<T>());
  EXPECT_EQ(device.memory_in_use(), 0u);
}

// FBP / FDK streamed in slabs equal the in-memory ones: with the filtering on the device (a
// budget for two sinograms) and on the host (a budget for one), one-slice slabs included.
TYPED_TEST(CtStreamed, FilteredBackprojectionMatchesInMemory) {
  using T = typename TypeParam::value_type;
  const Context& ctx = this->ctx();
  const Context host = Context::host();
  const double pi = M_PI;
  const std::vector<std::pair<std::string, ct::Geometry>> cases{
      {"parallel2d", {ct::volume2d(32, 30), ct::parallel2d(48, 1, ct::uniform_angles(40, 0, pi))}},
      {"fan2d", {ct::volume2d(31, 32), ct::fan2d(64, 1.2, ct::uniform_angles(60, 0, 2 * pi), 80, 40)}},
      {"parallel3d", {ct::volume3d(9, 16, 15), ct::parallel3d(11, 24, 1, 1, ct::uniform_angles(30, 0, pi))}},
      {"cone",
       {ct::volume3d(10, 17, 16, {1, 1, 1.2}, {0.5, 0, 1}),
        ct::cone(16, 30, 1.4, 1.3, ct::uniform_angles(36, 0, 2 * pi), 60, 30, 1.1, -0.7)}}};
  for (const auto& [name, g] : cases) {
    const Shape ps = g.projection.shape(), vs = g.volume.shape;
    const auto y = random_values<T>(ps.size(), 5, 0, 1);
    const auto yd = Array<T>::from_host(ctx, ps, y);
    Array<T> whole(ctx, vs);
    ct::filtered_backprojection<T>(ctx, g, yd.view(), whole.view(), ct::FbpFilter::SheppLogan);
    const auto yh = Array<T>::from_host(host, ps, y);
    const double sino = sizeof(T) * static_cast<double>(ps.size());
    const double slice = sizeof(T) * static_cast<double>(g.volume.nx() * g.volume.ny());
    // Two sinograms, one slice and a chunk of the filter's rows; one sinogram and one slice.
    for (const double budget : {2 * sino + slice + 8 * 128 * 4 * sizeof(T) + 1.0, sino + slice}) {
      SCOPED_TRACE(name + " budget " + std::to_string(budget));
      Array<T> streamed(host, vs);
      ct::filtered_backprojection_streamed<T>(ctx, g, yh.view(), streamed.view(), ct::FbpFilter::SheppLogan,
                                              static_cast<std::size_t>(budget));
      expect_close(whole.to_host_vector(), streamed.to_host_vector(), sum_tol<T>());
    }
  }
  const ct::Geometry cone = cases.back().second;
  Array<T> y(host, cone.projection.shape()), x(host, cone.volume.shape);
  EXPECT_THROW(
      ct::filtered_backprojection_streamed<T>(ctx, cone, y.view(), x.view(), ct::FbpFilter::Ramp, 1024),
      OutOfMemory);
}

// A parallel beam along z-slices: each slab reaches only its own detector rows (plus the
// interpolation margin), so the pieces move far less than whole views.
TEST(CtStreamedHost, SlabsMoveOnlyTheRowsTheyReach) {
  const ct::Geometry g{ct::volume3d(32, 16, 16),
                       ct::parallel3d(32, 24, 1, 1, ct::uniform_angles(10, 0, M_PI))};
  const auto pieces = ct::stream_pieces(g, {4, 10});
  ASSERT_EQ(pieces.size(), 8u);
  for (const ct::StreamPiece& p : pieces) {
    EXPECT_LE(p.r0, p.z0);
    EXPECT_GE(p.r1, p.z1);
    EXPECT_LE(p.r1 - p.r0, 4 + 6);  // the slab's 4 rows, the support's 2 and the rounding margin's 4
  }
}

TEST(CtStreamedHost, PlansToFitAndRejectsBadPlans) {
  const ct::Geometry g{ct::volume3d(20, 16, 16),
                       ct::cone(12, 24, 1.5, 1.5, ct::uniform_angles(30, 0, 2 * M_PI), 60, 40)};
  const ct::StreamPlan all = ct::plan_stream(g, 4, std::size_t{1} << 30);
  EXPECT_EQ(all.slab_depth, 20);
  EXPECT_EQ(all.views_per_chunk, 30);
  const ct::StreamPlan small = ct::plan_stream(g, 4, 16 << 10);
  EXPECT_LT(small.slab_depth, 20);
  EXPECT_GE(small.views_per_chunk, 1);
  EXPECT_LE(ct::stream_piece_bytes(g, 4, small), double(16 << 10));
  EXPECT_THROW(ct::plan_stream(g, 4, 1024), OutOfMemory);
  const Context ctx = Context::host();
  EXPECT_THROW(ct::StreamedProjector<float>(g, ctx, {0, 4}), InvalidArgument);
  EXPECT_THROW(ct::StreamedProjector<float>(g, ctx, {21, 4}), InvalidArgument);
  EXPECT_THROW(ct::StreamedProjector<float>(g, ctx, {4, 0}), InvalidArgument);
  const ct::StreamedProjector<float> op(g, ctx, {4, 4});
  Array<float> x(ctx, g.volume.shape), wrong(ctx, Shape{5, 10});
  EXPECT_THROW(op.apply(ctx, x.view(), wrong.view()), ShapeMismatch);
  const ct::Geometry g2{ct::volume2d(64, 64), ct::parallel2d(90, 1, ct::uniform_angles(20, 0, M_PI))};
  EXPECT_THROW(ct::plan_stream(g2, 4, 64 * 64 * 4), OutOfMemory);  // a 2D image is not split
}

}  // namespace
}  // namespace recon::testing

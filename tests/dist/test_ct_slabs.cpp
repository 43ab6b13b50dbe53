// The CT projector split by z-slabs (docs/distributed.md, "The z-slab decomposition"), written
// for any number of ranks: ctest runs it plainly (the single-rank communicator) and, in a build
// with MPI, under mpiexec -n 1, 2 and 3. Every rank also computes the serial result.
//   - the detector rows owned by the ranks partition [0, rows), in the order of the slabs' windows;
//   - the forward projection (the slabs' partial projections summed across the ranks' row bands)
//     equal to the serial one on each rank's rows: max |d - s| <= tol max |s|, tol 1e-5 in
//     float, 1e-12 in double;
//   - the adjoint identity sum over ranks <(A x)_r, y_r> = sum over ranks <x_r, (A^T y)_r>;
//   - each rank's back-projection equal to its slices of the serial one (same tolerances);
//   - CGLS and SIRT in double equal to the serial solvers to 1e-6 relative in x and the
//     objective, with the same iteration count, also when a tolerance stops CGLS;
//   - parallel3d and cone geometries (offset detectors, anisotropic shifted volumes, tilted
//     vector forms), slice counts that split evenly and unevenly on 2 and 3 ranks and one-slice
//     slabs (3 slices on 3 ranks, 2 on 2);
//   - FBP/FDK by slabs (each rank filters its band, gathers its window's filtered rows and
//     back-projects its slab) equal to the serial FBP's slices: parallel beam, a full-circle cone
//     with detector offsets and a Parker-weighted short scan, every filter shape; vector
//     geometries refused alike on every rank;
//   - the rank's projector streamed through a device under a memory limit: the same results;
//   - the window held a chunk of views at a time: the same projection bits, the back-projection
//     to rounding;
//   - fewer slices than ranks and 2D geometries refused (InvalidArgument).
// Collectives must be reached by every rank: checks use EXPECT (never ASSERT) between them.
// main: dist_main.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "../ct/ct_geometries.hpp"
#include "backends.hpp"
#include "dist_support.hpp"
#include "recon/engine/ct/cgls.hpp"
#include "recon/engine/ct/sirt.hpp"
#include "recon/kernels/communicator.hpp"
#include "recon/operators/ct/projector.hpp"
#include "recon/operators/ct/slab_fbp.hpp"
#include "recon/operators/ct/slab_projector.hpp"

namespace recon::testing {
namespace {

using dist::Communicator;

std::shared_ptr<const Communicator> comm() { return dist::world(); }

// 3D geometries with at least as many slices as ranks: the 3D ones of tests/ct/ct_geometries.hpp
// (9, 10, 12 and 11 slices: uneven on 2 or 3 ranks; offset detectors, a shifted volume with
// anisotropic voxels, tilted vector forms), 6 slices (even on 2 and 3), 3 slices (one each on 3
// ranks) and 2 (one each on 2 ranks).
std::vector<std::pair<std::string, ct::Geometry>> geometries() {
  using namespace recon::ct;
  const double pi = M_PI;
  std::vector<std::pair<std::string, Geometry>> out;
  for (auto& [name, g] : ct_test_geometries())
    if (g.volume.ndim() == 3) out.push_back({name, g});
  out.push_back({"parallel3d_6",
                 {volume3d(6, 11, 10), parallel3d(8, 14, 1.1, 0.9, uniform_angles(7, 0, pi), 0.4, -0.2)}});
  out.push_back({"cone_3",
                 {volume3d(3, 12, 11, {1, 1, 1.2}, {0.5, 0, 0.4}),
                  cone(10, 15, 1.4, 1.3, uniform_angles(7, 0, 2 * pi), 40, 25, 0.6, -0.5)}});
  out.push_back({"cone_2", {volume3d(2, 9, 8), cone(8, 12, 1.5, 1.5, uniform_angles(5, 0, 2 * pi), 30, 20)}});
  const int ranks = comm()->size();
  out.erase(
      std::remove_if(out.begin(), out.end(), [&](const auto& c) { return c.second.volume.nz() < ranks; }),
      out.end());
  return out;
}

index_t plane(const ct::Geometry& g) { return g.volume.ny() * g.volume.nx(); }

// This rank's slices of a whole volume.
template <class T>
std::vector<T> slab_of(const std::vector<T>& whole, const ct::Geometry& g, const dist::Block& s) {
  return std::vector<T>(whole.begin() + s.begin * plane(g), whole.begin() + s.end * plane(g));
}

// max |a - b| over this rank's values, over `peak`.
template <class T>
double max_error(const std::vector<T>& a, const std::vector<T>& b, double peak) {
  double diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    diff = std::max(diff, std::fabs(static_cast<double>(a[i]) - static_cast<double>(b[i])));
  return diff / peak;
}

template <class T>
double peak(const std::vector<T>& v) {
  double p = 0;
  for (const T& e : v) p = std::max(p, std::fabs(static_cast<double>(e)));
  return p;
}

template <class T>
class SlabCt : public ::testing::Test {};
using Reals = ::testing::Types<float, double>;
TYPED_TEST_SUITE(SlabCt, Reals);

TEST(SlabRows, OwnedRowsPartitionTheDetector) {
  for (const auto& [name, g] : geometries())
    for (int ranks = 1; ranks <= std::min<index_t>(4, g.volume.nz()); ++ranks) {
      const ct::SlabRows rows = ct::slab_rows(g, ranks, "test");
      ASSERT_EQ(rows.window.size(), static_cast<std::size_t>(ranks)) << name;
      ASSERT_EQ(rows.owned.size(), static_cast<std::size_t>(ranks)) << name;
      std::vector<int> owners(static_cast<std::size_t>(g.projection.rows), 0);
      for (int r = 0; r < ranks; ++r) {
        const dist::Block w = rows.window[r], o = rows.owned[r];
        EXPECT_TRUE(0 <= w.begin && w.begin <= w.end && w.end <= g.projection.rows) << name;
        EXPECT_LE(o.begin, o.end) << name;
        for (index_t row = o.begin; row < o.end; ++row) ++owners[static_cast<std::size_t>(row)];
        // A rank's band lies within the rows some window reaches or between windows: here every
        // slab is reached, so each rank owns rows and they meet its window.
        EXPECT_GT(w.count(), 0) << name << " rank " << r << " of " << ranks;
        EXPECT_GT(std::min(w.end, o.end) - std::max(w.begin, o.begin), 0) << name << " rank " << r;
      }
      EXPECT_TRUE(std::all_of(owners.begin(), owners.end(), [](int n) { return n == 1; }))
          << name << " on " << ranks << " ranks: a row owned by no rank or by several";
    }
}

TYPED_TEST(SlabCt, ForwardIsTheSerialProjection) {
  using T = TypeParam;
  const Context ctx = Context::host();
  const auto c = comm();
  for (const auto& [name, g] : geometries()) {
    const ct::JosephProjector<T> serial(g);
    const ct::SlabProjector<T> part(g, c);
    const dist::Block own = part.owned_rows();
    EXPECT_EQ(part.domain(), (Shape{part.slices().count(), g.volume.ny(), g.volume.nx()})) << name;
    EXPECT_EQ(part.range(), (Shape{g.projection.views(), own.count(), g.projection.cols})) << name;
    EXPECT_EQ(part.domain_split(), c->size() > 1 ? c.get() : nullptr) << name;
    EXPECT_EQ(part.range_split(), c->size() > 1 ? c.get() : nullptr) << name;
    const std::vector<T> xv = random_values<T>(serial.domain().size(), 3);
    const auto x = Array<T>::from_host(ctx, serial.domain(), xv);
    const auto xs = Array<T>::from_host(ctx, part.domain(), slab_of(xv, g, part.slices()));
    Array<T> whole(ctx, serial.range()), summed(ctx, part.range());
    serial.apply(ctx, x.view(), whole.view());
    part.apply(ctx, xs.view(), summed.view());
    const std::vector<T> all = whole.to_host_vector();
    EXPECT_LE(max_error(summed.to_host_vector(), projection_rows_of(all, g, own), peak(all)),
              sizeof(T) == 4 ? 1e-5 : 1e-12)
        << name << ": rank " << c->rank() << " slices [" << part.slices().begin << ", " << part.slices().end
        << "), rows [" << own.begin << ", " << own.end << ")";
  }
}

TYPED_TEST(SlabCt, AdjointIdentityAcrossRanks) {
  using T = TypeParam;
  const Context ctx = Context::host();
  const auto c = comm();
  for (const auto& [name, g] : geometries()) {
    const ct::SlabProjector<T> a(g, c);
    const auto x = Array<T>::from_host(ctx, a.domain(), random_values<T>(a.domain().size(), 5 + c->rank()));
    const auto y = Array<T>::from_host(ctx, a.range(), random_values<T>(a.range().size(), 6 + c->rank()));
    Array<T> ax(ctx, a.range()), aty(ctx, a.domain());
    a.apply(ctx, x.view(), ax.view());
    a.adjoint(ctx, y.view(), aty.view());
    const auto summed = [&](double local) { return c->all_reduce(local, dist::ReduceOp::Sum); };
    const double lhs = summed(dot<T>(ctx, ax.view(), y.view()));
    const double rhs = summed(dot<T>(ctx, x.view(), aty.view()));
    const double norms =
        std::sqrt(summed(dot<T>(ctx, ax.view(), ax.view())) * summed(dot<T>(ctx, y.view(), y.view())));
    EXPECT_LT(std::fabs(lhs - rhs) / norms, sizeof(T) == 4 ? 1e-5 : 1e-13) << name;
  }
}

TYPED_TEST(SlabCt, BackprojectionIsTheSerialSlices) {
  using T = TypeParam;
  const Context ctx = Context::host();
  const auto c = comm();
  for (const auto& [name, g] : geometries()) {
    const ct::JosephProjector<T> serial(g);
    const ct::SlabProjector<T> part(g, c);
    const std::vector<T> yv = random_values<T>(serial.range().size(), 8);
    const auto y = Array<T>::from_host(ctx, serial.range(), yv);
    const auto ys = Array<T>::from_host(ctx, part.range(), projection_rows_of(yv, g, part.owned_rows()));
    Array<T> whole(ctx, serial.domain()), mine(ctx, part.domain());
    serial.adjoint(ctx, y.view(), whole.view());
    part.adjoint(ctx, ys.view(), mine.view());
    const std::vector<T> all = whole.to_host_vector();
    EXPECT_LE(max_error(mine.to_host_vector(), slab_of(all, g, part.slices()), peak(all)),
              sizeof(T) == 4 ? 1e-5 : 1e-12)
        << name << ": rank " << c->rank();
  }
}

// The window's partial projections and gathered rows held a chunk of views at a time: the same
// projection bits and the same back-projection to rounding (the chunks' sums), for chunks of one
// view, of a few views (the last one shorter) and of more views than the scan has.
TYPED_TEST(SlabCt, ViewChunksGiveTheUnchunkedResults) {
  using T = TypeParam;
  const Context ctx = Context::host();
  const auto c = comm();
  for (const auto& [name, g] : geometries()) {
    const ct::SlabProjector<T> whole(g, c);
    const auto x =
        Array<T>::from_host(ctx, whole.domain(), random_values<T>(whole.domain().size(), 4 + c->rank()));
    const auto y =
        Array<T>::from_host(ctx, whole.range(), random_values<T>(whole.range().size(), 9 + c->rank()));
    Array<T> ax(ctx, whole.range()), aty(ctx, whole.domain());
    whole.apply(ctx, x.view(), ax.view());
    whole.adjoint(ctx, y.view(), aty.view());
    const std::vector<T> ax_want = ax.to_host_vector(), aty_want = aty.to_host_vector();
    for (const index_t chunk : {index_t{1}, index_t{3}, g.projection.views() + 2}) {
      const ct::SlabProjector<T> part(g, c, std::nullopt, chunk);
      EXPECT_EQ(part.view_chunk(), std::min(chunk, g.projection.views())) << name;
      part.apply(ctx, x.view(), ax.view());
      part.adjoint(ctx, y.view(), aty.view());
      EXPECT_EQ(ax.to_host_vector(), ax_want) << name << ", chunks of " << chunk;
      EXPECT_LE(max_error(aty.to_host_vector(), aty_want, peak(aty_want)), sizeof(T) == 4 ? 1e-6 : 1e-14)
          << name << ", chunks of " << chunk;
    }
  }
  EXPECT_THROW(ct::SlabProjector<T>(geometries().front().second, c, std::nullopt, -1), InvalidArgument);
}

// The rank's projector streamed through a device under a memory limit (arrays in host memory):
// the same projection and back-projection, computed piece by piece.
TYPED_TEST(SlabCt, StreamedSlabsAreTheSerialProjection) {
  using T = TypeParam;
  const Context ctx = Context::host();
  const auto c = comm();
  for (const auto& [name, g] : geometries()) {
    const ct::JosephProjector<T> serial(g);
    // Every rank takes part in the exchanges; a slab no view reaches has nothing to stream.
    const ct::SlabProjector<T> in_memory(g, c);
    std::optional<Context> device;
    if (in_memory.local()) device = streaming_device(*in_memory.local());
    const ct::SlabProjector<T> part(g, c, device);
    expect_streamed_in_pieces(part.local(), name);
    const std::vector<T> xv = random_values<T>(serial.domain().size(), 3),
                         yv = random_values<T>(serial.range().size(), 8);
    const auto x = Array<T>::from_host(ctx, serial.domain(), xv),
               y = Array<T>::from_host(ctx, serial.range(), yv);
    const auto xs = Array<T>::from_host(ctx, part.domain(), slab_of(xv, g, part.slices()));
    const auto ys = Array<T>::from_host(ctx, part.range(), projection_rows_of(yv, g, part.owned_rows()));
    Array<T> ax(ctx, serial.range()), aty(ctx, serial.domain()), axs(ctx, part.range()),
        atys(ctx, part.domain());
    serial.apply(ctx, x.view(), ax.view());
    serial.adjoint(ctx, y.view(), aty.view());
    part.apply(ctx, xs.view(), axs.view());
    part.adjoint(ctx, ys.view(), atys.view());
    const std::vector<T> forward = ax.to_host_vector(), back = aty.to_host_vector();
    const double tol = sizeof(T) == 4 ? 1e-5 : 1e-12;
    EXPECT_LE(
        max_error(axs.to_host_vector(), projection_rows_of(forward, g, part.owned_rows()), peak(forward)),
        tol)
        << name << ": rank " << c->rank();
    EXPECT_LE(max_error(atys.to_host_vector(), slab_of(back, g, part.slices()), peak(back)), tol)
        << name << ": rank " << c->rank();
  }
}

// Least-squares data (noisy_projections), so that no solver converges exactly.
template <class Solve>
void expect_solver_matches_serial(Solve solve, const char* solver) {
  const Context ctx = Context::host();
  const auto c = comm();
  for (const auto& [name, g] : geometries()) {
    const Operator<double> whole = ct::joseph_projector<double>(g);
    const Operator<double> part = ct::slab_projector<double>(g, c);
    const auto& split = dynamic_cast<const ct::SlabProjector<double>&>(part.get());
    const std::vector<double> yv = noisy_projections(ctx, whole);
    const auto ys = Array<double>::from_host(ctx, whole.range(), yv);
    const auto yd =
        Array<double>::from_host(ctx, part.range(), projection_rows_of(yv, g, split.owned_rows()));
    Array<double> xs(ctx, whole.domain()), xd(ctx, part.domain());
    fill<double>(ctx, xs.view(), 0.0);
    fill<double>(ctx, xd.view(), 0.0);
    const SolveReport rs = solve(ctx, whole, ys.view(), xs.view());
    const SolveReport rd = solve(ctx, part, yd.view(), xd.view());
    EXPECT_EQ(rd.iterations, rs.iterations) << solver << " " << name;
    EXPECT_GT(rs.iterations, 0) << solver << " " << name;
    const std::vector<double> serial_slab = slab_of(xs.to_host_vector(), g, split.slices()),
                              got = xd.to_host_vector();
    double d2 = 0;
    for (std::size_t i = 0; i < got.size(); ++i) d2 += (got[i] - serial_slab[i]) * (got[i] - serial_slab[i]);
    const double diff = std::sqrt(c->all_reduce(d2, dist::ReduceOp::Sum)),
                 size = norm2<double>(ctx, xs.view());
    EXPECT_LE(diff, 1e-6 * size) << solver << " " << name << ": |x_slabs - x_serial| = " << diff
                                 << ", |x_serial| = " << size;
    EXPECT_NEAR(rd.last.objective, rs.last.objective, 1e-6 * rs.last.objective) << solver << " " << name;
    EXPECT_NEAR(rd.last.step, rs.last.step, 1e-6 * std::fabs(rs.last.step)) << solver << " " << name;
    // Every rank takes the same decisions from the same reduced values.
    EXPECT_TRUE(same_on_every_rank(*c, std::vector<double>{rd.last.objective, rd.last.step}))
        << solver << " " << name;
  }
}

TEST(SlabSolvers, CglsMatchesTheSerialSolver) { expect_solver_matches_serial(cgls_solve(12, 0), "cgls"); }

TEST(SlabSolvers, SirtMatchesTheSerialSolver) { expect_solver_matches_serial(sirt_solve(15), "sirt"); }

// The stopping test reads ||A^T r|| summed over the slabs: every rank stops at the serial
// iteration. The tolerance stops these small problems within 12 iterations: past about 15, CGLS
// amplifies rounding on them even on one process (the streamed projector, the same slab sums
// without MPI, drifts from the serial one by 4e-13 relative in x at 12 iterations, 2e-7 at 19,
// 5e-5 at 30 on cone_odd_offset), which 1e-6 cannot tell from a fault.
TEST(SlabSolvers, CglsStopsAtTheSerialIteration) {
  expect_solver_matches_serial(
      [](const Context& ctx, const Operator<double>& a, View<const double> y, View<double> x) {
        const SolveReport r = cgls_solve(200, 1e-2)(ctx, a, y, x);
        EXPECT_EQ(r.reason, StopReason::Converged);
        return r;
      },
      "cgls with a tolerance");
}

// Circular geometries FBP/FDK accepts, with at least 3 slices: a parallel beam over 180 degrees,
// a full-circle cone with detector offsets, a cone short scan (180 degrees plus twice the
// largest fan angle, atan(11 / 40) = 15.4 degrees: 215 degrees here).
std::vector<std::pair<std::string, ct::Geometry>> fbp_geometries() {
  using namespace recon::ct;
  const double pi = M_PI;
  std::vector<double> short_scan;
  for (int k = 0; k < 40; ++k) short_scan.push_back(0.2 + 215.0 / 180.0 * pi * k / 39.0);
  return {{"parallel3d",
           {volume3d(7, 12, 11), parallel3d(9, 16, 1.1, 1.0, uniform_angles(24, 0, pi), 0.3, -0.4)}},
          {"cone_offsets",
           {volume3d(8, 12, 13, {1, 1, 1.2}, {0.3, 0, 0.5}),
            cone(14, 20, 1.4, 1.2, uniform_angles(30, 0, 2 * pi), 40, 25, 0.7, -0.6)}},
          {"cone_short_scan", {volume3d(5, 12, 12), cone(12, 18, 1.5, 1.4, short_scan, 40, 25)}}};
}

TYPED_TEST(SlabCt, FbpIsTheSerialFbpsSlices) {
  using T = TypeParam;
  const Context ctx = Context::host();
  const auto c = comm();
  for (const auto& [name, g] : fbp_geometries()) {
    if (g.volume.nz() < c->size()) continue;
    const ct::SlabProjector<T> part(g, c);
    const std::vector<T> yv = random_values<T>(g.projection.shape().size(), 12, 0, 1);
    const auto y = Array<T>::from_host(ctx, g.projection.shape(), yv);
    const auto band = Array<T>::from_host(ctx, part.range(), projection_rows_of(yv, g, part.owned_rows()));
    for (ct::FbpFilter f : {ct::FbpFilter::Ramp, ct::FbpFilter::Hann}) {
      Array<T> whole(ctx, g.volume.shape), mine(ctx, part.domain());
      ct::filtered_backprojection<T>(ctx, g, y.view(), whole.view(), f);
      ct::filtered_backprojection_slabs<T>(ctx, part, band.view(), mine.view(), f);
      const std::vector<T> all = whole.to_host_vector();
      EXPECT_LE(max_error(mine.to_host_vector(), slab_of(all, g, part.slices()), peak(all)),
                sizeof(T) == 4 ? 1e-5 : 1e-12)
          << name << " filter " << static_cast<int>(f) << ": rank " << c->rank();
    }
  }
}

TEST(SlabFbp, RefusesVectorGeometriesOnEveryRank) {
  const auto c = comm();
  for (const auto& [name, g] : geometries()) {
    if (g.projection.circular) continue;
    const ct::SlabProjector<float> part(g, c);
    Array<float> band(Context::host(), part.range()), slab(Context::host(), part.domain());
    EXPECT_THROW(ct::filtered_backprojection_slabs<float>(Context::host(), part, band.view(), slab.view()),
                 InvalidArgument)
        << name;
  }
}

TEST(SlabProjector, RefusesFewerSlicesThanRanksAnd2D) {
  using namespace recon::ct;
  const auto c = comm();
  const Geometry thin{volume3d(2, 9, 8), cone(8, 12, 1.5, 1.5, uniform_angles(5, 0, 2 * M_PI), 30, 20)};
  try {
    slab_share(thin, 0, 3, "ct project");
    ADD_FAILURE() << "no error";
  } catch (const InvalidArgument& e) {
    EXPECT_EQ(std::string(e.what()),
              "ct project: a volume of 2 slices cannot be split into 3 slabs; use at most 2 ranks or "
              "--distribute views");
  }
  if (c->size() > 1) {
    const Geometry fewer{volume3d(c->size() - 1, 9, 8),
                         cone(8, 12, 1.5, 1.5, uniform_angles(5, 0, 2 * M_PI), 30, 20)};
    EXPECT_THROW(SlabProjector<float>(fewer, c), InvalidArgument);
  }
  const Geometry flat{volume2d(16, 15), fan2d(25, 1.3, uniform_angles(4, 0.2, 2 * M_PI), 40, 30)};
  EXPECT_THROW(SlabProjector<float>(flat, c), InvalidArgument);
  EXPECT_THROW(slab_projector<double>(flat, c), InvalidArgument);
}

}  // namespace
}  // namespace recon::testing

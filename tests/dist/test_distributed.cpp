// Distributed CT over views (docs/distributed.md), written for any number of ranks: ctest runs
// it plainly (the single-rank communicator, no MPI needed) and, in a build with MPI, under
// mpiexec -n 1, 2 and 3. Every rank also computes the serial result for its comparisons.
//   - the communicator's collectives and the agreement on failures (a non-root rank failing);
//   - the device each rank picks (device_for_rank) and the launcher's local rank;
//   - the forward projection of a rank's views bitwise equal to the serial projector's rows;
//   - the adjoint identity <A x, y> = <x, A^T y> summed across ranks;
//   - the back-projection equal to the serial one to float rounding: max |d - s| <= tol max |s|
//     with tol 1e-5 in float, 1e-12 in double (the all-reduce sums in another order), and the
//     same bits on every rank;
//   - CGLS and SIRT in double equal to the serial solvers to 1e-6 relative (x and the objective),
//     same iterations, the same bits of x on every rank;
//   - TV-regularised reconstruction (ct::tv_reconstruct) by ADMM, PDHG and APGM in double equal to
//     the serial solver to 1e-6 relative on 16^3 volumes, the same iterations and steps (ADMM's
//     rho after balancing), also when ADMM stops on its tolerance;
//   - uneven splits: 7 views on 2 and 3 ranks, 2 views on 3 ranks (a rank without views).
// Collectives must be reached by every rank: checks use EXPECT (never ASSERT) between them.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <numeric>

#include "backends.hpp"
#include "dist_support.hpp"
#include "recon/engine/ct/cgls.hpp"
#include "recon/engine/ct/sirt.hpp"
#include "recon/engine/ct/tv_recon.hpp"
#include "recon/kernels/communicator.hpp"
#include "recon/operators/ct/distributed.hpp"
#include "recon/operators/ct/fbp.hpp"
#include "recon/operators/ct/projector.hpp"
#include "recon/operators/ct/views_fbp.hpp"
#include "recon/operators/elementwise.hpp"

namespace recon::testing {
namespace {

using dist::Communicator;

std::shared_ptr<const Communicator> comm() { return dist::world(); }

// Geometries of every family with view counts that split unevenly: 7 on 2 or 3 ranks, 2 on 3
// ranks (one rank without views), 1 view.
std::vector<std::pair<std::string, ct::Geometry>> geometries() {
  using namespace recon::ct;
  const double pi = M_PI;
  std::vector<std::pair<std::string, Geometry>> out;
  out.push_back({"parallel2d_7", {volume2d(17, 19), parallel2d(27, 0.9, uniform_angles(7, 0, pi), 0.3)}});
  out.push_back({"fan2d_2", {volume2d(16, 15), fan2d(25, 1.3, uniform_angles(2, 0.2, 2 * pi), 40, 30)}});
  out.push_back({"parallel3d_7",
                 {volume3d(6, 11, 10), parallel3d(8, 14, 1.1, 0.9, uniform_angles(7, 0, pi), 0.4, -0.2)}});
  out.push_back({"cone_7",
                 {volume3d(7, 12, 11, {1, 1, 1.2}, {0.5, 0, 0.4}),
                  cone(10, 15, 1.4, 1.3, uniform_angles(7, 0, 2 * pi), 40, 25, 0.6, -0.5)}});
  out.push_back({"cone_2", {volume3d(5, 9, 8), cone(8, 12, 1.5, 1.5, uniform_angles(2, 0, 2 * pi), 30, 20)}});
  out.push_back({"cone_1", {volume3d(5, 9, 8), cone(8, 12, 1.5, 1.5, {0.7}, 30, 20)}});
  return out;
}

index_t per_view(const ct::Geometry& g) { return g.projection.rows * g.projection.cols; }

// This rank's rows of a whole projection array.
template <class T>
std::vector<T> share(const std::vector<T>& whole, const ct::Geometry& g, const ct::ViewRange& v) {
  return std::vector<T>(whole.begin() + v.begin * per_view(g), whole.begin() + v.end * per_view(g));
}

// ctest sets RECON_TEST_RANKS to the ranks it starts (1 for the run without mpiexec).
TEST(Communicator, WorldMatchesTheLauncher) {
  const auto c = comm();
  const char* expected = std::getenv("RECON_TEST_RANKS");
  if (expected) {
    EXPECT_EQ(c->size(), std::atoi(expected));
  }
  EXPECT_EQ(c->backend(), std::getenv("PMI_RANK") && dist::mpi_built() ? "mpi" : "single");
  EXPECT_LT(c->rank(), c->size());
}

// The ranks of a node spread over its GPUs; explicit choices, one rank and no GPU are kept.
TEST(Communicator, DeviceForRank) {
  const dist::Launch third_of_four{2, 4, 2}, one{0, 1, 0};
  EXPECT_EQ(dist::device_for_rank("cuda", third_of_four, 2), "cuda:0");
  EXPECT_EQ(dist::device_for_rank("auto", {1, 4, 1}, 2), "cuda:1");
  EXPECT_EQ(dist::device_for_rank("auto", {3, 4, 3}, 8), "cuda:3");
  EXPECT_EQ(dist::device_for_rank("cuda:1", third_of_four, 2), "cuda:1");
  EXPECT_EQ(dist::device_for_rank("cpu", third_of_four, 2), "cpu");
  EXPECT_EQ(dist::device_for_rank("auto", third_of_four, 0), "auto");
  EXPECT_EQ(dist::device_for_rank("cuda", one, 2), "cuda");
  // This process: the launcher's local rank (MPICH's Hydra sets MPI_LOCALRANKID).
  const dist::Launch me = dist::launched_as();
  EXPECT_GE(me.local_rank, 0);
  EXPECT_LT(me.local_rank, me.size);
}

TEST(Communicator, ScalarReductions) {
  const auto c = comm();
  const int p = c->size(), r = c->rank();
  EXPECT_EQ(c->all_reduce(r + 1.0, dist::ReduceOp::Sum), p * (p + 1) / 2.0);
  EXPECT_EQ(c->all_reduce(r + 1.0, dist::ReduceOp::Max), static_cast<double>(p));
  EXPECT_EQ(c->all_reduce(r + 1.0, dist::ReduceOp::Min), 1.0);
  EXPECT_EQ(c->any(r == p - 1), true);
  EXPECT_EQ(c->any(false), false);
}

TEST(Communicator, BufferSumsBroadcastGatherScatter) {
  const auto c = comm();
  const int p = c->size(), r = c->rank();
  std::vector<double> d(5);
  std::vector<float> f(3);
  for (int i = 0; i < 5; ++i) d[i] = (r + 1) * 10.0 + i;
  for (int i = 0; i < 3; ++i) f[i] = static_cast<float>(r + i);
  c->all_reduce_sum(d.data(), d.size());
  c->all_reduce_sum(f.data(), f.size());
  for (int i = 0; i < 5; ++i) EXPECT_EQ(d[i], 10.0 * p * (p + 1) / 2 + p * i);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(f[i], static_cast<float>(p * (p - 1) / 2 + p * i));

  const std::string text = dist::broadcast_string(*c, r == 0 ? "from the root" : "not this");
  EXPECT_EQ(text, "from the root");

  // Rank k sends k + 1 bytes of value k, except the last rank, which sends none (uneven, empty).
  std::vector<std::size_t> bytes(p);
  for (int k = 0; k < p; ++k) bytes[k] = k == p - 1 && p > 1 ? 0 : k + 1;
  const std::size_t total = std::accumulate(bytes.begin(), bytes.end(), std::size_t(0));
  std::vector<char> mine(bytes[r], static_cast<char>(r)), all(r == 0 ? total : 0);
  c->gather(mine.data(), all.data(), bytes, 0);
  if (r == 0) {
    std::vector<char> expected;
    for (int k = 0; k < p; ++k) expected.insert(expected.end(), bytes[k], static_cast<char>(k));
    EXPECT_EQ(all, expected);
  }
  std::vector<char> back(bytes[r], 'x');
  c->scatter(all.data(), back.data(), bytes, 0);
  EXPECT_EQ(back, mine);
}

TEST(Communicator, DeviceBufferSumOnTheHost) {
  const auto c = comm();
  const Context host = Context::host();
  Array<double> a = Array<double>::from_host(host, Shape{4}, {1, 2, 3, 4});
  dist::all_reduce_sum<double>(*c, host, a.view());
  EXPECT_EQ(a.to_host_vector(),
            (std::vector<double>{1.0 * c->size(), 2.0 * c->size(), 3.0 * c->size(), 4.0 * c->size()}));
}

// The last rank fails; every rank throws its error, of the same kind, marked as agreed.
TEST(Communicator, AFailingRankFailsEveryRank) {
  const auto c = comm();
  const int last = c->size() - 1;
  try {
    dist::agree(*c, [&] {
      if (c->rank() == last) throw IoError("cannot read 'x.npy' on rank " + std::to_string(last));
    });
    ADD_FAILURE() << "no error on rank " << c->rank();
  } catch (const IoError& e) {
    EXPECT_EQ(std::string(e.what()), "cannot read 'x.npy' on rank " + std::to_string(last));
    EXPECT_TRUE(dist::is_agreed(e));
  }
  // Several failures: the lowest rank's; another kind; then no failure at all.
  try {
    dist::agree(*c, [&] { throw ShapeMismatch("rank " + std::to_string(c->rank())); });
    ADD_FAILURE() << "no error";
  } catch (const ShapeMismatch& e) {
    EXPECT_EQ(std::string(e.what()), "rank 0");
  }
  try {
    dist::root_does(*c, [] { throw std::runtime_error("boom"); });
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("boom"), std::string::npos) << e.what();
  }
  EXPECT_NO_THROW(dist::agree(*c, [] {}));
}

TEST(Communicator, SingleRankIsTheIdentity) {
  const auto one = dist::single_rank();
  EXPECT_EQ(one->rank(), 0);
  EXPECT_EQ(one->size(), 1);
  double v[2] = {1.5, -2};
  one->all_reduce_sum(v, 2);
  EXPECT_EQ(v[0], 1.5);
  EXPECT_EQ(one->all_reduce(3.0, dist::ReduceOp::Max), 3.0);
  char src[3] = {'a', 'b', 'c'}, dst[3] = {};
  one->gather(src, dst, {3}, 0);
  EXPECT_EQ(std::string(dst, 3), "abc");
  EXPECT_THROW(one->gather(src, dst, {1, 2}, 0), InvalidArgument);
  EXPECT_THROW(one->broadcast(src, 3, 1), InvalidArgument);
  EXPECT_THROW(dist::agree(*one, [] { throw OutOfMemory("too big"); }), OutOfMemory);
}

TEST(ViewShare, CoversTheViewsContiguously) {
  for (index_t views : {0, 1, 2, 7, 180})
    for (int ranks : {1, 2, 3, 8}) {
      index_t next = 0;
      for (int r = 0; r < ranks; ++r) {
        const ct::ViewRange v = ct::view_share(views, r, ranks);
        EXPECT_EQ(v.begin, next);
        EXPECT_GE(v.count(), views / ranks);
        EXPECT_LE(v.count(), views / ranks + 1);
        next = v.end;
      }
      EXPECT_EQ(next, views);
    }
  EXPECT_THROW(ct::view_share(7, 3, 3), InvalidArgument);
}

template <class T>
class DistributedCt : public ::testing::Test {};
using Reals = ::testing::Types<float, double>;
TYPED_TEST_SUITE(DistributedCt, Reals);

TYPED_TEST(DistributedCt, ForwardIsBitwiseTheSerialRows) {
  using T = TypeParam;
  const Context ctx = Context::host();
  for (const auto& [name, g] : geometries()) {
    const ct::JosephProjector<T> serial(g);
    const ct::DistributedProjector<T> part(g, comm());
    const auto x = Array<T>::from_host(ctx, serial.domain(), random_values<T>(serial.domain().size(), 3));
    Array<T> whole(ctx, serial.range()), mine(ctx, part.range());
    serial.apply(ctx, x.view(), whole.view());
    part.apply(ctx, x.view(), mine.view());
    EXPECT_EQ(mine.size(), part.views().count() * per_view(g)) << name;
    const std::vector<T> expected = share(whole.to_host_vector(), g, part.views()),
                         got = mine.to_host_vector();
    EXPECT_TRUE(got.size() == expected.size() && same_bytes(got.data(), expected.data(), got.size()))
        << name << ": rank " << comm()->rank() << " views [" << part.views().begin << ", " << part.views().end
        << ")";
  }
}

// FBP/FDK by views: each rank filters and back-projects its views, one all-reduce sums them;
// equal to the serial FBP to float rounding, on every circular family, a Parker-weighted short
// scan included (its weights take the scan's view index: a rank's local index would weigh the
// wrong views), with uneven shares (11, 13, 9 views), and the texture interpolation asked for
// (the host interpolates exactly).
TYPED_TEST(DistributedCt, FbpByViewsEqualsTheSerialFbp) {
  using T = TypeParam;
  const Context ctx = Context::host();
  const double pi = M_PI;
  std::vector<double> short_scan;  // 13 views over pi + 0.6 (the fan angle is 0.23 each side)
  for (int k = 0; k < 13; ++k) short_scan.push_back(0.1 + (pi + 0.6) * k / 12.0);
  const std::vector<std::pair<std::string, ct::Geometry>> cases{
      {"parallel2d", {ct::volume2d(17, 19), ct::parallel2d(27, 0.9, ct::uniform_angles(11, 0, pi), 0.3)}},
      {"fan2d short scan", {ct::volume2d(16, 15), ct::fan2d(25, 1.3, short_scan, 40, 30)}},
      {"parallel3d",
       {ct::volume3d(6, 11, 10), ct::parallel3d(8, 14, 1.1, 0.9, ct::uniform_angles(9, 0, pi))}},
      {"cone",
       {ct::volume3d(7, 12, 11), ct::cone(10, 15, 1.4, 1.3, ct::uniform_angles(9, 0, 2 * pi), 40, 25)}}};
  for (const auto& [name, g] : cases) {
    const ct::DistributedProjector<T> a(g, comm());
    const std::vector<T> y = random_values<T>(g.projection.shape().size(), 4, 0, 1);
    const auto whole = Array<T>::from_host(ctx, g.projection.shape(), y);
    const auto mine = Array<T>::from_host(ctx, a.range(), share(y, g, a.views()));
    Array<T> serial(ctx, g.volume.shape), split(ctx, g.volume.shape);
    ct::filtered_backprojection<T>(ctx, g, whole.view(), serial.view(), ct::FbpFilter::Hann);
    ct::filtered_backprojection_views<T>(ctx, a, mine.view(), split.view(), ct::FbpFilter::Hann,
                                         ct::VoxelInterpolation::Texture);
    EXPECT_LE(relative_max_error(split.to_host_vector(), serial.to_host_vector()),
              sizeof(T) == 4 ? 1e-5 : 1e-12)
        << name;
  }
  const ct::Geometry vec = geometries().front().second;  // not circular: refused on every rank alike
  const ct::Geometry not_circular{
      vec.volume, ct::vector_geometry(2, ct::Beam::Parallel, 1, vec.projection.cols, vec.projection.vectors)};
  const ct::DistributedProjector<T> b(not_circular, comm());
  Array<T> y(ctx, b.range()), x(ctx, b.domain());
  EXPECT_THROW(ct::filtered_backprojection_views<T>(ctx, b, y.view(), x.view()), InvalidArgument);
}

TYPED_TEST(DistributedCt, AdjointIdentityAcrossRanks) {
  using T = TypeParam;
  const Context ctx = Context::host();
  const auto c = comm();
  for (const auto& [name, g] : geometries()) {
    const ct::DistributedProjector<T> a(g, c);
    const ct::JosephProjector<T> serial(g);
    const auto x = Array<T>::from_host(ctx, a.domain(), random_values<T>(a.domain().size(), 5));
    const auto y =
        Array<T>::from_host(ctx, a.range(), share(random_values<T>(serial.range().size(), 6), g, a.views()));
    Array<T> ax(ctx, a.range()), aty(ctx, a.domain());
    a.apply(ctx, x.view(), ax.view());
    a.adjoint(ctx, y.view(), aty.view());
    const double lhs = c->all_reduce(dot<T>(ctx, ax.view(), y.view()), dist::ReduceOp::Sum);
    const double rhs = dot<T>(ctx, x.view(), aty.view());
    const double norms = std::sqrt(c->all_reduce(dot<T>(ctx, ax.view(), ax.view()), dist::ReduceOp::Sum) *
                                   c->all_reduce(dot<T>(ctx, y.view(), y.view()), dist::ReduceOp::Sum));
    EXPECT_LT(std::fabs(lhs - rhs) / norms, sizeof(T) == 4 ? 1e-5 : 1e-13) << name;
  }
}

TYPED_TEST(DistributedCt, BackprojectionIsTheSerialOneToRounding) {
  using T = TypeParam;
  const Context ctx = Context::host();
  const auto c = comm();
  for (const auto& [name, g] : geometries()) {
    const ct::JosephProjector<T> serial(g);
    const ct::DistributedProjector<T> part(g, c);
    const std::vector<T> y = random_values<T>(serial.range().size(), 8);
    const auto yd = Array<T>::from_host(ctx, serial.range(), y);
    const auto ys = Array<T>::from_host(ctx, part.range(), share(y, g, part.views()));
    Array<T> whole(ctx, serial.domain()), summed(ctx, part.domain());
    serial.adjoint(ctx, yd.view(), whole.view());
    part.adjoint(ctx, ys.view(), summed.view());
    const std::vector<T> got = summed.to_host_vector();
    EXPECT_LE(relative_max_error(got, whole.to_host_vector()), sizeof(T) == 4 ? 1e-5 : 1e-12) << name;
    EXPECT_TRUE(same_on_every_rank(*c, got)) << name << ": the replicas of A^T y differ";
  }
}

// The rank's projector streamed through a device under a memory limit (arrays in host memory):
// the same rows forward (bitwise: each ray is computed as in memory, a slab at a time only when
// the volume is cut, so compare to rounding) and the same back-projection.
TYPED_TEST(DistributedCt, StreamedViewsAreTheSerialProjection) {
  using T = TypeParam;
  const Context ctx = Context::host();
  const auto c = comm();
  for (const auto& [name, g] : geometries()) {
    const ct::JosephProjector<T> serial(g);
    // Every rank takes part in the collectives; a rank without views has nothing to stream.
    const ct::DistributedProjector<T> in_memory(g, c);
    std::optional<Context> device;
    if (in_memory.local()) device = streaming_device(*in_memory.local());
    const ct::DistributedProjector<T> part(g, c, device);
    expect_streamed_in_pieces(part.local(), name);
    const std::vector<T> y = random_values<T>(serial.range().size(), 8);
    const auto x = Array<T>::from_host(ctx, serial.domain(), random_values<T>(serial.domain().size(), 3));
    const auto yd = Array<T>::from_host(ctx, serial.range(), y);
    const auto ys = Array<T>::from_host(ctx, part.range(), share(y, g, part.views()));
    Array<T> ax(ctx, serial.range()), aty(ctx, serial.domain()), axs(ctx, part.range()),
        atys(ctx, part.domain());
    serial.apply(ctx, x.view(), ax.view());
    serial.adjoint(ctx, yd.view(), aty.view());
    part.apply(ctx, x.view(), axs.view());
    part.adjoint(ctx, ys.view(), atys.view());
    const double tol = sizeof(T) == 4 ? 1e-5 : 1e-12;
    if (part.views().count() > 0) {  // a rank without views holds no rows
      EXPECT_LE(relative_max_error(axs.to_host_vector(), share(ax.to_host_vector(), g, part.views())), tol)
          << name;
    }
    EXPECT_LE(relative_max_error(atys.to_host_vector(), aty.to_host_vector()), tol) << name;
  }
}

// 16^3 volumes for the regularised solvers: 7 views (uneven on 2 and 3 ranks), 13 cone views,
// 2 cone views (a rank without views on 3 ranks).
std::vector<std::pair<std::string, ct::Geometry>> tv_geometries() {
  using namespace recon::ct;
  const double pi = M_PI;
  return {{"parallel3d_16cube_7",
           {volume3d(16, 16, 16), parallel3d(18, 24, 1.0, 1.0, uniform_angles(7, 0, pi), 0.3, -0.2)}},
          {"cone_16cube_13",
           {volume3d(16, 16, 16, {1, 1, 1.1}, {0.4, 0, 0.3}),
            cone(20, 26, 1.5, 1.4, uniform_angles(13, 0, 2 * pi), 60, 30, 0.5, -0.4)}},
          {"cone_16cube_2",
           {volume3d(16, 16, 16), cone(20, 26, 1.5, 1.5, uniform_angles(2, 0.3, 2 * pi), 60, 30)}}};
}

// Least-squares data (noisy_projections), so that no solver converges exactly.
template <class Solve>
void expect_solver_matches_serial(
    Solve solve, const char* solver,
    const std::vector<std::pair<std::string, ct::Geometry>>& cases = geometries()) {
  const Context ctx = Context::host();
  const auto c = comm();
  for (const auto& [name, g] : cases) {
    const ct::JosephProjector<double> serial(g);
    const Operator<double> whole = ct::joseph_projector<double>(g);
    const Operator<double> part = ct::distributed_projector<double>(g, c);
    const auto* split = dynamic_cast<const ct::DistributedProjector<double>*>(&part.get());
    const std::vector<double> yv = noisy_projections(ctx, whole);
    const auto yd = Array<double>::from_host(ctx, whole.range(), yv);
    const auto ys = Array<double>::from_host(ctx, part.range(), share(yv, g, split->views()));
    Array<double> xs(ctx, whole.domain()), xd(ctx, whole.domain());
    fill<double>(ctx, xs.view(), 0.0);
    fill<double>(ctx, xd.view(), 0.0);
    const SolveReport rs = solve(ctx, whole, yd.view(), xs.view());
    const SolveReport rd = solve(ctx, part, ys.view(), xd.view());
    EXPECT_EQ(rd.iterations, rs.iterations) << solver << " " << name;
    EXPECT_GT(rs.iterations, 0) << solver << " " << name;
    const double diff = distance2<double>(ctx, xd.view(), xs.view()), size = norm2<double>(ctx, xs.view());
    EXPECT_LE(diff, 1e-6 * size) << solver << " " << name << ": |x_dist - x_serial| = " << diff
                                 << ", |x_serial| = " << size;
    // The objective: ||y - A x||^2 / 2 summed over the ranks' views (the gradient norm that
    // CGLS reports is a small difference, relatively less accurate than x).
    EXPECT_NEAR(rd.last.objective, rs.last.objective, 1e-6 * rs.last.objective) << solver << " " << name;
    // The step (ADMM: rho after the balancing; PDHG: tau; CGLS: alpha) follows the same path.
    EXPECT_NEAR(rd.last.step, rs.last.step, 1e-6 * std::fabs(rs.last.step)) << solver << " " << name;
    EXPECT_TRUE(same_on_every_rank(*c, xd.to_host_vector())) << solver << " " << name << ": replicas differ";
  }
}

TEST(DistributedSolvers, CglsMatchesTheSerialSolver) {
  expect_solver_matches_serial(cgls_solve(12, 0), "cgls");
}

// CGLS on a composite of the split projector (the algebra passes the split on, so the solver
// still sums over every rank's views): 2 A, A W with a weight on the volume, A/2 + 3A/2.
TEST(DistributedSolvers, CglsOnCompositesMatchesTheSerialSolver) {
  const auto on = [](auto make) {
    return [=](const Context& ctx, const Operator<double>& a, View<const double> y, View<double> x) {
      return cgls_solve(12, 0)(ctx, make(ctx, a), y, x);
    };
  };
  expect_solver_matches_serial(on([](const Context&, const Operator<double>& a) { return scaled(2.0, a); }),
                               "cgls on 2 A");
  expect_solver_matches_serial(on([](const Context& ctx, const Operator<double>& a) {
                                 std::vector<double> w(static_cast<std::size_t>(a.domain().size()));
                                 for (std::size_t i = 0; i < w.size(); ++i)
                                   w[i] = 0.5 + static_cast<double>(i % 7) / 7;
                                 return compose(
                                     a, diagonal<double>(Array<double>::from_host(ctx, a.domain(), w)));
                               }),
                               "cgls on A W");
  expect_solver_matches_serial(
      on([](const Context&, const Operator<double>& a) { return scaled(0.5, a) + scaled(1.5, a); }),
      "cgls on A/2 + 3A/2");
}

// Blocks whose ranges are split differently cannot be stacked: the solvers' sum over the stacked
// range would count the whole block once per rank.
TEST(DistributedSolvers, StackingASplitRangeOnAWholeOneIsRefused) {
  const ct::Geometry g = tv_geometries().front().second;
  const Operator<double> part = ct::distributed_projector<double>(g, comm());
  const std::vector<Operator<double>> blocks{part, identity<double>(part.domain())};
  if (comm()->size() > 1)
    EXPECT_THROW(vstack(blocks), InvalidArgument);
  else
    EXPECT_EQ(vstack(blocks).get().range_split(), nullptr);  // one rank: nothing is split
}

TEST(DistributedSolvers, SirtMatchesTheSerialSolver) { expect_solver_matches_serial(sirt_solve(15), "sirt"); }

// The stopping test sees the global residual: with a tolerance, every rank stops at the
// serial solver's iteration (a rank stopping alone would leave the others in a collective).
TEST(DistributedSolvers, StopAtTheSerialIteration) {
  expect_solver_matches_serial(cgls_solve(200, 1e-3), "cgls with a tolerance");
}

// TV-regularised reconstruction (ct recon): the data term's split, dual and residual are each
// rank's share of the views, everything in the volume's space is replicated.
// Returns the report of every run (serial and distributed, per geometry).
template <class Setup>
std::vector<SolveReport> expect_tv_recon_matches_serial(Setup setup, const char* solver) {
  std::vector<SolveReport> runs;
  expect_solver_matches_serial(
      [&](const Context& ctx, const Operator<double>& a, View<const double> y, View<double> x) {
        ct::TvReconProblem p;
        p.lambda = 0.3;
        ct::TvReconOptions o;
        setup(p, o);
        runs.push_back(ct::tv_reconstruct<double>(ctx, a, y, x, p, o));
        return runs.back();
      },
      solver, tv_geometries());
  return runs;
}

// Whether residual balancing moved ADMM's rho (from 1) in every run: the test then covers it.
bool rho_moved(const std::vector<SolveReport>& runs) {
  return std::all_of(runs.begin(), runs.end(), [](const SolveReport& r) { return r.last.step != 1; });
}

TEST(DistributedSolvers, AdmmTvMatchesTheSerialSolver) {
  const std::vector<SolveReport> runs = expect_tv_recon_matches_serial(
      [](ct::TvReconProblem&, ct::TvReconOptions& o) {
        o.solver = ct::TvReconSolver::Admm;
        o.max_iters = 25;
        o.tol = 1e-12;  // never met, but the residual balancing runs (not with tol 0)
      },
      "admm tv");
  EXPECT_TRUE(rho_moved(runs));
}

// With a tolerance every rank stops at the serial iteration, after the same rho updates.
TEST(DistributedSolvers, AdmmTvStopsAtTheSerialIteration) {
  const std::vector<SolveReport> runs = expect_tv_recon_matches_serial(
      [](ct::TvReconProblem& p, ct::TvReconOptions& o) {
        p.norm = TvNorm::Anisotropic;
        o.solver = ct::TvReconSolver::Admm;
        o.max_iters = 300;
        o.tol = 2e-2;
        o.cg_max_iters = 5;
        o.check_every = 2;
      },
      "admm tv with a tolerance");
  EXPECT_TRUE(rho_moved(runs));
  for (const SolveReport& r : runs) EXPECT_EQ(r.reason, StopReason::Converged);
}

TEST(DistributedSolvers, PdhgTvMatchesTheSerialSolver) {
  expect_tv_recon_matches_serial(
      [](ct::TvReconProblem&, ct::TvReconOptions& o) {
        o.solver = ct::TvReconSolver::Pdhg;
        o.max_iters = 40;
        o.tol = 0;
        o.check_every = 5;
      },
      "pdhg tv");
}

TEST(DistributedSolvers, ApgmTvMatchesTheSerialSolver) {
  expect_tv_recon_matches_serial(
      [](ct::TvReconProblem&, ct::TvReconOptions& o) {
        o.solver = ct::TvReconSolver::Apgm;
        o.max_iters = 15;
        o.tol = 0;
      },
      "apgm tv");
}

}  // namespace
}  // namespace recon::testing

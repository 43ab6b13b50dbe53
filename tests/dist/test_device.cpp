// The collectives on device buffers (communicator.hpp: Transport, NCCL or staged through host
// memory) and the distributed solvers on a Cuda context, written for any number of ranks like the
// other distributed tests. Each rank takes the GPU dist::device_for_rank gives it. ctest runs it
// plainly, under mpiexec -n 1 (NCCL in a build with it) and under mpiexec -n 2 and 3 with
// RECON_DIST_STAGING=host (tests/dist/CMakeLists.txt: one GPU serves every rank there, which NCCL
// refuses). Without a CUDA device the Cuda cases skip (suites */Cuda_*); the transport's choice
// and its refusals are checked on the host.
//   - RECON_DIST_STAGING=host stages; a misspelt value fails every rank alike (a host context
//     never reads it);
//   - the staged sum of arrays beyond one staging piece (kStagingBytes) is the sum of the ranks'
//     arrays, with the same bits on every rank (float, double);
//   - NCCL's sum equals the staged one: bitwise on 1 and 2 ranks (one addition, commutative),
//     to rounding on more (another order);
//   - send_receive around the ring of ranks delivers each neighbour's bytes;
//   - CGLS by views and by z-slabs (the projections split by detector-row bands: send_receive of
//     the bands), and TV denoising by z-slabs (halo exchanges), on the GPU
//     equal to the serial solver on the same GPU to 1e-6 relative, with the same iterations.
// Collectives must be reached by every rank: checks use EXPECT (never ASSERT) between them.
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>

#include "backends.hpp"
#include "dist_support.hpp"
#include "recon/engine/tv.hpp"
#include "recon/operators/ct/distributed.hpp"
#include "recon/operators/ct/projector.hpp"
#include "recon/operators/ct/slab_projector.hpp"

namespace recon::testing {
namespace {

std::shared_ptr<const dist::Communicator> comm() { return dist::world(); }

// Sets an environment variable for the life of the object, then restores it.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value, 1);
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_.c_str(), old_->c_str(), 1);
    } else {
      ::unsetenv(name_.c_str());
    }
  }

 private:
  std::string name_;
  std::optional<std::string> old_;
};

TEST(DeviceTransport, HostArraysUseTheCommunicator) {
  const auto c = comm();
  const Context host = Context::host();
  EXPECT_EQ(dist::transport(*c, host), dist::Transport::Host);
  Array<float> a = Array<float>::from_host(host, Shape{3}, {1, 2, 3});
  EXPECT_THROW(dist::all_reduce_sum<float>(*c, host, a.view(), dist::Transport::Staged), InvalidArgument);
  EXPECT_THROW(dist::all_reduce_sum<float>(*c, host, a.view(), dist::Transport::Nccl), InvalidArgument);
  dist::all_reduce_sum<float>(*c, host, a.view(), dist::Transport::Host);
  const float n = static_cast<float>(c->size());
  EXPECT_EQ(a.to_host_vector(), (std::vector<float>{n, 2 * n, 3 * n}));
  EXPECT_EQ(dist::to_string(dist::Transport::Nccl), "nccl");
}

// The staging switch is for device buffers: a host context never reads it.
TEST(DeviceTransport, HostArraysIgnoreTheStagingSwitch) {
  const auto c = comm();
  const Context host = Context::host();
  ScopedEnv env("RECON_DIST_STAGING", "gpu");
  EXPECT_EQ(dist::transport(*c, host), dist::Transport::Host);
  Array<double> a = Array<double>::from_host(host, Shape{2}, {1, 2});
  EXPECT_NO_THROW(dist::all_reduce_sum<double>(*c, host, a.view()));
}

// Every rank's GPU: cuda:(local rank mod GPUs) under a launcher, as the CLI picks it.
int cuda_devices() {
  int n = 0;
  for (const DeviceInfo& d : list_devices()) n += d.device == Device::Cuda;
  return n;
}

template <class B>
class DeviceCollectives : public ::testing::Test {
 protected:
  using T = typename B::value_type;
  void SetUp() override {
    if (!cuda_available()) GTEST_SKIP() << "no CUDA device on this machine";
    ctx_.emplace(Context::from_choice(dist::device_for_rank("cuda", dist::launched_as(), cuda_devices())));
  }
  const Context& ctx() const { return *ctx_; }

 private:
  std::optional<Context> ctx_;
};

using CudaReals = ::testing::Types<Backend<float, Device::Cuda>, Backend<double, Device::Cuda>>;
TYPED_TEST_SUITE(DeviceCollectives, CudaReals, BackendName);

// Two and a half staging pieces: the staged sum crosses a piece boundary twice.
template <class T>
std::size_t beyond_one_piece() {
  return 2 * (dist::kStagingBytes / sizeof(T)) + dist::kStagingBytes / sizeof(T) / 2 + 7;
}

// Rank r's values (reproducible on every rank).
template <class T>
std::vector<T> values_of(int rank, std::size_t n) {
  return random_values<T>(n, 100 + static_cast<unsigned>(rank));
}

// got[i] against the sum over the ranks' values, to (ranks - 1) roundings of the running sum.
template <class T>
void expect_sum_of_ranks(const std::vector<T>& got, int ranks, const char* what) {
  std::vector<double> exact(got.size(), 0.0), magnitude(got.size(), 0.0);
  for (int r = 0; r < ranks; ++r) {
    const std::vector<T> v = values_of<T>(r, got.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
      exact[i] += static_cast<double>(v[i]);
      magnitude[i] += std::fabs(static_cast<double>(v[i]));
    }
  }
  const double eps = sizeof(T) == 4 ? FLT_EPSILON : DBL_EPSILON;
  std::size_t wrong = 0, first = got.size();
  for (std::size_t i = 0; i < got.size(); ++i)
    if (std::fabs(static_cast<double>(got[i]) - exact[i]) > (ranks - 1) * eps * magnitude[i] + 1e-300) {
      ++wrong;
      if (first == got.size()) first = i;
    }
  EXPECT_EQ(wrong, 0u) << what << ": " << wrong << " of " << got.size()
                       << " elements off the sum, the first at " << first;
}

TYPED_TEST(DeviceCollectives, StagedSumIsTheSumOfTheRanks) {
  using T = typename TestFixture::T;
  const auto c = comm();
  const std::size_t n = beyond_one_piece<T>();
  Array<T> x = Array<T>::from_host(this->ctx(), Shape{static_cast<index_t>(n)}, values_of<T>(c->rank(), n));
  dist::all_reduce_sum<T>(*c, this->ctx(), x.view(), dist::Transport::Staged);
  const std::vector<T> got = x.to_host_vector();
  expect_sum_of_ranks(got, c->size(), "staged");
  EXPECT_TRUE(same_on_every_rank(*c, got)) << "staged: the ranks' sums differ";
}

TYPED_TEST(DeviceCollectives, NcclSumIsTheStagedSum) {
  using T = typename TestFixture::T;
  const auto c = comm();
  if (!dist::nccl_built()) GTEST_SKIP() << "this build has no NCCL (RECON_NCCL)";
  if (c->backend() != "mpi") GTEST_SKIP() << "not under mpiexec: NCCL runs on the MPI communicator only";
  if (dist::transport(*c, this->ctx()) != dist::Transport::Nccl)
    GTEST_SKIP() << "RECON_DIST_STAGING=host: staging forced (ranks sharing a GPU)";
  const std::size_t n = beyond_one_piece<T>();
  const std::vector<T> mine = values_of<T>(c->rank(), n);
  Array<T> staged = Array<T>::from_host(this->ctx(), Shape{static_cast<index_t>(n)}, mine);
  Array<T> nccl = Array<T>::from_host(this->ctx(), Shape{static_cast<index_t>(n)}, mine);
  dist::all_reduce_sum<T>(*c, this->ctx(), staged.view(), dist::Transport::Staged);
  dist::all_reduce_sum<T>(*c, this->ctx(), nccl.view());  // the default: NCCL here
  const std::vector<T> want = staged.to_host_vector(), got = nccl.to_host_vector();
  if (c->size() <= 2) {
    EXPECT_TRUE(same_bytes(got.data(), want.data(), n)) << "NCCL's sum is not the staged one bitwise";
  } else {
    expect_sum_of_ranks(got, c->size(), "nccl");
  }
  EXPECT_TRUE(same_on_every_rank(*c, got)) << "NCCL: the ranks' sums differ";
}

// RECON_DIST_STAGING=host stages; a misspelt value fails every rank with the same error.
TYPED_TEST(DeviceCollectives, StagingSwitch) {
  using T = typename TestFixture::T;
  const auto c = comm();
  Array<T> x = Array<T>::from_host(this->ctx(), Shape{3}, {1, 2, 3});
  {
    ScopedEnv env("RECON_DIST_STAGING", "host");
    EXPECT_EQ(dist::transport(*c, this->ctx()), dist::Transport::Staged);
  }
  ScopedEnv env("RECON_DIST_STAGING", "gpu");
  try {
    dist::all_reduce_sum<T>(*c, this->ctx(), x.view());
    ADD_FAILURE() << "RECON_DIST_STAGING=gpu accepted";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("RECON_DIST_STAGING=gpu: expected host"), std::string::npos)
        << e.what();
    EXPECT_TRUE(dist::is_agreed(e));
  }
}

// Each rank sends its row to the next rank and receives the previous rank's (a ring).
TYPED_TEST(DeviceCollectives, SendReceiveAroundTheRing) {
  using T = typename TestFixture::T;
  const auto c = comm();
  if (c->size() == 1) GTEST_SKIP() << "one rank: no neighbour to exchange with";
  const int next = (c->rank() + 1) % c->size(), prev = (c->rank() + c->size() - 1) % c->size();
  const std::size_t n = 1000;
  const Array<T> row =
      Array<T>::from_host(this->ctx(), Shape{static_cast<index_t>(n)}, values_of<T>(c->rank(), n));
  Array<T> got(this->ctx(), Shape{static_cast<index_t>(n)});
  dist::send_receive<T>(*c, this->ctx(), row.view(), next, got.view(), prev);
  const std::vector<T> want = values_of<T>(prev, n), have = got.to_host_vector();
  EXPECT_TRUE(same_bytes(have.data(), want.data(), n))
      << "rank " << c->rank() << " did not receive rank " << prev << "'s row ("
      << dist::to_string(dist::transport(*c, this->ctx())) << ")";
}

// The solvers on a Cuda context, in double.
template <class B>
using DeviceSolvers = DeviceCollectives<B>;
using CudaDouble = ::testing::Types<Backend<double, Device::Cuda>>;
TYPED_TEST_SUITE(DeviceSolvers, CudaDouble, BackendName);

ct::Geometry cone_scan() {
  using namespace recon::ct;
  return {volume3d(12, 14, 13), cone(16, 20, 1.5, 1.5, uniform_angles(9, 0.2, 2 * M_PI), 50, 30)};
}

// CGLS (12 iterations) with the split projector `part` against the serial projector, both on ctx.
// `share` cuts this rank's rows out of the whole projections (views, or detector-row bands) and
// `mine` its share out of the serial x (the whole x for the view split, whose x is replicated:
// its distance then counts once, not once per rank).
template <class Share, class Mine>
void expect_cgls_matches_serial(const Context& ctx, const Operator<double>& part, Share share, Mine mine,
                                bool replicated, const char* split) {
  const auto c = comm();
  const Operator<double> whole = ct::joseph_projector<double>(cone_scan());
  const std::vector<double> yv = noisy_projections(ctx, whole);
  const auto y = Array<double>::from_host(ctx, whole.range(), yv);
  const auto yp = Array<double>::from_host(ctx, part.range(), share(yv));
  Array<double> xs(ctx, whole.domain()), xd(ctx, part.domain());
  fill<double>(ctx, xs.view(), 0.0);
  fill<double>(ctx, xd.view(), 0.0);
  const SolveReport rs = cgls_solve(12, 0)(ctx, whole, y.view(), xs.view());
  const SolveReport rd = cgls_solve(12, 0)(ctx, part, yp.view(), xd.view());
  EXPECT_EQ(rd.iterations, rs.iterations) << split;
  const std::vector<double> want = mine(xs.to_host_vector()), got = xd.to_host_vector();
  double d2 = 0;
  for (std::size_t i = 0; i < got.size(); ++i) d2 += (got[i] - want[i]) * (got[i] - want[i]);
  const double diff = std::sqrt(replicated ? d2 : c->all_reduce(d2, dist::ReduceOp::Sum));
  const double size = norm2<double>(ctx, xs.view());
  EXPECT_LE(diff, 1e-6 * size) << split << ": |x_dist - x_serial| = " << diff << ", |x_serial| = " << size
                               << " (" << dist::to_string(dist::transport(*c, ctx)) << ")";
  EXPECT_NEAR(rd.last.objective, rs.last.objective, 1e-6 * rs.last.objective) << split;
  if (replicated) {
    EXPECT_TRUE(same_on_every_rank(*c, got)) << split << ": replicas differ";
  }
}

TYPED_TEST(DeviceSolvers, CglsByViewsMatchesTheSerialSolver) {
  const auto c = comm();
  const ct::Geometry g = cone_scan();
  const Operator<double> part = ct::distributed_projector<double>(g, c);
  const ct::ViewRange v = dynamic_cast<const ct::DistributedProjector<double>&>(part.get()).views();
  const index_t per_view = g.projection.rows * g.projection.cols;
  expect_cgls_matches_serial(
      this->ctx(), part,
      [&](const std::vector<double>& y) {
        return std::vector<double>(y.begin() + v.begin * per_view, y.begin() + v.end * per_view);
      },
      [](std::vector<double> x) { return x; }, true, "views");
}

TYPED_TEST(DeviceSolvers, CglsBySlabsMatchesTheSerialSolver) {
  const auto c = comm();
  const ct::Geometry g = cone_scan();
  const Operator<double> part = ct::slab_projector<double>(g, c);
  const auto& split = dynamic_cast<const ct::SlabProjector<double>&>(part.get());
  const dist::Block b = split.slices();
  const index_t slice = g.volume.ny() * g.volume.nx();
  expect_cgls_matches_serial(
      this->ctx(), part,
      [&](const std::vector<double>& y) { return projection_rows_of(y, g, split.owned_rows()); },
      [&](const std::vector<double>& x) {
        return std::vector<double>(x.begin() + b.begin * slice, x.begin() + b.end * slice);
      },
      false, "slabs");
}

// TV denoising by z-slabs: the halo exchanges (send_receive) and the reduced sums on the GPU.
TYPED_TEST(DeviceSolvers, TvBySlabsMatchesTheSerialSolver) {
  const auto c = comm();
  const Context& ctx = this->ctx();
  const Shape s{9, 8, 7};
  const index_t row = s.size() / s[0];
  const std::vector<double> u = random_values<double>(s.size(), 11, 0, 1);
  TvProblem p;
  p.lambda = 0.2;
  TvOptions o;
  o.solver = TvSolver::Pdhg;
  o.max_iters = 60;
  o.tol = 0;
  const auto whole_u = Array<double>::from_host(ctx, s, u);
  Array<double> whole_x(ctx, s);
  const SolveReport rs = tv_denoise<double>(ctx, whole_u.view(), whole_x.view(), p, o);
  const dist::Block b = dist::block_share(s[0], c->rank(), c->size());
  const Shape local{b.count(), s[1], s[2]};
  const auto mine_u = Array<double>::from_host(
      ctx, local, std::vector<double>(u.begin() + b.begin * row, u.begin() + b.end * row));
  Array<double> mine_x(ctx, local);
  const SolveReport rd = tv_denoise_slabs<double>(ctx, c, s, mine_u.view(), mine_x.view(), p, o);
  EXPECT_EQ(rd.iterations, rs.iterations);
  const std::vector<double> all = whole_x.to_host_vector(), got = mine_x.to_host_vector();
  double diff = 0, peak = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    diff = std::max(diff, std::fabs(got[i] - all[b.begin * row + i]));
    peak = std::max(peak, std::fabs(all[b.begin * row + i]));
  }
  diff = c->all_reduce(diff, dist::ReduceOp::Max);
  peak = c->all_reduce(peak, dist::ReduceOp::Max);
  EXPECT_LE(diff, 1e-6 * peak) << "max |x_slabs - x_serial| (" << dist::to_string(dist::transport(*c, ctx))
                               << ")";
  EXPECT_NEAR(rd.last.objective, rs.last.objective, 1e-9 * std::fabs(rs.last.objective));
}

}  // namespace
}  // namespace recon::testing

// TV over arrays split into row blocks along axis 0 (z-slabs; docs/distributed.md), written for
// any number of ranks: ctest runs it plainly (one rank) and under mpiexec -n 1, 2 and 3. Every
// rank also computes the serial result on the whole array for its comparisons.
//   - SlabGradient's D x and D^T p equal the serial gradient's rows of the block bitwise, for 1D,
//     2D and 3D arrays, Neumann and periodic boundaries, uneven blocks and one-row blocks (as
//     many rows as ranks), in float and double; the adjoint identity summed over the ranks;
//   - tv_denoise_slabs with solvers whose steps depend on no sum (linearised ADMM with a fixed
//     rho, PDHG with a nonconvex penalty: fixed steps, no restarts; tol 0) gives the serial
//     tv_denoise's bits on every rank count (both run the same fused passes, the split ones on
//     padded blocks);
//   - PDHG (accelerated, restarted), ADMM (x-update by CG, residual balancing), APGM (FISTA on the
//     dual, restarted) and L-BFGS (Huber and WEEP, iso and aniso) equal the serial tv_denoise
//     (ADMM's with use_cg) to 1e-6 relative in double, with the same iterations;
//   - tv_objective_slabs equals tv_objective; a NaN on the last rank only, a penalty the solver
//     cannot take and fewer rows than ranks fail every rank with the same error;
//   - TV-regularised CT (ct::tv_reconstruct) on the z-slab projector, whose gradient is then the
//     slab gradient: ADMM (with residual balancing, to a tolerance), PDHG and APGM (monotone and
//     FISTA) equal the serial solver to 1e-6 relative in double with the same iterations.
// Collectives must be reached by every rank: checks use EXPECT (never ASSERT) between them.
#include <gtest/gtest.h>

#include "backends.hpp"
#include "dist_support.hpp"
#include "recon/engine/ct/tv_recon.hpp"
#include "recon/engine/tv.hpp"
#include "recon/operators/ct/projector.hpp"
#include "recon/operators/ct/slab_projector.hpp"
#include "recon/operators/slab_gradient.hpp"

namespace recon::testing {
namespace {

std::shared_ptr<const dist::Communicator> comm() { return dist::world(); }

index_t row_size(const Shape& s) { return s.size() / s[0]; }

// This rank's rows [b.begin, b.end) of a whole array (whole shape s).
template <class T>
std::vector<T> block_rows(const std::vector<T>& whole, const Shape& s, const dist::Block& b) {
  const index_t r = row_size(s);
  return std::vector<T>(whole.begin() + b.begin * r, whole.begin() + b.end * r);
}

// The same rows of every component of a (k, s...) array.
template <class T>
std::vector<T> component_block_rows(const std::vector<T>& whole, const Shape& s, const dist::Block& b) {
  const index_t k = s.ndim(), part = s.size();
  std::vector<T> out;
  for (index_t c = 0; c < k; ++c) {
    const auto first = whole.begin() + c * part;
    out.insert(out.end(), first + b.begin * row_size(s), first + b.end * row_size(s));
  }
  return out;
}

// Shapes with uneven blocks on 2 and 3 ranks, and one with one row per rank.
std::vector<Shape> shapes(int ranks) {
  return {Shape{7, 5, 6}, Shape{ranks, 4, 5}, Shape{9, 8}, Shape{ranks, 6}, Shape{11}};
}

template <class T>
class SlabGradientTest : public ::testing::Test {};
using Reals = ::testing::Types<float, double>;
TYPED_TEST_SUITE(SlabGradientTest, Reals);

TYPED_TEST(SlabGradientTest, ForwardAndAdjointAreTheSerialRowsBitwise) {
  using T = TypeParam;
  const auto c = comm();
  const Context ctx = Context::host(1);
  for (const Shape& s : shapes(c->size())) {
    for (const Boundary boundary : {Boundary::Neumann, Boundary::Periodic}) {
      const std::string name = s.str() + (boundary == Boundary::Periodic ? " periodic" : " neumann");
      const Operator<T> serial = gradient<T>(s, boundary);
      const auto slab = std::make_shared<const SlabGradient<T>>(s, boundary, c);
      const dist::Block b = slab->block();
      const std::vector<T> x = random_values<T>(s.size(), 3), p = random_values<T>(serial.range().size(), 4);
      Array<T> dx(ctx, serial.range()), dtp(ctx, s);
      serial.apply(ctx, Array<T>::from_host(ctx, s, x).view(), dx.view());
      serial.adjoint(ctx, Array<T>::from_host(ctx, serial.range(), p).view(), dtp.view());

      const Array<T> xb = Array<T>::from_host(ctx, slab->domain(), block_rows(x, s, b));
      const Array<T> pb = Array<T>::from_host(ctx, slab->range(), component_block_rows(p, s, b));
      Array<T> got_dx(ctx, slab->range()), got_dtp(ctx, slab->domain());
      slab->apply(ctx, xb.view(), got_dx.view());
      slab->adjoint(ctx, pb.view(), got_dtp.view());
      const std::vector<T> want_dx = component_block_rows(dx.to_host_vector(), s, b);
      const std::vector<T> want_dtp = block_rows(dtp.to_host_vector(), s, b);
      EXPECT_TRUE(same_bytes(got_dx.to_host_vector().data(), want_dx.data(), want_dx.size()))
          << name << ": D x";
      EXPECT_TRUE(same_bytes(got_dtp.to_host_vector().data(), want_dtp.data(), want_dtp.size()))
          << name << ": D^T p";

      // <D x, p> = <x, D^T p>, each summed over the ranks.
      const double lhs = c->all_reduce(dot<T>(ctx, got_dx.view(), pb.view()), dist::ReduceOp::Sum);
      const double rhs = c->all_reduce(dot<T>(ctx, xb.view(), got_dtp.view()), dist::ReduceOp::Sum);
      EXPECT_NEAR(lhs, rhs, (std::is_same_v<T, float> ? 1e-5 : 1e-13) * std::fabs(lhs)) << name;
    }
  }
}

TEST(SlabGradient, FewerRowsThanRanksFailOnEveryRank) {
  const auto c = comm();
  EXPECT_THROW(SlabGradient<float>(Shape{c->size() - 1, 4}, Boundary::Neumann, c), InvalidArgument);
  EXPECT_THROW(SlabGradient<float>(Shape{2, 2, 2, 2}, Boundary::Neumann, c), InvalidArgument);
}

// A noisy piecewise-constant volume.
std::vector<double> noisy_volume(const Shape& s) {
  std::vector<double> u = random_values<double>(s.size(), 11);
  for (index_t i = 0; i < s.size(); ++i) u[i] = 0.2 * u[i] + (i % row_size(s) < row_size(s) / 2 ? 1.0 : 0.0);
  return u;
}

struct SlabRun {
  std::vector<double> x;
  SolveReport report;
};

SlabRun run_slabs(std::shared_ptr<const dist::Communicator> c, const Shape& s, const TvProblem& p,
                  const TvOptions& o) {
  const Context ctx = Context::host(1);
  const dist::Block b = dist::block_share(s[0], c->rank(), c->size());
  Shape local{b.count()};
  for (int a = 1; a < s.ndim(); ++a) local.push_back(s[a]);
  const Array<double> u = Array<double>::from_host(ctx, local, block_rows(noisy_volume(s), s, b));
  Array<double> x(ctx, local);
  const SolveReport r = tv_denoise_slabs<double>(ctx, c, s, u.view(), x.view(), p, o);
  return {x.to_host_vector(), r};
}

// The same solver on one rank holding the whole array: this rank's rows of its result.
std::vector<double> whole_on_one_rank(const Shape& s, const TvProblem& p, const TvOptions& o) {
  const dist::Block b = dist::block_share(s[0], comm()->rank(), comm()->size());
  return block_rows(run_slabs(dist::single_rank(), s, p, o).x, s, b);
}

// The serial tv_denoise on the whole array.
std::vector<double> serial_rows(const Shape& s, const TvProblem& p, const TvOptions& o, SolveReport* report) {
  const Context ctx = Context::host(1);
  const Array<double> u = Array<double>::from_host(ctx, s, noisy_volume(s));
  Array<double> x(ctx, s);
  *report = tv_denoise<double>(ctx, u.view(), x.view(), p, o);
  return block_rows(x.to_host_vector(), s, dist::block_share(s[0], comm()->rank(), comm()->size()));
}

TEST(SlabTv, SumFreeSolversGiveTheSerialBitsOnEveryRankCount) {
  const auto c = comm();
  const Shape s{7, 6, 5};
  TvProblem p;
  p.lambda = 0.15;
  TvOptions o;
  o.max_iters = 30;
  o.tol = 0;
  o.check_every = 7;
  o.solver = TvSolver::Ladmm;
  o.rho = 2;
  SolveReport serial;
  const SlabRun ladmm = run_slabs(c, s, p, o);
  std::vector<double> want = serial_rows(s, p, o, &serial);
  EXPECT_TRUE(same_bytes(ladmm.x.data(), want.data(), want.size())) << "ladmm";
  EXPECT_EQ(ladmm.x, whole_on_one_rank(s, p, o)) << "ladmm on one rank";

  p.penalty = penalties::Mcp{1, 3};
  p.norm = TvNorm::Anisotropic;
  p.boundary = Boundary::Periodic;
  o.solver = TvSolver::Pdhg;
  const SlabRun pdhg = run_slabs(c, s, p, o);
  want = serial_rows(s, p, o, &serial);
  EXPECT_TRUE(same_bytes(pdhg.x.data(), want.data(), want.size())) << "pdhg, mcp";
}

void expect_matches_serial(const TvProblem& p, const TvOptions& slab_options, const TvOptions& serial_options,
                           const std::string& name) {
  const auto c = comm();
  const Shape s{8, 7, 6};
  const SlabRun got = run_slabs(c, s, p, slab_options);
  SolveReport serial;
  const std::vector<double> want = serial_rows(s, p, serial_options, &serial);
  // max-norm relative error over the whole array: the ranks' maxima, reduced.
  double diff = 0, peak = 0;
  for (std::size_t i = 0; i < want.size(); ++i) {
    diff = std::max(diff, std::fabs(got.x[i] - want[i]));
    peak = std::max(peak, std::fabs(want[i]));
  }
  diff = c->all_reduce(diff, dist::ReduceOp::Max);
  peak = c->all_reduce(peak, dist::ReduceOp::Max);
  EXPECT_LE(diff, 1e-6 * peak) << name;
  EXPECT_EQ(got.report.iterations, serial.iterations) << name;
  EXPECT_NEAR(got.report.last.objective, serial.last.objective, 1e-9 * std::fabs(serial.last.objective))
      << name;
  EXPECT_LT(serial.iterations, serial_options.max_iters) << name << ": the tolerance should stop it";
  EXPECT_TRUE(same_on_every_rank(*c, std::vector<int>{got.report.iterations})) << name;
}

TvOptions solver_options(TvSolver solver, int max_iters, double tol) {
  TvOptions o;
  o.solver = solver;
  o.max_iters = max_iters;
  o.tol = tol;
  return o;
}

TEST(SlabTv, PdhgMatchesTheSerialSolver) {
  TvProblem p;
  p.lambda = 0.2;
  const TvOptions o = solver_options(TvSolver::Pdhg, 2000, 1e-5);
  expect_matches_serial(p, o, o, "pdhg iso");
}

TEST(SlabTv, AdmmWithCgMatchesTheSerialSolverWithCg) {
  TvProblem p;
  p.lambda = 0.2;
  p.norm = TvNorm::Anisotropic;
  const TvOptions o = solver_options(TvSolver::Admm, 500, 1e-4);
  TvOptions serial = o;
  serial.use_cg = true;  // the slab run's x-update is CG, as the serial one then
  expect_matches_serial(p, o, serial, "admm aniso");
}

TEST(SlabTv, ApgmMatchesTheSerialSolver) {
  TvProblem p;
  p.lambda = 0.2;
  const TvOptions o = solver_options(TvSolver::Apgm, 2000, 1e-5);
  expect_matches_serial(p, o, o, "apgm iso");
  p.norm = TvNorm::Anisotropic;
  p.boundary = Boundary::Periodic;
  expect_matches_serial(p, o, o, "apgm aniso periodic");
}

TEST(SlabTv, LbfgsMatchesTheSerialSolver) {
  TvProblem p;
  p.lambda = 0.2;
  p.penalty = penalties::Huber{0.1};
  const TvOptions o = solver_options(TvSolver::Lbfgs, 500, 1e-8);
  expect_matches_serial(p, o, o, "lbfgs huber iso");
  p.penalty = penalties::make_function("weep", {{"a", 3}, {"b", 1}});
  p.norm = TvNorm::Anisotropic;
  expect_matches_serial(p, o, o, "lbfgs weep aniso");
}

TEST(SlabTv, ObjectiveIsTheSerialOne) {
  const auto c = comm();
  const Context ctx = Context::host(1);
  const Shape s{5, 4, 6};
  TvProblem p;
  p.lambda = 0.3;
  const std::vector<double> u = noisy_volume(s), x = random_values<double>(s.size(), 5);
  const double want = tv_objective<double>(ctx, Array<double>::from_host(ctx, s, x).view(),
                                           Array<double>::from_host(ctx, s, u).view(), p);
  const dist::Block b = dist::block_share(s[0], c->rank(), c->size());
  const Shape local{b.count(), s[1], s[2]};
  const double got =
      tv_objective_slabs<double>(ctx, c, s, Array<double>::from_host(ctx, local, block_rows(x, s, b)).view(),
                                 Array<double>::from_host(ctx, local, block_rows(u, s, b)).view(), p);
  EXPECT_NEAR(got, want, 1e-12 * std::fabs(want));
}

TEST(SlabTv, FailuresReachEveryRank) {
  const auto c = comm();
  const Context ctx = Context::host(1);
  const Shape s{6, 4, 4};
  const dist::Block b = dist::block_share(s[0], c->rank(), c->size());
  const Shape local{b.count(), 4, 4};
  std::vector<double> u(static_cast<std::size_t>(local.size()), 1.0);
  if (c->rank() == c->size() - 1) u[3] = std::nan("");
  Array<double> x(ctx, local);
  const Array<double> ua = Array<double>::from_host(ctx, local, u);
  EXPECT_THROW(tv_denoise_slabs<double>(ctx, c, s, ua.view(), x.view(), TvProblem{}, TvOptions{}),
               InvalidArgument);
  TvOptions lbfgs;  // l1 (TvProblem's default) has no gradient
  lbfgs.solver = TvSolver::Lbfgs;
  u.assign(u.size(), 1.0);
  const Array<double> clean = Array<double>::from_host(ctx, local, u);
  EXPECT_THROW(tv_denoise_slabs<double>(ctx, c, s, clean.view(), x.view(), TvProblem{}, lbfgs),
               InvalidArgument);
  Array<double> wrong(ctx, Shape{b.count() + 1, 4, 4});
  EXPECT_THROW(tv_denoise_slabs<double>(ctx, c, s, clean.view(), wrong.view(), TvProblem{}, TvOptions{}),
               ShapeMismatch);
}

// TV-regularised CT over z-slabs against the serial solve: the projector's domain split makes
// tv_reconstruct difference the slabs with halos; the norm estimates start from each slab's
// block of the serial start vector.
void expect_ct_recon_matches_serial(ct::TvReconOptions o, const std::string& name) {
  using namespace recon::ct;
  const auto c = comm();
  const Context ctx = Context::host(1);
  const Geometry g{volume3d(9, 12, 11, {1, 1, 1.1}, {0.4, 0, 0.3}),
                   cone(14, 18, 1.5, 1.4, uniform_angles(11, 0, 2 * M_PI), 50, 30, 0.5, -0.4)};
  const Operator<double> whole = joseph_projector<double>(g);
  const Operator<double> part = slab_projector<double>(g, c);
  const Shape s = whole.domain();
  std::vector<double> truth = random_values<double>(s.size(), 9);
  for (auto& v : truth) v = std::fabs(v);
  Array<double> y(ctx, whole.range());
  whole.apply(ctx, Array<double>::from_host(ctx, s, truth).view(), y.view());
  ct::TvReconProblem p;
  p.lambda = 0.3;
  Array<double> xs(ctx, s), xd(ctx, part.domain());
  fill<double>(ctx, xs.view(), 0.0);
  fill<double>(ctx, xd.view(), 0.0);
  const SolveReport rs = tv_reconstruct<double>(ctx, whole, y.view(), xs.view(), p, o);
  const auto& split = dynamic_cast<const SlabProjector<double>&>(part.get());
  const auto yd = Array<double>::from_host(ctx, part.range(),
                                           projection_rows_of(y.to_host_vector(), g, split.owned_rows()));
  const SolveReport rd = tv_reconstruct<double>(ctx, part, yd.view(), xd.view(), p, o);
  EXPECT_EQ(rd.iterations, rs.iterations) << name;
  // With a tolerance, the serial solve stops before its budget: the test then checks the stop.
  if (o.tol > 0) {
    EXPECT_LT(rs.iterations, o.max_iters) << name;
  }
  const std::vector<double> want =
      block_rows(xs.to_host_vector(), s, dist::block_share(s[0], c->rank(), c->size()));
  const std::vector<double> got = xd.to_host_vector();
  double diff = 0, peak = 0;
  for (std::size_t i = 0; i < want.size(); ++i) {
    diff = std::max(diff, std::fabs(got[i] - want[i]));
    peak = std::max(peak, std::fabs(want[i]));
  }
  diff = c->all_reduce(diff, dist::ReduceOp::Max);
  peak = c->all_reduce(peak, dist::ReduceOp::Max);
  EXPECT_LE(diff, 1e-6 * peak) << name;
  EXPECT_NEAR(rd.last.objective, rs.last.objective, 1e-6 * std::fabs(rs.last.objective)) << name;
  EXPECT_NEAR(rd.last.step, rs.last.step, 1e-6 * std::fabs(rs.last.step)) << name;
}

TEST(SlabCtRecon, AdmmMatchesTheSerialSolver) {
  ct::TvReconOptions o;
  o.solver = ct::TvReconSolver::Admm;
  o.max_iters = 200;
  o.tol = 2e-2;
  o.cg_max_iters = 5;
  o.check_every = 2;
  expect_ct_recon_matches_serial(o, "admm");
}

TEST(SlabCtRecon, PdhgMatchesTheSerialSolver) {
  ct::TvReconOptions o;
  o.solver = ct::TvReconSolver::Pdhg;
  o.max_iters = 30;
  o.tol = 0;
  o.check_every = 5;
  expect_ct_recon_matches_serial(o, "pdhg");
}

// APGM: its inner TV prox by tv_denoise_slabs, its backtracking's and stopping test's sums over
// every slab.
TEST(SlabCtRecon, ApgmMatchesTheSerialSolver) {
  for (const auto variant : {ApgmVariant::Monotone, ApgmVariant::Fista}) {
    ct::TvReconOptions o;
    o.solver = ct::TvReconSolver::Apgm;
    o.apgm_variant = variant;
    o.max_iters = 12;
    o.inner_iters = 8;
    o.tol = 0;
    o.check_every = 3;
    expect_ct_recon_matches_serial(o, std::string("apgm ") + to_string(variant));
    // The stopping test's ||x - x_prev|| <= tol ||x|| over the whole volume: every rank stops at
    // the serial iteration.
    o.max_iters = 200;
    o.tol = 2e-3;
    o.check_every = 1;
    expect_ct_recon_matches_serial(o, std::string("apgm to a tolerance ") + to_string(variant));
  }
}

}  // namespace
}  // namespace recon::testing

// CT projector throughput in GUPS (voxel x view updates per second: volume voxels times views
// per second) for the matched Joseph pair A / A^T, the voxel-driven back-projection B of
// UnmatchedProjector (the opt-in unmatched A^T), and FBP / FDK times. Sizes follow the device:
// on Cuda the target sizes (2D 512^2 x 720 views, 3D 256^3 x 360 and 512^3 x 512 views of a
// 512^2 detector); on the host, where those take minutes, 256^2 x 180 and 64^3 x 90 / 96^3 x 128
// (the label says which). The byte count is the volume plus the projections (a lower bound).
#include <cmath>
#include <string>

#include "recon/datasets/phantoms.hpp"
#include "recon/kernels/kernels.hpp"
#include "recon/operators/ct/fbp.hpp"
#include "recon/operators/ct/projector.hpp"
#include "recon/operators/ct/unmatched_projector.hpp"
#include "roofline.hpp"

namespace recon::bench {
namespace {

struct CtCase {
  ct::Geometry g;
  std::string label;
};

CtCase parallel2d_case() {
  const bool gpu = session().ctx.is_cuda();
  const index_t n = gpu ? 512 : 256, views = gpu ? 720 : 180;
  return {{ct::volume2d(n, n), ct::parallel2d(n + n / 2, 1.0, ct::uniform_angles(views, 0, M_PI))},
          std::to_string(n) + "^2 x " + std::to_string(views) + " views"};
}

CtCase cone_case(int which) {
  const bool gpu = session().ctx.is_cuda();
  const index_t n = gpu ? (which ? 512 : 256) : (which ? 96 : 64);
  const index_t views = gpu ? (which ? 512 : 360) : (which ? 128 : 90);
  const index_t det = gpu && which ? 512 : n;
  // Magnification 2, detector wide enough for the whole volume.
  const double so = 4.0 * n, od = 4.0 * n,
               pixel = 2.0 * 1.5 * static_cast<double>(n) / static_cast<double>(det);
  return {{ct::volume3d(n, n, n),
           ct::cone(det, det, pixel, pixel, ct::uniform_angles(views, 0, 2 * M_PI), so, od)},
          std::to_string(n) + "^3 x " + std::to_string(views) + " views of " + std::to_string(det) + "^2"};
}

void set_gups(benchmark::State& state, const ct::Geometry& g, const std::string& label) {
  const double updates =
      static_cast<double>(g.volume.shape.size()) * static_cast<double>(g.projection.views());
  state.counters["GUPS"] = benchmark::Counter(updates * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(label);
}

// The projector, the phantom x and its projections y on the session's device.
struct Setup {
  ct::JosephProjector<float> op;
  Array<float> x, y;
  double bytes;
  explicit Setup(const ct::Geometry& g) : op(g), y(session().ctx, op.range()) {
    const std::vector<double> v = datasets::rasterize(g.volume, datasets::shepp_logan(g.volume), 1);
    x = Array<float>::from_host(session().ctx, g.volume.shape, std::vector<float>(v.begin(), v.end()));
    op.apply(session().ctx, x.view(), y.view());
    bytes = 4.0 * static_cast<double>(op.domain().size() + op.range().size());
  }
};

void run_projector(benchmark::State& state, const CtCase& c, bool adjoint) {
  const Context& ctx = session().ctx;
  Setup s(c.g);
  if (adjoint)
    run_timed(state, s.bytes, [&] { s.op.adjoint(ctx, s.y.view(), s.x.view()); });
  else
    run_timed(state, s.bytes, [&] { s.op.apply(ctx, s.x.view(), s.y.view()); });
  set_gups(state, c.g, c.label);
}

void run_unmatched_adjoint(benchmark::State& state, const CtCase& c) {
  const Context& ctx = session().ctx;
  Setup s(c.g);
  const ct::UnmatchedProjector<float> b(c.g);
  run_timed(state, s.bytes, [&] { b.adjoint(ctx, s.y.view(), s.x.view()); });
  set_gups(state, c.g, c.label);
}

void run_fbp(benchmark::State& state, const CtCase& c) {
  const Context& ctx = session().ctx;
  Setup s(c.g);
  run_timed(state, s.bytes, [&] { ct::filtered_backprojection<float>(ctx, c.g, s.y.view(), s.x.view()); });
  set_gups(state, c.g, c.label);
}

void BM_ct_parallel2d_forward(benchmark::State& state) { run_projector(state, parallel2d_case(), false); }
void BM_ct_parallel2d_adjoint(benchmark::State& state) { run_projector(state, parallel2d_case(), true); }
void BM_ct_parallel2d_unmatched_adjoint(benchmark::State& state) {
  run_unmatched_adjoint(state, parallel2d_case());
}
void BM_ct_parallel2d_fbp(benchmark::State& state) { run_fbp(state, parallel2d_case()); }
void BM_ct_cone_forward(benchmark::State& state) {
  run_projector(state, cone_case(static_cast<int>(state.range(0))), false);
}
void BM_ct_cone_adjoint(benchmark::State& state) {
  run_projector(state, cone_case(static_cast<int>(state.range(0))), true);
}
void BM_ct_cone_unmatched_adjoint(benchmark::State& state) {
  run_unmatched_adjoint(state, cone_case(static_cast<int>(state.range(0))));
}
void BM_ct_cone_fdk(benchmark::State& state) { run_fbp(state, cone_case(static_cast<int>(state.range(0)))); }

#define RECON_CT_BENCH ->UseManualTime()->Unit(benchmark::kMillisecond)
BENCHMARK(BM_ct_parallel2d_forward) RECON_CT_BENCH;
BENCHMARK(BM_ct_parallel2d_adjoint) RECON_CT_BENCH;
BENCHMARK(BM_ct_parallel2d_unmatched_adjoint) RECON_CT_BENCH;
BENCHMARK(BM_ct_parallel2d_fbp) RECON_CT_BENCH;
BENCHMARK(BM_ct_cone_forward)->Arg(0)->Arg(1) RECON_CT_BENCH;
BENCHMARK(BM_ct_cone_adjoint)->Arg(0)->Arg(1) RECON_CT_BENCH;
BENCHMARK(BM_ct_cone_unmatched_adjoint)->Arg(0)->Arg(1) RECON_CT_BENCH;
BENCHMARK(BM_ct_cone_fdk)->Arg(0)->Arg(1) RECON_CT_BENCH;

}  // namespace
}  // namespace recon::bench

// CT projector throughput in GUPS (voxel x view updates per second: volume voxels times views
// per second) for the matched Joseph pair A / A^T (A^T also in each of its two forms), the voxel-driven
// back-projection B of UnmatchedProjector (the opt-in unmatched A^T), and FBP / FDK times. Sizes follow the
// device: on Cuda the target sizes (2D 512^2 x 720 views, 3D 256^3 x 360 and 512^3 x 512 views of a 512^2
// detector); on the host, where those take minutes, 256^2 x 180 and 64^3 x 90 / 96^3 x 128 (the label says
// which). The byte count is the volume plus the projections (a lower bound). With
// RECON_BENCH_CT_GEOMETRY=FILE (a geometry JSON, docs/ct-geometry.md) the same cases also run on that
// geometry, as BM_ct_file_*: bench/astra_ct.py times recon on ASTRA's geometries this way. Unset (CI's and
// bench/run's runs), nothing is added.
#include <cmath>
#include <cstdlib>
#include <string>
#include <utility>

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
  explicit Setup(const ct::Geometry& g, ct::JosephAdjoint form = ct::JosephAdjoint::Automatic)
      : op(g, form), y(session().ctx, op.range()) {
    const std::vector<double> v = datasets::rasterize(g.volume, datasets::shepp_logan(g.volume), 1);
    x = Array<float>::from_host(session().ctx, g.volume.shape, std::vector<float>(v.begin(), v.end()));
    op.apply(session().ctx, x.view(), y.view());
    bytes = 4.0 * static_cast<double>(op.domain().size() + op.range().size());
  }
};

void run_projector(benchmark::State& state, const CtCase& c, bool adjoint,
                   ct::JosephAdjoint form = ct::JosephAdjoint::Automatic) {
  const Context& ctx = session().ctx;
  Setup s(c.g, form);
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

void run_fbp(benchmark::State& state, const CtCase& c,
             ct::VoxelInterpolation interpolation = ct::VoxelInterpolation::Exact) {
  const Context& ctx = session().ctx;
  Setup s(c.g);
  run_timed(state, s.bytes, [&] {
    ct::filtered_backprojection<float>(ctx, c.g, s.y.view(), s.x.view(), ct::FbpFilter::Ramp, interpolation);
  });
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
// A^T in each form (projector.hpp's JosephAdjoint), beside the automatic choice above.
void BM_ct_cone_adjoint_scatter(benchmark::State& state) {
  run_projector(state, cone_case(static_cast<int>(state.range(0))), true, ct::JosephAdjoint::Scatter);
}
void BM_ct_cone_adjoint_gather(benchmark::State& state) {
  run_projector(state, cone_case(static_cast<int>(state.range(0))), true, ct::JosephAdjoint::Gather);
}
void BM_ct_cone_unmatched_adjoint(benchmark::State& state) {
  run_unmatched_adjoint(state, cone_case(static_cast<int>(state.range(0))));
}
void BM_ct_cone_fdk(benchmark::State& state) { run_fbp(state, cone_case(static_cast<int>(state.range(0)))); }
// FDK with the texture units' interpolation (fbp.hpp; on the host the exact path runs: skipped).
void BM_ct_cone_fdk_texture(benchmark::State& state) {
  if (!session().ctx.is_cuda()) return state.SkipWithError("texture interpolation is a GPU's");
  run_fbp(state, cone_case(static_cast<int>(state.range(0))), ct::VoxelInterpolation::Texture);
}

// The geometry file's cases: the projector pair, the voxel-driven B and FBP/FDK (a geometry
// FBP/FDK does not accept is a skipped case with the reason). One setup (Shepp-Logan sampled
// once per voxel, its projections) serves every case of the process.
enum class FileOp { Forward, Adjoint, UnmatchedAdjoint, Fbp, FbpTexture };

void run_file_case(benchmark::State& state, const std::string& path, FileOp op) {
  try {
    static const ct::Geometry* g = nullptr;
    static Setup* s = nullptr;  // kept to the end: device memory must not outlive the context
    if (!s) {
      g = new ct::Geometry(ct::read_geometry(path));
      s = new Setup(*g);
    }
    const Context& ctx = session().ctx;
    std::string name = path.substr(path.find_last_of('/') + 1);
    const Shape vol = g->volume.shape;
    for (int a = 0; a < vol.ndim(); ++a) name += (a ? "x" : ": ") + std::to_string(vol[a]);
    name += " x " + std::to_string(g->projection.views()) + " views";
    switch (op) {
      case FileOp::Forward:
        run_timed(state, s->bytes, [&] { s->op.apply(ctx, s->x.view(), s->y.view()); });
        break;
      case FileOp::Adjoint:
        run_timed(state, s->bytes, [&] { s->op.adjoint(ctx, s->y.view(), s->x.view()); });
        break;
      case FileOp::UnmatchedAdjoint: {
        const ct::UnmatchedProjector<float> b(*g);
        run_timed(state, s->bytes, [&] { b.adjoint(ctx, s->y.view(), s->x.view()); });
        break;
      }
      case FileOp::Fbp:
      case FileOp::FbpTexture: {
        if (op == FileOp::FbpTexture && !ctx.is_cuda())
          return state.SkipWithError("texture interpolation is a GPU's");
        const auto interpolation =
            op == FileOp::FbpTexture ? ct::VoxelInterpolation::Texture : ct::VoxelInterpolation::Exact;
        run_timed(state, s->bytes, [&] {
          ct::filtered_backprojection<float>(ctx, *g, s->y.view(), s->x.view(), ct::FbpFilter::Ramp,
                                             interpolation);
        });
        break;
      }
    }
    set_gups(state, *g, name);
  } catch (const Error& e) {
    state.SkipWithError(e.what());
  }
}

[[maybe_unused]] const bool file_cases = [] {
  const char* path = std::getenv("RECON_BENCH_CT_GEOMETRY");
  if (!path || !*path) return false;
  const std::string file(path);
  const std::pair<const char*, FileOp> ops[] = {{"BM_ct_file_forward", FileOp::Forward},
                                                {"BM_ct_file_adjoint", FileOp::Adjoint},
                                                {"BM_ct_file_unmatched_adjoint", FileOp::UnmatchedAdjoint},
                                                {"BM_ct_file_fbp", FileOp::Fbp},
                                                {"BM_ct_file_fbp_texture", FileOp::FbpTexture}};
  for (const auto& entry : ops) {
    const FileOp op = entry.second;
    benchmark::RegisterBenchmark(entry.first,
                                 [file, op](benchmark::State& state) { run_file_case(state, file, op); })
        ->UseManualTime()
        ->Unit(benchmark::kMillisecond);
  }
  return true;
}();

#define RECON_CT_BENCH ->UseManualTime()->Unit(benchmark::kMillisecond)
BENCHMARK(BM_ct_parallel2d_forward) RECON_CT_BENCH;
BENCHMARK(BM_ct_parallel2d_adjoint) RECON_CT_BENCH;
BENCHMARK(BM_ct_parallel2d_unmatched_adjoint) RECON_CT_BENCH;
BENCHMARK(BM_ct_parallel2d_fbp) RECON_CT_BENCH;
BENCHMARK(BM_ct_cone_forward)->Arg(0)->Arg(1) RECON_CT_BENCH;
BENCHMARK(BM_ct_cone_adjoint)->Arg(0)->Arg(1) RECON_CT_BENCH;
BENCHMARK(BM_ct_cone_adjoint_scatter)->Arg(0)->Arg(1) RECON_CT_BENCH;
BENCHMARK(BM_ct_cone_adjoint_gather)->Arg(0)->Arg(1) RECON_CT_BENCH;
BENCHMARK(BM_ct_cone_unmatched_adjoint)->Arg(0)->Arg(1) RECON_CT_BENCH;
BENCHMARK(BM_ct_cone_fdk)->Arg(0)->Arg(1) RECON_CT_BENCH;
BENCHMARK(BM_ct_cone_fdk_texture)->Arg(0)->Arg(1) RECON_CT_BENCH;

}  // namespace
}  // namespace recon::bench

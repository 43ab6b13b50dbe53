// `recon ct ...`: CT with a JSON geometry (docs/ct-geometry.md). Inputs in any format of
// io::read_image (.npy, .raw, TIFF stacks, MetaImage, ...; values as stored), outputs by extension.
//   project     --geometry g.json VOLUME OUT    y = A x (Joseph line integrals)
//   backproject --geometry g.json SINO OUT [--unmatched]
//               x = A^T y (the exact adjoint), or the voxel-driven B ~ A^T with --unmatched
//   fbp | fdk   --geometry g.json SINO OUT [--filter ramp|shepp-logan|cosine|hann]
//               [--interpolation exact|texture] (texture: a GPU's texture units, fbp.hpp)
//   sirt | cgls --geometry g.json SINO OUT [--iters N --tol T] [--nonneg --relaxation L] [--log log.json]
//               sirt [--backprojector matched|voxel]: A^T or the voxel-driven B (no atomics, unmatched)
//   project, backproject, sirt, cgls and recon also run under mpiexec, split by views over the
//   ranks (--distribute views, the default with several ranks; ct_data.hpp, docs/distributed.md);
//   project, backproject, sirt and cgls also by z-slabs of the volume (--distribute slabs); fbp
//   and fdk by z-slabs (their default under mpiexec) or by views
//   recon       --geometry g.json SINO OUT [--solver admm|pdhg --loss L --penalty P --lambda ..]
//               (ct_recon.cpp)
//   simulate    --geometry g.json OUT [--phantom shepp-logan|ball | --volume VOL.npy]
//               [--flux I0 | --sigma S] [--seed N] [--truth TRUTH.npy]
// simulate projects an analytic phantom exactly (chord lengths, no discrete projector) or,
// with --volume, a given volume with A; noise is Poisson transmission noise with I0 photons
// per ray (log-transformed) or additive Gaussian. Each command prints a one-line JSON summary.
#include <nlohmann/json.hpp>

#include <fstream>
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "ct_data.hpp"
#include "ct_io.hpp"
#include "ct_recon.hpp"
#include "iteration_log.hpp"
#include "json_output.hpp"
#include "option_checks.hpp"
#include "recon/datasets/noise.hpp"
#include "recon/datasets/phantoms.hpp"
#include "recon/engine/ct/cgls.hpp"
#include "recon/engine/ct/sirt.hpp"
#include "recon/io/atomic_file.hpp"
#include "recon/io/image.hpp"
#include "recon/io/npy.hpp"
#include "recon/kernels/error.hpp"
#include "recon/kernels/vector_ops.hpp"
#include "recon/operators/ct/fbp.hpp"
#include "recon/operators/ct/projector.hpp"
#include "recon/operators/ct/slab_fbp.hpp"
#include "recon/operators/ct/unmatched_projector.hpp"
#include "recon/operators/ct/views_fbp.hpp"

namespace recon::cli {

namespace {

struct CtArgs {
  std::string geometry, in, out, filter = "ramp", interpolation = "exact", log, phantom = "shepp-logan",
                                 volume, truth;
  std::string backprojector = "matched";
  std::string distribute;  // empty: views when run on several ranks
  int iters = 100;
  double tol = 1e-6, relaxation = 1.0, flux = 0, sigma = 0;
  bool nonneg = false, unmatched = false;
  std::uint64_t seed = 0;
};

void print_summary(nlohmann::json j) { std::cout << j.dump(-1, ' ', false, kReplaceInvalidUtf8) << "\n"; }

CLI::App* add_io(CLI::App& ct, const char* name, const char* help, CtArgs& a, const char* in_help) {
  auto* c = ct.add_subcommand(name, help);
  c->add_option("--geometry", a.geometry, "geometry JSON file")->required();
  c->add_option("IN", a.in, in_help)->required();
  c->add_option("OUT", a.out, "output .npy")->required();
  return c;
}

// Joseph's A with its exact adjoint, or with the voxel-driven back-projector
// (unmatched_projector.hpp), which is not streamed.
Operator<float> projector(const CtPlacement& p, bool unmatched, const char* command) {
  if (!unmatched) return p.projector();
  require(!p.streamed, command,
          "the voxel-driven back-projector is not streamed, and the data do not fit on the device; use the "
          "matched one or a larger --device-memory-limit");
  return ct::unmatched_projector<float>(p.geometry);
}

// The command's data and projector: split by views or z-slabs over the ranks (ct_data.hpp), or
// serial (in memory or streamed) with the matched or the voxel-driven back-projector.
CtData ct_data(const CtArgs& a, const GlobalOptions& global, double volumes, double sinograms,
               const std::string& command, bool unmatched) {
  return ct_data_for(
      global, a.geometry, a.distribute, volumes, sinograms, command,
      unmatched ? "the voxel-driven back-projector is not distributed; use the matched one" : "",
      [&](const CtPlacement& p) { return projector(p, unmatched, command.c_str()); }, true);
}

void run_linear(const CtArgs& a, const GlobalOptions& global, bool adjoint) {
  const char* command = adjoint ? "ct backproject" : "ct project";
  const CtData data = ct_data(a, global, 2, 2, command, adjoint && a.unmatched);
  const Context& ctx = data.ctx();
  const Operator<float>& op = data.op();
  const Array<float> in = adjoint ? data.read_projections(a.in) : data.read_volume(a.in);
  Array<float> out(ctx, adjoint ? op.domain() : op.range());
  if (adjoint) {
    op.adjoint(ctx, in.view(), out.view());
    data.write_volume(a.out, out, command, "the values of " + a.in);
  } else {
    op.apply(ctx, in.view(), out.view());
    data.write_projections(a.out, out, command, "the values of " + a.in);
  }
  const ct::Geometry& g = data.geometry();
  print_summary(data.summary({{"output", a.out},
                              {"operator", op.name()},
                              {"adjoint", adjoint},
                              {"shape", (adjoint ? g.volume.shape : g.projection.shape()).str()}}));
}

// `ct fbp` on a geometry for `ct fdk` or the other way round: InvalidArgument.
void require_fbp_family(const ct::Geometry& g, const CtArgs& a, bool cone) {
  const bool is_cone = g.projection.type_name() == "cone";
  if (cone != is_cone)
    throw InvalidArgument(std::string("ct ") + (cone ? "fdk" : "fbp") + ": " + a.geometry + " is a " +
                          g.projection.type_name() + " geometry; use " + (is_cone ? "'ct fdk'" : "'ct fbp'") +
                          (g.projection.circular ? "" : " (or sirt/cgls)"));
}

// FBP / FDK split over the ranks of an MPI run: by z-slabs (slab_fbp.hpp; the default), each
// rank filtering its band of detector rows and back-projecting its slab, or by views
// (views_fbp.hpp), each rank filtering and back-projecting its views into a whole volume, then
// one all-reduce; rank 0 reads, scatters, gathers and writes.
void run_fbp_split(const CtArgs& a, const GlobalOptions& global, bool cone) {
  const std::string command = cone ? "ct fdk" : "ct fbp";
  const bool by_views = a.distribute == "views";
  const CtData data =
      CtData::distributed(global, a.geometry, 2, 3, command, by_views ? Split::Views : Split::Slabs, false);
  const ct::Geometry& g = data.geometry();
  ct::FbpFilter filter{};
  dist::agree(*dist::world(), [&] {
    require_fbp_family(g, a, cone);
    filter = ct::parse_fbp_filter(a.filter);
    ct::detail::fbp_angles(g.projection, command);
  });
  const ct::VoxelInterpolation interpolation = ct::parse_voxel_interpolation(a.interpolation);
  const Array<float> share = data.read_projections(a.in);
  Array<float> out(data.ctx(), data.op().domain());
  {
    Progress progress(global, command, 1, "filtered back-projection");
    if (by_views)
      ct::filtered_backprojection_views<float>(
          data.ctx(), dynamic_cast<const ct::DistributedProjector<float>&>(data.op().get()), share.view(),
          out.view(), filter, interpolation);
    else
      ct::filtered_backprojection_slabs<float>(data.ctx(),
                                               dynamic_cast<const ct::SlabProjector<float>&>(data.op().get()),
                                               share.view(), out.view(), filter, interpolation);
    progress.step(1);
  }
  data.write_volume(a.out, out, command, "the values of " + a.in);
  print_summary(data.summary({{"output", a.out},
                              {"method", cone ? "fdk" : "fbp"},
                              {"filter", a.filter},
                              {"interpolation", a.interpolation}}));
}

void run_fbp(const CtArgs& a, const GlobalOptions& global, bool cone) {
  if (dist::world()->size() > 1 || !a.distribute.empty()) return run_fbp_split(a, global, cone);
  const CtPlacement place = place_ct(global, a.geometry, 2, 3, cone ? "ct fdk" : "ct fbp", true);
  const Context& ctx = place.data;
  const ct::Geometry& g = place.geometry;
  require_fbp_family(g, a, cone);
  const ct::FbpFilter filter = ct::parse_fbp_filter(a.filter);
  const ct::VoxelInterpolation interpolation = ct::parse_voxel_interpolation(a.interpolation);
  const Array<float> sino = read_ct_array(ctx, a.in, g.projection.shape(), "projection shape");
  Array<float> out(ctx, g.volume.shape);
  nlohmann::json streamed;  // null unless streamed: then the plan
  {
    Progress progress(global, cone ? "ct fdk" : "ct fbp", 1, "filtered back-projection");
    if (place.streamed)
      streamed = {{"slab_depth", ct::filtered_backprojection_streamed<float>(
                                     place.device, g, sino.view(), out.view(), filter,
                                     available_bytes(place.device) / 10 * 9, interpolation)}};
    else
      ct::filtered_backprojection<float>(ctx, g, sino.view(), out.view(), filter, interpolation);
    progress.step(1);
  }
  require_finite_result(out, cone ? "ct fdk" : "ct fbp", "the values of " + a.in);
  io::write_image(a.out, out);
  print_summary({{"output", a.out},
                 {"method", cone ? "fdk" : "fbp"},
                 {"filter", a.filter},
                 {"interpolation", a.interpolation},
                 {"streamed", streamed}});
}

void run_iterative(const CtArgs& a, const GlobalOptions& global, bool use_sirt) {
  const char* name = use_sirt ? "sirt" : "cgls";
  dist::agree(*dist::world(), [&] {  // on every rank alike (ct_data.hpp)
    if (!use_sirt && a.nonneg)
      throw InvalidArgument("ct cgls: --nonneg is not supported by CGLS (use 'ct sirt --nonneg')");
    require_log_memory(!a.log.empty(), a.iters, 1);
  });
  const std::string command = std::string("ct ") + name;
  const CtData data = ct_data(a, global, 5, 4, command, use_sirt && a.backprojector == "voxel");
  const Context& ctx = data.ctx();
  const Operator<float>& op = data.op();
  const Array<float> y = data.read_projections(a.in);
  Array<float> x(ctx, op.domain());
  fill<float>(ctx, x.view(), 0.0f);
  nlohmann::json log = nlohmann::json::array();
  Progress progress(global, std::string("ct ") + name, a.iters, "iterations");
  const Monitor monitor = [&](const IterationInfo& it) {
    progress.step(it.iteration, objective_text(it));
    if (!a.log.empty())
      log.push_back({{"iteration", it.iteration},
                     {"objective", it.objective},
                     {"residual", it.primal_residual},
                     {"elapsed_s", it.elapsed_s}});
    return true;
  };
  SolveReport rep;
  if (use_sirt) {
    ct::SirtOptions o;
    o.max_iters = a.iters;
    o.rel_tol = a.tol;
    o.relaxation = a.relaxation;
    o.nonneg = a.nonneg;
    rep = ct::sirt<float>(ctx, op, y.view(), x.view(), o, monitor);
  } else {
    ct::CglsOptions o;
    o.max_iters = a.iters;
    o.rel_tol = a.tol;
    rep = ct::cgls<float>(ctx, op, y.view(), x.view(), o, monitor);
  }
  data.write_volume(a.out, x, command, "the values of " + a.in);
  const nlohmann::json summary = data.summary({{"output", a.out},
                                               {"solver", name},
                                               {"operator", op.name()},
                                               {"iterations", rep.iterations},
                                               {"stop", to_string(rep.reason)},
                                               {"residual", rep.last.primal_residual},
                                               {"elapsed_s", rep.last.elapsed_s}});
  if (!a.log.empty())
    data.on_writer([&] {
      io::write_file_atomically(a.log, [&](std::ostream& os) {
        os << nlohmann::json{{"summary", summary}, {"iterations", log}}.dump(2, ' ', false,
                                                                             kReplaceInvalidUtf8)
           << "\n";
      });
    });
  print_summary(summary);
}

void run_simulate(const CtArgs& a, const GlobalOptions& global) {
  require(a.flux >= 0 && a.sigma >= 0, "ct simulate", "--flux and --sigma must be >= 0");
  require(!(a.flux > 0 && a.sigma > 0), "ct simulate",
          "choose one noise model: --flux (Poisson) or --sigma (Gaussian)");
  require(a.volume.empty() || a.truth.empty(), "ct simulate",
          "--truth writes the phantom; it has no meaning with --volume");
  // The analytic chords in double, their float copy and the array (16 bytes per sample); the
  // phantom sampled for --truth in double and float (12 bytes per voxel).
  const CtPlacement place = place_ct(global, a.geometry, a.volume.empty() ? (a.truth.empty() ? 0 : 3) : 2,
                                     a.volume.empty() ? 4 : 2, "ct simulate", false);
  const Context& ctx = place.data;
  const ct::Geometry& g = place.geometry;
  Array<float> proj(ctx, g.projection.shape());
  std::string source = a.volume;
  if (!a.volume.empty()) {
    const ct::JosephProjector<float> op(g);
    const Array<float> vol = read_ct_array(ctx, a.volume, op.domain(), "volume shape");
    op.apply(ctx, vol.view(), proj.view());
  } else {
    std::vector<datasets::Ellipsoid> phantom;
    if (a.phantom == "shepp-logan") {
      phantom = datasets::shepp_logan(g.volume);
    } else {
      const double r =
          0.4 * std::min(g.volume.nx() * g.volume.voxel_size[0], g.volume.ny() * g.volume.voxel_size[1]);
      phantom = datasets::ball(1.0, r, g.volume.origin);
    }
    source = "analytic " + a.phantom;
    const std::vector<double> p = datasets::line_integrals(g.projection, phantom);
    proj = Array<float>::from_host(ctx, g.projection.shape(), std::vector<float>(p.begin(), p.end()));
    if (!a.truth.empty()) {
      const std::vector<double> t = datasets::rasterize(g.volume, phantom, 3);
      // Any format by extension, like OUT (a .png name holds a PNG, never .npy bytes).
      io::write_image(a.truth, Array<float>::from_host(Context::host(), g.volume.shape,
                                                       std::vector<float>(t.begin(), t.end())));
    }
  }
  if (a.flux > 0) datasets::add_poisson_transmission_noise<float>(ctx, proj.view(), a.flux, a.seed);
  if (a.sigma > 0) datasets::add_gaussian_noise<float>(ctx, proj.view(), a.sigma, a.seed);
  require_finite_result(proj, "ct simulate",
                        a.volume.empty() ? "--flux and --sigma" : "the values of " + a.volume);
  io::write_image(a.out, proj);
  print_summary({{"output", a.out},
                 {"source", source},
                 {"flux", a.flux},
                 {"sigma", a.sigma},
                 {"seed", a.seed},
                 {"shape", proj.shape().str()}});
}

}  // namespace

void add_ct_command(CLI::App& app, const GlobalOptions& global) {
  auto* ct = app.add_subcommand(
      "ct", "CT: project, back-project, FBP/FDK, SIRT/CGLS, regularised recon, simulate (geometry in JSON)");
  ct->require_subcommand(1);
  auto a = std::make_shared<CtArgs>();

  auto* fp = add_io(*ct, "project", "forward projection y = A x", *a, "volume .npy");
  add_distribute_option(*fp, a->distribute);
  fp->callback([a, &global] { run_linear(*a, global, false); });
  auto* bp = add_io(*ct, "backproject", "exact adjoint x = A^T y", *a, "projections .npy");
  add_distribute_option(*bp, a->distribute);
  bp->add_flag("--unmatched", a->unmatched,
               "voxel-driven back-projection B ~ A^T instead (a gather without atomics, not the exact "
               "adjoint; circular geometries)");
  bp->callback([a, &global] { run_linear(*a, global, true); });
  for (const char* name : {"fbp", "fdk"}) {
    const bool cone = std::string(name) == "fdk";
    auto* c =
        add_io(*ct, name,
               cone ? "FDK reconstruction (circular cone beam: full circle, or a Parker-weighted short scan)"
                    : "filtered back-projection (parallel 2D/3D: 180/360 degrees; fan: full circle "
                      "or a Parker-weighted short scan)",
               *a, "projections .npy");
    c->add_option("--filter", a->filter, "ramp | shepp-logan | cosine | hann")
        ->check(CLI::IsMember({"ramp", "shepp-logan", "cosine", "hann"}))
        ->capture_default_str();
    c->add_option("--interpolation", a->interpolation,
                  "exact | texture: on a GPU, the texture units' bilinear interpolation (8-bit weights, as "
                  "ASTRA and TIGRE; faster); the CPU interpolates exactly either way")
        ->check(CLI::IsMember({"exact", "texture"}))
        ->capture_default_str();
    c->add_option("--distribute", a->distribute,
                  "under mpiexec: slabs (each rank a z-slab of the volume and its band of detector rows; "
                  "3D circular geometries; the default with several ranks) or views (each rank its views "
                  "and the whole volume, summed over the ranks)")
        ->check(CLI::IsMember({"views", "slabs"}));
    c->callback([a, &global, cone] { run_fbp(*a, global, cone); });
  }
  for (const char* name : {"sirt", "cgls"}) {
    const bool use_sirt = std::string(name) == "sirt";
    auto* c = add_io(*ct, name, use_sirt ? "SIRT reconstruction" : "CGLS least-squares reconstruction", *a,
                     "projections .npy");
    c->add_option("--iters", a->iters, "maximum iterations")
        ->capture_default_str()
        ->check(number_check(int_at_least(0)));
    c->add_option("--tol", a->tol, "relative tolerance")
        ->capture_default_str()
        ->check(number_check(at_least(0)));
    c->add_option("--log", a->log, "write the per-iteration log (JSON) here");
    add_distribute_option(*c, a->distribute);
    c->add_flag("--nonneg", a->nonneg,
                use_sirt ? "project onto x >= 0 every iteration" : "not supported by CGLS");
    if (use_sirt) {
      c->add_option("--relaxation", a->relaxation, "relaxation in (0, 2)")
          ->capture_default_str()
          ->check(number_check(between(0, 2, true, true)));
      c->add_option("--backprojector", a->backprojector,
                    "matched (exact A^T) | voxel (voxel-driven gather without atomics, unmatched; "
                    "circular geometries)")
          ->capture_default_str()
          ->check(CLI::IsMember({"matched", "voxel"}));
    }
    c->callback([a, &global, use_sirt] { run_iterative(*a, global, use_sirt); });
  }
  auto* sim = ct->add_subcommand("simulate", "projections of an analytic phantom or a volume, with noise");
  sim->add_option("--geometry", a->geometry, "geometry JSON file")->required();
  sim->add_option("OUT", a->out, "output projections .npy")->required();
  sim->add_option("--phantom", a->phantom, "shepp-logan | ball")
      ->capture_default_str()
      ->check(CLI::IsMember({"shepp-logan", "ball"}));
  sim->add_option("--volume", a->volume, "project this volume .npy with A instead of a phantom");
  sim->add_option("--truth", a->truth, "also write the sampled phantom here (format by extension)");
  sim->add_option("--flux", a->flux, "Poisson noise: incident photons per ray (0: none)")
      ->check(number_check(at_least(0)));
  sim->add_option("--sigma", a->sigma, "Gaussian noise standard deviation (0: none)")
      ->check(number_check(at_least(0)));
  sim->add_option("--seed", a->seed, "random seed")->capture_default_str()->check(number_check(seed_range()));
  sim->callback([a, &global] { run_simulate(*a, global); });
  add_ct_recon_command(*ct, global);
}

}  // namespace recon::cli

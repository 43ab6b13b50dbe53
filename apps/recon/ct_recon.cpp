// `recon ct recon --geometry g.json SINO OUT`: min loss(A x - y) + lambda sum phi(D x) [+ x >= 0]
// by ADMM, PDHG or APGM, from zero or from an FBP/FDK start. A progress line on a terminal, a
// per-iteration JSON log with --log, PSNR/SSIM against --reference, one JSON summary on stdout.
// Under mpiexec it runs split by views (ct_data.hpp, docs/distributed.md): the solvers sum their
// data term's residuals over the ranks and replicate the volume, so every solver runs
// distributed. Split by z-slabs (--distribute slabs) the volume is split and the TV term is the
// slab gradient with one-slice halos (tv_recon.cpp); every solver runs so. The FBP start of a
// split run is split the same way (slab_fbp.hpp, views_fbp.hpp).
#include "ct_recon.hpp"

#include <unistd.h>

#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>

#include "ct_data.hpp"
#include "ct_io.hpp"
#include "function_options.hpp"
#include "iteration_log.hpp"
#include "json_output.hpp"
#include "option_checks.hpp"
#include "recon/engine/ct/tv_recon.hpp"
#include "recon/engine/metrics.hpp"
#include "recon/io/atomic_file.hpp"
#include "recon/operators/ct/fbp.hpp"
#include "recon/operators/ct/projector.hpp"
#include "recon/operators/ct/slab_fbp.hpp"
#include "recon/operators/ct/views_fbp.hpp"
#include "row_blocks.hpp"

namespace recon::cli {

namespace {

struct CtReconArgs {
  std::string geometry, in, out, log, reference, solver = "admm", tv = "iso", init = "zero",
                                                 apgm_variant = "monotone", inner_solver = "pdhg";
  std::string distribute;  // empty: views when run on several ranks
  FunctionFlags penalty{"l1", {}}, loss{"sq-l2", {}};
  double lambda = 0.01, tol = 1e-4, rho = 1, range = 0;
  int iters = 100, cg_iters = 10, check_every = 1, inner_iters = 10;
  bool allow_negative = false;
};

void run(const CtReconArgs& a, const GlobalOptions& global) {
  // Every option is checked before anything is read or written, alike on every rank.
  ct::TvReconProblem problem;
  ct::TvReconOptions options;
  dist::agree(*dist::world(), [&] {
    problem = {make_function(a.loss), make_function(a.penalty), a.lambda, parse_tv_norm(a.tv),
               !a.allow_negative};
    options.solver = ct::parse_tv_recon_solver(a.solver);
    options.max_iters = a.iters;
    options.tol = a.tol;
    options.rho = a.rho;
    options.cg_max_iters = a.cg_iters;
    options.check_every = a.check_every;
    options.apgm_variant = parse_apgm_variant(a.apgm_variant);
    options.inner_iters = a.inner_iters;
    options.inner_solver = parse_tv_solver(a.inner_solver);
    require(a.init == "zero" || a.init == "fbp", "ct recon",
            "--init must be zero or fbp, got '" + a.init + "'");
    require_log_memory(!a.log.empty(), a.iters, a.check_every);
  });

  // x, the reference, ADMM's splits and CG's vectors: about twelve volumes and four sinograms.
  const CtData data = ct_data_for(
      global, a.geometry, a.distribute, 12, 4, "ct recon", "",
      [](const CtPlacement& p) { return p.projector(); }, true);
  const CtPlacement& place = data.placement();
  const Context& ctx = data.ctx();
  const ct::Geometry& g = data.geometry();
  const Operator<float>& op = data.op();
  const Array<float> y = data.read_projections(a.in);
  Array<float> reference;
  if (!a.reference.empty()) reference = data.read_volume(a.reference);
  // Sums over the volume run over the ranks when it is split into slabs.
  const dist::Communicator* volume_split = data.split() == Split::Slabs ? dist::world().get() : nullptr;
  const bool has_reference = !a.reference.empty();
  // PSNR's data range: given, or the reference's maximum (attenuation has no fixed scale).
  const double range =
      a.range > 0 ? a.range : (has_reference ? max_abs_over_blocks(ctx, volume_split, reference.view()) : 0);

  Array<float> x(ctx, op.domain());
  if (a.init == "fbp" && data.distributed()) {
    // FBP split like the projector: by slabs (slab_fbp.hpp), each rank filtering its band of rows
    // and back-projecting its slab; by views (views_fbp.hpp), each rank its views into a whole
    // volume, then one all-reduce.
    dist::agree(*dist::world(), [&] {
      require(g.projection.circular, "ct recon",
              "--init fbp needs a circular geometry, got " + g.projection.type_name());
      ct::detail::fbp_angles(g.projection, "ct recon --init fbp");
    });
    if (data.split() == Split::Slabs)
      ct::filtered_backprojection_slabs<float>(ctx, dynamic_cast<const ct::SlabProjector<float>&>(op.get()),
                                               y.view(), x.view(), ct::FbpFilter::Ramp);
    else
      ct::filtered_backprojection_views<float>(ctx,
                                               dynamic_cast<const ct::DistributedProjector<float>&>(op.get()),
                                               y.view(), x.view(), ct::FbpFilter::Ramp);
  } else if (a.init == "fbp") {
    if (place.streamed)
      ct::filtered_backprojection_streamed<float>(place.device, g, y.view(), x.view(), ct::FbpFilter::Ramp,
                                                  available_bytes(place.device) / 10 * 9);
    else
      ct::filtered_backprojection<float>(ctx, g, y.view(), x.view(), ct::FbpFilter::Ramp);
  } else {
    fill<float>(ctx, x.view(), 0.0f);
  }

  nlohmann::json log = nlohmann::json::array();
  Progress progress(global, "ct recon", a.iters, "iterations");
  const Monitor monitor = [&](const IterationInfo& it) {
    if (!a.log.empty()) {
      nlohmann::json rec = iteration_record(it);
      if (has_reference) rec["psnr"] = psnr_over_blocks(ctx, volume_split, reference.view(), x.view(), range);
      log.push_back(rec);
    }
    progress.step(it.iteration, objective_text(it));
    return true;
  };
  const SolveReport report =
      ct::tv_reconstruct<float>(ctx, op, y.view(), x.view(), problem, options, monitor);

  // Collective (the data term's value is summed over the ranks), before rank 0 writes.
  const double objective = ct::tv_recon_objective<float>(ctx, op, y.view(), x.view(), problem);
  data.write_volume(a.out, x, "ct recon", "the values of " + a.in + ", --lambda and --rho");
  nlohmann::json summary = data.summary({{"output", a.out},
                                         {"device", to_string(place.device.device())},
                                         {"solver", a.solver},
                                         {"loss", penalties::describe(problem.loss)},
                                         {"penalty", penalties::describe(problem.penalty)},
                                         {"lambda", a.lambda},
                                         {"tv", a.tv},
                                         {"nonneg", problem.nonneg},
                                         {"iterations", report.iterations},
                                         {"stop", to_string(report.reason)},
                                         {"objective", objective},
                                         {"elapsed_s", report.last.elapsed_s}});
  if (has_reference) {
    summary["psnr"] = psnr_over_blocks(ctx, volume_split, reference.view(), x.view(), range);
    summary["data_range"] = range;
  }
  if (!a.log.empty())
    data.on_writer([&] {
      io::write_file_atomically(a.log, [&](std::ostream& os) {
        os << nlohmann::json{{"summary", summary}, {"iterations", log}}.dump(1, ' ', false,
                                                                             kReplaceInvalidUtf8)
           << "\n";
      });
    });
  std::cout << summary.dump(-1, ' ', false, kReplaceInvalidUtf8) << "\n";
}

}  // namespace

void add_ct_recon_command(CLI::App& ct, const GlobalOptions& global) {
  auto a = std::make_shared<CtReconArgs>();
  auto* c = ct.add_subcommand(
      "recon", "regularised reconstruction: min loss(Ax - y) + lambda sum phi(D x) + i_{x>=0}");
  c->add_option("--geometry", a->geometry, "geometry JSON file")->required();
  c->add_option("SINO", a->in, "projections (.npy, .raw, TIFF stack, MetaImage...)")->required();
  c->add_option("OUT", a->out, "output volume, format by extension")->required();
  add_function_flags(*c, a->penalty, "penalty", false);
  add_function_flags(*c, a->loss, "loss", false, "loss-param");
  c->add_option("--lambda", a->lambda, "regularisation weight")
      ->capture_default_str()
      ->check(number_check(weight_range()));
  c->add_option("--tv", a->tv, "iso (gradient magnitude) or aniso (every component)")
      ->check(CLI::IsMember({"iso", "aniso"}))
      ->capture_default_str();
  c->add_option("--solver", a->solver,
                "admm (any loss and penalty), pdhg (convex ones) or apgm (smooth losses)")
      ->check(CLI::IsMember({"admm", "pdhg", "apgm"}))
      ->capture_default_str();
  c->add_option("--iters", a->iters, "maximum iterations")
      ->capture_default_str()
      ->check(number_check(int_at_least(1)));
  c->add_option("--tol", a->tol, "relative stopping tolerance")
      ->capture_default_str()
      ->check(number_check(at_least(0)));
  c->add_option("--rho", a->rho, "ADMM penalty before per-operator scaling")
      ->capture_default_str()
      ->check(number_check(rho_range()));
  c->add_option("--cg-iters", a->cg_iters, "ADMM: CG iterations per x-update")
      ->capture_default_str()
      ->check(number_check(int_at_least(1)));
  c->add_option("--apgm-variant", a->apgm_variant, "APGM: monotone (Li & Lin), fista (with restart) or ista")
      ->check(CLI::IsMember({"monotone", "apgm", "fista", "ista"}))
      ->capture_default_str();
  c->add_option("--inner-iters", a->inner_iters, "APGM: TV-denoising iterations per prox (warm-started)")
      ->capture_default_str()
      ->check(number_check(int_at_least(1)));
  c->add_option("--inner-solver", a->inner_solver, "APGM: TV-denoising solver of the prox (pdhg, admm, ...)")
      ->check(CLI::IsMember({"admm", "ladmm", "ladmm-eq129", "pdhg", "apgm", "lbfgs"}))
      ->capture_default_str();
  c->add_option("--check-every", a->check_every, "iterations between residual checks and log records")
      ->capture_default_str()
      ->check(number_check(int_at_least(1)));
  c->add_option("--init", a->init, "zero or fbp (circular full-scan geometries)")->capture_default_str();
  c->add_flag("--allow-negative", a->allow_negative, "drop the x >= 0 constraint");
  add_distribute_option(*c, a->distribute);
  c->add_option("--reference", a->reference, "ground-truth volume: PSNR in the log and the summary");
  c->add_option("--range", a->range, "PSNR data range (default: the reference's maximum)")
      ->check(number_check(above(0)));
  c->add_option("--log", a->log, "write the per-iteration log (JSON) here");
  c->callback([a, &global] { run(*a, global); });
}

}  // namespace recon::cli

// `recon denoise IN OUT`: TV denoising of a 1D signal, 2D image or 3D volume with any
// penalty and solver (engine/include/recon/engine/tv.hpp). Prints one JSON summary; with
// --log, every checked iteration goes to a JSON file; on a terminal a progress line. Under
// mpiexec with several ranks it runs split into row blocks (denoise_split.cpp).
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "denoise_run.hpp"
#include "function_options.hpp"
#include "image_options.hpp"
#include "iteration_log.hpp"
#include "json_output.hpp"
#include "option_checks.hpp"
#include "read_input.hpp"
#include "recon/engine/metrics.hpp"
#include "recon/engine/tv.hpp"
#include "recon/io/atomic_file.hpp"

namespace recon::cli {

namespace {

Boundary parse_boundary(const std::string& s) {
  if (s == "neumann") return Boundary::Neumann;
  if (s == "periodic") return Boundary::Periodic;
  throw InvalidArgument("--boundary '" + s + "' is not neumann or periodic");
}

}  // namespace

DenoiseSetup make_denoise_setup(const DenoiseArgs& a) {
  DenoiseSetup s{{make_function(a.penalty), a.lambda, parse_tv_norm(a.tv), parse_boundary(a.boundary)},
                 {},
                 write_options(a.write)};
  s.options.solver = parse_tv_solver(a.solver);
  s.options.max_iters = a.iters;
  s.options.tol = a.tol;
  s.options.rho = a.rho;
  s.options.check_every = a.check_every;
  s.options.balance_rho = !a.no_balance;
  s.options.ladmm_alpha = a.alpha;
  require_log_memory(!a.log.empty(), a.iters, a.check_every);
  return s;
}

nlohmann::json denoise_summary(const DenoiseArgs& a, const Context& ctx, const DenoiseSetup& s,
                               const SolveReport& report, double objective) {
  return {{"output", a.out},
          {"device", to_string(ctx.device())},
          {"solver", to_string(s.options.solver)},
          {"penalty", penalties::describe(s.problem.penalty)},
          {"lambda", a.lambda},
          {"iterations", report.iterations},
          {"stop", to_string(report.reason)},
          {"objective", objective},
          {"elapsed_s", report.last.elapsed_s}};
}

namespace {

void run(const DenoiseArgs& a, const GlobalOptions& global) {
  if (dist::world()->size() > 1 || a.distribute == "slabs")
    return run_denoise_split(a, global, *dist::world());
  // Every option is checked before anything is read or written.
  const DenoiseSetup setup = make_denoise_setup(a);
  const TvProblem& problem = setup.problem;
  const TvOptions& options = setup.options;

  const Context ctx = make_context(global);
  const Context host = Context::host(global.threads);
  io::Image<float> input = read_input(host, a.in, read_options(a.read));
  const Array<float> u = input.data.to(ctx);
  Array<float> reference;
  if (!a.reference.empty()) {
    reference = read_input(host, a.reference, read_options(a.read)).data.to(ctx);
    if (reference.shape() != u.shape())
      throw ShapeMismatch("--reference " + a.reference + " has shape " + reference.shape().str() +
                          ", the input " + u.shape().str());
  }
  Array<float> x(ctx, u.shape());

  nlohmann::json log = nlohmann::json::array();
  Progress progress(global, "denoise", a.iters, "iterations");
  const Monitor monitor = [&](const IterationInfo& it) {
    if (!a.log.empty()) {
      nlohmann::json rec = iteration_record(it);
      if (reference.size() > 0) rec["psnr"] = psnr<float>(ctx, reference, x, a.range);
      log.push_back(rec);
    }
    progress.step(it.iteration, objective_text(it));
    return true;
  };
  const SolveReport report = tv_denoise<float>(ctx, u, x, problem, options, monitor);

  require_finite_result(x, "denoise", "the values of " + a.in + ", --lambda and --rho");
  io::write_image(a.out, x, input.meta, setup.write);
  if (!a.log.empty())
    io::write_file_atomically(
        a.log, [&](std::ostream& out) { out << log.dump(1, ' ', false, kReplaceInvalidUtf8) << "\n"; });
  nlohmann::json summary = denoise_summary(a, ctx, setup, report, tv_objective<float>(ctx, x, u, problem));
  if (reference.size() > 0) {
    summary["psnr"] = psnr<float>(ctx, reference, x, a.range);
    if (ssim_defined(u.shape())) summary["ssim"] = ssim<float>(ctx, reference, x, a.range);
  }
  std::cout << summary.dump(-1, ' ', false, kReplaceInvalidUtf8) << "\n";
}

}  // namespace

void add_denoise_command(CLI::App& app, const GlobalOptions& global) {
  auto* cmd =
      app.add_subcommand("denoise", "total-variation denoising: min 0.5||x-u||^2 + lambda sum phi(D x)");
  auto a = std::make_shared<DenoiseArgs>();
  cmd->add_option("IN", a->in, "noisy input (.npy, .raw, or an image/volume format)")->required();
  cmd->add_option("OUT", a->out, "output, format by extension")->required();
  add_function_flags(*cmd, a->penalty, "penalty", true);
  cmd->add_option("--lambda", a->lambda, "regularisation weight")
      ->capture_default_str()
      ->check(number_check(weight_range()));
  cmd->add_option("--solver", a->solver, "admm, ladmm, ladmm-eq129, pdhg, apgm (convex), lbfgs (smooth)")
      ->check(CLI::IsMember({"admm", "ladmm", "ladmm-eq129", "pdhg", "apgm", "lbfgs"}))
      ->capture_default_str();
  cmd->add_option("--tv", a->tv, "iso (gradient magnitude) or aniso (every component)")
      ->check(CLI::IsMember({"iso", "aniso"}))
      ->capture_default_str();
  cmd->add_option("--boundary", a->boundary, "neumann or periodic")
      ->check(CLI::IsMember({"neumann", "periodic"}))
      ->capture_default_str();
  cmd->add_option("--iters", a->iters, "maximum iterations")
      ->capture_default_str()
      ->check(number_check(int_at_least(1)));
  cmd->add_option("--tol", a->tol, "relative stopping tolerance")
      ->capture_default_str()
      ->check(number_check(at_least(0)));
  cmd->add_option("--rho", a->rho, "ADMM penalty parameter (0: automatic)")
      ->capture_default_str()
      ->check(CLI::Validator(
          [](std::string& text) {
            const std::optional<double> v = parse_decimal(text, false);
            return v && *v == 0 ? std::string() : number_problem(text, rho_range());
          },
          "0 or " + rho_range().describe()));
  cmd->add_flag("--fixed-rho", a->no_balance, "keep rho fixed (default: ADMM residual balancing)");
  cmd->add_option("--alpha", a->alpha, "alpha of ladmm-eq129")
      ->capture_default_str()
      ->check(number_check(any_finite()));
  cmd->add_option("--check-every", a->check_every, "iterations between residual checks and log records")
      ->capture_default_str()
      ->check(number_check(int_at_least(1)));
  cmd->add_option("--log", a->log, "write the per-iteration record (JSON) here");
  cmd->add_option("--reference", a->reference, "clean image: PSNR/SSIM in the log and the summary");
  cmd->add_option("--range", a->range, "data range for PSNR/SSIM")
      ->capture_default_str()
      ->check(number_check(above(0)));
  cmd->add_option("--distribute", a->distribute,
                  "slabs: split into blocks of rows along axis 0 over the mpiexec ranks (the default with "
                  "several ranks; on one rank it runs the split code path)")
      ->check(CLI::IsMember({"slabs"}));
  add_read_flags(*cmd, a->read);
  add_write_flags(*cmd, a->write);
  cmd->callback([a, &global] { run(*a, global); });
}

}  // namespace recon::cli

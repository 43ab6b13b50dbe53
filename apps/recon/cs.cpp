// `recon cs IN OUT`: compressive sensing of a signal, image or volume (engine/include/recon/
// engine/cs.hpp): y = A W c + noise is simulated from IN, c recovered with any penalty and loss,
// x = W c written to OUT; the summary holds PSNR, ||x - IN||_1 and the relative l2 error.
// --save-y and --save-spec keep the measurements and the operator (with its indices) so that
// `recon cs recover --operator spec.json Y OUT` recovers from them alone.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <limits>
#include <memory>

#include "commands.hpp"
#include "function_options.hpp"
#include "image_options.hpp"
#include "iteration_log.hpp"
#include "json_output.hpp"
#include "option_checks.hpp"
#include "read_input.hpp"
#include "recon/engine/cs.hpp"
#include "recon/engine/metrics.hpp"
#include "recon/io/atomic_file.hpp"
#include "recon/io/npy.hpp"
#include "recon/kernels/memory_budget.hpp"
#include "recon/kernels/penalties/apply.hpp"
#include "recon/kernels/vector_ops.hpp"
#include "recon/operators/json_reader.hpp"

namespace recon::cli {

namespace {

// What the two subcommands share: the problem and the solver.
struct RecoveryArgs {
  FunctionFlags penalty{"l1", {}};
  FunctionFlags loss{"sq-l2", {}};
  double lambda = 0.1;
  double eps = -1;  // < 0: penalised form
  std::string solver = "apgm";
  std::string init = "adjoint", tv;
  int iters = 500;
  double tol = 1e-6, rho = 1;
  ImageWriteFlags write;
};

struct SimulateArgs {
  std::string in, out, sensing = "hadamard", basis = "none", noise = "none", save_y, save_spec;
  double rate = 0.5, range = 0;
  int levels = 0;
  std::uint64_t seed = 0;
  ImageReadFlags read;
};

struct RecoverArgs {
  std::string spec, y, out;
};

void add_recovery_flags(CLI::App& cmd, RecoveryArgs& a) {
  add_function_flags(cmd, a.penalty, "penalty", false);
  cmd.add_option("--loss", a.loss.name, "data-fidelity loss on A x - y (any function of --penalty's list)")
      ->capture_default_str();
  a.loss.param_option = "loss-param";
  cmd.add_option("--loss-param", a.loss.params, "loss parameters as key=value (a=1,b=0.5)");
  cmd.add_option("--lambda", a.lambda, "weight of the penalty")
      ->capture_default_str()
      ->check(number_check(weight_range()));
  cmd.add_option(
         "--eps", a.eps,
         "constrained form: min lambda phi(c) + 0.5 max(loss(A c - y) - eps, 0)^2 (paper App. J; APGM only)")
      ->check(number_check(at_least(0)));
  cmd.add_option("--solver", a.solver, "apgm (monotone, Li & Lin), fista, ista, admm")
      ->check(CLI::IsMember({"apgm", "fista", "ista", "admm"}))
      ->capture_default_str();
  cmd.add_option("--tv", a.tv,
                 "iso | aniso: a TV prior, the penalty on the gradient of x instead of on x (--basis none; "
                 "--solver admm)")
      ->check(CLI::IsMember({"iso", "aniso"}));
  cmd.add_option("--init", a.init, "starting point: adjoint ((A W)^T y) or zero")
      ->check(CLI::IsMember({"adjoint", "zero"}))
      ->capture_default_str();
  cmd.add_option("--iters", a.iters, "maximum iterations")
      ->capture_default_str()
      ->check(number_check(int_at_least(1)));
  cmd.add_option("--tol", a.tol, "relative stopping tolerance")
      ->capture_default_str()
      ->check(number_check(at_least(0)));
  cmd.add_option("--rho", a.rho, "ADMM penalty parameter")
      ->capture_default_str()
      ->check(number_check(rho_range()));
  add_write_flags(cmd, a.write);
}

cs::Problem make_problem(const RecoveryArgs& a, cs::Options& options) {
  cs::Problem p;
  p.penalty = make_function(a.penalty);
  p.loss = make_function(a.loss);
  p.lambda = a.lambda;
  p.constrained = a.eps >= 0;
  p.eps = std::max(a.eps, 0.0);
  if (!a.tv.empty()) p.tv = a.tv == "iso" ? TvNorm::Isotropic : TvNorm::Anisotropic;
  options.solver = cs::parse_cs_solver(a.solver);
  options.max_iters = a.iters;
  options.tol = a.tol;
  options.rho = a.rho;
  cs::validate(p, options);
  return p;
}

nlohmann::json spec_json(const cs::SensingSpec& s) {
  return {{"sensing", s.kind},
          {"shape", shape_json(s.shape)},
          {"measurements", s.measurements},
          {"seed", s.seed},
          {"basis", s.basis},
          {"levels", s.levels},
          {"indices", s.indices}};
}

// The spec written by --save-spec; every key typed (a seed of -1 must not wrap, a shape of
// 2.5 must not truncate) and the result validated, each message naming the file.
cs::SensingSpec read_spec(const std::string& path) {
  const json_input::Reader r{path};
  const json_input::json j = json_input::parse(json_input::read_text(path, "operator spec"), path);
  r.only_keys(j, "spec", {"sensing", "shape", "measurements", "seed", "basis", "levels", "indices"});
  cs::SensingSpec s;
  s.kind = r.string(r.at(j, "spec", "sensing"), "sensing");
  const json_input::json& shape = r.at(j, "spec", "shape");
  if (!shape.is_array() || shape.empty() || shape.size() > 4)
    r.wrong(shape, "shape", "an array of 1 to 4 extents");
  for (std::size_t a = 0; a < shape.size(); ++a)
    s.shape.push_back(r.integer(shape[a], "shape[" + std::to_string(a) + "]", 1,
                                std::numeric_limits<long long>::max(), "a positive integer"));
  s.measurements = r.integer(r.at(j, "spec", "measurements"), "measurements", 1);
  s.seed = r.seed(r.at(j, "spec", "seed"), "seed");
  if (j.contains("basis")) s.basis = r.string(j["basis"], "basis");
  if (j.contains("levels")) s.levels = static_cast<int>(r.integer(j["levels"], "levels", 0, 64));
  if (j.contains("indices")) {
    const json_input::json& idx = j["indices"];
    if (!idx.is_array()) r.wrong(idx, "indices", "an array of integers");
    s.indices.reserve(idx.size());
    for (std::size_t i = 0; i < idx.size(); ++i)
      s.indices.push_back(r.integer(idx[i], "indices[" + std::to_string(i) + "]", 0));
  }
  try {
    cs::validate(s);
  } catch (const InvalidArgument& e) {
    const std::string why = e.what();
    throw InvalidArgument(path + ": " + (why.rfind("cs: ", 0) == 0 ? why.substr(4) : why));
  }
  return s;
}

// Refuses, before anything is allocated, a signal whose arrays cannot fit: the signal, its
// coefficients and the solver's iterates (about ten arrays of N), the measurements and the dct
// basis's work buffers (the mirrored extension, 2^ndim N, and its half spectrum, dct.hpp).
void require_cs_memory(const Context& ctx, const cs::SensingSpec& spec, const std::string& where) {
  double n = 1;
  for (int a = 0; a < spec.shape.ndim(); ++a) n *= static_cast<double>(spec.shape[a]);
  const double m = static_cast<double>(spec.measurements);
  const double dense = spec.kind == "gaussian" ? m * n : 0;
  const double last = static_cast<double>(spec.shape[spec.shape.ndim() - 1]);
  const double dct = spec.basis == "dct" ? std::ldexp(n, spec.shape.ndim()) * (2 + 1 / last) : 0;
  require_memory(ctx, 4 * (10 * n + 4 * m + dense + dct),
                 where + ": a signal of shape " + spec.shape.str() + " with " +
                     std::to_string(spec.measurements) + " measurements");
}

struct Recovered {
  Array<float> x;
  SolveReport report;
  double objective;
};

// c from y on A W, then x = W c.
Recovered solve(const Context& ctx, const cs::SensingSpec& spec, View<const float> y, const cs::Problem& p,
                const cs::Options& o, const std::string& init, const GlobalOptions& global) {
  if (p.tv && spec.basis != "none")
    throw InvalidArgument("cs: --tv puts the prior on the gradient of x; use it with --basis none, not '" +
                          spec.basis + "'");
  const Operator<float> W = cs::basis_operator<float>(spec);
  const Operator<float> AW = compose(cs::sensing_operator<float>(ctx, spec), W);
  Array<float> c(ctx, spec.shape), x(ctx, spec.shape);
  // Start from the back-projection (AW)^T y, the least-squares fit for the subsampled
  // orthonormal transforms: from c = 0 a redescending loss (cauchy, barron with alpha < 2,
  // ...) sees every large coefficient as an outlier and never fits it.
  if (init == "adjoint")
    AW.adjoint(ctx, y, c.view());
  else
    fill<float>(ctx, c, 0.f);
  Progress progress(global, "cs", o.max_iters, "iterations");
  const SolveReport report = cs::recover<float>(ctx, AW, y, p, o, c.view(), [&](const IterationInfo& it) {
    progress.step(it.iteration, objective_text(it));
    return true;
  });
  W.apply(ctx, c, x.view());
  return {std::move(x), report, cs::objective<float>(ctx, AW, y, p, c)};
}

nlohmann::json summary(const std::string& out, const Context& ctx, const cs::SensingSpec& spec,
                       const cs::Problem& p, const cs::Options& o, const Recovered& r) {
  return {{"output", out},
          {"device", to_string(ctx.device())},
          {"sensing", spec.kind},
          {"basis", spec.basis},
          {"levels", spec.levels},
          {"n", spec.shape.size()},
          {"m", spec.measurements},
          {"penalty", penalties::describe(p.penalty)},
          {"tv", p.tv ? nlohmann::json(*p.tv == TvNorm::Isotropic ? "iso" : "aniso") : nlohmann::json()},
          {"loss", penalties::describe(p.loss)},
          {"lambda", p.lambda},
          {"form", p.constrained ? "constrained" : "penalised"},
          {"solver", cs::to_string(o.solver)},
          {"iterations", r.report.iterations},
          {"stop", to_string(r.report.reason)},
          {"objective", r.objective},
          {"elapsed_s", r.report.last.elapsed_s}};
}

void simulate_and_recover(const SimulateArgs& a, const RecoveryArgs& ra, const GlobalOptions& global) {
  // Every option is checked before anything is read or written.
  cs::Options options;
  const cs::Problem problem = make_problem(ra, options);
  const cs::NoiseSpec noise = cs::parse_noise(a.noise);
  const io::WriteOptions write = write_options(ra.write);
  if (a.range < 0) throw InvalidArgument("--range must be > 0 (0: the input's max - min)");

  const Context ctx = make_context(global);
  const Context host = Context::host(global.threads);
  io::Image<float> input = read_input(host, a.in, read_options(a.read));
  const Array<float> truth = input.data.to(ctx);
  const cs::SensingSpec spec =
      cs::make_sensing_spec(a.sensing, truth.shape(), a.rate, a.seed, a.basis, a.levels);
  require_cs_memory(ctx, spec, a.in);
  const Operator<float> A = cs::sensing_operator<float>(ctx, spec);
  Array<float> y(ctx, A.range());
  A.apply(ctx, truth, y.view());
  cs::add_noise<float>(ctx, noise, y.view(), a.seed + 1);

  const Recovered r = solve(ctx, spec, y, problem, options, ra.init, global);
  require_finite_result(r.x, "cs", "the values of " + a.in + " and --lambda");
  io::write_image(a.out, r.x, input.meta, write);
  if (!a.save_y.empty()) io::write_npy(a.save_y, y);
  if (!a.save_spec.empty())
    io::write_file_atomically(a.save_spec, [&](std::ostream& out) {
      out << spec_json(spec).dump(-1, ' ', false, kReplaceInvalidUtf8) << "\n";
    });

  double range = a.range;
  if (range == 0) {
    const auto h = truth.to_host_vector();
    const auto mm = std::minmax_element(h.begin(), h.end());
    range = *mm.second > *mm.first ? static_cast<double>(*mm.second - *mm.first) : 1.0;
  }
  Array<float> diff(ctx, truth.shape());
  copy<float>(ctx, r.x, diff.view());
  axpby<float>(ctx, -1.f, truth, 1.f, diff.view());
  const double l1_error = penalties::value_sum<float>(ctx, penalties::L1{}, diff);
  nlohmann::json s = summary(a.out, ctx, spec, problem, options, r);
  s["noise"] = a.noise;
  s["seed"] = a.seed;
  s["psnr"] = psnr<float>(ctx, truth, r.x, range);
  s["range"] = range;
  s["l1_error"] = l1_error;
  s["relative_error"] = norm2<float>(ctx, diff) / std::max(norm2<float>(ctx, truth), 1e-300);
  std::cout << s.dump(-1, ' ', false, kReplaceInvalidUtf8) << "\n";
}

void recover_from_file(const RecoverArgs& a, const RecoveryArgs& ra, const GlobalOptions& global) {
  cs::Options options;
  const cs::Problem problem = make_problem(ra, options);
  const io::WriteOptions write = write_options(ra.write);
  const cs::SensingSpec spec = read_spec(a.spec);
  const Context ctx = make_context(global);
  require_cs_memory(ctx, spec, a.spec);
  const Context host = Context::host(global.threads);
  const Array<float> y = read_input(host, a.y, {io::PixelScaling::Stored}).data.to(ctx);
  if (y.size() != spec.measurements)
    throw ShapeMismatch("cs recover: " + a.y + " holds " + std::to_string(y.size()) +
                        " values, the operator " + std::to_string(spec.measurements) + " measurements");
  const Recovered r =
      solve(ctx, spec, y.view().reshaped(Shape{spec.measurements}), problem, options, ra.init, global);
  require_finite_result(r.x, "cs recover", "the values of " + a.y + " and --lambda");
  io::write_image(a.out, r.x, {}, write);
  std::cout << summary(a.out, ctx, spec, problem, options, r).dump(-1, ' ', false, kReplaceInvalidUtf8)
            << "\n";
}

}  // namespace

void add_cs_command(CLI::App& app, const GlobalOptions& global) {
  auto* cmd = app.add_subcommand(
      "cs", "compressive sensing: simulate y = A W c + noise from IN and recover x = W c (or: cs recover)");
  auto sim = std::make_shared<SimulateArgs>();
  auto sim_rec = std::make_shared<RecoveryArgs>();
  cmd->add_option("IN", sim->in, "clean signal/image/volume (.npy, .png, ...)");
  cmd->add_option("OUT", sim->out, "recovered signal, format by extension");
  cmd->add_option("--sensing", sim->sensing,
                  "gaussian (unit columns), hadamard (subsampled), fourier (partial, real)")
      ->check(CLI::IsMember({"gaussian", "hadamard", "fourier"}))
      ->capture_default_str();
  cmd->add_option("--rate", sim->rate, "m / N, in (0, 1]")
      ->capture_default_str()
      ->check(number_check(between(0, 1, true, false)));
  cmd->add_option(
         "--basis", sim->basis,
         "sparsifying basis W (x = W c): none, hadamard, dct (orthonormal DCT-II, any extents: c = dctn(x)), "
         "or an orthonormal periodic wavelet haar, db2, db3, db4")
      ->check(CLI::IsMember({"none", "hadamard", "dct", "haar", "db2", "db3", "db4"}))
      ->capture_default_str();
  cmd->add_option(
         "--levels", sim->levels,
         "wavelet levels (0: as many as every extent allows, at most 5); every extent must be divisible "
         "by 2^levels")
      ->capture_default_str()
      ->check(number_check(int_at_least(0)));
  cmd->add_option("--noise", sim->noise, "none, gaussian:SIGMA, snr:DB, cauchy:GAMMA (added to y)")
      ->capture_default_str();
  cmd->add_option("--seed", sim->seed, "sensing seed (the noise uses seed + 1)")
      ->capture_default_str()
      ->check(number_check(seed_range()));
  cmd->add_option("--range", sim->range, "data range for PSNR (0: max - min of IN)")
      ->capture_default_str()
      ->check(number_check(at_least(0)));
  cmd->add_option("--save-y", sim->save_y, "write the noisy measurements y (.npy)");
  cmd->add_option("--save-spec", sim->save_spec, "write the operator spec (JSON) for cs recover");
  add_read_flags(*cmd, sim->read);
  add_recovery_flags(*cmd, *sim_rec);

  auto* rec = cmd->add_subcommand("recover",
                                  "recover from measurements Y and an operator spec written by --save-spec");
  auto rargs = std::make_shared<RecoverArgs>();
  auto rec_rec = std::make_shared<RecoveryArgs>();
  rec->add_option("--operator", rargs->spec, "operator spec (JSON)")->required();
  rec->add_option("Y", rargs->y, "measurements (.npy)")->required();
  rec->add_option("OUT", rargs->out, "recovered signal, format by extension")->required();
  add_recovery_flags(*rec, *rec_rec);
  rec->callback([rargs, rec_rec, &global] { recover_from_file(*rargs, *rec_rec, global); });

  cmd->callback([rec, sim, sim_rec, &global] {
    if (rec->parsed()) return;
    if (sim->in.empty() || sim->out.empty())
      throw InvalidArgument("cs: IN and OUT are required (or use: recon cs recover --operator SPEC Y OUT)");
    simulate_and_recover(*sim, *sim_rec, global);
  });
}

}  // namespace recon::cli

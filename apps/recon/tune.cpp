// `recon tune NOISY REFERENCE`: grid search of TV denoising over lambda and the penalty's
// parameters against a clean reference (the same budget for every method), best by PSNR.
// Prints one JSON object: every grid point with PSNR/SSIM, and the best; --out keeps the best
// result.
#include <nlohmann/json.hpp>

#include <iostream>
#include <map>
#include <memory>

#include "commands.hpp"
#include "image_options.hpp"
#include "iteration_log.hpp"
#include "json_output.hpp"
#include "option_checks.hpp"
#include "read_input.hpp"
#include "recon/engine/metrics.hpp"
#include "recon/engine/tv.hpp"

namespace recon::cli {

namespace {

struct TuneArgs {
  std::string noisy, reference, out, penalty, solver = "admm", tv = "iso";
  std::string lambdas;
  std::vector<std::string> fixed, grid;  // key=value, key=v1:v2:...
  int iters = 200;
  double range = 1.0;
  ImageReadFlags read;
};

// "key=..." split at its '='; a usage error naming the option when there is no key or value.
std::pair<std::string, std::string> key_value(const std::string& kv, const std::string& option,
                                              const std::string& form) {
  const auto eq = kv.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == kv.size())
    usage_error(option + " '" + kv + "': expected " + form);
  return {kv.substr(0, eq), kv.substr(eq + 1)};
}

// Every combination of the grid's values, each merged with the fixed parameters; a key given
// twice is an error (the second would silently win).
std::vector<std::map<std::string, double>> expand(const TuneArgs& a) {
  std::map<std::string, double> base;
  for (const std::string& kv : a.fixed) {
    const auto [key, text] = key_value(kv, "--param", "key=value");
    if (!base.emplace(key, parse_number(text, "--param '" + kv + "'")).second)
      usage_error("--param '" + key + "' is given twice; expected each parameter once");
  }
  std::vector<std::map<std::string, double>> points{base};
  for (const std::string& kv : a.grid) {
    const auto [key, text] = key_value(kv, "--grid", "key=v1:v2:...");
    if (points.front().count(key))
      usage_error("--grid '" + key + "' is also given by --param or --grid; expected it once");
    std::vector<std::map<std::string, double>> next;
    for (double v : parse_number_list(text, ':', "--grid '" + kv + "'"))
      for (const auto& p : points) {
        auto q = p;
        q[key] = v;
        next.push_back(q);
      }
    points = next;
  }
  return points;
}

void run(const TuneArgs& a, const GlobalOptions& global) {
  const std::vector<double> lambdas = parse_number_list(a.lambdas, ',', "--lambdas", weight_range());
  const auto points = expand(a);
  for (const auto& p : points) penalties::make_function(a.penalty, p);  // every point valid before any work
  TvOptions options;
  options.solver = parse_tv_solver(a.solver);
  options.max_iters = a.iters;
  options.tol = 1e-6;
  const TvNorm norm = parse_tv_norm(a.tv);

  const Context ctx = make_context(global);
  const Context host = Context::host(global.threads);
  const io::Image<float> noisy = read_input(host, a.noisy, read_options(a.read));
  const Array<float> u = noisy.data.to(ctx);
  const Array<float> ref = read_input(host, a.reference, read_options(a.read)).data.to(ctx);
  if (ref.shape() != u.shape())
    throw ShapeMismatch("tune: reference " + ref.shape().str() + " and noisy " + u.shape().str() + " differ");
  Array<float> x(ctx, u.shape()), best(ctx, u.shape());

  nlohmann::json table = nlohmann::json::array(), best_row;
  double best_psnr = -1e300;
  Progress progress(global, "tune", static_cast<long long>(points.size() * lambdas.size()), "grid points");
  for (const auto& params : points)
    for (double lambda : lambdas) {
      const TvProblem problem{penalties::make_function(a.penalty, params), lambda, norm};
      const SolveReport rep = tv_denoise<float>(ctx, u, x, problem, options);
      nlohmann::json row = {{"penalty", penalties::describe(problem.penalty)},
                            {"lambda", lambda},
                            {"psnr", psnr<float>(ctx, ref, x, a.range)},
                            {"iterations", rep.iterations},
                            {"seconds", rep.last.elapsed_s}};
      if (ssim_defined(u.shape())) row["ssim"] = ssim<float>(ctx, ref, x, a.range);
      if (row["psnr"].get<double>() > best_psnr) {
        best_psnr = row["psnr"];
        best_row = row;
        copy<float>(ctx, x, best);
      }
      table.push_back(row);
      progress.step(static_cast<long long>(table.size()));
    }
  if (best_row.is_null())
    throw InvalidArgument(
        "tune: every grid point gave a non-finite result (float32 overflow); expected the values of " +
        a.noisy + " and --lambdas of smaller magnitude");
  if (!a.out.empty()) io::write_image(a.out, best, noisy.meta);
  std::cout << nlohmann::json{{"solver", a.solver},
                              {"tv", a.tv},
                              {"iterations", a.iters},
                              {"best", best_row},
                              {"grid", table}}
                   .dump(-1, ' ', false, kReplaceInvalidUtf8)
            << "\n";
}

}  // namespace

void add_tune_command(CLI::App& app, const GlobalOptions& global) {
  auto* cmd = app.add_subcommand(
      "tune", "grid search of TV denoising over lambda and penalty parameters (best PSNR)");
  auto a = std::make_shared<TuneArgs>();
  cmd->add_option("NOISY", a->noisy, "noisy input")->required();
  cmd->add_option("REFERENCE", a->reference, "clean reference")->required();
  cmd->add_option("--penalty", a->penalty, "penalty name (see recon denoise --help)")->required();
  cmd->add_option("--lambdas", a->lambdas, "lambda values >= 0, comma-separated")->required();
  cmd->add_option("--param", a->fixed, "fixed parameter key=value (repeatable)");
  cmd->add_option("--grid", a->grid, "searched parameter key=v1:v2:... (repeatable)");
  cmd->add_option("--solver", a->solver, "TV solver")
      ->check(CLI::IsMember({"admm", "ladmm", "ladmm-eq129", "pdhg", "apgm", "lbfgs"}))
      ->capture_default_str();
  cmd->add_option("--tv", a->tv, "iso or aniso")
      ->check(CLI::IsMember({"iso", "aniso"}))
      ->capture_default_str();
  cmd->add_option("--iters", a->iters, "iterations per run (the same budget for every point)")
      ->capture_default_str()
      ->check(number_check(int_at_least(1)));
  cmd->add_option("--range", a->range, "data range for PSNR/SSIM")
      ->capture_default_str()
      ->check(number_check(above(0)));
  cmd->add_option("--out", a->out, "write the best result here");
  add_read_flags(*cmd, a->read);
  cmd->callback([a, &global] { run(*a, global); });
}

}  // namespace recon::cli

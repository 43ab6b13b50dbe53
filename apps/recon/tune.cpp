// `recon tune NOISY REFERENCE`: search of TV denoising over lambda and the penalty's parameters
// against a clean reference (the same budget for every method), best by PSNR or SSIM (--select).
// lambda comes from a list (--lambdas) or from a golden-section search of log(lambda) with a
// fixed number of runs per parameter point (--lambda-range, --evals; golden_search.hpp).
// Prints one JSON object: every run with PSNR/SSIM, and the best; --out keeps the best result.
#include <nlohmann/json.hpp>

#include <cmath>
#include <iostream>
#include <map>
#include <memory>

#include "commands.hpp"
#include "golden_search.hpp"
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
  std::string lambdas, lambda_range, select = "psnr";
  int evals = 6;
  bool lambdas_given = false, range_given = false;  // also when given as empty text
  std::vector<std::string> fixed, grid;             // key=value, key=v1:v2:...
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

// --lambda-range LO:HI with 0 < LO < HI.
std::pair<double, double> parse_lambda_range(const std::string& text) {
  const std::vector<double> v = parse_number_list(text, ':', "--lambda-range", weight_range());
  if (v.size() != 2 || !(v[0] > 0) || !(v[1] > v[0]))
    usage_error("--lambda-range '" + text + "': expected LO:HI with 0 < LO < HI");
  return {v[0], v[1]};
}

void run(const TuneArgs& a, const GlobalOptions& global) {
  if (a.lambdas_given == a.range_given)
    usage_error("tune: expected either --lambdas (a list) or --lambda-range (a search), not " +
                std::string(a.lambdas_given ? "both" : "neither"));
  const bool search = a.range_given;
  const std::vector<double> lambdas =
      search ? std::vector<double>{} : parse_number_list(a.lambdas, ',', "--lambdas", weight_range());
  const std::pair<double, double> range = search ? parse_lambda_range(a.lambda_range) : std::pair{0.0, 0.0};
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
  const bool by_ssim = a.select == "ssim";
  if (by_ssim && !ssim_defined(u.shape()))
    throw InvalidArgument("tune: --select ssim needs SSIM, which is undefined for " + u.shape().str() +
                          " (an extent below its 11-pixel window); expected --select psnr");
  Array<float> x(ctx, u.shape()), best(ctx, u.shape());

  nlohmann::json table = nlohmann::json::array(), best_row;
  double best_score = -1e300;
  const std::size_t runs_per_point = search ? static_cast<std::size_t>(a.evals) : lambdas.size();
  Progress progress(global, "tune", static_cast<long long>(points.size() * runs_per_point), "runs");
  // One denoising run; returns the selection metric (NaN for a non-finite result).
  const auto evaluate = [&](const std::map<std::string, double>& params, double lambda) {
    const TvProblem problem{penalties::make_function(a.penalty, params), lambda, norm};
    const SolveReport rep = tv_denoise<float>(ctx, u, x, problem, options);
    nlohmann::json row = {{"penalty", penalties::describe(problem.penalty)},
                          {"lambda", lambda},
                          {"psnr", psnr<float>(ctx, ref, x, a.range)},
                          {"iterations", rep.iterations},
                          {"seconds", rep.last.elapsed_s}};
    if (ssim_defined(u.shape())) row["ssim"] = ssim<float>(ctx, ref, x, a.range);
    const double score = row[a.select].get<double>();
    if (score > best_score) {
      best_score = score;
      best_row = row;
      copy<float>(ctx, x, best);
    }
    table.push_back(row);
    progress.step(static_cast<long long>(table.size()));
    return score;
  };
  for (const auto& params : points)
    if (search)
      golden_section_maximise(std::log(range.first), std::log(range.second), a.evals,
                              [&](double log_lambda) { return evaluate(params, std::exp(log_lambda)); });
    else
      for (double lambda : lambdas) evaluate(params, lambda);
  if (best_row.is_null())
    throw InvalidArgument(
        "tune: every grid point gave a non-finite result (float32 overflow); expected the values of " +
        a.noisy + " and --lambdas of smaller magnitude");
  if (!a.out.empty()) io::write_image(a.out, best, noisy.meta);
  std::cout << nlohmann::json{{"solver", a.solver},    {"tv", a.tv},       {"select", a.select},
                              {"iterations", a.iters}, {"best", best_row}, {"grid", table}}
                   .dump(-1, ' ', false, kReplaceInvalidUtf8)
            << "\n";
}

}  // namespace

void add_tune_command(CLI::App& app, const GlobalOptions& global) {
  auto* cmd = app.add_subcommand(
      "tune", "search of TV denoising over lambda and penalty parameters (best PSNR or SSIM)");
  auto a = std::make_shared<TuneArgs>();
  cmd->add_option("NOISY", a->noisy, "noisy input")->required();
  cmd->add_option("REFERENCE", a->reference, "clean reference")->required();
  cmd->add_option("--penalty", a->penalty, "penalty name (see recon denoise --help)")->required();
  auto* list = cmd->add_option("--lambdas", a->lambdas, "lambda values >= 0, comma-separated");
  auto* range = cmd->add_option(
      "--lambda-range", a->lambda_range,
      "LO:HI, search lambda in it instead of --lambdas: golden section on log(lambda), --evals runs "
      "per parameter point");
  cmd->add_option("--evals", a->evals, "runs per parameter point of the --lambda-range search")
      ->capture_default_str()
      ->check(number_check(int_at_least(1)))
      ->needs(range);
  cmd->add_option("--select", a->select, "metric that picks the best run")
      ->check(CLI::IsMember({"psnr", "ssim"}))
      ->capture_default_str();
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
  cmd->callback([a, list, range, &global] {
    a->lambdas_given = list->count() > 0;
    a->range_given = range->count() > 0;
    run(*a, global);
  });
}

}  // namespace recon::cli

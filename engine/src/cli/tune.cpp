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
#include "recon/engine/metrics.hpp"
#include "recon/engine/tv.hpp"

namespace recon::cli {

namespace {

struct TuneArgs {
  std::string noisy, reference, out, penalty, solver = "admm", tv = "iso";
  std::vector<double> lambdas;
  std::vector<std::string> fixed, grid;  // key=value, key=v1:v2:...
  int iters = 200;
  double range = 1.0;
  ImageReadFlags read;
};

std::vector<double> parse_values(const std::string& option, const std::string& text) {
  std::vector<double> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find(':', start), text.size());
    const std::string item = text.substr(start, end - start);
    char* stop = nullptr;
    const double v = std::strtod(item.c_str(), &stop);
    if (item.empty() || *stop != '\0') throw InvalidArgument(option + " '" + text + "': '" + item + "' is not a number");
    out.push_back(v);
    start = end + 1;
  }
  return out;
}

// Every combination of the grid's values, each merged with the fixed parameters.
std::vector<std::map<std::string, double>> expand(const TuneArgs& a) {
  std::map<std::string, double> base;
  for (const std::string& kv : a.fixed) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos) throw InvalidArgument("--param '" + kv + "': expected key=value");
    base[kv.substr(0, eq)] = parse_values("--param", kv.substr(eq + 1)).at(0);
  }
  std::vector<std::map<std::string, double>> points{base};
  for (const std::string& kv : a.grid) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos) throw InvalidArgument("--grid '" + kv + "': expected key=v1:v2:...");
    std::vector<std::map<std::string, double>> next;
    for (const auto& p : points)
      for (double v : parse_values("--grid", kv.substr(eq + 1))) {
        auto q = p;
        q[kv.substr(0, eq)] = v;
        next.push_back(q);
      }
    points = next;
  }
  return points;
}

void run(const TuneArgs& a, const GlobalOptions& global) {
  if (a.lambdas.empty()) throw InvalidArgument("--lambdas: give at least one value");
  const auto points = expand(a);
  for (const auto& p : points) penalties::make_function(a.penalty, p);  // every point valid before any work
  TvOptions options;
  options.solver = parse_tv_solver(a.solver);
  options.max_iters = a.iters;
  options.tol = 1e-6;
  const TvNorm norm = parse_tv_norm(a.tv);

  const Context ctx = make_context(global);
  const Context host = Context::host(global.threads);
  const io::Image<float> noisy = io::read_image<float>(host, a.noisy, read_options(a.read));
  const Array<float> u = noisy.data.to(ctx);
  const Array<float> ref = io::read_image<float>(host, a.reference, read_options(a.read)).data.to(ctx);
  if (ref.shape() != u.shape())
    throw ShapeMismatch("tune: reference " + ref.shape().str() + " and noisy " + u.shape().str() + " differ");
  Array<float> x(ctx, u.shape()), best(ctx, u.shape());

  nlohmann::json table = nlohmann::json::array(), best_row;
  double best_psnr = -1e300;
  for (const auto& params : points)
    for (double lambda : a.lambdas) {
      const TvProblem problem{penalties::make_function(a.penalty, params), lambda, norm};
      const SolveReport rep = tv_denoise<float>(ctx, u, x, problem, options);
      nlohmann::json row = {{"penalty", penalties::describe(problem.penalty)},
                            {"lambda", lambda},
                            {"psnr", psnr<float>(ctx, ref, x, a.range)},
                            {"iterations", rep.iterations},
                            {"seconds", rep.last.elapsed_s}};
      if (u.shape().ndim() >= 2) row["ssim"] = ssim<float>(ctx, ref, x, a.range);
      if (row["psnr"].get<double>() > best_psnr) {
        best_psnr = row["psnr"];
        best_row = row;
        copy<float>(ctx, x, best);
      }
      table.push_back(row);
    }
  if (!a.out.empty()) io::write_image(a.out, best, noisy.meta);
  std::cout << nlohmann::json{{"solver", a.solver}, {"tv", a.tv}, {"iterations", a.iters}, {"best", best_row},
                              {"grid", table}}
                   .dump()
            << "\n";
}

}  // namespace

void add_tune_command(CLI::App& app, const GlobalOptions& global) {
  auto* cmd = app.add_subcommand("tune", "grid search of TV denoising over lambda and penalty parameters (best PSNR)");
  auto a = std::make_shared<TuneArgs>();
  cmd->add_option("NOISY", a->noisy, "noisy input")->required();
  cmd->add_option("REFERENCE", a->reference, "clean reference")->required();
  cmd->add_option("--penalty", a->penalty, "penalty name (see recon denoise --help)")->required();
  cmd->add_option("--lambdas", a->lambdas, "lambda values, comma-separated")->delimiter(',')->required();
  cmd->add_option("--param", a->fixed, "fixed parameter key=value (repeatable)");
  cmd->add_option("--grid", a->grid, "searched parameter key=v1:v2:... (repeatable)");
  cmd->add_option("--solver", a->solver, "TV solver")->capture_default_str();
  cmd->add_option("--tv", a->tv, "iso or aniso")->capture_default_str();
  cmd->add_option("--iters", a->iters, "iterations per run (the same budget for every point)")->capture_default_str();
  cmd->add_option("--range", a->range, "data range for PSNR/SSIM")->capture_default_str();
  cmd->add_option("--out", a->out, "write the best result here");
  add_read_flags(*cmd, a->read);
  cmd->callback([a, &global] { run(*a, global); });
}

}  // namespace recon::cli

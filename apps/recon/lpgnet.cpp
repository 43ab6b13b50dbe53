// `recon lpgnet train|eval`: LPG-Net (engine/include/recon/engine/lpgnet.hpp) trained on
// synthetic LASSO problems and compared with ISTA / FISTA / ADMM at the same depth. The
// parameter file stores the problem's seed, so eval rebuilds the same matrix. Everything runs
// in double precision. train prints a one-line JSON summary; eval prints a table, then the
// JSON summary line, and with --json writes the full results (objective per layer, sweeps).
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>

#include "commands.hpp"
#include "iteration_log.hpp"
#include "json_output.hpp"
#include "option_checks.hpp"
#include "recon/engine/lpgnet.hpp"
#include "recon/io/atomic_file.hpp"
#include "recon/kernels/memory_budget.hpp"

namespace recon::cli {

namespace {

struct ProblemFlags {
  index_t n = 256, m = 128, k = 10;
  double snr = 30, lambda = 0.05;
  std::uint64_t seed = 1;
};

struct TrainArgs {
  ProblemFlags problem;
  int layers = 20, epochs = 60;
  index_t batch = 64, train_samples = 1024;
  double lr = 0.05, beta = 0.1, gamma = 1e-4, alpha_max = 2;
  std::string ablation = "none", out;
};

struct EvalArgs {
  std::string params, json;
  index_t samples = 256, k = 0;
  double snr = 0, rho = 1;
  bool has_k = false, has_snr = false;  // otherwise as trained
  int latency_runs = 100;
  std::string sweep_k, sweep_snr;  // comma-separated
};

LassoSpec to_spec(const ProblemFlags& f) {
  if (f.k > f.n)
    usage_error("--k: " + std::to_string(f.k) + " is out of range; expected an integer in [0, --n]");
  return {f.n, f.m, f.k, f.snr, f.lambda, f.seed};
}

// Refuses, before anything is allocated, a problem whose arrays cannot fit: the matrix (m, n)
// and `samples` signals with their measurements, all double, about three copies of each batch
// (the signals, the layers' iterates, the gradients); `what` names the options at fault.
void require_lasso_memory(const Context& ctx, const LassoSpec& s, double samples, int layers,
                          const std::string& what) {
  const double n = static_cast<double>(s.n), m = static_cast<double>(s.m);
  require_memory(ctx, 8 * (m * n + 3 * samples * (n + m) * (1 + static_cast<double>(layers) / 8)),
                 what + " (matrix " + std::to_string(s.m) + " x " + std::to_string(s.n) + ")");
}

void run_train(const TrainArgs& a, const GlobalOptions& global) {
  const std::string where = "recon lpgnet train";
  const LassoSpec spec = to_spec(a.problem);
  if (a.batch > a.train_samples)
    usage_error("--batch: " + std::to_string(a.batch) +
                " is out of range; expected at most --train-samples (" + std::to_string(a.train_samples) +
                ")");
  const LpgAblation ablation = parse_lpg_ablation(a.ablation);

  const Context ctx = make_context(global);
  require_lasso_memory(ctx, spec, static_cast<double>(a.train_samples), a.layers,
                       where + " with --n " + std::to_string(spec.n) + ", --m " + std::to_string(spec.m) +
                           ", --train-samples " + std::to_string(a.train_samples));
  const auto t0 = std::chrono::steady_clock::now();
  const auto matrix = std::make_shared<const Array<double>>(lasso_matrix<double>(ctx, spec));
  const double sigma = batched_matrix<double>(matrix, 1).norm_estimate(ctx);
  LpgNetParams p =
      LpgNetParams::initial(spec, a.layers, sigma * sigma, ablation, a.beta, a.gamma, a.alpha_max);
  LpgTrainOptions o;
  o.epochs = a.epochs;
  o.batch = a.batch;
  o.train_samples = a.train_samples;
  o.learning_rate = a.lr;
  o.shuffle_seed = spec.seed + 11;
  std::vector<double> history;
  {
    Progress progress(global, "lpgnet train", a.epochs, "epochs");
    history = lpgnet_train<double>(ctx, matrix, p, o, [&](int epoch, double loss) {
      char detail[48];
      std::snprintf(detail, sizeof detail, "loss %.6g", loss);
      progress.step(epoch, detail);
    });
  }
  save_lpgnet_params(a.out, p);
  nlohmann::json summary = {
      {"output", a.out},
      {"device", to_string(ctx.device())},
      {"ablation", to_string(ablation)},
      {"layers", a.layers},
      {"epochs", a.epochs},
      {"loss_first_epoch", history.empty() ? nullptr : nlohmann::json(history.front())},
      {"loss_last_epoch", history.empty() ? nullptr : nlohmann::json(history.back())},
      {"elapsed_s", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()}};
  std::cout << summary.dump(-1, ' ', false, kReplaceInvalidUtf8) << "\n";
}

nlohmann::json evaluate_point(const Context& ctx, const LpgNetParams& p, const LassoSpec& data,
                              const EvalArgs& a, std::ostream& table) {
  LpgEvalOptions o;
  o.samples = a.samples;
  o.latency_runs = a.latency_runs;
  o.admm_rho = a.rho;
  const std::vector<LpgMethodResult> results = lpgnet_evaluate<double>(ctx, p, data, o);
  char line[160];
  std::snprintf(line, sizeof line, "k = %lld, SNR = %g dB, K = %d, %lld held-out samples\n",
                static_cast<long long>(data.k), data.snr_db, p.layers, static_cast<long long>(a.samples));
  table << line;
  std::snprintf(line, sizeof line, "%-8s %10s %8s %14s %12s %12s\n", "method", "MAE", "F1", "objective(K)",
                "median ms", "p90 ms");
  table << line;
  nlohmann::json methods = nlohmann::json::array();
  for (const LpgMethodResult& r : results) {
    std::snprintf(line, sizeof line, "%-8s %10.5f %8.4f %14.6g %12.4f %12.4f\n", r.method.c_str(), r.mae,
                  r.f1, r.objective.back(), r.latency_median_ms, r.latency_p90_ms);
    table << line;
    methods.push_back({{"method", r.method},
                       {"mae", r.mae},
                       {"f1", r.f1},
                       {"objective", r.objective},
                       {"latency_median_ms", r.latency_median_ms},
                       {"latency_p90_ms", r.latency_p90_ms}});
  }
  table << "\n";
  return {{"k", data.k}, {"snr_db", data.snr_db}, {"methods", methods}};
}

void run_eval(const EvalArgs& a, const GlobalOptions& global) {
  const std::string where = "recon lpgnet eval";
  // The sweeps are options: checked before the parameter file is read.
  const std::vector<double> sweep_k = a.sweep_k.empty()
                                          ? std::vector<double>{}
                                          : parse_number_list(a.sweep_k, ',', "--sweep-k", count_at_least(0));
  const std::vector<double> sweep_snr =
      a.sweep_snr.empty() ? std::vector<double>{} : parse_number_list(a.sweep_snr, ',', "--sweep-snr");
  const LpgNetParams p = load_lpgnet_params(a.params);
  LassoSpec base = p.problem;
  if (a.has_k) base.k = a.k;
  if (a.has_snr) base.snr_db = a.snr;
  const auto check_k = [&](index_t k, const char* option) {
    if (k > base.n)
      throw InvalidArgument(std::string(option) + ": " + std::to_string(k) +
                            " is out of range; expected an integer in [0, " + std::to_string(base.n) +
                            "] (n of " + a.params + ")");
  };
  check_k(base.k, "--k");
  std::vector<LassoSpec> points{base};
  for (double k : sweep_k) {
    check_k(static_cast<index_t>(k), "--sweep-k");
    points.push_back(base);
    points.back().k = static_cast<index_t>(k);
  }
  for (double snr : sweep_snr) {
    points.push_back(base);
    points.back().snr_db = snr;
  }

  const Context ctx = make_context(global);
  require_lasso_memory(ctx, base, static_cast<double>(a.samples), p.layers,
                       where + " of " + a.params + " with --samples " + std::to_string(a.samples));
  std::ostringstream table;
  nlohmann::json all = nlohmann::json::array();
  for (const LassoSpec& s : points) all.push_back(evaluate_point(ctx, p, s, a, table));
  const nlohmann::json full = {
      {"params", a.params},         {"ablation", to_string(p.ablation)}, {"layers", p.layers},
      {"lambda", p.problem.lambda}, {"device", to_string(ctx.device())}, {"points", all}};
  if (!a.json.empty())
    io::write_file_atomically(
        a.json, [&](std::ostream& out) { out << full.dump(1, ' ', false, kReplaceInvalidUtf8) << "\n"; });
  std::cout << table.str();
  nlohmann::json summary = {{"params", a.params}, {"points", all.size()}};
  for (const auto& m : all[0]["methods"]) summary[m["method"].get<std::string>() + "_mae"] = m["mae"];
  if (!a.json.empty()) summary["json"] = a.json;
  std::cout << summary.dump(-1, ' ', false, kReplaceInvalidUtf8) << "\n";
}

}  // namespace

void add_lpgnet_command(CLI::App& app, const GlobalOptions& global) {
  auto* cmd = app.add_subcommand("lpgnet", "LPG-Net: learned proximal gradient unrolling for the LASSO");
  cmd->require_subcommand(1);

  auto* train = cmd->add_subcommand("train", "train LPG-Net on synthetic sparse recovery problems");
  auto t = std::make_shared<TrainArgs>();
  train->add_option("--n", t->problem.n, "signal length")
      ->capture_default_str()
      ->check(number_check(count_at_least(1)));
  train->add_option("--m", t->problem.m, "measurements")
      ->capture_default_str()
      ->check(number_check(count_at_least(1)));
  train->add_option("--k", t->problem.k, "non-zeros per signal")
      ->capture_default_str()
      ->check(number_check(count_at_least(0)));
  train->add_option("--snr", t->problem.snr, "measurement SNR in dB")
      ->capture_default_str()
      ->check(number_check(any_finite()));
  train
      ->add_option("--lambda", t->problem.lambda, "LASSO weight (objective F, baselines, initial thresholds)")
      ->capture_default_str()
      ->check(number_check(weight_range()));
  train->add_option("--seed", t->problem.seed, "seed of the matrix and the samples")
      ->capture_default_str()
      ->check(number_check(seed_range()));
  train->add_option("--layers", t->layers, "unrolled layers K")
      ->capture_default_str()
      ->check(number_check(int_at_least(1)));
  train->add_option("--epochs", t->epochs, "passes over the training set")
      ->capture_default_str()
      ->check(number_check(int_at_least(0)));
  train->add_option("--batch", t->batch, "samples per Adam step")
      ->capture_default_str()
      ->check(number_check(count_at_least(1)));
  train->add_option("--train-samples", t->train_samples, "size of the training set")
      ->capture_default_str()
      ->check(number_check(count_at_least(1)));
  train->add_option("--lr", t->lr, "Adam learning rate")
      ->capture_default_str()
      ->check(number_check(above(0)));
  train->add_option("--beta", t->beta, "weight of the monotonicity hinge")
      ->capture_default_str()
      ->check(number_check(at_least(0)));
  train->add_option("--gamma", t->gamma, "weight of sum(alpha^2 + tau^2)")
      ->capture_default_str()
      ->check(number_check(at_least(0)));
  train->add_option("--alpha-max", t->alpha_max, "largest step, in units of 1/L (the start is 1/L)")
      ->capture_default_str()
      ->check(number_check(above(1)));
  train->add_option("--ablation", t->ablation, "none, no-adaptive-step, no-monotone or shared-threshold")
      ->check(CLI::IsMember({"none", "no-adaptive-step", "no-monotone", "shared-threshold"}))
      ->capture_default_str();
  train->add_option("--out", t->out, "parameter file (JSON)")->required();
  train->callback([t, &global] { run_train(*t, global); });

  auto* eval =
      cmd->add_subcommand("eval", "compare a trained LPG-Net with ISTA, FISTA and ADMM at the same depth");
  auto e = std::make_shared<EvalArgs>();
  eval->add_option("--params", e->params, "parameter file from `recon lpgnet train`")->required();
  eval->add_option("--samples", e->samples, "held-out samples")
      ->capture_default_str()
      ->check(number_check(count_at_least(1)));
  auto* k_opt = eval->add_option("--k", e->k, "non-zeros of the test signals (default: as trained)")
                    ->check(number_check(count_at_least(0)));
  auto* snr_opt = eval->add_option("--snr", e->snr, "test SNR in dB (default: as trained)")
                      ->check(number_check(any_finite()));
  eval->add_option("--sweep-k", e->sweep_k, "further points with these k (comma-separated)");
  eval->add_option("--sweep-snr", e->sweep_snr, "further points with these SNRs (comma-separated)");
  eval->add_option("--latency-runs", e->latency_runs, "single-sample runs per method")
      ->capture_default_str()
      ->check(number_check(int_at_least(1)));
  eval->add_option("--rho", e->rho, "ADMM penalty")->capture_default_str()->check(number_check(above(0)));
  eval->add_option("--json", e->json, "write all results (objective per layer, sweeps) here");
  eval->callback([e, k_opt, snr_opt, &global] {
    e->has_k = k_opt->count() > 0;
    e->has_snr = snr_opt->count() > 0;
    run_eval(*e, global);
  });
}

}  // namespace recon::cli

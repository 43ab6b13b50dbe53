// recon_robust_regression: the Monte-Carlo robust line-fit experiment of the WEEP paper
// (Furuhashi et al., "WEEP: A differentiable nonconvex sparse regularizer via weakly-convex
// envelope", Tables II/III) on robust_regression.hpp. Every trial draws a
// training set with outliers and an outlier-free test set, fits each loss by L-BFGS from the
// same start, and records w1, w2 and the test MSE/MAE on inliers. Prints a markdown table
// (mean +- std over trials; medians too, as the means of the redescending losses are dominated by
// a few failed fits) on stdout.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "recon/kernels/context.hpp"
#include "robust_regression.hpp"

namespace {

using recon::robust::Line;
using recon::robust::LineData;

struct Stat {
  std::vector<double> v;
  double mean() const {
    double s = 0;
    for (double x : v) s += x;
    return s / static_cast<double>(v.size());
  }
  double sd() const {  // population standard deviation, as numpy's default
    const double m = mean();
    double s = 0;
    for (double x : v) s += (x - m) * (x - m);
    return std::sqrt(s / static_cast<double>(v.size()));
  }
  double median() const {
    std::vector<double> c = v;
    std::nth_element(c.begin(), c.begin() + static_cast<long>(c.size() / 2), c.end());
    return c[c.size() / 2];
  }
};

std::string pm(const Stat& s, int digits = 2) {
  std::ostringstream o;
  o << std::fixed << std::setprecision(digits) << s.mean() << " ± " << s.sd();
  return o.str();
}

std::string fixed(double x, int digits = 2) {
  std::ostringstream o;
  o << std::fixed << std::setprecision(digits) << x;
  return o.str();
}

struct Loss {
  Loss(std::string label_, recon::penalties::Function rho_)
      : label(std::move(label_)), rho(std::move(rho_)) {}
  std::string label;
  recon::penalties::Function rho;
  Stat w1, w2, mse, mae;
  int recovered = 0;                         // trials with ||(w1, w2) - truth|| < 1
  std::map<std::string, int> not_converged;  // L-BFGS stop reason -> trials
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Monte-Carlo robust line fit (WEEP paper, Tables II/III)"};
  recon::robust::LineSetup setup;
  int trials = 1000;
  unsigned long seed = 2024;
  std::string init = "zero";
  recon::index_t n_test = 1000;
  app.add_option("--trials", trials, "Monte-Carlo trials")->check(CLI::PositiveNumber);
  app.add_option("--seed", seed, "random seed");
  app.add_option("--init", init, "start of every fit: zero (w = 0) or l2 (the least-squares line)")
      ->check(CLI::IsMember({"zero", "l2"}));
  app.add_option("--n", setup.n, "training points per trial");
  app.add_option("--n-test", n_test, "outlier-free test points per trial")->check(CLI::PositiveNumber);
  app.add_option("--outliers", setup.outlier_fraction, "share of training points replaced by outliers");
  app.add_option("--noise", setup.noise_sd, "inlier noise standard deviation");
  app.add_option("--outlier-lo", setup.outlier_lo, "outliers y ~ U(lo, hi)");
  app.add_option("--outlier-hi", setup.outlier_hi, "outliers y ~ U(lo, hi)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    namespace pen = recon::penalties;
    std::vector<Loss> losses;
    losses.emplace_back("L2 (sq-l2)", pen::make_function("sq-l2"));
    losses.emplace_back("Huber (δ = 1.345)", pen::make_function("huber", {{"delta", 1.345}}));
    losses.emplace_back("Tukey (c = 4.685)", pen::make_function("tukey", {{"c", 4.685}}));
    losses.emplace_back("WEEP (a = 100, b = 0.01)", pen::make_function("weep", {{"a", 100}, {"b", 0.01}}));
    const recon::Context ctx = recon::Context::host();
    recon::LbfgsOptions opt;
    opt.max_iters = 1000;
    opt.grad_tol = 1e-9;
    std::mt19937_64 gen(seed);
    recon::robust::LineSetup test_setup = setup;
    test_setup.n = n_test;
    for (int t = 0; t < trials; ++t) {
      const LineData train = recon::robust::make_line_data(setup, setup.outlier_fraction, gen);
      const LineData test = recon::robust::make_line_data(test_setup, 0.0, gen);
      const Line start = init == "l2" ? recon::robust::least_squares_line(train) : Line{};
      for (Loss& loss : losses) {
        recon::SolveReport rep;
        const Line w = recon::robust::fit_line(ctx, loss.rho, train, start, opt, &rep);
        double se = 0, ae = 0;
        for (std::size_t i = 0; i < test.x.size(); ++i) {
          const double e = test.y[i] - (w.w1 * test.x[i] + w.w2);
          se += e * e;
          ae += std::fabs(e);
        }
        loss.w1.v.push_back(w.w1);
        loss.w2.v.push_back(w.w2);
        loss.mse.v.push_back(se / static_cast<double>(test.x.size()));
        loss.mae.v.push_back(ae / static_cast<double>(test.x.size()));
        if (std::hypot(w.w1 - setup.w1, w.w2 - setup.w2) < 1) ++loss.recovered;
        if (!rep.converged()) ++loss.not_converged[recon::to_string(rep.reason)];
      }
    }
    std::cout << "True line w1 = " << setup.w1 << ", w2 = " << setup.w2 << "; " << trials
              << " trials, n = " << setup.n << ", x ~ U(" << setup.x_lo << ", " << setup.x_hi
              << "), inlier noise N(0, " << setup.noise_sd << "^2), " << setup.outlier_fraction * 100
              << "% outliers y ~ U(" << setup.outlier_lo << ", " << setup.outlier_hi << "), " << n_test
              << " test inliers per trial, start: " << (init == "l2" ? "least-squares line" : "w = 0")
              << ", seed " << seed << ".\n\n";
    std::cout
        << "| loss | w1 | w2 | test MSE (inliers) | test MAE (inliers) | median MSE | within 1 of (w1, w2) "
           "| L-BFGS not converged |\n"
        << "|---|---|---|---|---|---|---|---|\n";
    for (const Loss& l : losses) {
      std::string stops;
      for (const auto& [reason, count] : l.not_converged)
        stops += (stops.empty() ? "" : ", ") + std::to_string(count) + " " + reason;
      std::cout << "| " << l.label << " | " << pm(l.w1) << " | " << pm(l.w2) << " | " << pm(l.mse) << " | "
                << pm(l.mae) << " | " << fixed(l.mse.median()) << " | "
                << fixed(100.0 * l.recovered / trials, 1) << "% | " << (stops.empty() ? "0" : stops)
                << " |\n";
    }
  } catch (const std::exception& e) {
    std::cerr << "recon_robust_regression: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

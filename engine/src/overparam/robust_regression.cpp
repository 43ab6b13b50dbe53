// Robust line fitting (robust_regression.hpp).
#include "robust_regression.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <type_traits>
#include <variant>

#include "recon/kernels/penalties/apply.hpp"
#include "recon/operators/dense_matrix.hpp"

namespace recon::robust {

LineData make_line_data(const LineSetup& s, double outlier_fraction, std::mt19937_64& gen) {
  const char* where = "make_line_data";
  require(s.n >= 2, where, "n must be >= 2, got " + std::to_string(s.n));
  require(s.x_lo < s.x_hi, where, "x_lo must be < x_hi");
  require(s.noise_sd >= 0, where, "noise_sd must be >= 0");
  require(s.outlier_lo <= s.outlier_hi, where, "outlier_lo must be <= outlier_hi");
  require(outlier_fraction >= 0 && outlier_fraction <= 1, where,
          "outlier fraction must lie in [0, 1], got " + std::to_string(outlier_fraction));
  std::uniform_real_distribution<double> ux(s.x_lo, s.x_hi), uo(s.outlier_lo, s.outlier_hi);
  std::normal_distribution<double> noise(0.0, s.noise_sd);
  const auto n = static_cast<std::size_t>(s.n);
  LineData d{std::vector<double>(n), std::vector<double>(n), std::vector<bool>(n, false)};
  for (std::size_t i = 0; i < n; ++i) {
    d.x[i] = ux(gen);
    d.y[i] = s.w1 * d.x[i] + s.w2 + (s.noise_sd > 0 ? noise(gen) : 0.0);
  }
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::shuffle(order.begin(), order.end(), gen);
  const auto n_out = static_cast<std::size_t>(std::lround(outlier_fraction * static_cast<double>(n)));
  for (std::size_t j = 0; j < n_out; ++j) {
    d.y[order[j]] = uo(gen);
    d.outlier[order[j]] = true;
  }
  return d;
}

Line least_squares_line(const LineData& d) {
  const double n = static_cast<double>(d.x.size());
  require(d.x.size() == d.y.size() && d.x.size() >= 2, "least_squares_line",
          "needs >= 2 points with x and y");
  const double mx = std::accumulate(d.x.begin(), d.x.end(), 0.0) / n;
  const double my = std::accumulate(d.y.begin(), d.y.end(), 0.0) / n;
  double sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < d.x.size(); ++i) {
    sxx += (d.x[i] - mx) * (d.x[i] - mx);
    sxy += (d.x[i] - mx) * (d.y[i] - my);
  }
  require(sxx > 0, "least_squares_line", "all x values are equal");
  const double w1 = sxy / sxx;
  return Line{w1, my - w1 * mx};
}

Line fit_line(const Context& ctx, const penalties::Function& rho, const LineData& d, Line start,
              const LbfgsOptions& options, SolveReport* report) {
  const char* where = "fit_line";
  require(d.x.size() == d.y.size() && !d.x.empty(), where, "x and y must be non-empty and of equal length");
  const bool has_gradient =
      std::visit([](const auto& f) { return std::decay_t<decltype(f)>::has_grad; }, rho);
  require(has_gradient, where, std::string("the loss '") + penalties::name_of(rho) + "' has no gradient");
  const auto n = static_cast<index_t>(d.x.size());
  std::vector<double> rows(2 * d.x.size());
  for (std::size_t i = 0; i < d.x.size(); ++i) {
    rows[2 * i] = d.x[i];
    rows[2 * i + 1] = 1.0;
  }
  const Operator<double> a = dense_matrix<double>(Array<double>::from_host(ctx, Shape{n, 2}, rows));
  const auto y = Array<double>::from_host(ctx, Shape{n}, d.y);
  Array<double> r(ctx, Shape{n}), dr(ctx, Shape{n});
  // f(w) = sum rho(y - A w), grad = -A^T rho'(y - A w).
  const ValueGradFn<double> f = [&](const Context& c, View<const double> w, View<double> g) {
    a.apply(c, w, r.view());
    axpby<double>(c, 1.0, y.cview(), -1.0, r.view());
    const double value = penalties::value_sum<double>(c, rho, r.cview());
    penalties::gradient<double>(c, rho, r.cview(), dr.view());
    a.adjoint(c, dr.cview(), g);
    scale<double>(c, -1.0, g, g);
    return value;
  };
  auto w = Array<double>::from_host(ctx, Shape{2}, {start.w1, start.w2});
  const SolveReport rep = lbfgs<double>(ctx, f, w, options);
  if (report) *report = rep;
  const auto got = w.to_host_vector();
  return Line{got[0], got[1]};
}

}  // namespace recon::robust

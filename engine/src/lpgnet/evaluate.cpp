// Held-out evaluation of LPG-Net against ISTA / FISTA / ADMM (lpgnet.hpp).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <tuple>

#include "recon/engine/lpgnet.hpp"
#include "recon/engine/metrics.hpp"
#include "rows.hpp"

namespace recon {

namespace detail_lpgnet {

// Median and 90th percentile (nearest rank) of the samples, in place.
std::pair<double, double> median_p90(std::vector<double>& v) {
  std::sort(v.begin(), v.end());
  const auto rank = [&](double q) {
    return v[std::min(v.size() - 1, static_cast<size_t>(std::ceil(q * v.size())) - 1)];
  };
  return {rank(0.5), rank(0.9)};
}

}  // namespace detail_lpgnet

using namespace detail_lpgnet;

template <class T>
std::vector<LpgMethodResult> lpgnet_evaluate(const Context& ctx, const LpgNetParams& p, const LassoSpec& data,
                                             const LpgEvalOptions& o) {
  const std::string where = "lpgnet_evaluate";
  p.validate(where);
  require(data.n == p.problem.n && data.m == p.problem.m && data.seed == p.problem.seed, where,
          "the evaluation data must use the network's matrix (same n, m and seed)");
  require(o.samples > 0 && o.latency_runs > 0, where, "needs samples > 0 and latency_runs > 0");
  const auto matrix = std::make_shared<const Array<T>>(lasso_matrix<T>(ctx, p.problem));
  const LassoBatch<T> test = lasso_samples<T>(ctx, data, *matrix, o.samples, 2);
  const LassoReference<T> batch_ref(ctx, matrix, o.samples, p.problem.lambda, p.lipschitz, o.admm_rho);
  const LassoReference<T> single_ref(ctx, matrix, 1, p.problem.lambda, p.lipschitz, o.admm_rho);
  const Operator<T> single_op = batched_matrix<T>(matrix, 1);
  Array<T> x(ctx, test.x_true.shape()), b1(ctx, Shape{1, p.problem.m}), x1(ctx, Shape{1, p.problem.n});

  std::vector<LpgMethodResult> out;
  for (const std::string method : {"lpgnet", "ista", "fista", "admm"}) {
    LpgMethodResult r;
    r.method = method;
    const auto run = [&](const Operator<T>& a, const LassoReference<T>& ref, View<const T> b, View<T> xo,
                         std::vector<double>* objective) {
      if (method == "lpgnet")
        lpgnet_forward<T>(ctx, a, p, b, xo, objective);
      else
        ref.solve(ctx,
                  method == "ista"    ? LassoSolver::Ista
                  : method == "fista" ? LassoSolver::Fista
                                      : LassoSolver::Admm,
                  p.layers, b, xo, objective);
    };
    run(batch_ref.op(), batch_ref, test.b, x, &r.objective);
    r.mae = mae<T>(ctx, test.x_true, x);
    r.f1 = support_f1<T>(ctx, test.x_true, x, 0.0);
    std::vector<double> ms;
    for (int i = 0; i < o.latency_runs; ++i) {
      copy<T>(ctx, row(test.b.cview(), i % o.samples), b1);
      ctx.synchronize();
      const auto t0 = std::chrono::steady_clock::now();
      run(single_op, single_ref, b1, x1, nullptr);
      ctx.synchronize();
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    std::tie(r.latency_median_ms, r.latency_p90_ms) = median_p90(ms);
    out.push_back(std::move(r));
  }
  return out;
}

template std::vector<LpgMethodResult> lpgnet_evaluate<float>(const Context&, const LpgNetParams&,
                                                             const LassoSpec&, const LpgEvalOptions&);
template std::vector<LpgMethodResult> lpgnet_evaluate<double>(const Context&, const LpgNetParams&,
                                                              const LassoSpec&, const LpgEvalOptions&);

}  // namespace recon

// Prox of every penalty and loss on a float32 image (the Table 5 sizes of Pinilla &
// Thiyagalingam, "Global optimality for non-linear constrained restoration problems via
// invexity": 2048^2, and 8192^2 beyond the caches for the roofline): time, GB/s (one read and one write
// per pixel) and % of the measured copy bandwidth. Values uniform in [-3, 3], gamma = 0.5.
#include <string>
#include <utility>
#include <vector>

#include "recon/kernels/kernels.hpp"
#include "recon/kernels/penalties/apply.hpp"
#include "roofline.hpp"

namespace recon::bench {
namespace {

using penalties::make_function;

// One representative parameter set per function (MATH.md sections 1-2 names).
std::vector<std::pair<std::string, penalties::Function>> functions() {
  return {
      {"l1", make_function("l1")},
      {"l0", make_function("l0")},
      {"lp_p0.5", make_function("lp", {{"p", 0.5}})},
      {"log_p0.5_eps1e-3", make_function("log", {{"p", 0.5}, {"eps", 1e-3}})},
      {"log_p0.5_eps1", make_function("log", {{"p", 0.5}, {"eps", 1}})},
      {"mcp_mu1_theta3", make_function("mcp", {{"mu", 1}, {"theta", 3}})},
      {"scad_mu1_a3.7", make_function("scad", {{"mu", 1}, {"a", 3.7}})},
      {"capped-l1_theta1", make_function("capped-l1", {{"theta", 1}})},
      {"capped-log_p0.5_eps1e-3_theta1",
       make_function("capped-log", {{"p", 0.5}, {"eps", 1e-3}, {"theta", 1}})},
      {"weep_a1_b0.5", make_function("weep", {{"a", 1}, {"b", 0.5}})},
      {"huber_delta1", make_function("huber", {{"delta", 1}})},
      {"sq-l2", make_function("sq-l2")},
      {"cauchy_delta1", make_function("cauchy", {{"delta", 1}})},
      {"geman-mcclure_delta1", make_function("geman-mcclure", {{"delta", 1}})},
      {"welsch_delta1", make_function("welsch", {{"delta", 1}})},
      {"barron_alpha0.5_c1", make_function("barron", {{"alpha", 0.5}, {"c", 1}})},
      {"barron_alpha0.5_c0.2", make_function("barron", {{"alpha", 0.5}, {"c", 0.2}})},
      {"eq8", make_function("eq8")},
      {"tukey_c4.685", make_function("tukey", {{"c", 4.685}})},
      {"box_0_1", make_function("box", {{"lo", 0}, {"hi", 1}})},
      {"nonneg", make_function("nonneg")},
      {"l2-ball_r1", make_function("l2-ball", {{"r", 1}})},
  };
}

void init_values(const Context& ctx, View<float> x) {
  float* p = x.data();
  parallel_for(ctx, x.size(), [=] RECON_HD(index_t i) {
    // A cheap hash to [-3, 3): every regime of every function, no pattern the branch predictor learns.
    const unsigned h = static_cast<unsigned>(i) * 2654435761u;
    p[i] = static_cast<float>(h >> 8) * (6.0f / 16777216.0f) - 3.0f;
  });
}

void bench_prox(benchmark::State& state, const penalties::Function& fn) {
  const index_t side = state.range(0);
  const Context& ctx = session().ctx;
  Array<float> x(ctx, Shape{side, side}), y(ctx, Shape{side, side});
  init_values(ctx, x);
  run_timed(state, 2.0 * sizeof(float) * x.size(), [&] { penalties::prox<float>(ctx, fn, 0.5f, x, y); });
}

const bool registered = [] {
  for (const auto& [label, fn] : functions()) {
    const penalties::Function f = fn;
    benchmark::RegisterBenchmark(("BM_prox/" + label).c_str(), [f](benchmark::State& s) { bench_prox(s, f); })
        ->Arg(512)
        ->Arg(1024)
        ->Arg(2048)
        ->Arg(8192)
        ->UseManualTime()
        ->Unit(benchmark::kMicrosecond);
  }
  return true;
}();

}  // namespace
}  // namespace recon::bench

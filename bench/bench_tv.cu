// Per-iteration cost of the TV denoising solvers: the fused linearised ADMM and
// PDHG iterations (stencil passes only) and ADMM with the DCT x-update, isotropic l1-TV, on
// a 2048^2 image and a 256^3 volume (128^3 on the host), and PDHG at 512^2 and 512^3 (bench_shape).
// Each benchmark iteration times a solve of 30 iterations and one of 10 and counts the
// difference: the cost of 20 iterations without the set-up and final check that both share
// (allocation and first touch of the solver's arrays, the objective), which at 2048^2 on the
// host cost more than 10 iterations. The whole 10-iteration solve is reported as well
// (BM_tv_*_solve), set-up included.
// bytes = the float traffic of one iteration if every pass reads and writes each array once:
//   pdhg  (2k + 5) n on the host, where the dual and primal steps are one sweep (xbar, p, x, u
//         -> p, x, xbar; k = 2 or 3 components of p), (3k + 5) n on the device (two passes:
//         dual xbar, p -> p; primal p, x, u -> x, xbar)
//   ladmm 25 n (blend 3n, residual 7n, gradient step 8n, z/w update 7n)
//   admm  counted as ladmm's z/w update and right-hand side (12 n) plus 4 passes of the DCT
#include "recon/engine/tv.hpp"
#include "recon/kernels/kernels.hpp"
#include "roofline.hpp"

namespace recon::bench {
namespace tv_bench {

constexpr int kShort = 10, kLong = 30;

// ndim 2: 2048^2, 3: 256^3 (128^3 on the host, where 256^3 takes seconds per run); side > 0
// asks for side^ndim instead: 512^2 (the small case the GPU runs through a CUDA graph) and
// 512^3 (GPU only: 4.5 GiB of solver arrays).
Shape bench_shape(int ndim, index_t side) {
  if (side > 0) return ndim == 2 ? Shape{side, side} : Shape{side, side, side};
  if (ndim == 2) return Shape{2048, 2048};
  return session().ctx.is_cuda() ? Shape{256, 256, 256} : Shape{128, 128, 128};
}

void fill_image(const Context& ctx, View<float> u) {
  float* p = u.data();
  parallel_for(ctx, u.size(), [=] RECON_HD(index_t i) {
    p[i] = static_cast<float>((i / 37 + i / 4099) % 3) + 0.1f * static_cast<float>(i % 17) / 17.0f;
  });
}

// marginal: the iterations' own cost (kLong - kShort of them); else whole kShort-iteration solves.
void run(benchmark::State& state, TvSolver solver, double floats_per_element, bool marginal) {
  const Context& ctx = session().ctx;
  if (state.range(0) == 3 && state.range(1) > 256 && !session().ctx.is_cuda())
    return state.SkipWithError("GPU only (the host takes minutes per run)");
  const Shape shape = bench_shape(static_cast<int>(state.range(0)), state.range(1));
  Array<float> u(ctx, shape), x(ctx, shape);
  fill_image(ctx, u);
  TvProblem problem{penalties::make_function("l1"), 0.1, TvNorm::Isotropic};
  auto solve = [&](int iterations) {
    TvOptions options;
    options.solver = solver;
    options.max_iters = iterations;
    options.tol = 0;
    options.check_every = 1 << 30;  // one check, after the last iteration
    return seconds_of([&] { tv_denoise<float>(ctx, u, x, problem, options); });
  };
  solve(kShort);  // warm-up
  const int counted = marginal ? kLong - kShort : kShort;
  const double bytes = floats_per_element * sizeof(float) * static_cast<double>(shape.size()) * counted;
  run_measured(state, bytes, [&] { return marginal ? solve(kLong) - solve(kShort) : solve(kShort); });
  state.SetLabel(
      shape.str() + ", " + std::to_string(counted) +
      (marginal ? " iterations (a 30-iteration solve less a 10-iteration one)" : " iterations per solve"));
}

double pdhg_floats(int k) { return session().ctx.is_cuda() ? 3 * k + 5 : 2 * k + 5; }

void BM_tv_pdhg(benchmark::State& state) {
  run(state, TvSolver::Pdhg, pdhg_floats(int(state.range(0))), true);
}
void BM_tv_ladmm(benchmark::State& state) { run(state, TvSolver::Ladmm, 25, true); }
void BM_tv_admm_dct(benchmark::State& state) { run(state, TvSolver::Admm, 12 + 4 * 2, true); }
void BM_tv_pdhg_solve(benchmark::State& state) {
  run(state, TvSolver::Pdhg, pdhg_floats(int(state.range(0))), false);
}

// Args: {ndim, side} (bench_shape).
BENCHMARK(BM_tv_pdhg)
    ->Args({2, 0})
    ->Args({3, 0})
    ->Args({2, 512})
    ->Args({3, 512})
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_tv_ladmm)->Args({2, 0})->Args({3, 0})->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_tv_admm_dct)->Args({2, 0})->Args({3, 0})->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_tv_pdhg_solve)->Args({2, 0})->Args({3, 0})->UseManualTime()->Unit(benchmark::kMillisecond);

}  // namespace tv_bench
}  // namespace recon::bench

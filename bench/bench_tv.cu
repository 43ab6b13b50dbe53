// Per-iteration cost of the TV denoising solvers: the fused linearised ADMM and
// PDHG iterations (stencil passes only) and ADMM with the DCT x-update, isotropic l1-TV, on
// a 2048^2 image and a 256^3 volume (128^3 on the host, where 256^3 takes seconds per run).
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

constexpr int kIterations = 10;

Shape bench_shape(int ndim) {
  if (ndim == 2) return Shape{2048, 2048};
  return session().ctx.is_cuda() ? Shape{256, 256, 256} : Shape{128, 128, 128};
}

void fill_image(const Context& ctx, View<float> u) {
  float* p = u.data();
  parallel_for(ctx, u.size(), [=] RECON_HD(index_t i) {
    p[i] = static_cast<float>((i / 37 + i / 4099) % 3) + 0.1f * static_cast<float>(i % 17) / 17.0f;
  });
}

void run(benchmark::State& state, TvSolver solver, double floats_per_element) {
  const Context& ctx = session().ctx;
  const Shape shape = bench_shape(static_cast<int>(state.range(0)));
  Array<float> u(ctx, shape), x(ctx, shape);
  fill_image(ctx, u);
  TvProblem problem{penalties::make_function("l1"), 0.1, TvNorm::Isotropic};
  TvOptions options;
  options.solver = solver;
  options.max_iters = kIterations;
  options.tol = 0;
  options.check_every = 1 << 30;  // one check, after the last iteration
  run_timed(state, floats_per_element * sizeof(float) * static_cast<double>(shape.size()) * kIterations,
            [&] { tv_denoise<float>(ctx, u, x, problem, options); });
  state.SetLabel(shape.str() + ", " + std::to_string(kIterations) + " iterations per run");
}

void BM_tv_pdhg(benchmark::State& state) {
  const double k = static_cast<double>(state.range(0));
  run(state, TvSolver::Pdhg, session().ctx.is_cuda() ? 3 * k + 5 : 2 * k + 5);
}
void BM_tv_ladmm(benchmark::State& state) { run(state, TvSolver::Ladmm, 25); }
void BM_tv_admm_dct(benchmark::State& state) { run(state, TvSolver::Admm, 12 + 4 * 2); }

BENCHMARK(BM_tv_pdhg)->Arg(2)->Arg(3)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_tv_ladmm)->Arg(2)->Arg(3)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_tv_admm_dct)->Arg(2)->Arg(3)->UseManualTime()->Unit(benchmark::kMillisecond);

}  // namespace tv_bench
}  // namespace recon::bench

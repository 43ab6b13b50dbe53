// Quality metrics and noise generation. Bytes per iteration are what the implementation
// moves at least: PSNR reads both images; SSIM reads them once, writes and reads the five
// filtered moment images (double) once per axis pass and twice more in the two interior
// reductions: 8 + 40 (x pass) + 80 per further pass + 80 bytes per pixel.
#include "recon/datasets/noise.hpp"
#include "recon/datasets/phantoms.hpp"
#include "recon/engine/metrics.hpp"
#include "recon/kernels/vector_ops.hpp"
#include "roofline.hpp"

namespace recon::bench {
namespace {

struct Pair {
  Array<float> a, b;
  Pair(index_t nz, index_t side)
      : a(nz == 1 ? datasets::shepp_logan_2d<float>(session().ctx, side)
                  : datasets::shepp_logan_3d<float>(session().ctx, nz, side, side)),
        b(a.to(session().ctx)) {
    datasets::add_gaussian_noise(session().ctx, b.view(), 0.05, 1);
  }
};

double ssim_bytes(index_t n, bool volume) {
  return (8.0 + 40 + 80 * (volume ? 2 : 1) + 80) * static_cast<double>(n);
}

void BM_psnr(benchmark::State& state) {
  Pair p(1, state.range(0));
  double sink = 0;
  run_timed(state, 8.0 * p.a.size(), [&] { sink += psnr<float>(session().ctx, p.a, p.b, 1.0); });
  benchmark::DoNotOptimize(sink);
}

void BM_ssim_2d(benchmark::State& state) {
  Pair p(1, state.range(0));
  double sink = 0;
  run_timed(state, ssim_bytes(p.a.size(), false), [&] { sink += ssim<float>(session().ctx, p.a, p.b, 1.0); });
  benchmark::DoNotOptimize(sink);
}

void BM_ssim_3d(benchmark::State& state) {
  Pair p(state.range(0), state.range(0));
  double sink = 0;
  run_timed(state, ssim_bytes(p.a.size(), true), [&] { sink += ssim<float>(session().ctx, p.a, p.b, 1.0); });
  benchmark::DoNotOptimize(sink);
}

void BM_ms_ssim_2d(benchmark::State& state) {
  Pair p(1, state.range(0));
  double sink = 0;
  // Five scales: the full-size SSIM traffic times 1 + 1/4 + 1/16 + ... (< 4/3).
  run_timed(state, ssim_bytes(p.a.size(), false) * 4 / 3,
            [&] { sink += ms_ssim<float>(session().ctx, p.a, p.b, 1.0); });
  benchmark::DoNotOptimize(sink);
}

void BM_gaussian_noise(benchmark::State& state) {
  Array<float> x(session().ctx, Shape{state.range(0), state.range(0)});
  fill(session().ctx, x.view(), 0.f);
  std::uint64_t seed = 0;
  run_timed(state, 8.0 * x.size(),
            [&] { datasets::add_gaussian_noise(session().ctx, x.view(), 0.1, ++seed); });
}

BENCHMARK(BM_psnr)->Arg(2048)->UseManualTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ssim_2d)->Arg(512)->Arg(2048)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ssim_3d)->Arg(128)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ms_ssim_2d)->Arg(512)->Arg(2048)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_gaussian_noise)->Arg(2048)->UseManualTime()->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace recon::bench

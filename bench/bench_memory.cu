// Memory-bound kernels of the device layer: copy, scale, axpby and the reductions, at a
// size that fits in a GPU's L2 (2048^2) and one that does not (8192^2).
#include "recon/kernels/kernels.hpp"
#include "roofline.hpp"

namespace recon::bench {
namespace memory_bench {

void copy_kernel(const Context& ctx, index_t n, const float* x, float* y) {
  parallel_for(ctx, n, [=] RECON_HD(index_t i) { y[i] = x[i]; });
}

void init_values(const Context& ctx, View<float> x) {
  float* p = x.data();
  parallel_for(ctx, x.size(), [=] RECON_HD(index_t i) { p[i] = static_cast<float>(i % 4093) * 1e-3f - 2.f; });
}

struct Buffers {
  Array<float> x, y;
  explicit Buffers(index_t side) : x(session().ctx, Shape{side, side}), y(session().ctx, Shape{side, side}) {
    init_values(session().ctx, x);
    init_values(session().ctx, y);
  }
};

void BM_copy(benchmark::State& state) {
  Buffers b(state.range(0));
  const index_t n = b.x.size();
  run_timed(state, 2.0 * sizeof(float) * n, [&] { copy_kernel(session().ctx, n, b.x.data(), b.y.data()); });
}

void BM_scale(benchmark::State& state) {
  Buffers b(state.range(0));
  run_timed(state, 2.0 * sizeof(float) * b.x.size(), [&] { scale<float>(session().ctx, 1.5f, b.x, b.y); });
}

void BM_axpby(benchmark::State& state) {
  Buffers b(state.range(0));
  run_timed(state, 3.0 * sizeof(float) * b.x.size(),
            [&] { axpby<float>(session().ctx, 0.5f, b.x, 0.25f, b.y); });
}

void BM_dot(benchmark::State& state) {
  Buffers b(state.range(0));
  double sink = 0;
  run_timed(state, 2.0 * sizeof(float) * b.x.size(), [&] { sink += dot<float>(session().ctx, b.x, b.y); });
  benchmark::DoNotOptimize(sink);
}

void BM_max_abs(benchmark::State& state) {
  Buffers b(state.range(0));
  double sink = 0;
  run_timed(state, 1.0 * sizeof(float) * b.x.size(), [&] { sink += max_abs<float>(session().ctx, b.x); });
  benchmark::DoNotOptimize(sink);
}

#define RECON_IMAGE_SIZES ->Arg(2048)->Arg(8192)->UseManualTime()->Unit(benchmark::kMicrosecond)
BENCHMARK(BM_copy) RECON_IMAGE_SIZES;
BENCHMARK(BM_scale) RECON_IMAGE_SIZES;
BENCHMARK(BM_axpby) RECON_IMAGE_SIZES;
BENCHMARK(BM_dot) RECON_IMAGE_SIZES;
BENCHMARK(BM_max_abs) RECON_IMAGE_SIZES;

}  // namespace memory_bench
}  // namespace recon::bench

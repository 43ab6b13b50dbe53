// Linear operators on the session's device at 2048^2 and 256^3 (and 8192^2 for the roofline of
// the memory-bound ones): time, bytes moved by an ideal implementation (each input read once,
// each output written once), GB/s and % of the measured copy bandwidth. The raw FFTW
// benchmarks time the library call alone on the same transform and flags, so the Fourier
// operator's overhead (weights, shift pass) can be read off against them.
#include <fftw3.h>

#include <memory>
#include <string>

#include "recon/operators/operators.hpp"
#include "roofline.hpp"

#if RECON_WITH_CUDA
#include <cufft.h>
#endif

namespace recon::bench {
namespace {

void init_values(const Context& ctx, View<float> x) {
  float* p = x.data();
  parallel_for(ctx, x.size(), [=] RECON_HD(index_t i) { p[i] = static_cast<float>(i % 4093) * 1e-3f - 2.f; });
}

// Case 0: 2048^2, 1: 256^3, 2: 8192^2.
Shape case_shape(int c) {
  if (c == 1) return Shape{256, 256, 256};
  const index_t side = c == 0 ? 2048 : 8192;
  return Shape{side, side};
}

Array<float> filled(const Shape& s) {
  Array<float> a(session().ctx, s);
  init_values(session().ctx, a);
  return a;
}

enum class Direction { Apply, Adjoint, NormalInverse };

// Times one operator call; bytes_per_element counts input + output bytes per domain element.
void run_operator(benchmark::State& state, const Operator<float>& op, Direction d, double bytes) {
  const Context& ctx = session().ctx;
  state.SetLabel(op.name() + " " + op.domain().str());
  Array<float> in = filled(d == Direction::Adjoint ? op.range() : op.domain());
  Array<float> out(
      ctx, d == Direction::Adjoint ? op.domain() : (d == Direction::Apply ? op.range() : op.domain()));
  run_timed(state, bytes, [&] {
    if (d == Direction::Apply)
      op.apply(ctx, in, out);
    else if (d == Direction::Adjoint)
      op.adjoint(ctx, in, out);
    else
      op.normal_inverse(ctx, 0.25f, in, out);
  });
}

double bytes_of(index_t elements) { return 4.0 * static_cast<double>(elements); }

void BM_gradient(benchmark::State& state) {
  const Shape s = case_shape(static_cast<int>(state.range(0)));
  const auto g = gradient<float>(s, Boundary::Neumann);
  const auto d = state.range(1) ? Direction::Adjoint : Direction::Apply;
  run_operator(state, g, d, bytes_of(s.size() + g.range().size()));
}

void BM_finite_difference_axis0(benchmark::State& state) {
  const Shape s = case_shape(static_cast<int>(state.range(0)));
  run_operator(state, finite_difference<float>(s, 0), Direction::Apply, bytes_of(2 * s.size()));
}

void BM_diagonal(benchmark::State& state) {
  const Shape s = case_shape(static_cast<int>(state.range(0)));
  run_operator(state, diagonal<float>(filled(s)), Direction::Apply, bytes_of(3 * s.size()));
}

// Keeps every other element: reads index + value, writes the value.
void BM_subsample_half(benchmark::State& state) {
  const Shape s = case_shape(static_cast<int>(state.range(0)));
  std::vector<index_t> idx(static_cast<std::size_t>(s.size() / 2));
  for (std::size_t k = 0; k < idx.size(); ++k) idx[k] = static_cast<index_t>(2 * k);
  const auto m = subsample<float>(session().ctx, s, idx);
  run_operator(state, m, state.range(1) ? Direction::Adjoint : Direction::Apply,
               static_cast<double>(idx.size()) * (8 + 4 + 4) + (state.range(1) ? bytes_of(s.size()) : 0));
}

// rank 1: rows only (2^11 or 2^13 long); rank 0: every axis.
void BM_walsh_hadamard(benchmark::State& state) {
  const Shape s = case_shape(static_cast<int>(state.range(0)));
  run_operator(state, walsh_hadamard<float>(s, static_cast<int>(state.range(1))), Direction::Apply,
               bytes_of(2 * s.size()));
}

Shape complex_shape(const Shape& s) {
  Shape c = s;
  c.push_back(2);
  return c;
}

void BM_fourier_c2c(benchmark::State& state) {
  const Shape s = case_shape(static_cast<int>(state.range(0)));
  run_operator(state, fourier<float>(complex_shape(s), FourierKind::ComplexToComplex), Direction::Apply,
               bytes_of(4 * s.size()));
}

void BM_fourier_r2c(benchmark::State& state) {
  const Shape s = case_shape(static_cast<int>(state.range(0)));
  const auto f = fourier<float>(s, FourierKind::RealToComplex);
  run_operator(state, f, Direction::Apply, bytes_of(s.size() + f.range().size()));
}

// The FFTW call alone on the c2c transform of BM_fourier_c2c (same flags and threads).
void BM_fftw_raw_c2c(benchmark::State& state) {
  const Context& ctx = session().ctx;
  if (ctx.is_cuda()) return state.SkipWithError("host-only reference");
  const Shape s = case_shape(static_cast<int>(state.range(0)));
  Array<float> in = filled(complex_shape(s)), out(ctx, complex_shape(s));
  int n[3];
  for (int a = 0; a < s.ndim(); ++a) n[a] = static_cast<int>(s[a]);
  fftwf_init_threads();
  fftwf_plan_with_nthreads(ctx.host_threads());
  auto* pin = reinterpret_cast<fftwf_complex*>(in.data());
  auto* pout = reinterpret_cast<fftwf_complex*>(out.data());
  fftwf_plan p = fftwf_plan_dft(s.ndim(), n, pin, pout, FFTW_FORWARD, FFTW_ESTIMATE);
  state.SetLabel("fftwf_plan_dft " + s.str());
  run_timed(state, bytes_of(4 * s.size()), [&] { fftwf_execute(p); });
  fftwf_destroy_plan(p);
}

#if RECON_WITH_CUDA
// The cuFFT call alone on the c2c transform of BM_fourier_c2c: the reference for the Fourier
// operator on a GPU (within 1.2x of it is the target).
void BM_cufft_raw_c2c(benchmark::State& state) {
  const Context& ctx = session().ctx;
  if (!ctx.is_cuda()) return state.SkipWithError("device-only reference");
  const Shape s = case_shape(static_cast<int>(state.range(0)));
  Array<float> in = filled(complex_shape(s)), out(ctx, complex_shape(s));
  int n[3];
  for (int a = 0; a < s.ndim(); ++a) n[a] = static_cast<int>(s[a]);
  cufftHandle p;
  if (cufftPlanMany(&p, s.ndim(), n, nullptr, 1, 0, nullptr, 1, 0, CUFFT_C2C, 1) != CUFFT_SUCCESS)
    return state.SkipWithError("cufftPlanMany failed");
  cufftSetStream(p, static_cast<cudaStream_t>(ctx.stream()));
  auto* pin = reinterpret_cast<cufftComplex*>(in.data());
  auto* pout = reinterpret_cast<cufftComplex*>(out.data());
  state.SetLabel("cufftExecC2C " + s.str());
  run_timed(state, bytes_of(4 * s.size()), [&] { cufftExecC2C(p, pin, pout, CUFFT_FORWARD); });
  cufftDestroy(p);
}
#endif

void BM_normal_inverse_gradient(benchmark::State& state) {
  const Shape s = case_shape(static_cast<int>(state.range(0)));
  const auto g = gradient<float>(s, state.range(1) ? Boundary::Periodic : Boundary::Neumann);
  run_operator(state, g, Direction::NormalInverse, bytes_of(2 * s.size()));
}

// Circular 9x9 (2D) / 5x5x5 (3D) by FFT; Neumann 3x3 / 3x3x3 stencil.
void BM_convolution(benchmark::State& state) {
  const Shape s = case_shape(static_cast<int>(state.range(0)));
  const bool circular = state.range(1) == 0;
  const index_t k = circular ? (s.ndim() == 2 ? 9 : 5) : 3;
  const Shape ks = s.ndim() == 2 ? Shape{k, k} : Shape{k, k, k};
  const std::vector<float> h(static_cast<std::size_t>(ks.size()), 1.f / static_cast<float>(ks.size()));
  const auto c = convolution<float>(session().ctx, s, ks, h,
                                    circular ? ConvolutionBoundary::Circular : ConvolutionBoundary::Neumann);
  run_operator(state, c, Direction::Apply, bytes_of(2 * s.size()));
}

// GEMV with a 4096 x 4096 matrix (batch 0) and GEMM with 64 right-hand sides.
void BM_dense_matrix(benchmark::State& state) {
  const index_t n = 4096, batch = state.range(0);
  const auto a = dense_matrix<float>(filled(Shape{n, n}), batch);
  run_operator(state, a, Direction::Apply, bytes_of(n * n + 2 * n * (batch > 0 ? batch : 1)));
}

#define RECON_OPERATOR_BENCH ->UseManualTime()->Unit(benchmark::kMillisecond)
BENCHMARK(BM_gradient)->ArgsProduct({{0, 1, 2}, {0, 1}}) RECON_OPERATOR_BENCH;
BENCHMARK(BM_finite_difference_axis0)->DenseRange(0, 2) RECON_OPERATOR_BENCH;
BENCHMARK(BM_diagonal)->DenseRange(0, 2) RECON_OPERATOR_BENCH;
BENCHMARK(BM_subsample_half)->ArgsProduct({{0, 1, 2}, {0, 1}}) RECON_OPERATOR_BENCH;
BENCHMARK(BM_walsh_hadamard)->ArgsProduct({{0, 1, 2}, {1, 0}}) RECON_OPERATOR_BENCH;
BENCHMARK(BM_fourier_c2c)->DenseRange(0, 1) RECON_OPERATOR_BENCH;
BENCHMARK(BM_fftw_raw_c2c)->DenseRange(0, 1) RECON_OPERATOR_BENCH;
#if RECON_WITH_CUDA
BENCHMARK(BM_cufft_raw_c2c)->DenseRange(0, 1) RECON_OPERATOR_BENCH;
#endif
BENCHMARK(BM_fourier_r2c)->DenseRange(0, 1) RECON_OPERATOR_BENCH;
BENCHMARK(BM_normal_inverse_gradient)->ArgsProduct({{0, 1}, {0, 1}}) RECON_OPERATOR_BENCH;
BENCHMARK(BM_convolution)->ArgsProduct({{0, 1}, {0, 1}}) RECON_OPERATOR_BENCH;
BENCHMARK(BM_dense_matrix)->Arg(0)->Arg(64) RECON_OPERATOR_BENCH;

}  // namespace
}  // namespace recon::bench

// An outside project built against the installed recon package through the one umbrella
// header: a parallel_for, a TV denoise and a CT projection on the host, each checked. Exits
// non-zero when a check fails, so scripts/test catches a package that installs but does not work.
#include <recon/recon.hpp>

#include <cmath>
#include <cstdio>
#include <vector>

namespace {

int failures = 0;

void check(bool ok, const char* what) {
  std::printf("consumer: %-52s %s\n", what, ok ? "ok" : "FAILED");
  if (!ok) ++failures;
}

// sum over a parallel_for's writes: the runtime and the reductions link.
void parallel_sum(const recon::Context& ctx) {
  const recon::index_t n = 1000;
  recon::Array<double> x(ctx, recon::Shape{n});
  double* p = x.data();
  recon::parallel_for(ctx, n, [=](recon::index_t i) { p[i] = static_cast<double>(i); });
  const double total = recon::sum<double>(ctx, x);
  const double expected = n * (n - 1) / 2.0;
  std::printf("consumer: sum over %lld elements = %.0f (expected %.0f)\n", static_cast<long long>(n), total,
              expected);
  check(total == expected, "parallel_for + sum");
}

// Isotropic l1-TV denoise of a noisy 32x32 step image: the result must be closer to the clean
// image than the noisy input is.
void tv_denoise_step(const recon::Context& ctx) {
  const recon::index_t n = 32;
  const recon::Shape shape{n, n};
  std::vector<float> clean(n * n);
  for (recon::index_t i = 0; i < n * n; ++i) clean[i] = (i % n) < n / 2 ? 0.f : 1.f;
  const auto clean_a = recon::Array<float>::from_host(ctx, shape, clean);
  auto noisy = recon::Array<float>::from_host(ctx, shape, clean);
  recon::datasets::add_gaussian_noise<float>(ctx, noisy, 0.2, 7);

  recon::Array<float> x(ctx, shape);
  recon::TvProblem problem;
  problem.lambda = 0.15;
  recon::TvOptions options;
  options.max_iters = 200;
  const recon::SolveReport report = recon::tv_denoise<float>(ctx, noisy, x, problem, options);

  const double before = recon::rmse<float>(ctx, clean_a, noisy);
  const double after = recon::rmse<float>(ctx, clean_a, x);
  std::printf("consumer: tv_denoise 32x32 step, %d iterations: rmse noisy %.4f -> denoised %.4f\n",
              report.iterations, before, after);
  check(std::isfinite(after) && after < 0.5 * before, "tv_denoise is closer to the clean image");
}

// Parallel-beam Joseph projection of a 32x32 Shepp-Logan phantom: a finite, non-zero sinogram.
void ct_projection(const recon::Context& ctx) {
  const recon::index_t n = 32, views = 24, cols = 48;
  const recon::ct::Geometry g{
      recon::ct::volume2d(n, n),
      recon::ct::parallel2d(cols, 1.0, recon::ct::uniform_angles(views, 0, std::acos(-1.0)))};
  const recon::Operator<float> a = recon::ct::joseph_projector<float>(g);
  const auto phantom = recon::datasets::shepp_logan_2d<float>(ctx, n);
  recon::Array<float> sino(ctx, a.range());
  a.apply(ctx, phantom.view(), sino.view());

  bool finite = true;
  double total = 0, peak = 0;
  for (float v : sino.to_host_vector()) {
    finite = finite && std::isfinite(v);
    total += v;
    peak = std::fmax(peak, std::fabs(v));
  }
  std::printf("consumer: Joseph projection %lldx%lld -> %lld views x %lld cols: sum %.3f, max %.3f\n",
              static_cast<long long>(n), static_cast<long long>(n), static_cast<long long>(views),
              static_cast<long long>(cols), total, peak);
  check(finite && peak > 0, "CT sinogram is finite and non-zero");
}

}  // namespace

int main() {
  const recon::Context ctx = recon::Context::host();
  std::printf("consumer: recon %s\n", recon::build_info().version.c_str());
  try {
    parallel_sum(ctx);
    tv_denoise_step(ctx);
    ct_projection(ctx);
  } catch (const std::exception& e) {
    std::printf("consumer: error: %s\n", e.what());
    return 1;
  }
  return failures == 0 ? 0 : 1;
}

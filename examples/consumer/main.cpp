// Links the installed recon package, runs a parallel_for on the host and checks its result.
#include <recon/recon.hpp>

#include <cstdio>

int main() {
  const recon::Context ctx = recon::Context::host();
  const recon::index_t n = 1000;
  recon::Array<double> x(ctx, recon::Shape{n});
  double* p = x.data();
  recon::parallel_for(ctx, n, [=](recon::index_t i) { p[i] = static_cast<double>(i); });
  const double total = recon::sum<double>(ctx, x);
  const double expected = n * (n - 1) / 2.0;
  std::printf("consumer: recon %s, sum over %lld elements = %.0f (expected %.0f)\n",
              recon::build_info().version.c_str(), static_cast<long long>(n), total, expected);
  return total == expected ? 0 : 1;
}

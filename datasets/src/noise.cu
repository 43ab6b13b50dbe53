// Noise models (noise.hpp). Element i draws from streams of counter index i only.
#include "recon/datasets/noise.hpp"

#include <cmath>

#include "recon/datasets/random.hpp"
#include "recon/kernels/parallel_for.hpp"
#include "recon/kernels/vector_ops.hpp"

namespace recon::datasets {

namespace {

// Poisson(lambda) from the draws of (seed, i). Knuth's multiplication method for small
// lambda; above 10 the transformed rejection PTRS of Hoermann (1993), as in NumPy.
RECON_HD inline double poisson_draw(double lambda, std::uint64_t seed, std::uint64_t i) {
  if (!(lambda > 0)) return 0.0;
  std::uint64_t stream = 0;
  if (lambda < 10) {
    const double limit = exp(-lambda);
    double prod = uniform_open(seed, i, stream++);
    double k = 0;
    while (prod > limit) {
      prod *= uniform_open(seed, i, stream++);
      k += 1;
    }
    return k;
  }
  const double slam = sqrt(lambda), loglam = log(lambda);
  const double b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b;
  const double invalpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const double u = uniform_open(seed, i, stream++) - 0.5;
    const double v = uniform_open(seed, i, stream++);
    const double us = 0.5 - fabs(u);
    const double k = floor((2 * a / us + b) * u + lambda + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (log(v) + log(invalpha) - log(a / (us * us) + b) <= -lambda + k * loglam - lgamma(k + 1)) return k;
  }
}

}  // namespace

template <class T>
void add_gaussian_noise(const Context& ctx, View<T> x, double sigma, std::uint64_t seed) {
  require(sigma >= 0, "add_gaussian_noise", "sigma must be >= 0, got " + std::to_string(sigma));
  detail::check_operand(ctx, "add_gaussian_noise", "x", x, x.size());
  T* p = x.data();
  parallel_for(ctx, x.size(), [=] RECON_HD(index_t i) {
    p[i] = static_cast<T>(p[i] + sigma * standard_normal(seed, static_cast<std::uint64_t>(i)));
  });
}

template <class T>
void add_cauchy_noise(const Context& ctx, View<T> x, double gamma, std::uint64_t seed) {
  require(gamma >= 0, "add_cauchy_noise", "dispersion must be >= 0, got " + std::to_string(gamma));
  detail::check_operand(ctx, "add_cauchy_noise", "x", x, x.size());
  T* p = x.data();
  parallel_for(ctx, x.size(), [=] RECON_HD(index_t i) {
    const double u = uniform_open(seed, static_cast<std::uint64_t>(i), 0);
    p[i] = static_cast<T>(p[i] + gamma * tan(3.141592653589793 * (u - 0.5)));
  });
}

template <class T>
void add_impulsive_noise(const Context& ctx, View<T> x, double fraction, double amplitude,
                         std::uint64_t seed) {
  require(fraction >= 0 && fraction <= 1, "add_impulsive_noise",
          "fraction must be in [0, 1], got " + std::to_string(fraction));
  detail::check_operand(ctx, "add_impulsive_noise", "x", x, x.size());
  T* p = x.data();
  parallel_for(ctx, x.size(), [=] RECON_HD(index_t i) {
    if (uniform_open(seed, static_cast<std::uint64_t>(i), 0) < fraction) {
      const double sign = uniform_open(seed, static_cast<std::uint64_t>(i), 1) < 0.5 ? -1.0 : 1.0;
      p[i] = static_cast<T>(p[i] + sign * amplitude);
    }
  });
}

template <class T>
void sample_poisson(const Context& ctx, View<const T> rate, View<T> counts, std::uint64_t seed) {
  detail::check_operand(ctx, "sample_poisson", "rate", rate, rate.size());
  detail::check_operand(ctx, "sample_poisson", "counts", counts, rate.size());
  const T* r = rate.data();
  T* c = counts.data();
  parallel_for(ctx, rate.size(), [=] RECON_HD(index_t i) {
    c[i] = static_cast<T>(poisson_draw(static_cast<double>(r[i]), seed, static_cast<std::uint64_t>(i)));
  });
}

template <class T>
void add_poisson_transmission_noise(const Context& ctx, View<T> line_integrals, double incident_flux,
                                    std::uint64_t seed) {
  require(incident_flux > 0, "add_poisson_transmission_noise",
          "incident flux must be > 0 photons, got " + std::to_string(incident_flux));
  detail::check_operand(ctx, "add_poisson_transmission_noise", "line_integrals", line_integrals,
                        line_integrals.size());
  T* p = line_integrals.data();
  parallel_for(ctx, line_integrals.size(), [=] RECON_HD(index_t i) {
    const double counts =
        poisson_draw(incident_flux * exp(-static_cast<double>(p[i])), seed, static_cast<std::uint64_t>(i));
    p[i] = static_cast<T>(-log((counts > 1 ? counts : 1.0) / incident_flux));
  });
}

#define RECON_INSTANTIATE(T)                                                                    \
  template void add_gaussian_noise<T>(const Context&, View<T>, double, std::uint64_t);          \
  template void add_cauchy_noise<T>(const Context&, View<T>, double, std::uint64_t);            \
  template void add_impulsive_noise<T>(const Context&, View<T>, double, double, std::uint64_t); \
  template void sample_poisson<T>(const Context&, View<const T>, View<T>, std::uint64_t);       \
  template void add_poisson_transmission_noise<T>(const Context&, View<T>, double, std::uint64_t);
RECON_INSTANTIATE(float)
RECON_INSTANTIATE(double)
#undef RECON_INSTANTIATE

}  // namespace recon::datasets

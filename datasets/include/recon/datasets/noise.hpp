// Noise models, applied in place (x lives on ctx's device), seeded and reproducible on both
// backends (counter RNG of random.hpp: element i always uses the draws of index i).
#pragma once

#include <cstdint>

#include "recon/kernels/array.hpp"

namespace recon::datasets {

// x += sigma * N(0, 1).
template <class T>
void add_gaussian_noise(const Context& ctx, View<T> x, double sigma, std::uint64_t seed);

// x += gamma * tan(pi (u - 1/2)): Cauchy with dispersion (scale) gamma, no finite variance.
template <class T>
void add_cauchy_noise(const Context& ctx, View<T> x, double gamma, std::uint64_t seed);

// Impulsive outliers: each element, with probability `fraction`, gets +amplitude or
// -amplitude (equally likely) added.
template <class T>
void add_impulsive_noise(const Context& ctx, View<T> x, double fraction, double amplitude,
                         std::uint64_t seed);

// counts_i ~ Poisson(rate_i) (Knuth's product method below 10, Hoermann's PTRS above).
template <class T>
void sample_poisson(const Context& ctx, View<const T> rate, View<T> counts, std::uint64_t seed);

// CT photon statistics: for line integrals p, counts ~ Poisson(I0 exp(-p)) with incident flux
// I0 photons per ray, and the noisy line integral -log(max(counts, 1) / I0) is written back.
template <class T>
void add_poisson_transmission_noise(const Context& ctx, View<T> line_integrals, double incident_flux,
                                    std::uint64_t seed);

}  // namespace recon::datasets

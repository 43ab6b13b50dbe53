// Test signals for denoising and compressive sensing. All are seeded where random and
// computed inside parallel_for bodies with the counter RNG of random.hpp, so a Host and a
// Cuda context give the same values (up to the last bits of log/cos on the device).
#pragma once

#include <cstdint>

#include "recon/kernels/array.hpp"

namespace recon::datasets {

// 1D ground truth with sharp edges and fine low-amplitude texture (the kind of signal of
// Fig. 2 in the WEEP paper, which gives no formula; this one is ours). With t = (i + 0.5)/n:
//   [0, .10) 0 | [.10, .25) 1 | [.25, .40) 0.3 | [.40, .55) 0.8 + 0.06 sin(2 pi 60 t)
//   [.55, .70) 0.3 + 0.1 sin(2 pi 25 t) | [.70, .85) 1 + 0.04 sin(2 pi 120 t) | [.85, 1) 0.1
template <class T>
Array<T> edges_texture_1d(const Context& ctx, index_t n);

// Length n with exactly k non-zeros at uniformly random distinct positions (Floyd's
// algorithm), standard-normal amplitudes.
template <class T>
Array<T> sparse_vector(const Context& ctx, index_t n, index_t k, std::uint64_t seed);

// Shape (m, n), row-major, i.i.d. N(0, 1) entries, then every column scaled to unit l2 norm.
template <class T>
Array<T> gaussian_matrix(const Context& ctx, index_t m, index_t n, std::uint64_t seed);

}  // namespace recon::datasets

// Counter-based random numbers: every value is a pure function of (seed, index, stream), so
// a parallel_for body draws the same numbers on the host and on a GPU, in any order.
// splitmix64 (Steele, Lea & Flood 2014) mixes the counter; uniforms have 53 random bits.
#pragma once

#include <cmath>
#include <cstdint>

#include "recon/kernels/macros.hpp"

namespace recon::datasets {

RECON_HD inline std::uint64_t splitmix64(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// 64 random bits for draw `stream` of element `index`.
RECON_HD inline std::uint64_t counter_bits(std::uint64_t seed, std::uint64_t index, std::uint64_t stream) {
  return splitmix64(splitmix64(seed ^ splitmix64(index)) + 0x632be59bd9b4e019ull * (stream + 1));
}

// Uniform in the open interval (0, 1).
RECON_HD inline double uniform_open(std::uint64_t seed, std::uint64_t index, std::uint64_t stream) {
  return (static_cast<double>(counter_bits(seed, index, stream) >> 11) + 0.5) * 0x1.0p-53;
}

// Standard normal by Box-Muller from streams 2s and 2s+1.
RECON_HD inline double standard_normal(std::uint64_t seed, std::uint64_t index, std::uint64_t stream = 0) {
  const double u1 = uniform_open(seed, index, 2 * stream);
  const double u2 = uniform_open(seed, index, 2 * stream + 1);
  return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

}  // namespace recon::datasets

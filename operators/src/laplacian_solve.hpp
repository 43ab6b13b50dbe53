// Exact solve of (sum_{a in axes} D_a^T D_a + lambda I) x = b for forward differences D_a
// (MATH.md 3.1, the TV-ADMM x-update). Periodic: the FFT diagonalises D_a^T D_a with
// eigenvalues 4 sin^2(pi k / n). Neumann: D_a^T D_a is the Neumann second difference, which the
// DCT-II diagonalises with eigenvalues 4 sin^2(pi k / (2n)); the DCT-II is computed as the
// FFT of the half-sample mirrored extension (length 2n) along those axes, where the periodic
// operator equals the Neumann one. One code path for FFTW and cuFFT.
#pragma once

#include <vector>

#include "recon/kernels/array.hpp"

namespace recon::detail {

struct LaplacianGrid {
  Shape shape;     // the domain, at most 3 axes
  Shape extended;  // after mirroring the Neumann axes
  int axes_mask;   // bit a set: axis a is differenced
  bool periodic;
};

LaplacianGrid laplacian_grid(const Shape& shape, const std::vector<int>& axes, bool periodic);
// Interleaved complex bins of the r2c transform of the extended grid, as a shape (bins, 2).
Shape laplacian_spectrum_shape(const LaplacianGrid& g);

// Host, Neumann: DCT-II on every axis, no buffers.
template <class T>
void laplacian_solve_dct(const Context& ctx, const LaplacianGrid& g, T lambda, const T* b, T* x);
// Any backend (the device's path): ext, a buffer of g.extended (unused when it equals
// g.shape); spec, a buffer of laplacian_spectrum_shape(g).
template <class T>
void laplacian_solve_fft(const Context& ctx, const LaplacianGrid& g, T lambda, const T* b, T* x, T* ext,
                         T* spec);

}  // namespace recon::detail

// The modified Shepp-Logan phantoms (Toft 1996's higher-contrast intensities), values in [0, 1].
// 2D: the ten ellipses of MATLAB's phantom('Modified Shepp-Logan', n) on its grid
//   x_j = (j - (n-1)/2) / ((n-1)/2), y increasing upwards (row 0 is y = +1).
// 3D: the ten ellipsoids of Schabel's phantom3d('Modified Shepp-Logan') (Euler angles
//   phi, theta, psi in the z-x-z convention) on the same grid along each axis, z from -1 at
//   slice 0 to +1, y increasing upwards as in 2D (phantom3d has y growing with the row).
#pragma once

#include "recon/kernels/array.hpp"

namespace recon::datasets {

template <class T>
Array<T> shepp_logan_2d(const Context& ctx, index_t n);

// shape (nz, ny, nx), each extent >= 2.
template <class T>
Array<T> shepp_logan_3d(const Context& ctx, index_t nz, index_t ny, index_t nx);

}  // namespace recon::datasets

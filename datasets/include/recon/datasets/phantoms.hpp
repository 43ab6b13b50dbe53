// The modified Shepp-Logan phantom: the one phantom of the project, used by `recon phantom`,
// `recon ct simulate` (exact projections and --truth) and the tests. Analytic ellipses and
// ellipsoids, sampled on a volume grid or projected exactly (line integral = density x chord
// length, summed), so simulated CT data need no discrete projector (no "inverse crime") and the
// projectors can be checked against exact chord lengths. Host-side, double precision.
//
// Tables: the ten ellipses of Shepp & Logan, "The Fourier reconstruction of a head section"
// (IEEE Trans. Nucl. Sci. 1974) with the higher-contrast intensities of Toft, "The Radon
// Transform: Theory and Implementation" (1996) ("modified" Shepp-Logan, values in [0, 1]);
// in 3D the ellipsoid extension of Schabel's phantom3d (MATLAB File Exchange), which adds
// semi-axes c and centres z0 along z.
//
// Grid convention (one for 2D, 3D and every caller): the phantom's [-1, 1] spans the whole
// field of view, edge to edge, along each axis, i.e. unit = half the volume's extent
// (n_x v_x / 2, n_y v_y / 2, n_z v_z / 2) around its origin; voxel centres are the CT geometry's
// (recon/operators/ct/geometry.hpp, docs/ct-geometry.md), so the array index grows with x, y
// and z. Displayed with row 0 at the top, the 2D image is therefore MATLAB's
// phantom('Modified Shepp-Logan') upside down (MATLAB puts y = +1 in row 0). A sampled value is
// the mean over `supersample`^d points in the voxel (partial-volume edges).
//
// Orientation: each ellipsoid carries z-x-z Euler angles (phi about z, then theta about the new
// x, then psi about the new z: body = Rz(psi) Rx(theta) Rz(phi) (world - centre), the rotation of
// phantom3d, with the centre a world position); in 2D only phi is used. Tested by
// SheppLogan.EllipsoidsFollowZxzEulerAngles (tests/datasets/test_generators.cu). The Shepp-Logan
// table uses phi alone (ellipses 3 and 4 at -+18 degrees), the values the CT demo
// (scripts/demo_ct.py) and its figures in README.md were computed with; phantom3d's extra
// psi = 10 degrees on ellipsoids 3 and 4 would change the cone-beam figures.
#pragma once

#include <vector>

#include "recon/kernels/array.hpp"
#include "recon/operators/ct/geometry.hpp"

namespace recon::datasets {

struct Ellipsoid {
  double density = 1;           // added inside
  ct::Vec3 centre{0, 0, 0};     // world coordinates
  ct::Vec3 semi_axes{1, 1, 1};  // along the body axes x', y', z'; z ignored in 2D
  double phi = 0;               // z-x-z Euler angles, radians; theta and psi ignored in 2D
  double theta = 0;
  double psi = 0;
};

// The modified Shepp-Logan phantom scaled to a volume (the grid convention above).
std::vector<Ellipsoid> shepp_logan(const ct::VolumeGeometry& v);
// One uniform disk (2D) or sphere (3D) of `density` and `radius` (world units) at `centre`.
std::vector<Ellipsoid> ball(double density, double radius, const ct::Vec3& centre = {0, 0, 0});

// Mean of the phantom over `supersample`^d points in each voxel (volume.shape order).
std::vector<double> rasterize(const ct::VolumeGeometry& v, const std::vector<Ellipsoid>& phantom,
                              int supersample = 3);
// Exact line integrals along every detector ray of g (projection.shape() order).
std::vector<double> line_integrals(const ct::ProjectionGeometry& g, const std::vector<Ellipsoid>& phantom);

// shepp_logan sampled (supersample 3) on an n x n grid, or (nz, ny, nx), of unit voxels at the
// origin: bit for bit the --truth of `recon ct simulate` on that volume. Every extent >= 2.
template <class T>
Array<T> shepp_logan_2d(const Context& ctx, index_t n);
template <class T>
Array<T> shepp_logan_3d(const Context& ctx, index_t nz, index_t ny, index_t nx);

}  // namespace recon::datasets

// Analytic ellipse / ellipsoid phantoms for CT: sampled on a volume grid and projected exactly
// (line integral = density x chord length, summed over ellipsoids), so simulated data need no
// discrete projector (no "inverse crime") and the projector can be checked against exact
// chord lengths. Host-side, double precision.
// The Shepp-Logan tables are the modified (Toft) 2D phantom and its 3D ellipsoid extension
// (Schabel's phantom3d, rotations about z only), in units of half the field of view.
#pragma once

#include <vector>

#include "recon/operators/ct/geometry.hpp"

namespace recon::ct {

struct Ellipsoid {
  double density = 1;       // added inside
  Vec3 centre{0, 0, 0};     // world coordinates
  Vec3 semi_axes{1, 1, 1};  // along the rotated x', y', z axes; z ignored in 2D
  double phi = 0;           // rotation about z, radians
};

// The phantom scaled to a volume: half-widths (nx vx / 2, ny vy / 2, nz vz / 2) around its origin.
std::vector<Ellipsoid> shepp_logan(const VolumeGeometry& v);
// One uniform disk (2D) or sphere (3D) of `density` and `radius` (world units) at `centre`.
std::vector<Ellipsoid> ball(double density, double radius, const Vec3& centre = {0, 0, 0});

// Mean of the phantom over `supersample`^d points in each voxel (volume.shape order).
std::vector<double> rasterize(const VolumeGeometry& v, const std::vector<Ellipsoid>& phantom,
                              int supersample = 3);
// Exact line integrals along every detector ray of g (projection.shape() order).
std::vector<double> line_integrals(const ProjectionGeometry& g, const std::vector<Ellipsoid>& phantom);

}  // namespace recon::ct

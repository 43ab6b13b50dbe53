// Voxel-driven back-projection (one RECON_HD body for both backends, in its own translation
// unit so that FBP/FDK and the unmatched back-projector share one instantiation of the extended
// lambda):
//   vol[x] = weight * sum_v  w_v(x) * interp(q_v, detector position of x in view v)
// with linear (2D) / bilinear (3D) interpolation on the detector and zero outside it. For
// parallel beams w_v = 1. For divergent beams (b: the voxel's coordinate along the
// source-to-detector axis, a its transverse one, M = (R + D) / (R + b) its magnification):
//   FbpDistance: w_v = (R / (R + b))^2, the FBP/FDK distance weight 1/U^2;
//   RayDensity:  w_v = M^(d-1) * L / (R + b), L = |x - source|: the number of rays per unit
//                area (length in 2D) through x relative to the detector's, since a pixel seen
//                from x shrinks by M per transverse dimension and by cos = (R + b) / L for the
//                ray's obliquity. With weight = voxel volume / pixel area this approximates the
//                Joseph adjoint A^T (unmatched_projector.hpp).
#pragma once

#include <vector>

#include "recon/kernels/context.hpp"
#include "recon/operators/ct/fbp.hpp"
#include "recon/operators/ct/geometry.hpp"

namespace recon::ct::detail {

// The zero value is FBP's, so that a value-initialised VoxelGeometry keeps FBP/FDK's weight.
enum class VoxelWeight { FbpDistance, RayDensity };

// Volume grid and circular detector geometry, in the precision of the kernels.
template <class T>
struct VoxelGeometry {
  index_t nx, ny, nz, views, rows, cols;
  T vx, vy, vz, ox, oy, oz;
  T du, dv, off_u, off_v;
  T source_origin, origin_detector;
  bool divergent, planar;
  VoxelWeight weighting;
  VoxelInterpolation interpolation;  // Texture: a GPU's texture units, for float (fbp.hpp)
};

// The kernel's view of a circular geometry g (FbpDistance weighting).
template <class T>
VoxelGeometry<T> voxel_geometry(const Geometry& g);
// (cos a_v, sin a_v) for every view of a circular geometry.
template <class T>
std::vector<T> view_trig(const ProjectionGeometry& p);

// trig: (cos a_v, sin a_v) per view on ctx's device; q: (views, rows, cols); vol: (nz, ny, nx).
template <class T>
void backproject_voxels(const Context& ctx, const VoxelGeometry<T>& p, const T* trig, const T* q, T weight,
                        T* vol);

// backproject_voxels' texture path (voxel_backproject_texture.cu): a Cuda context and float;
// false, with nothing done, otherwise (and in a build without CUDA).
template <class T>
bool backproject_voxels_texture(const Context& ctx, const VoxelGeometry<T>& p, const T* trig, const T* q,
                                T weight, T* vol);

// backproject_voxels' host path for 2D parallel beams (voxel_backproject_parallel2d.cpp); false,
// with nothing done, where it does not apply: a Cuda context, another beam, a host without AVX2,
// or voxels wider than detector pixels.
template <class T>
bool backproject_parallel2d_host(const Context& ctx, const VoxelGeometry<T>& p, const T* trig, const T* q,
                                 T weight, T* vol);

}  // namespace recon::ct::detail

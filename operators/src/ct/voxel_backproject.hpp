// Voxel-driven back-projection (one RECON_HD body for both backends, in its own translation
// unit so that FBP/FDK and any other caller share one instantiation of the extended lambda):
//   vol[x] = weight * sum_v  w_v(x) * interp(q_v, detector position of x in view v)
// with linear (2D) / bilinear (3D) interpolation on the detector, zero outside it, and
// w_v(x) = (R / (R + b))^2 for divergent beams (b: the voxel's coordinate along the
// source-to-detector axis), 1 for parallel beams: the FBP/FDK distance weight 1/U^2.
#pragma once

#include "recon/kernels/context.hpp"

namespace recon::ct::detail {

// Volume grid and circular detector geometry, in the precision of the kernels.
template <class T>
struct VoxelGeometry {
  index_t nx, ny, nz, views, rows, cols;
  T vx, vy, vz, ox, oy, oz;
  T du, dv, off_u, off_v;
  T source_origin, origin_detector;
  bool divergent, planar;
};

// trig: (cos a_v, sin a_v) per view on ctx's device; q: (views, rows, cols); vol: (nz, ny, nx).
template <class T>
void backproject_voxels(const Context& ctx, const VoxelGeometry<T>& p, const T* trig, const T* q, T weight, T* vol);

}  // namespace recon::ct::detail

// Where a voxel falls on a view's detector and its weight there (voxel_backproject.hpp's
// formulas), shared by the exact back-projection (voxel_backproject.cu, which interpolates in
// arithmetic) and the texture one (voxel_backproject_texture.cu, whose texture units do).
#pragma once

#include "device_math.hpp"
#include "voxel_backproject.hpp"

namespace recon::ct::detail {

// The beam and weighting as compile-time cases, so that the inner loops carry no branches.
enum class VoxelBeam { Parallel, DivergentFbp, DivergentDensity };

// floor of f >= 0 by truncation: unlike floor(), a plain conversion that vectorises without SSE4.1.
template <class T>
RECON_HD inline int floor_nonneg(T f) {
  return static_cast<int>(f);
}

template <class T>
struct DetectorMap {
  T inv_du, inv_dv, col0, row0;  // detector index = position / pixel + origin index
};

// Reciprocals and detector origins hoisted: one division per voxel and view (divergent beams).
template <class T>
DetectorMap<T> detector_map(const VoxelGeometry<T>& p) {
  DetectorMap<T> m{};
  m.inv_du = T(1) / p.du;
  m.inv_dv = T(1) / p.dv;
  m.col0 = T(0.5) * static_cast<T>(p.cols - 1) - p.off_u * m.inv_du;
  m.row0 = T(0.5) * static_cast<T>(p.rows - 1) - p.off_v * m.inv_dv;
  return m;
}

// Linear interpolation in the detector row that starts at view[start], at column index f, zero
// outside [0, cols). f is clamped to [-1, cols] first, which changes no result (both taps are
// then outside or weighted 0) and keeps the conversion to int safe; the taps are read at
// clamped indices and masked, so that the host's tile loop is branch-free and vectorises.
// Indices are int (a view has < 2^31 pixels, checked by backproject_voxels): 64-bit index
// vectors would stop the vectoriser.
template <class T>
RECON_HD inline T interp_row(const T* view, int start, int cols, T f) {
  f = dmin(dmax(f, T(-1)), static_cast<T>(cols));
  const int i = floor_nonneg(f + T(1)) - 1;
  const T w = f - static_cast<T>(i);
  const int last = cols - 1;
  const T a = view[start + dmin(dmax(i, 0), last)] * static_cast<T>((i >= 0) & (i <= last));
  const T b = view[start + dmin(i + 1, last)] * static_cast<T>(i + 1 <= last);
  return a + w * (b - a);
}

// A voxel seen from one view: its weight w_v and its detector position as fractional column and
// row indices (row: 3D only; not clamped).
template <class T>
struct DetectorSample {
  T w, col, row;
};

// The sample of the voxel at (X, Y, Z) in the view (c, s).
template <VoxelBeam B, bool Planar, class T>
RECON_HD inline DetectorSample<T> detector_sample(const VoxelGeometry<T>& p, const DetectorMap<T>& m, T X,
                                                  T Y, T Z, T c, T s) {
  const T a = X * c + Y * s;
  T sc = a, tc = Z, w = 1;
  if constexpr (B != VoxelBeam::Parallel) {
    const T den = p.source_origin - X * s + Y * c;  // > 0: the source is outside the volume
    const T inv_den = T(1) / den;
    const T mag = (p.source_origin + p.origin_detector) * inv_den;
    sc = a * mag;
    tc = Z * mag;
    if constexpr (B == VoxelBeam::DivergentFbp) {
      w = (p.source_origin * inv_den) * (p.source_origin * inv_den);
    } else {
      w = mag * dsqrt(den * den + a * a + Z * Z) * inv_den;
      if constexpr (!Planar) w *= mag;
    }
  }
  return {w, sc * m.inv_du + m.col0, Planar ? T(0) : tc * m.inv_dv + m.row0};
}

// w_v(x) * interp(q_v, detector position of x) for the voxel at (X, Y, Z) and the view (c, s).
template <VoxelBeam B, bool Planar, class T>
RECON_HD inline T weighted_sample(const VoxelGeometry<T>& p, const DetectorMap<T>& m, const T* view, T X, T Y,
                                  T Z, T c, T s) {
  const DetectorSample<T> d = detector_sample<B, Planar>(p, m, X, Y, Z, c, s);
  const int cols = static_cast<int>(p.cols);
  if constexpr (Planar) {
    return d.w * interp_row(view, 0, cols, d.col);
  } else {
    const T fr = dmin(dmax(d.row, T(-1)), static_cast<T>(p.rows));
    const int r = floor_nonneg(fr + T(1)) - 1, last = static_cast<int>(p.rows) - 1;
    const T wr = fr - static_cast<T>(r);
    const T top =
        interp_row(view, dmin(dmax(r, 0), last) * cols, cols, d.col) * static_cast<T>((r >= 0) & (r <= last));
    const T bottom = interp_row(view, dmin(r + 1, last) * cols, cols, d.col) * static_cast<T>(r + 1 <= last);
    return d.w * (top + wr * (bottom - top));
  }
}

}  // namespace recon::ct::detail

// Voxel-driven back-projection kernel and its parameters (formulas in voxel_backproject.hpp).
#include <cmath>

#include "device_math.hpp"
#include "recon/kernels/parallel_for.hpp"
#include "voxel_backproject.hpp"

namespace recon::ct::detail {

template <class T>
VoxelGeometry<T> voxel_geometry(const Geometry& g) {
  const ProjectionGeometry& pg = g.projection;
  VoxelGeometry<T> p{};
  p.nx = g.volume.nx();
  p.ny = g.volume.ny();
  p.nz = g.volume.nz();
  p.views = pg.views();
  p.rows = pg.rows;
  p.cols = pg.cols;
  p.vx = static_cast<T>(g.volume.voxel_size[0]);
  p.vy = static_cast<T>(g.volume.voxel_size[1]);
  p.vz = static_cast<T>(g.volume.voxel_size[2]);
  p.ox = static_cast<T>(g.volume.origin[0]);
  p.oy = static_cast<T>(g.volume.origin[1]);
  p.oz = static_cast<T>(g.volume.origin[2]);
  p.du = static_cast<T>(pg.pixel_u);
  p.dv = static_cast<T>(pg.pixel_v);
  p.off_u = static_cast<T>(pg.offset_u);
  p.off_v = static_cast<T>(pg.offset_v);
  p.divergent = !pg.parallel();
  p.planar = pg.ndim == 2;
  p.source_origin = static_cast<T>(pg.source_origin);
  p.origin_detector = static_cast<T>(pg.origin_detector);
  return p;
}

template <class T>
std::vector<T> view_trig(const ProjectionGeometry& p) {
  std::vector<T> trig;
  for (double a : p.angles) {
    trig.push_back(static_cast<T>(std::cos(a)));
    trig.push_back(static_cast<T>(std::sin(a)));
  }
  return trig;
}

template <class T>
void backproject_voxels(const Context& ctx, const VoxelGeometry<T>& p, const T* trig, const T* q, T weight, T* vol) {
  // Reciprocals and detector origins hoisted: one division per voxel and view (divergent beams).
  const T inv_du = T(1) / p.du, inv_dv = T(1) / p.dv;
  const T col0 = T(0.5) * static_cast<T>(p.cols - 1) - p.off_u * inv_du;
  const T row0 = T(0.5) * static_cast<T>(p.rows - 1) - p.off_v * inv_dv;
  parallel_for(ctx, Extent3{p.nz, p.ny, p.nx}, [=] RECON_HD(index_t z, index_t y, index_t x) {
    const T X = p.ox + (static_cast<T>(x) - T(0.5) * static_cast<T>(p.nx - 1)) * p.vx;
    const T Y = p.oy + (static_cast<T>(y) - T(0.5) * static_cast<T>(p.ny - 1)) * p.vy;
    const T Z = p.oz + (static_cast<T>(z) - T(0.5) * static_cast<T>(p.nz - 1)) * p.vz;
    T acc = 0;
    for (index_t v = 0; v < p.views; ++v) {
      const T c = trig[2 * v], s = trig[2 * v + 1];
      const T a = X * c + Y * s, b = -X * s + Y * c;
      T sc = a, tc = Z, w = 1;
      if (p.divergent) {
        const T den = p.source_origin + b;  // > 0: the source is outside the volume
        const T inv_den = T(1) / den;
        const T mag = (p.source_origin + p.origin_detector) * inv_den;
        sc = a * mag;
        tc = Z * mag;
        if (p.weighting == VoxelWeight::FbpDistance) {
          w = (p.source_origin * inv_den) * (p.source_origin * inv_den);
        } else {
          w = mag * dsqrt(den * den + a * a + Z * Z) * inv_den;
          if (!p.planar) w *= mag;
        }
      }
      const T fc = sc * inv_du + col0;
      const T fr = p.planar ? T(0) : tc * inv_dv + row0;
      const T c0f = dfloor(fc), r0f = dfloor(fr);
      const index_t c0 = static_cast<index_t>(dmax(c0f, T(-2))), r0 = static_cast<index_t>(dmax(r0f, T(-2)));
      const T wc = fc - c0f, wr = fr - r0f;
      const T* view = q + v * p.rows * p.cols;
      T val = 0;
      for (int dr = 0; dr < 2; ++dr) {
        const index_t r = r0 + dr;
        const T wrow = dr ? wr : T(1) - wr;
        if (r < 0 || r >= p.rows || wrow == T(0)) continue;
        if (c0 >= 0 && c0 < p.cols) val += wrow * (T(1) - wc) * view[r * p.cols + c0];
        if (c0 + 1 >= 0 && c0 + 1 < p.cols) val += wrow * wc * view[r * p.cols + c0 + 1];
      }
      acc += w * val;
    }
    vol[(z * p.ny + y) * p.nx + x] = weight * acc;
  }, p.views);
}

template VoxelGeometry<float> voxel_geometry<float>(const Geometry&);
template VoxelGeometry<double> voxel_geometry<double>(const Geometry&);
template std::vector<float> view_trig<float>(const ProjectionGeometry&);
template std::vector<double> view_trig<double>(const ProjectionGeometry&);
template void backproject_voxels<float>(const Context&, const VoxelGeometry<float>&, const float*, const float*, float,
                                       float*);
template void backproject_voxels<double>(const Context&, const VoxelGeometry<double>&, const double*, const double*,
                                        double, double*);

}  // namespace recon::ct::detail

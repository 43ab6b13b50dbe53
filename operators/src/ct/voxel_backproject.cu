// Voxel-driven back-projection kernel (formula in voxel_backproject.hpp).
#include "device_math.hpp"
#include "recon/kernels/parallel_for.hpp"
#include "voxel_backproject.hpp"

namespace recon::ct::detail {

template <class T>
void backproject_voxels(const Context& ctx, const VoxelGeometry<T>& p, const T* trig, const T* q, T weight, T* vol) {
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
        const T mag = (p.source_origin + p.origin_detector) / den;
        sc = a * mag;
        tc = Z * mag;
        w = (p.source_origin / den) * (p.source_origin / den);
      }
      const T fc = (sc - p.off_u) / p.du + T(0.5) * static_cast<T>(p.cols - 1);
      const T fr = p.planar ? T(0) : (tc - p.off_v) / p.dv + T(0.5) * static_cast<T>(p.rows - 1);
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
  });
}

template void backproject_voxels<float>(const Context&, const VoxelGeometry<float>&, const float*, const float*, float,
                                       float*);
template void backproject_voxels<double>(const Context&, const VoxelGeometry<double>&, const double*, const double*,
                                        double, double*);

}  // namespace recon::ct::detail

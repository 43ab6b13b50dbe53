// Voxel-driven back-projection kernel and its parameters (formulas in voxel_backproject.hpp).
#include <cmath>
#include <limits>
#include <string>

#include "device_math.hpp"
#include "recon/kernels/host_clones.hpp"
#include "recon/kernels/parallel_for.hpp"
#include "voxel_backproject.hpp"
#include "voxel_sample.hpp"

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

// Not in an anonymous namespace: an extended lambda inside one crashes host runs of a CUDA build
// (docs/STYLE.md).

// Voxels per thread along x on the host (see backproject_voxel_tiles).
constexpr index_t kHostTile = 32;

// acc[t] += sum over views of the weighted sample at voxel (X0 + t vx, Y, Z), t < count.
template <index_t Tile, VoxelBeam B, bool Planar, class T>
RECON_HD inline void accumulate_views(const VoxelGeometry<T>& p, const DetectorMap<T>& m, const T* trig,
                                      const T* q, T X0, T Y, T Z, int count, T* acc) {
  for (index_t v = 0; v < p.views; ++v) {
    const T c = trig[2 * v], s = trig[2 * v + 1];
    const T* view = q + v * p.rows * p.cols;
    for (int t = 0; t < count; ++t)  // int: int -> float conversions vectorise, 64-bit ones do not
      acc[t] += weighted_sample<B, Planar>(p, m, view, X0 + static_cast<T>(t) * p.vx, Y, Z, c, s);
  }
}

// The host's tile loop, compiled per instruction set (host_clones.hpp): AVX2 gathers are most
// of the gain of x86-64-v3 here.
template <index_t Tile, VoxelBeam B, bool Planar, class T>
RECON_HOST_CLONED void accumulate_views_host(const VoxelGeometry<T>& p, const DetectorMap<T>& m,
                                             const T* trig, const T* q, T X0, T Y, T Z, int count, T* acc) {
  T local[Tile] = {};  // not acc: the compiler cannot tell that acc aliases none of the inputs
  accumulate_views<Tile, B, Planar>(p, m, trig, q, X0, Y, Z, count, local);
  for (int t = 0; t < count; ++t) acc[t] = local[t];
}

// Tile voxels along x per thread. On the device Tile = 1: one thread per voxel, the views in its
// loop. On the host a thread takes Tile neighbours and updates all of them for one view before
// the next: the loop over the tile is branch-free and vectorises, and the view's detector row
// is reused from L1 across the tile.
template <index_t Tile, VoxelBeam B, bool Planar, class T>
void backproject_voxel_tiles(const Context& ctx, const VoxelGeometry<T>& p, const T* trig, const T* q,
                             T weight, T* vol) {
  const DetectorMap<T> m = detector_map(p);
  const index_t tiles = (p.nx + Tile - 1) / Tile;
  parallel_for(
      ctx, Extent3{p.nz, p.ny, tiles},
      [=] RECON_HD(index_t z, index_t y, index_t tile) {
        const index_t x0 = tile * Tile;
        const int count = static_cast<int>(p.nx - x0 < Tile ? p.nx - x0 : Tile);
        const T X0 = p.ox + (static_cast<T>(x0) - T(0.5) * static_cast<T>(p.nx - 1)) * p.vx;
        const T Y = p.oy + (static_cast<T>(y) - T(0.5) * static_cast<T>(p.ny - 1)) * p.vy;
        const T Z = p.oz + (static_cast<T>(z) - T(0.5) * static_cast<T>(p.nz - 1)) * p.vz;
        T acc[Tile];
        for (index_t t = 0; t < Tile; ++t) acc[t] = 0;
#if defined(__CUDA_ARCH__)
        if constexpr (Tile != 1) return;  // the host's layout is never launched: keep its device code empty
        accumulate_views<Tile, B, Planar>(p, m, trig, q, X0, Y, Z, count, acc);
#else
        accumulate_views_host<Tile, B, Planar>(p, m, trig, q, X0, Y, Z, count, acc);
#endif
        for (index_t t = 0; t < count; ++t) vol[(z * p.ny + y) * p.nx + x0 + t] = weight * acc[t];
      },
      p.views * Tile);
}

template <VoxelBeam B, bool Planar, class T>
void backproject_voxel_layout(const Context& ctx, const VoxelGeometry<T>& p, const T* trig, const T* q,
                              T weight, T* vol) {
  if (ctx.is_cuda())
    backproject_voxel_tiles<1, B, Planar>(ctx, p, trig, q, weight, vol);
  else
    backproject_voxel_tiles<kHostTile, B, Planar>(ctx, p, trig, q, weight, vol);
}

template <VoxelBeam B, class T>
void backproject_voxel_beam(const Context& ctx, const VoxelGeometry<T>& p, const T* trig, const T* q,
                            T weight, T* vol) {
  if (p.planar)
    backproject_voxel_layout<B, true>(ctx, p, trig, q, weight, vol);
  else
    backproject_voxel_layout<B, false>(ctx, p, trig, q, weight, vol);
}

template <class T>
void backproject_voxels(const Context& ctx, const VoxelGeometry<T>& p, const T* trig, const T* q, T weight,
                        T* vol) {
  require(p.rows * p.cols <= std::numeric_limits<int>::max(), "voxel-driven back-projection",
          "a view of " + std::to_string(p.rows) + " x " + std::to_string(p.cols) +
              " detector pixels is more than the 2^31 - 1 it indexes with int; use the exact adjoint");
  if (p.interpolation == VoxelInterpolation::Texture &&
      backproject_voxels_texture(ctx, p, trig, q, weight, vol))
    return;
  if (backproject_parallel2d_host(ctx, p, trig, q, weight, vol)) return;
  if (!p.divergent)
    backproject_voxel_beam<VoxelBeam::Parallel>(ctx, p, trig, q, weight, vol);
  else if (p.weighting == VoxelWeight::FbpDistance)
    backproject_voxel_beam<VoxelBeam::DivergentFbp>(ctx, p, trig, q, weight, vol);
  else
    backproject_voxel_beam<VoxelBeam::DivergentDensity>(ctx, p, trig, q, weight, vol);
}

template VoxelGeometry<float> voxel_geometry<float>(const Geometry&);
template VoxelGeometry<double> voxel_geometry<double>(const Geometry&);
template std::vector<float> view_trig<float>(const ProjectionGeometry&);
template std::vector<double> view_trig<double>(const ProjectionGeometry&);
template void backproject_voxels<float>(const Context&, const VoxelGeometry<float>&, const float*,
                                        const float*, float, float*);
template void backproject_voxels<double>(const Context&, const VoxelGeometry<double>&, const double*,
                                         const double*, double, double*);

}  // namespace recon::ct::detail

// FBP / FDK by z-slabs (slab_fbp.hpp).
#include "recon/operators/ct/slab_fbp.hpp"

#include "recon/kernels/vector_ops.hpp"

namespace recon::ct {

ProjectionGeometry circular_rows(const ProjectionGeometry& p, const dist::Block& rows) {
  require(p.circular && p.ndim == 3, "ct::circular_rows",
          "expected a circular 3D geometry, got " + p.type_name());
  // Row r is centred at (r - (rows - 1) / 2) pixel_v along v (z) from the detector's centre.
  const double shift = 0.5 * static_cast<double>(rows.begin + rows.end - 1 - (p.rows - 1)) * p.pixel_v;
  if (p.parallel())
    return parallel3d(rows.count(), p.cols, p.pixel_v, p.pixel_u, p.angles, p.offset_u, p.offset_v + shift);
  return cone(rows.count(), p.cols, p.pixel_v, p.pixel_u, p.angles, p.source_origin, p.origin_detector,
              p.offset_u, p.offset_v + shift);
}

template <class T>
void filtered_backprojection_slabs(const Context& ctx, const SlabProjector<T>& a, View<const T> band,
                                   View<T> slab, FbpFilter filter, VoxelInterpolation interpolation) {
  const std::string where = "ct fbp by slabs";
  const Geometry& g = a.geometry();
  require(g.projection.circular, where,
          "FBP/FDK need a circular geometry, got " + g.projection.type_name() + "; use sirt or cgls");
  detail::fbp_angles(g.projection, where);  // on every rank alike, before any exchange
  require(band.shape() == a.range() && slab.shape() == a.domain(), where,
          "expected projections " + a.range().str() + " and a slab " + a.domain().str() + ", got " +
              band.shape().str() + " and " + slab.shape().str());
  const dist::Block &own = a.owned_rows(), &win = a.window();
  const index_t views = g.projection.views(), cols = g.projection.cols;
  Array<T> filtered(ctx, band.shape());
  if (own.count() > 0)
    fbp_filter<T>(ctx, Geometry{g.volume, circular_rows(g.projection, own)}, band, filtered.view(), filter);
  Array<T> rows(ctx, Shape{views, win.count(), cols});
  a.gather_window(ctx, filtered.view(), rows.view());
  if (win.count() == 0) return fill<T>(ctx, slab, T(0));  // no view reaches the slab
  const StreamPiece piece{a.slices().begin, a.slices().end, 0, views, win.begin, win.end};
  fbp_backproject<T>(ctx, Geometry{piece_geometry(g, piece).volume, circular_rows(g.projection, win)},
                     rows.view(), slab, interpolation);
}

template void filtered_backprojection_slabs<float>(const Context&, const SlabProjector<float>&,
                                                   View<const float>, View<float>, FbpFilter,
                                                   VoxelInterpolation);
template void filtered_backprojection_slabs<double>(const Context&, const SlabProjector<double>&,
                                                    View<const double>, View<double>, FbpFilter,
                                                    VoxelInterpolation);

}  // namespace recon::ct

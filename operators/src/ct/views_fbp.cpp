// FBP / FDK split by views (views_fbp.hpp).
#include "recon/operators/ct/views_fbp.hpp"

#include <string>
#include <vector>

#include "recon/kernels/communicator.hpp"
#include "recon/kernels/vector_ops.hpp"
#include "voxel_backproject.hpp"

namespace recon::ct {

template <class T>
void filtered_backprojection_views(const Context& ctx, const DistributedProjector<T>& a, View<const T> views,
                                   View<T> volume, FbpFilter filter, VoxelInterpolation interpolation) {
  const std::string where = "ct fbp by views";
  const Geometry& g = a.geometry();
  const ProjectionGeometry& pg = g.projection;
  detail::FbpAngles angles;
  dist::agree(a.communicator(), [&] {  // on every rank alike, before any exchange
    require(pg.circular, where,
            "FBP/FDK need a circular geometry, got " + pg.type_name() + "; use sirt or cgls");
    angles = detail::fbp_angles(pg, where);
    require(views.shape() == a.range() && volume.shape() == a.domain(), where,
            "expected projections " + a.range().str() + " and a volume " + a.domain().str() + ", got " +
                views.shape().str() + " and " + volume.shape().str());
  });
  const ViewRange& own = a.views();
  if (own.count() == 0) {
    fill<T>(ctx, volume, T(0));
  } else {
    detail::PreWeight<T> weight = detail::pre_weight<T>(pg, angles);
    weight.first_view = own.begin;
    Array<T> filtered(ctx, views.shape());
    detail::filter_rows(ctx, filter, weight, own.count() * pg.rows, pg.cols, detail::fbp_spacing(pg),
                        views.data(), filtered.data());
    const std::vector<T> trig = detail::view_trig<T>(pg);
    const auto own_trig =
        Array<T>::from_host(ctx, Shape{2 * own.count()},
                            std::vector<T>(trig.begin() + 2 * own.begin, trig.begin() + 2 * own.end));
    detail::VoxelGeometry<T> p = detail::voxel_geometry<T>(g);
    p.views = own.count();
    p.interpolation = interpolation;
    detail::backproject_voxels(ctx, p, own_trig.data(), filtered.data(), static_cast<T>(angles.weight),
                               volume.data());
  }
  dist::all_reduce_sum<T>(a.communicator(), ctx, volume);
}

template void filtered_backprojection_views<float>(const Context&, const DistributedProjector<float>&,
                                                   View<const float>, View<float>, FbpFilter,
                                                   VoxelInterpolation);
template void filtered_backprojection_views<double>(const Context&, const DistributedProjector<double>&,
                                                    View<const double>, View<double>, FbpFilter,
                                                    VoxelInterpolation);

}  // namespace recon::ct

// UnmatchedProjector: the Joseph forward projection and the voxel-driven back-projection of
// voxel_backproject.cu with the ray-density weighting (formulas in unmatched_projector.hpp).
#include "recon/operators/ct/unmatched_projector.hpp"

#include "recon/kernels/error.hpp"
#include "voxel_backproject.hpp"

namespace recon::ct {

namespace {
const Geometry& circular(const Geometry& g) {
  if (!g.projection.circular)
    throw InvalidArgument(
        "ct.unmatched_" + g.projection.type_name() +
        ": the voxel-driven back-projector needs a circular geometry (angles and distances), got "
        "a vector geometry; use ct::JosephProjector");
  return g;
}
}  // namespace

template <class T>
UnmatchedProjector<T>::UnmatchedProjector(const Geometry& g)
    : LinearOperator<T>("ct.unmatched_" + g.projection.type_name(), g.volume.shape, g.projection.shape()),
      forward_(circular(g)),
      host_trig_(detail::view_trig<T>(g.projection)) {
  const Vec3& v = g.volume.voxel_size;
  const ProjectionGeometry& p = g.projection;
  weight_ =
      static_cast<T>(p.ndim == 2 ? v[0] * v[1] / p.pixel_u : v[0] * v[1] * v[2] / (p.pixel_u * p.pixel_v));
}

template <class T>
const T* UnmatchedProjector<T>::trig(const Context& ctx) const {
  if (!device_trig_ || device_trig_->context() != ctx)
    device_trig_ = std::make_unique<Array<T>>(
        Array<T>::from_host(ctx, Shape{static_cast<index_t>(host_trig_.size())}, host_trig_));
  return device_trig_->data();
}

template <class T>
void UnmatchedProjector<T>::do_apply(const Context& ctx, View<const T> x, View<T> y) const {
  forward_.apply(ctx, x, y);
}

template <class T>
void UnmatchedProjector<T>::do_adjoint(const Context& ctx, View<const T> y, View<T> x) const {
  detail::VoxelGeometry<T> p = detail::voxel_geometry<T>(geometry());
  p.weighting = detail::VoxelWeight::RayDensity;
  detail::backproject_voxels(ctx, p, trig(ctx), y.data(), weight_, x.data());
}

template class UnmatchedProjector<float>;
template class UnmatchedProjector<double>;

}  // namespace recon::ct

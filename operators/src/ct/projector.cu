// Launches of the Joseph walk (joseph_walk.hpp) for JosephProjector: one thread per ray, in
// chunks of whole views. Forward rays own their output element; the adjoint scatters with
// atomic adds into a zeroed volume.
#include "recon/operators/ct/projector.hpp"

#include <algorithm>

#include "joseph_walk.hpp"
#include "recon/kernels/parallel_for.hpp"
#include "recon/kernels/vector_ops.hpp"

namespace recon::ct {

namespace detail {

template <class T>
RayGrid<T> ray_grid(const Geometry& g) {
  RayGrid<T> r{};
  const VolumeGeometry& v = g.volume;
  const index_t n[3] = {v.nx(), v.ny(), v.nz()};
  index_t stride = 1;
  for (int a = 0; a < 3; ++a) {
    r.n[a] = n[a];
    r.stride[a] = stride;
    stride *= n[a];
    r.scale[a] = static_cast<T>(1.0 / v.voxel_size[a]);
    r.shift[a] = static_cast<T>(0.5 * static_cast<double>(n[a] - 1) - v.origin[a] / v.voxel_size[a]);
  }
  r.rows = g.projection.rows;
  r.cols = g.projection.cols;
  r.parallel = g.projection.parallel();
  return r;
}

template <class T>
void forward_views(const Context& ctx, const RayGrid<T>& g, const T* vectors, index_t view0, index_t views,
                   const T* x, T* y) {
  const index_t per_view = g.rows * g.cols;
  parallel_for(ctx, views * per_view, [=] RECON_HD(index_t i) {
    const index_t ray = view0 * per_view + i;
    const index_t view = ray / per_view, rem = ray - view * per_view;
    Gather<T> gather{x, T(0)};
    joseph_walk(g, vectors + kViewStride * view, rem / g.cols, rem % g.cols, gather);
    y[ray] = gather.acc;
  });
}

template <class T>
void back_views(const Context& ctx, const RayGrid<T>& g, const T* vectors, index_t view0, index_t views,
                const T* y, T* x) {
  const index_t per_view = g.rows * g.cols;
  parallel_for(ctx, views * per_view, [=] RECON_HD(index_t i) {
    const index_t ray = view0 * per_view + i;
    const T value = y[ray];
    if (value == T(0)) return;
    const index_t view = ray / per_view, rem = ray - view * per_view;
    Scatter<T> scatter{x, value};
    joseph_walk(g, vectors + kViewStride * view, rem / g.cols, rem % g.cols, scatter);
  });
}

}  // namespace detail

template <class T>
JosephProjector<T>::JosephProjector(const Geometry& g)
    : LinearOperator<T>("ct.joseph_" + g.projection.type_name(), g.volume.shape, g.projection.shape()),
      geometry_(g) {
  validate(g, this->name());
  for (const ViewVectors& w : g.projection.vectors)
    for (const Vec3* v : {&w.source, &w.detector, &w.u, &w.v})
      for (double c : *v) host_vectors_.push_back(static_cast<T>(c));
}

template <class T>
const T* JosephProjector<T>::view_vectors(const Context& ctx) const {
  if (!device_vectors_ || device_vectors_->context() != ctx)
    device_vectors_ = std::make_unique<Array<T>>(
        Array<T>::from_host(ctx, Shape{static_cast<index_t>(host_vectors_.size())}, host_vectors_));
  return device_vectors_->data();
}

template <class T>
void JosephProjector<T>::do_apply(const Context& ctx, View<const T> x, View<T> y) const {
  const auto g = detail::ray_grid<T>(geometry_);
  const T* vectors = view_vectors(ctx);
  const index_t views = geometry_.projection.views();
  const index_t chunk = std::max<index_t>(1, kRaysPerLaunch / (g.rows * g.cols));
  for (index_t v0 = 0; v0 < views; v0 += chunk)
    detail::forward_views(ctx, g, vectors, v0, std::min(chunk, views - v0), x.data(), y.data());
}

template <class T>
void JosephProjector<T>::do_adjoint(const Context& ctx, View<const T> y, View<T> x) const {
  const auto g = detail::ray_grid<T>(geometry_);
  const T* vectors = view_vectors(ctx);
  fill<T>(ctx, x, T(0));
  const index_t views = geometry_.projection.views();
  const index_t chunk = std::max<index_t>(1, kRaysPerLaunch / (g.rows * g.cols));
  for (index_t v0 = 0; v0 < views; v0 += chunk)
    detail::back_views(ctx, g, vectors, v0, std::min(chunk, views - v0), y.data(), x.data());
}

template class JosephProjector<float>;
template class JosephProjector<double>;

}  // namespace recon::ct

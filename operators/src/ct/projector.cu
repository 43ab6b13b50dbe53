// Launches of the Joseph walk (joseph_walk.hpp) for JosephProjector: one thread per ray, in
// chunks of whole views. Forward rays own their output element; the adjoint scatters with
// atomic adds into a zeroed volume, or gathers per voxel (joseph_gather.hpp).
#include "recon/operators/ct/projector.hpp"

#include <algorithm>

#include "joseph_gather.hpp"
#include "joseph_walk.hpp"
#include "recon/kernels/host_clones.hpp"
#include "recon/kernels/memory_budget.hpp"
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

// A's value for the ray of detector pixel (row, col) of one view: the gather of joseph_walk.
template <class T>
RECON_HD inline T ray_sum(const RayGrid<T>& g, const T* view, index_t row, index_t col, const T* x) {
  Gather<T> gather{x, T(0)};
  joseph_walk(g, view, row, col, gather);
  return gather.acc;
}

// ray_sum on the host: the vectorisable gather, compiled per host instruction set
// (host_clones.hpp).
template <class T>
RECON_HOST_CLONED T ray_sum_host(const RayGrid<T>& g, const T* view, index_t row, index_t col, const T* x) {
  if (!int_offsets_suffice(g)) return ray_sum(g, view, row, col, x);
  const RaySegment<T> r = ray_segment(g, view, row, col);
  return is_planar(g, r) ? lane_gather<true>(g, r, x) : lane_gather<false>(g, r, x);
}

// One thread per ray of the views [view0, view0 + views): the gather (A) or the atomic
// scatter (A^T) of joseph_walk.
template <class T, bool Adjoint>
struct RayKernel {
  RayGrid<T> g;
  const T* vectors;
  index_t first_ray;
  const T* in;
  T* out;
  RECON_HD void operator()(index_t i) const {
    const index_t ray = first_ray + i, per_view = g.rows * g.cols;
    const index_t view = ray / per_view, rem = ray - view * per_view;
    const T* v = vectors + kViewStride * view;
    if (Adjoint) {
      if (in[ray] == T(0)) return;
      Scatter<T> scatter{out, in[ray]};
      joseph_walk(g, v, rem / g.cols, rem % g.cols, scatter);
    } else {
#if defined(__CUDA_ARCH__)
      out[ray] = ray_sum(g, v, rem / g.cols, rem % g.cols, in);
#else
      out[ray] = ray_sum_host(g, v, rem / g.cols, rem % g.cols, in);
#endif
    }
  }
};

// Launches in chunks of whole views of at most kRaysPerLaunch rays.
template <class T, bool Adjoint>
void launch_rays(const Context& ctx, const RayGrid<T>& g, const T* vectors, index_t views,
                 index_t rays_per_launch, const T* in, T* out) {
  const index_t per_view = g.rows * g.cols;
  const index_t chunk = std::max<index_t>(1, rays_per_launch / per_view);
  const index_t steps = std::max({g.n[0], g.n[1], g.n[2]});  // slices a ray crosses at most
  for (index_t v0 = 0; v0 < views; v0 += chunk)
    parallel_for(ctx, std::min(chunk, views - v0) * per_view,
                 RayKernel<T, Adjoint>{g, vectors, v0 * per_view, in, out}, steps);
}

// Scatters the rays of views [v0, v1) serially into out (no other thread writes it). HostForms:
// 2D rays take the branch-free planar_scatter (volumes int can index).
template <bool HostForms, class T>
RECON_HD inline void scatter_views(const RayGrid<T>& g, const T* vectors, index_t v0, index_t v1, const T* in,
                                   T* out) {
  const index_t per_view = g.rows * g.cols;
  for (index_t v = v0; v < v1; ++v)
    for (index_t r = 0; r < per_view; ++r) {
      const T value = in[v * per_view + r];
      if (value == T(0)) continue;
      const RaySegment<T> seg = ray_segment(g, vectors + kViewStride * v, r / g.cols, r % g.cols);
      if constexpr (HostForms) {
        if (is_planar(g, seg)) {
          planar_scatter(g, seg, value, out);
          continue;
        }
      }
      PrivateScatter<T> scatter{out, value};
      joseph_walk(g, seg, scatter);
    }
}

// scatter_views on the host, compiled per host instruction set (host_clones.hpp).
template <class T>
RECON_HOST_CLONED void scatter_views_host(const RayGrid<T>& g, const T* vectors, index_t v0, index_t v1,
                                          const T* in, T* out) {
  if (int_offsets_suffice(g))
    scatter_views<true>(g, vectors, v0, v1, in, out);
  else
    scatter_views<false>(g, vectors, v0, v1, in, out);
}

// The host's adjoint without atomics: the views are split into one group per thread and each
// group scatters its rays serially into a volume of its own (group 0 into x, the others into
// `extra`); the volumes are then summed. A host atomic add is a compare-and-swap loop, several
// times the cost of the add, and the fixed order also makes the host's A^T deterministic.
template <class T>
struct GroupScatter {
  RayGrid<T> g;
  const T* vectors;
  index_t views, groups, volume;
  const T* in;
  T* x;
  T* extra;
  RECON_HD void operator()(index_t group) const {
    T* out = group == 0 ? x : extra + (group - 1) * volume;
    const index_t v0 = group * views / groups, v1 = (group + 1) * views / groups;
#if defined(__CUDA_ARCH__)
    scatter_views<false>(g, vectors, v0, v1, in, out);
#else
    scatter_views_host(g, vectors, v0, v1, in, out);
#endif
  }
};

// Extra volumes the host adjoint may allocate; beyond this it falls back to atomic adds.
constexpr double kHostScatterBudgetBytes = 1024.0 * 1024.0 * 1024.0;

template <class T>
bool host_group_scatter(const Context& ctx, const RayGrid<T>& g, const T* vectors, index_t views, const T* y,
                        T* x) {
  const index_t volume = g.n[0] * g.n[1] * g.n[2];
  const index_t groups = std::min<index_t>(ctx.host_threads(), views);
  // Under a memory limit (Context::set_memory_limit) the extra volumes must also fit beneath it.
  const double budget = ctx.memory_limit() > 0
                            ? std::min(kHostScatterBudgetBytes, static_cast<double>(available_bytes(ctx)))
                            : kHostScatterBudgetBytes;
  if (static_cast<double>(groups - 1) * static_cast<double>(volume) * sizeof(T) > budget) return false;
  Array<T> extra(ctx, Shape{(groups - 1) * volume});
  fill<T>(ctx, extra.view(), T(0));
  const index_t steps = std::max({g.n[0], g.n[1], g.n[2]});
  parallel_for(ctx, groups, GroupScatter<T>{g, vectors, views, groups, volume, y, x, extra.data()},
               views / groups * g.rows * g.cols * steps);
  const View<T> sum(x, Shape{volume}, ctx.device());
  for (index_t k = 0; k + 1 < groups; ++k)
    axpby<T>(ctx, T(1), View<const T>(extra.data() + k * volume, Shape{volume}, ctx.device()), T(1), sum);
  return true;
}

}  // namespace detail

template <class T>
JosephProjector<T>::JosephProjector(const Geometry& g, JosephAdjoint adjoint)
    : LinearOperator<T>("ct.joseph_" + g.projection.type_name(), g.volume.shape, g.projection.shape()),
      geometry_(g),
      adjoint_(adjoint) {
  validate(g, this->name());
  for (const ViewVectors& w : g.projection.vectors)
    for (const Vec3* v : {&w.source, &w.detector, &w.u, &w.v})
      for (double c : *v) host_vectors_.push_back(static_cast<T>(c));
  for (double c : detail::detector_forms(g)) host_vectors_.push_back(static_cast<T>(c));
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
  detail::launch_rays<T, false>(ctx, detail::ray_grid<T>(geometry_), view_vectors(ctx),
                                geometry_.projection.views(), kRaysPerLaunch, x.data(), y.data());
}

template <class T>
void JosephProjector<T>::do_adjoint(const Context& ctx, View<const T> y, View<T> x) const {
  const detail::RayGrid<T> g = detail::ray_grid<T>(geometry_);
  const index_t views = geometry_.projection.views();
  const T* vectors = view_vectors(ctx);
  const bool gather =
      adjoint_ == JosephAdjoint::Gather || (adjoint_ == JosephAdjoint::Automatic && ctx.is_cuda());
  if (gather && detail::gather_adjoint(ctx, g, vectors, vectors + detail::kViewStride * views, views,
                                       adjoint_ == JosephAdjoint::Gather, y.data(), x.data()))
    return;
  fill<T>(ctx, x, T(0));
  if (ctx.is_cuda() || !detail::host_group_scatter(ctx, g, vectors, views, y.data(), x.data()))
    detail::launch_rays<T, true>(ctx, g, vectors, views, kRaysPerLaunch, y.data(), x.data());
}

template class JosephProjector<float>;
template class JosephProjector<double>;

}  // namespace recon::ct

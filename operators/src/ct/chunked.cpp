// Chunked projection with host-resident projections (chunked.hpp).
#include "recon/operators/ct/chunked.hpp"

#include <algorithm>

#include "recon/kernels/memory.hpp"
#include "recon/kernels/vector_ops.hpp"
#include "recon/operators/ct/projector.hpp"

namespace recon::ct {

namespace {

// The views [first, first + count) of g as a vector geometry.
Geometry view_chunk(const Geometry& g, index_t first, index_t count) {
  Geometry c = g;
  c.projection =
      vector_geometry(g.projection.ndim, g.projection.beam, g.projection.rows, g.projection.cols,
                      {g.projection.vectors.begin() + first, g.projection.vectors.begin() + first + count});
  return c;
}

template <class A, class B>
void check_arguments(const Context& ctx, const char* where, const Geometry& g, const View<A>& volume,
                     const View<B>& projections, index_t views_per_chunk) {
  validate(g, where);
  require(views_per_chunk > 0, where,
          "views_per_chunk must be positive, got " + std::to_string(views_per_chunk));
  if (volume.shape() != g.volume.shape || projections.shape() != g.projection.shape())
    throw ShapeMismatch(std::string(where) + ": volume " + volume.shape().str() + " and projections " +
                        projections.shape().str() + " must be " + g.volume.shape.str() + " and " +
                        g.projection.shape().str());
  require(volume.device() == ctx.device(), where, "the volume must live on the context's device");
  require(projections.device() == Device::Host, where, "the projections must live in host memory");
}

}  // namespace

template <class T>
void project_chunked(const Context& ctx, const Geometry& g, View<const T> volume, View<T> projections,
                     index_t views_per_chunk) {
  check_arguments(ctx, "ct::project_chunked", g, volume, projections, views_per_chunk);
  const index_t views = g.projection.views(), per_view = g.projection.rows * g.projection.cols;
  for (index_t v0 = 0; v0 < views; v0 += views_per_chunk) {
    const index_t n = std::min(views_per_chunk, views - v0);
    const JosephProjector<T> op(view_chunk(g, v0, n));
    Array<T> part(ctx, op.range());
    op.apply(ctx, volume, part.view());
    detail::copy_bytes(ctx, projections.data() + v0 * per_view, Device::Host, part.data(), ctx.device(),
                       sizeof(T) * static_cast<size_t>(n * per_view));
  }
}

template <class T>
void backproject_chunked(const Context& ctx, const Geometry& g, View<const T> projections, View<T> volume,
                         index_t views_per_chunk) {
  check_arguments(ctx, "ct::backproject_chunked", g, volume, projections, views_per_chunk);
  const index_t views = g.projection.views(), per_view = g.projection.rows * g.projection.cols;
  fill<T>(ctx, volume, T(0));
  Array<T> partial(ctx, g.volume.shape);
  for (index_t v0 = 0; v0 < views; v0 += views_per_chunk) {
    const index_t n = std::min(views_per_chunk, views - v0);
    const JosephProjector<T> op(view_chunk(g, v0, n));
    Array<T> part(ctx, op.range());
    detail::copy_bytes(ctx, part.data(), ctx.device(), projections.data() + v0 * per_view, Device::Host,
                       sizeof(T) * static_cast<size_t>(n * per_view));
    op.adjoint(ctx, part.view(), partial.view());
    axpby<T>(ctx, T(1), partial.view(), T(1), volume);
  }
}

template void project_chunked<float>(const Context&, const Geometry&, View<const float>, View<float>,
                                     index_t);
template void project_chunked<double>(const Context&, const Geometry&, View<const double>, View<double>,
                                      index_t);
template void backproject_chunked<float>(const Context&, const Geometry&, View<const float>, View<float>,
                                         index_t);
template void backproject_chunked<double>(const Context&, const Geometry&, View<const double>, View<double>,
                                          index_t);

}  // namespace recon::ct

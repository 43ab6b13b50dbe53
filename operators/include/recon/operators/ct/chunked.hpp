// A x and A^T y with the projections in host memory and the volume on ctx's device, computed
// one chunk of views at a time, so that projection data larger than the device's memory can
// be processed. Each chunk is a JosephProjector on the views' vectors: the result
// is the same walk as the whole operator; the adjoint sums the chunks' back-projections, so
// it differs from JosephProjector::adjoint only by the order of the float additions.
// Tests: tests/ct/test_chunked.cu.
#pragma once

#include "recon/kernels/array.hpp"
#include "recon/operators/ct/geometry.hpp"

namespace recon::ct {

// projections (host, g.projection.shape()) = A volume (ctx's device, g.volume.shape).
template <class T>
void project_chunked(const Context& ctx, const Geometry& g, View<const T> volume, View<T> projections,
                     index_t views_per_chunk);
// volume (ctx's device) = A^T projections (host).
template <class T>
void backproject_chunked(const Context& ctx, const Geometry& g, View<const T> projections, View<T> volume,
                         index_t views_per_chunk);

}  // namespace recon::ct

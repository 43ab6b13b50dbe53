// FBP / FDK (fbp.hpp) split by views over the ranks of a ct::DistributedProjector
// (docs/distributed.md): each rank weights and filters its own views (every step before the
// back-projection works view by view; the cosine and Parker weights take the scan's view index,
// not the rank's), back-projects them into a whole volume, and one all-reduce sums the ranks'
// volumes. Each voxel gets the serial FBP's terms, summed in another order: equal to
// filtered_backprojection's to float rounding. Circular geometries; the angular coverage is
// checked on every rank alike before anything moves.
// Tests: tests/dist/test_distributed.cpp (DistributedCt.FbpByViews...).
#pragma once

#include "recon/operators/ct/distributed.hpp"
#include "recon/operators/ct/fbp.hpp"

namespace recon::ct {

// `views` (a.range(): this rank's views) -> `volume` (a.domain(), the whole volume on every
// rank). Collective.
template <class T>
void filtered_backprojection_views(const Context& ctx, const DistributedProjector<T>& a, View<const T> views,
                                   View<T> volume, FbpFilter filter = FbpFilter::Ramp,
                                   VoxelInterpolation interpolation = VoxelInterpolation::Exact);

}  // namespace recon::ct

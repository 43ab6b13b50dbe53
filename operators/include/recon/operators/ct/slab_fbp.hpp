// FBP / FDK (fbp.hpp) split by z-slabs over the ranks of a ct::SlabProjector (docs/distributed.md):
// each rank holds its band of detector rows of every view and gets its slab of the volume.
//   1. Every step before the back-projection works row by row (the ramp filter runs along the
//      detector's columns; the cosine and Parker weights are per sample), so each rank weights
//      and filters its own band, as a circular geometry of those rows (offset_v moved to the
//      band's centre);
//   2. the filtered rows of each rank's window (the rows its slab reaches) are gathered from
//      their owners (SlabProjector::gather_window);
//   3. the voxel-driven back-projection of the window onto the slab, the slab a volume of its own.
// Each voxel is the same gather as in the serial FBP, from the same filtered values: the result
// equals filtered_backprojection's to float rounding. Circular 3D geometries (parallel3d, cone);
// the angular coverage is checked on every rank alike before anything moves.
// Tests: tests/dist/test_ct_slabs.cpp (SlabFbp).
#pragma once

#include "recon/operators/ct/fbp.hpp"
#include "recon/operators/ct/slab_projector.hpp"

namespace recon::ct {

// The rows [begin, end) of a circular 3D geometry's detector as a circular geometry of its own.
ProjectionGeometry circular_rows(const ProjectionGeometry& p, const dist::Block& rows);

// `band` (a.range(): this rank's rows of every view) -> `slab` (a.domain()). Collective.
template <class T>
void filtered_backprojection_slabs(const Context& ctx, const SlabProjector<T>& a, View<const T> band,
                                   View<T> slab, FbpFilter filter = FbpFilter::Ramp,
                                   VoxelInterpolation interpolation = VoxelInterpolation::Exact);

}  // namespace recon::ct

// CT projections of data larger than a device: the volume and the projections stay in host
// memory and the device computes them one piece at a time. A piece is a z-slab of the volume
// against a chunk of views, cut to the window of detector rows that the slab can reach in those
// views (the slab's box, widened by the one voxel of Joseph's interpolation support, projected
// onto each detector), so a slab moves only the projections it touches.
//
// Exactness: A is linear and the slabs split the volume, so A x = sum over slabs of A x_slab,
// and Joseph's walk counts voxels outside the (sub-)volume as 0; each piece is the projector of
// its slab and rows, the same rays as the whole operator. The forward projection therefore
// equals the in-memory one up to the order of the float additions across slabs (bitwise with a
// single slab), and A^T gives each slab's voxels the sum of its pieces' back-projections.
//
// The plan (slab depth, views per chunk) fits the device's available memory: its free memory
// under Context::set_memory_limit, which is how the streamed path is chosen and tested on the
// host. Per piece the device holds the slab, a second slab for the adjoint's running sum, and
// two buffers for chunks' projections and view vectors: while the device computes one piece, the
// other piece's projections travel on a second stream through page-locked host buffers
// (transfer.hpp) and the host adds or gathers its rows.
// Tests: tests/ct/test_streamed.cu (every geometry family of tests/ct/ct_geometries.hpp, uneven
// and one-slice slabs, one-view chunks, under a memory limit), tests/parity/test_ct.cu.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <vector>

#include "recon/kernels/memory_budget.hpp"
#include "recon/operators/ct/fbp.hpp"
#include "recon/operators/ct/geometry.hpp"
#include "recon/operators/ct/projector.hpp"
#include "recon/operators/linear_operator.hpp"
#include "recon/operators/operator.hpp"

namespace recon {
class PinnedBuffer;
}

namespace recon::ct {

struct StreamPlan {
  index_t slab_depth = 0;       // volume slices per slab (1 for a 2D image, which is not split)
  index_t views_per_chunk = 0;  // views per chunk
};

// The plan whose pieces need at most `device_bytes` for elements of `element_bytes` and do the
// most work each (slices x views, views counted up to about 2^20 rays, enough to fill a GPU),
// the deeper slabs on a tie; OutOfMemory when not even one slice against one view fits (a 2D
// image must fit whole).
StreamPlan plan_stream(const Geometry& g, std::size_t element_bytes, std::size_t device_bytes);

// The device bytes a piece of `plan` needs at most (what plan_stream keeps under its budget).
double stream_piece_bytes(const Geometry& g, std::size_t element_bytes, const StreamPlan& plan);

// One piece: volume slices [z0, z1), views [v0, v1), detector rows [r0, r1).
struct StreamPiece {
  index_t z0, z1, v0, v1, r0, r1;
};

// The pieces of `plan` in the order they run (slab by slab); pieces whose window is empty are
// left out.
std::vector<StreamPiece> stream_pieces(const Geometry& g, const StreamPlan& plan);

// Volume slices [z0, z1) against every view, cut to the rows they can reach (r0 == r1 when no
// view reaches them): ct::SlabProjector's piece.
StreamPiece slab_piece(const Geometry& g, index_t z0, index_t z1);

// The detector row (fractional; row r is centred at r) onto which the centre of volume slices
// [z0, z1) projects, averaged over the views that see it; NaN when none does. A 3D geometry.
double slab_centre_row(const Geometry& g, index_t z0, index_t z1);

// The geometry of one piece: its slab as a volume of its own, and its views as vectors on a
// detector cut to rows [r0, r1) (centre moved along v). The views' vectors are copied, so a
// piece with every slice and row projects its views exactly as g does (ct::DistributedProjector
// takes its ranks' view ranges this way).
Geometry piece_geometry(const Geometry& g, const StreamPiece& p);

// A and A^T (Joseph, matched) applied with a host context to host arrays, computed on `device`
// piece by piece. The plan is validated against g (InvalidArgument).
template <class T>
class StreamedProjector final : public LinearOperator<T> {
 public:
  StreamedProjector(const Geometry& g, const Context& device, const StreamPlan& plan);
  ~StreamedProjector() override;
  const StreamPlan& plan() const { return plan_; }
  const std::vector<StreamPiece>& pieces() const { return pieces_; }

 protected:
  void do_apply(const Context& ctx, View<const T> x, View<T> y) const override;
  void do_adjoint(const Context& ctx, View<const T> y, View<T> x) const override;

 private:
  // Page-locked staging buffer 0 or 1 of at least `elements`, kept from call to call.
  T* staging(int which, index_t elements) const;
  Geometry geometry_;
  Context device_;
  Context copies_;  // the second stream, for the transfers (device_ itself on the host)
  StreamPlan plan_;
  std::vector<StreamPiece> pieces_;
  mutable std::unique_ptr<PinnedBuffer> staging_[2];
};

// FBP / FDK (fbp.hpp) of host-resident projections into a host-resident volume, computed on
// `device` within `device_bytes`: the projections are filtered there (or, when they do not fit
// twice, on the host) and stay there filtered while the volume is back-projected in z-slabs,
// each slab a volume geometry of its own. Every voxel is the same gather as in memory, so the
// result equals filtered_backprojection's to float rounding. Returns the slices per slab;
// OutOfMemory when the filtered projections and one slice do not fit.
template <class T>
index_t filtered_backprojection_streamed(const Context& device, const Geometry& g, View<const T> projections,
                                         View<T> volume, FbpFilter filter, std::size_t device_bytes,
                                         VoxelInterpolation interpolation = VoxelInterpolation::Exact);

// The streamed projector planned for the memory available on `device` now, less a tenth for
// what else runs there (cuFFT/cuBLAS workspaces, the allocator's granularity).
template <class T>
Operator<T> streamed_projector(const Geometry& g, const Context& device) {
  const std::size_t budget = available_bytes(device) / 10 * 9;
  return Operator<T>(
      std::make_shared<const StreamedProjector<T>>(g, device, plan_stream(g, sizeof(T), budget)));
}

// A piece's projector for a split run (distributed.hpp, slab_projector.hpp): Joseph's in memory,
// or, given `stream_through`, streamed through that device for arrays in host memory.
template <class T>
Operator<T> piece_projector(const Geometry& piece, const std::optional<Context>& stream_through) {
  return stream_through ? streamed_projector<T>(piece, *stream_through) : joseph_projector<T>(piece);
}

}  // namespace recon::ct

// The CT projector split by z-slabs of the volume over the ranks of a communicator
// (docs/distributed.md, "The z-slab decomposition"). Rank r of P holds volume slices
// dist::block_share(nz, r, P) (axis 0 of (nz, ny, nx)) and a band of detector rows of every view:
//   - its window: the rows its slab can reach (streamed.hpp's slab_piece: the slab's box widened
//     by Joseph's interpolation support, projected onto each view's detector);
//   - the rows it owns: a partition of the detector rows over the ranks (slab_rows below), cut
//     halfway between the rows onto which neighbouring slabs' centres project. The projections
//     are split by these bands: the operator's range on rank r is (views, owned rows, cols).
//   A x   = Joseph's projector of the rank's slab alone into its window (the slab as a volume of
//           its own, streamed.hpp's piece_geometry), then each rank sends the rows of its window
//           that others own to them and adds the partial projections it receives for its own
//           rows (its own first, then in the fixed order of the exchange). Joseph's walk clips
//           rays to the interpolation support (-1, n) of each slab, so a sample between the last
//           slice of one slab and the first of the next gets its weight from both; the sum equals
//           the serial projection to float rounding.
//   A^T y = the rank's slab of the serial A^T y: its window's rows gathered from their owners,
//           then the local back-projection.
// Only where windows overlap does anything move: for a parallel beam the few rows around each
// slab boundary, for a cone beam the rows both slabs' shadows cover (the exchanges between
// ranks whose windows do not meet are skipped).
// domain_split() and range_split() both name the communicator (with more than one rank), so the
// solvers sum over x and over the projections across ranks (engine/src/solvers/range_reduce.hpp).
// With `stream_through` (a device) the arrays live in host memory and the rank's projector of its
// slab is streamed through that device (streamed.hpp), for slabs beyond its memory. With
// `view_chunk` (views per chunk, the same on every rank) the window's partial projection and its
// gathered rows are held for that many views at a time, the exchanges run chunk by chunk: a cone
// beam's windows (up to twice a band's rows, docs/distributed.md's 4096^3 plan) then cost a chunk's
// rows, A x is the same bits and A^T y sums the chunks' back-projections (one more slab-sized
// array).
// 3D geometries only (parallel3d, cone and their vector forms): a 2D image is one slice.
// Tests: tests/dist/test_ct_slabs.cpp under mpiexec -n 1, 2, 3.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "recon/kernels/communicator.hpp"
#include "recon/operators/ct/geometry.hpp"
#include "recon/operators/ct/projection_rows.hpp"
#include "recon/operators/ct/projector.hpp"
#include "recon/operators/ct/streamed.hpp"
#include "recon/operators/linear_operator.hpp"
#include "recon/operators/operator.hpp"

namespace recon::ct {

// Slices [begin, end) of rank `rank` among `ranks`, after checking that g (validated) is 3D and
// has at least `ranks` slices: InvalidArgument "<where>: ..." otherwise, whose advice is
// --distribute views.
dist::Block slab_share(const Geometry& g, int rank, int ranks, const std::string& where);

// The detector rows of the split over `ranks` (validated as slab_share), per rank: `window`, the
// rows its slab reaches (empty when no view reaches it), and `owned`, its band of the partition
// of [0, rows): the ranks with a window in the order of the rows onto which their slabs' centres
// project (streamed.hpp's slab_centre_row, averaged over the views), each band ending halfway
// to the next one's centre row. Window edges would skew the cuts: the outer slabs' windows are
// clipped by the detector's edges. A rank without a window owns no row, unless no rank has one:
// then rank 0 owns them all.
struct SlabRows {
  std::vector<dist::Block> window, owned;
};
SlabRows slab_rows(const Geometry& g, int ranks, const std::string& where);

template <class T>
class SlabProjector final : public LinearOperator<T> {
 public:
  SlabProjector(const Geometry& g, std::shared_ptr<const dist::Communicator> comm,
                const std::optional<Context>& stream_through = std::nullopt, index_t view_chunk = 0);
  // The projector of the rank's slab into its window for the first chunk of views (null when no
  // view reaches the slab).
  const LinearOperator<T>* local() const { return locals_.empty() ? nullptr : &locals_.front().get(); }
  // Views per chunk of the partial projections (every view when not chunked).
  index_t view_chunk() const { return chunk_; }
  // The rank's slices of the volume.
  const dist::Block& slices() const { return slices_; }
  // Every rank's window and owned rows; this rank's owned rows are its range's rows.
  const SlabRows& rows() const { return rows_; }
  const dist::Block& owned_rows() const { return rows_.owned[static_cast<std::size_t>(comm_->rank())]; }
  const dist::Communicator& communicator() const { return *comm_; }
  const Geometry& geometry() const { return geometry_; }
  // The rows this rank's slab reaches (its window).
  const dist::Block& window() const { return rows_.window[static_cast<std::size_t>(comm_->rank())]; }
  // The window's rows (views, window rows, cols) of a stack split by the ranks' bands of rows, as
  // `band` (views, owned rows, cols) holds this rank's: gathered from their owners. Collective.
  void gather_window(const Context& ctx, View<const T> band, View<T> window_rows) const;
  const dist::Communicator* domain_split() const override { return split(); }
  const dist::Communicator* range_split() const override { return split(); }

 protected:
  void do_apply(const Context& ctx, View<const T> x, View<T> y) const override;
  void do_adjoint(const Context& ctx, View<const T> y, View<T> x) const override;

 private:
  const dist::Communicator* split() const { return comm_->size() > 1 ? comm_.get() : nullptr; }
  // Whether step k of the exchange (each rank r sending to r + k and receiving from r - k,
  // modulo P) moves rows between any pair of ranks.
  bool step_moves_rows(int k) const;
  // gather_window of `views` views into `window_rows`, or, when that is null (the window is the
  // rank's own band, so nothing arrives), only the sending of this rank's rows to the others.
  void exchange_window(const Context& ctx, index_t views, const T* band, T* window_rows) const;
  // The exchange steps of A and A^T for `views` views: `from` holds rows `from_rows` of each and
  // sends each rank dest the rows it has in theirs[dest]; the rows of sources[source] that fall in
  // `to_rows` arrive from each rank source and are copied or added into `to` (rows `to_rows`).
  void exchange_rows(const Context& ctx, index_t views, const T* from, const dist::Block& from_rows,
                     const std::vector<dist::Block>& theirs, T* to, const dist::Block& to_rows,
                     const std::vector<dist::Block>& sources, RowMove how) const;
  Geometry geometry_;
  std::shared_ptr<const dist::Communicator> comm_;
  dist::Block slices_;
  SlabRows rows_;
  index_t chunk_ = 0;
  std::vector<Operator<T>> locals_;  // one per chunk of views; none when no view reaches the slab
};

template <class T>
Operator<T> slab_projector(const Geometry& g, std::shared_ptr<const dist::Communicator> comm,
                           const std::optional<Context>& stream_through = std::nullopt,
                           index_t view_chunk = 0) {
  return Operator<T>(
      std::make_shared<const SlabProjector<T>>(g, std::move(comm), stream_through, view_chunk));
}

}  // namespace recon::ct

// The CT projector split by z-slabs of the volume over the ranks of a communicator
// (docs/distributed.md, "The z-slab decomposition"). Rank r of P holds volume slices
// dist::block_share(nz, r, P) (axis 0 of (nz, ny, nx)) and the whole projection stack:
//   A x   = sum over ranks of A_r x_r: Joseph's projector of the rank's slab alone (streamed.hpp's
//           slab_piece and piece_geometry: the slab as a volume of its own against every view,
//           cut to the detector rows it can reach), written into its row window of a zero stack,
//           then one all-reduce sum of the stack. Joseph's walk clips rays to the interpolation
//           support (-1, n) of each slab, so a sample between the last slice of one slab and the
//           first of the next gets its weight from both, as in the streamed projector; the sum
//           equals the serial projection to float rounding.
//   A^T y = the rank's slab of the serial A^T y: the local back-projection of the rows its slab
//           reaches, no communication.
// Domain: the rank's slab (nz_r, ny, nx), so domain_split() names the communicator and the solvers
// sum over x across ranks (engine/src/solvers/range_reduce.hpp). Range: the whole stack,
// replicated on every rank (this phase splits the volume's memory, not the projections'), so
// range_split() is null and sums over the range stay local.
// 3D geometries only (parallel3d, cone and their vector forms): a 2D image is one slice.
// Tests: tests/dist/test_ct_slabs.cpp under mpiexec -n 1, 2, 3.
#pragma once

#include <memory>
#include <string>

#include "recon/kernels/communicator.hpp"
#include "recon/operators/ct/geometry.hpp"
#include "recon/operators/ct/projector.hpp"
#include "recon/operators/ct/streamed.hpp"
#include "recon/operators/linear_operator.hpp"
#include "recon/operators/operator.hpp"

namespace recon::ct {

// Slices [begin, end) of rank `rank` among `ranks`, after checking that g (validated) is 3D and
// has at least `ranks` slices: InvalidArgument "<where>: ..." otherwise.
dist::Block slab_share(const Geometry& g, int rank, int ranks, const std::string& where);

template <class T>
class SlabProjector final : public LinearOperator<T> {
 public:
  SlabProjector(const Geometry& g, std::shared_ptr<const dist::Communicator> comm);
  // The rank's slices of the volume.
  const dist::Block& slices() const { return slices_; }
  // The rank's slab against every view, with the detector rows [r0, r1) it reaches.
  const StreamPiece& piece() const { return piece_; }
  const dist::Communicator& communicator() const { return *comm_; }
  const dist::Communicator* domain_split() const override {
    return comm_->size() > 1 ? comm_.get() : nullptr;
  }

 protected:
  void do_apply(const Context& ctx, View<const T> x, View<T> y) const override;
  void do_adjoint(const Context& ctx, View<const T> y, View<T> x) const override;

 private:
  bool whole_rows() const { return piece_.r0 == 0 && piece_.r1 == geometry_.projection.rows; }
  Geometry geometry_;
  std::shared_ptr<const dist::Communicator> comm_;
  dist::Block slices_;
  StreamPiece piece_;
  std::unique_ptr<JosephProjector<T>> local_;  // null when no view reaches the slab
};

template <class T>
Operator<T> slab_projector(const Geometry& g, std::shared_ptr<const dist::Communicator> comm) {
  return Operator<T>(std::make_shared<const SlabProjector<T>>(g, std::move(comm)));
}

}  // namespace recon::ct

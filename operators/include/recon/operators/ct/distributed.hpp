// The CT projector split by views over the ranks of a communicator (docs/distributed.md,
// DESIGN.md section 10). Every rank holds the whole volume and a contiguous range of views:
// rank r of P has views [r V / P, (r + 1) V / P) (rounded down; uneven splits are fine and a
// rank may have none when V < P).
//   A_r x     = the rows of A x for the rank's views: computed locally by Joseph's projector of
//               the rank's views (streamed.hpp's piece_geometry, every slice and row), the same
//               rays with the same per-view vectors, hence bitwise the serial projector's rows;
//   A^T y     = sum over ranks of A_r^T y_r: the local adjoint, then one all-reduce of the volume
//               (equal to the serial A^T to float rounding: the sum runs in another order).
// Domain: the volume (replicated); range: the rank's share (views_r, rows, cols), empty on a
// rank without views. range_split() names the communicator, so that the solvers sum their inner
// products over the range across ranks (engine/src/solvers/range_reduce.hpp).
// With `stream_through` (a device) the arrays live in host memory and the rank's projector is
// streamed through that device (streamed.hpp), for data beyond its memory.
// Tests: tests/dist/test_distributed.cpp under mpiexec -n 1, 2, 3.
#pragma once

#include <memory>
#include <optional>

#include "recon/kernels/communicator.hpp"
#include "recon/operators/ct/geometry.hpp"
#include "recon/operators/ct/projector.hpp"
#include "recon/operators/linear_operator.hpp"
#include "recon/operators/operator.hpp"

namespace recon::ct {

// Views [begin, end) of rank `rank` among `ranks`.
using ViewRange = dist::Block;
ViewRange view_share(index_t views, int rank, int ranks);

template <class T>
class DistributedProjector final : public LinearOperator<T> {
 public:
  // Validates g (InvalidArgument naming the field at fault).
  DistributedProjector(const Geometry& g, std::shared_ptr<const dist::Communicator> comm,
                       const std::optional<Context>& stream_through = std::nullopt);
  const Geometry& geometry() const { return geometry_; }  // the whole scan's
  const ViewRange& views() const { return views_; }
  // The rank's projector (null on a rank without views).
  const LinearOperator<T>* local() const { return local_ ? &local_.get() : nullptr; }
  const dist::Communicator& communicator() const { return *comm_; }
  // The communicator when it has more than one rank (a single rank holds the whole range).
  const dist::Communicator* range_split() const override { return comm_->size() > 1 ? comm_.get() : nullptr; }

 protected:
  void do_apply(const Context& ctx, View<const T> x, View<T> y) const override;
  void do_adjoint(const Context& ctx, View<const T> y, View<T> x) const override;

 private:
  Geometry geometry_;
  std::shared_ptr<const dist::Communicator> comm_;
  ViewRange views_;
  Operator<T> local_;  // empty on a rank without views
};

template <class T>
Operator<T> distributed_projector(const Geometry& g, std::shared_ptr<const dist::Communicator> comm,
                                  const std::optional<Context>& stream_through = std::nullopt) {
  return Operator<T>(std::make_shared<const DistributedProjector<T>>(g, std::move(comm), stream_through));
}

}  // namespace recon::ct

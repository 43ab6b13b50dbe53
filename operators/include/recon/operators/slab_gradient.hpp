// The forward-difference gradient (finite_difference.hpp) of an array split into blocks along
// axis 0 over the ranks of a communicator: z-slabs of a volume, row blocks of an image
// (docs/distributed.md, "TV denoising over slabs"). Rank r holds rows dist::block_share(n0, r, P)
// of the whole array; its share of the range is (k, rows_r, ...), every component of its rows,
// so the isotropic group prox stays local.
//
// Each rank runs the serial gradient's own kernels on its block padded with the one neighbouring
// row a stencil needs (a one-row halo on each side), and keeps its rows of the result:
//   padded x:  [the previous rank's last row, own rows, the next rank's first row]
//   padded p:  [the previous rank's last row (every component), own rows, zero rows]
// D x needs the next row (x_{j+1} - x_j), D^T p the previous one (p_{j-1} - p_j). The rows a
// rank keeps are then computed by the same formula on the same values as in the serial operator
// (a halo row makes an edge row of the block interior exactly where it is interior in the whole
// array; where the serial kernel uses its boundary form the padded one does too, or the periodic
// wrap, whose value is the interior formula's), so both equal the serial operator's rows bitwise.
// The solvers' fused TV passes run on the same padded blocks (engine/src/tv/slab_fused_split.hpp),
// hence the padding helpers below. Per application one send_receive of one row each way
// (domain) or of k rows (range); device data move by dist::send_receive (NCCL, or staged
// through host memory: communicator.hpp's Transport).
// Neumann and periodic boundaries; periodic wraps the ring of ranks.
// Tests: tests/dist/test_slab_tv.cpp (plainly and under mpiexec -n 1, 2, 3).
#pragma once

#include <memory>

#include "recon/kernels/communicator.hpp"
#include "recon/operators/finite_difference.hpp"
#include "recon/operators/linear_operator.hpp"
#include "recon/operators/operator.hpp"

namespace recon {

template <class T>
class SlabGradient final : public LinearOperator<T> {
 public:
  // whole: the shape of the whole array (1-3 axes). InvalidArgument when it has fewer rows
  // along axis 0 than comm has ranks (every rank needs at least one row).
  SlabGradient(const Shape& whole, Boundary boundary, std::shared_ptr<const dist::Communicator> comm);
  // This rank's rows of axis 0.
  const dist::Block& block() const { return block_; }
  const Shape& whole() const { return whole_; }
  const dist::Communicator* domain_split() const override { return split(); }
  const dist::Communicator* range_split() const override { return split(); }
  bool range_groups_local() const override { return true; }

  // The serial gradient on the padded block (padded_rows() rows along axis 0); this rank's rows
  // start at row halo_before() of it.
  const DifferenceOperator<T>& padded() const { return *padded_.get().as_difference(); }
  index_t padded_rows() const { return padded_rows_; }
  index_t halo_before() const { return halo_before_; }
  // x (this rank's block) into the padded domain block, both halo rows received from the
  // neighbours; and back (own rows only).
  void pad_domain(const Context& ctx, const T* x, T* padded) const;
  void unpad_domain(const Context& ctx, const T* padded, T* x) const;
  // p (k components of this rank's rows) into the padded range block: the previous rank's last
  // row of every component before, zero rows after; and back.
  void pad_range(const Context& ctx, const T* p, T* padded) const;
  void unpad_range(const Context& ctx, const T* padded, T* p) const;

 protected:
  void do_apply(const Context& ctx, View<const T> x, View<T> y) const override;
  void do_adjoint(const Context& ctx, View<const T> y, View<T> x) const override;

 private:
  const dist::Communicator* split() const { return comm_->size() > 1 ? comm_.get() : nullptr; }
  // The row at `from` sent to rank `dest` while the row from rank `source` lands in `into`
  // (kNone: that side is skipped).
  void exchange_row(const Context& ctx, const T* from, int dest, T* into, int source) const;
  // Rows [first, first + count) of component c of a (k, rows, ...) array at `a`.
  template <class P>
  P* rows_at(P* a, int c, index_t rows, index_t first) const {
    return a + (c * rows + first) * row_size_;
  }

  Shape whole_;
  std::shared_ptr<const dist::Communicator> comm_;
  dist::Block block_;
  index_t row_size_ = 0;  // elements per row of axis 0
  int prev_ = dist::Communicator::kNone, next_ = dist::Communicator::kNone;
  Operator<T> padded_;  // the serial gradient on [halo, own rows, halo]
  index_t padded_rows_ = 0, halo_before_ = 0;
};

template <class T>
Operator<T> slab_gradient(const Shape& whole, Boundary boundary,
                          std::shared_ptr<const dist::Communicator> comm) {
  return Operator<T>(std::make_shared<const SlabGradient<T>>(whole, boundary, std::move(comm)));
}

}  // namespace recon

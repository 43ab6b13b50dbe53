// Orthonormal Walsh-Hadamard transform (DESIGN.md section 4) over the last `rank` axes (1-3),
// each of length 2^k, batched over the leading axes:
//   y = (H_{n_1} (x) ... (x) H_{n_rank}) x,  H_n = H_2^{(x)k} / sqrt(n),  H_2 = [[1, 1], [1, -1]]
// natural (Hadamard) order; with HadamardOrder::Sequency the output rows are reordered by the
// number of sign changes (Walsh order): row s of the result is natural row bitrev(gray(s)).
// Natural-order H is symmetric and orthogonal, so the adjoint is the transform itself and
// normal_inverse is b / (1 + lambda). Fast in-place O(n log n) butterflies: on the host a
// row (or a block of columns) at a time in cache; on the GPU a row of up to 32 KiB is
// transformed in shared memory (one read, one write), longer rows and other axes by one pass
// per butterfly stage. Subsampled Hadamard = compose(subsample(...), walsh_hadamard(...)).
// Tests: tests/operators/test_hadamard.cu (explicit Hadamard matrix, orthonormality, adjoint).
#pragma once

#include "recon/operators/operator.hpp"

namespace recon {

enum class HadamardOrder { Natural, Sequency };

template <class T>
class HadamardOperator final : public IsometryOperator<T> {
 public:
  HadamardOperator(const Shape& shape, int rank, HadamardOrder order);
  bool is_orthogonal() const override { return true; }
  int rank() const { return rank_; }
  HadamardOrder order() const { return order_; }

 protected:
  void do_apply(const Context& ctx, View<const T> x, View<T> y) const override;
  void do_adjoint(const Context& ctx, View<const T> y, View<T> x) const override;

 private:
  int rank_;
  HadamardOrder order_;
};

// rank 0: every axis of the shape (at most 3).
template <class T>
Operator<T> walsh_hadamard(const Shape& shape, int rank = 0, HadamardOrder order = HadamardOrder::Natural);

}  // namespace recon

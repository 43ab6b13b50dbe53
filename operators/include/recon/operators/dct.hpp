// Orthonormal discrete cosine transform (DCT-II) over the last `rank` axes (1-3), batched over
// the leading axes:
//   X[k] = prod_a s_{k_a} sum_j x[j] prod_a cos(pi k_a (2 j_a + 1) / (2 n_a)),
//   s_0 = sqrt(1 / n), s_k = sqrt(2 / n) for k > 0,
// the separable product of the 1D transform over the transformed axes (Rao & Yip, "Discrete
// Cosine Transform", 1990, ch. 2). Coefficient layout: the input's shape, coefficient k at
// index k (the DC term at index 0 of every transformed axis), as scipy.fft.dctn(x, type=2,
// norm="ortho", axes=the last rank axes) gives it. Any extents, odd or not powers of two.
//
// The DCT-II is orthogonal: the adjoint is the inverse, the orthonormal DCT-III (scipy's idctn
// with norm="ortho"); normal is a copy and normal_inverse is b / (1 + lambda).
// Computation (dct.cu): one real FFT of the half-sample mirrored extension of length 2 n_a per
// axis and a phase per bin (Makhoul, "A fast cosine transform in one and multiple
// dimensions", 1980), the same code on FFTW (host) and cuFFT (device). Work buffers, kept
// between calls: the extension, 2^rank times the input, and its half spectrum, about as much
// again (2^rank N (n_last + 1) / n_last reals for N elements).
// Tests: tests/operators/test_dct.cu (a direct O(N^2) cosine sum in 1D, 2D and 3D with odd and
// batched shapes, the adjoint, perfect reconstruction both ways, Parseval, the DC of a
// constant, hand values that scipy's dct reproduces, errors); tests/parity/test_operators.cu
// (cuFFT against FFTW).
#pragma once

#include "recon/operators/operator.hpp"

namespace recon {

template <class T>
class DctOperator final : public IsometryOperator<T> {
 public:
  DctOperator(const Shape& shape, int rank);
  bool is_orthogonal() const override { return true; }
  int rank() const { return rank_; }

 protected:
  void do_apply(const Context& ctx, View<const T> x, View<T> y) const override;
  void do_adjoint(const Context& ctx, View<const T> y, View<T> x) const override;

 private:
  int rank_;
};

// rank 0: every axis of the shape (at most 3). InvalidArgument for an empty shape or a rank
// outside 1..min(3, ndim).
template <class T>
Operator<T> dct(const Shape& shape, int rank = 0);

}  // namespace recon

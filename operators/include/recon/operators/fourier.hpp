// Unitary discrete Fourier transform over the last `rank` axes (1-3), batched over the leading
// ones (DESIGN.md section 4). Complex arrays are interleaved: a trailing axis of 2 (re, im).
//   ComplexToComplex: domain (..., n_1..n_r, 2) -> range (same); y_k = N^-1/2 sum_j x_j e^{-2 pi i k.j/N}
//     adjoint = inverse = the conjugate transform with N^-1/2.
//   RealToComplex: domain (..., n_1..n_r) real -> range (..., n_1..n_{r-1}, n_r/2 + 1, 2), the
//     non-redundant half of the spectrum. Bins whose Hermitian partner is not stored
//     (0 < k_r < n_r/2) carry a factor sqrt(2), so the map is an isometry on real data
//     (A^T A = I); divide those bins by sqrt(2) to read plain unitary DFT values. The adjoint
//     sums sum_k Re(z_k e^{+2 pi i k.j/N}) with the same weights.
//   fftshift: the zero frequency moves to the centre (numpy.fft.fftshift) on every transformed
//     axis except the halved last axis of RealToComplex.
// FFTW on the host, cuFFT on the device, plans made once and cached in the Context.
// normal_inverse: b / (1 + lambda) (A^T A = I). Partial Fourier = compose(subsample, fourier).
// Tests: tests/operators/test_fourier.cu (naive O(N^2) DFT, unitarity, adjoint).
#pragma once

#include "recon/operators/operator.hpp"

namespace recon {

enum class FourierKind { ComplexToComplex, RealToComplex };

template <class T>
class FourierOperator final : public IsometryOperator<T> {
 public:
  FourierOperator(const Shape& domain, int rank, FourierKind kind, bool fftshift);
  bool is_orthogonal() const override { return kind_ == FourierKind::ComplexToComplex; }
  int rank() const { return rank_; }
  FourierKind kind() const { return kind_; }

 protected:
  void do_apply(const Context& ctx, View<const T> x, View<T> y) const override;
  void do_adjoint(const Context& ctx, View<const T> y, View<T> x) const override;

 private:
  int rank_;
  FourierKind kind_;
  bool shift_;
};

// rank 0: every axis of the signal (all axes for RealToComplex, all but the trailing 2 for
// ComplexToComplex), at most 3.
template <class T>
Operator<T> fourier(const Shape& domain, FourierKind kind = FourierKind::ComplexToComplex, int rank = 0,
                    bool fftshift = false);

}  // namespace recon

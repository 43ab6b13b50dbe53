// Orthonormal discrete wavelet transform W (DESIGN.md section 4) over the last `rank` axes (1-3),
// batched over the leading axes, `levels` levels of Mallat's pyramid (Mallat, "A Wavelet Tour of
// Signal Processing", 7.3 and 7.7): each level transforms the current approximation block along
// every transformed axis with the orthonormal filter pair
//   a[i] = sum_k h[k] x[(2i + k + o) mod m],  d[i] = sum_k g[k] x[(2i + k + o) mod m],
//   g[k] = (-1)^k h[L-1-k],  o = 1 - L/2,
// where h is the Daubechies scaling filter of L taps (Daubechies, "Ten Lectures on Wavelets",
// table 6.1: Haar = db1 with L = 2, db2 4, db3 6, db4 8) and m the block's length on that axis.
// This is PyWavelets' mode "periodization" (pywt.wavedecn(x, w, mode="periodization") followed
// by pywt.coeffs_to_array gives the same array). Coefficient layout: in place, the shape of the
// input; along each axis the approximation is the first half of the block and the details the
// second half, so after `levels` levels the coarsest approximation is the corner block of
// extents n_a / 2^levels at index 0 (wavelet_approximation_shape, wavelet_detail_mask).
//
// Boundaries: Periodic wraps the signal (the periodic wavelet basis of Mallat 7.5.1), orthonormal
// for every filter and every even block length, including blocks shorter than the filter.
// Symmetric is accepted for Haar only: its filters never cross a pair of samples, so every
// extension gives the same transform as Periodic. For db2-db4 a symmetric extension of the
// signal does not give an orthogonal transform (the boundary wavelets of Cohen, Daubechies and
// Vial, "Wavelets on the interval and fast wavelet transforms", would), and an operator whose
// adjoint must be its inverse refuses it (InvalidArgument).
//
// W is orthogonal: the adjoint is the inverse (the synthesis pyramid), normal is a copy and
// normal_inverse is b / (1 + lambda). Each transformed axis must be divisible by 2^levels.
// Tests: tests/operators/test_wavelet.cu (adjoint, perfect reconstruction both ways, Parseval,
// a hand-computed Haar case, PyWavelets reference coefficients for db2-db4, the mask).
#pragma once

#include <string>
#include <vector>

#include "recon/operators/operator.hpp"

namespace recon {

enum class Wavelet { Haar, Db2, Db3, Db4 };
enum class WaveletBoundary { Periodic, Symmetric };

// "haar" or "db1" (the same filter), "db2", "db3", "db4"; InvalidArgument otherwise.
Wavelet parse_wavelet(const std::string& name);
// "periodic" (also PyWavelets' "periodization") or "symmetric".
WaveletBoundary parse_wavelet_boundary(const std::string& name);
std::string wavelet_name(Wavelet w);
// Filter length L: 2, 4, 6, 8.
int wavelet_taps(Wavelet w);

template <class T>
class WaveletOperator final : public IsometryOperator<T> {
 public:
  WaveletOperator(const Shape& shape, Wavelet wavelet, int levels, WaveletBoundary boundary, int rank);
  bool is_orthogonal() const override { return true; }
  Wavelet wavelet() const { return wavelet_; }
  int levels() const { return levels_; }
  WaveletBoundary boundary() const { return boundary_; }
  int rank() const { return rank_; }

 protected:
  void do_apply(const Context& ctx, View<const T> x, View<T> y) const override;
  void do_adjoint(const Context& ctx, View<const T> y, View<T> x) const override;

 private:
  Wavelet wavelet_;
  int levels_;
  WaveletBoundary boundary_;
  int rank_;
};

// rank 0: every axis of the shape (at most 3).
template <class T>
Operator<T> wavelet(const Shape& shape, Wavelet w, int levels,
                    WaveletBoundary boundary = WaveletBoundary::Periodic, int rank = 0);

// The coarsest approximation block: the shape with each of the last `rank` axes divided by
// 2^levels; it sits at index 0 of every transformed axis of the coefficients.
Shape wavelet_approximation_shape(const Shape& shape, int levels, int rank = 0);

// Weights in coefficient layout, 0 on the coarsest approximation block and 1 on every detail
// coefficient: a weighted l1 penalty ||mask .* W x||_1 leaves the coarse image unpenalised.
template <class T>
std::vector<T> wavelet_detail_mask(const Shape& shape, int levels, int rank = 0);

}  // namespace recon

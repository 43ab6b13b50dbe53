// Convolution with a kernel h (same number of axes as the domain, at most 3), centred at
// c = floor(k / 2) on each axis (DESIGN.md section 4; deblurring):
//   y_i = sum_j h_j x_{i + c - j}
// Boundary:
//   Circular  indices wrap (mod n): computed by FFT, y = F^-1(F g . F x) with g the kernel
//             embedded at offsets (j - c) mod n; adjoint multiplies by conj(F g). Any kernel size.
//   Neumann   a direct stencil on the half-sample mirrored signal (x_{-1} = x_0, x_n = x_{n-1});
//             kernel radius at most n on each axis. The adjoint is written out: each x_l
//             collects the outputs whose taps read its mirror images l, -1 - l and 2n - 1 - l.
//   Zero      a direct stencil with x = 0 outside; adjoint = correlation, zero outside.
// The stencils expose RECON_HD evaluators of one output element. Tests:
// tests/operators/test_convolution.cu (direct sums, adjoint, circular vs. a naive sum).
#pragma once

#include <vector>

#include "recon/kernels/macros.hpp"
#include "recon/operators/operator.hpp"

namespace recon {

enum class ConvolutionBoundary { Circular, Neumann, Zero };

// Geometry of a stencil on a domain padded to 3 axes (leading extents 1).
struct StencilGeometry {
  index_t n[3], k[3], c[3];
  bool neumann;
};

template <class T>
struct StencilEval {
  const T* h;
  const T* x;
  StencilGeometry g;
  RECON_HD T operator()(index_t e) const {
    const index_t i[3] = {e / (g.n[1] * g.n[2]), (e / g.n[2]) % g.n[1], e % g.n[2]};
    T acc = T(0);
    for (index_t j0 = 0; j0 < g.k[0]; ++j0) {
      const index_t p0 = source(i[0] + g.c[0] - j0, g.n[0]);
      if (p0 < 0) continue;
      for (index_t j1 = 0; j1 < g.k[1]; ++j1) {
        const index_t p1 = source(i[1] + g.c[1] - j1, g.n[1]);
        if (p1 < 0) continue;
        for (index_t j2 = 0; j2 < g.k[2]; ++j2) {
          const index_t p2 = source(i[2] + g.c[2] - j2, g.n[2]);
          if (p2 < 0) continue;
          acc += h[(j0 * g.k[1] + j1) * g.k[2] + j2] * x[(p0 * g.n[1] + p1) * g.n[2] + p2];
        }
      }
    }
    return acc;
  }
  // The index read for position p: mirrored (Neumann) or -1 outside (zero boundary).
  RECON_HD index_t source(index_t p, index_t n) const {
    if (p >= 0 && p < n) return p;
    if (!g.neumann) return -1;
    return p < 0 ? -1 - p : 2 * n - 1 - p;
  }
};

template <class T>
class ConvolutionOperator final : public LinearOperator<T> {
 public:
  // kernel: values in C order with shape kernel_shape (same number of axes as domain).
  ConvolutionOperator(const Context& ctx, const Shape& domain, const Shape& kernel_shape,
                      const std::vector<T>& kernel, ConvolutionBoundary boundary);
  ConvolutionBoundary boundary() const { return boundary_; }
  // Per-element evaluator of the direct stencils (not for Circular).
  StencilEval<T> evaluator(const T* x) const;

 protected:
  void do_apply(const Context& ctx, View<const T> x, View<T> y) const override;
  void do_adjoint(const Context& ctx, View<const T> y, View<T> x) const override;

 private:
  void circular(const Context& ctx, const T* in, T* out, bool conjugate) const;
  ConvolutionBoundary boundary_;
  StencilGeometry geometry_;
  Array<T> kernel_;  // the stencil taps (direct) or the spectrum of the embedded kernel (circular)
};

template <class T>
Operator<T> convolution(const Context& ctx, const Shape& domain, const Shape& kernel_shape,
                        const std::vector<T>& kernel,
                        ConvolutionBoundary boundary = ConvolutionBoundary::Circular);

}  // namespace recon

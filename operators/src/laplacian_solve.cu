// Spectral solve of (D^T D + lambda I) x = b (see laplacian_solve.hpp).
#include "laplacian_solve.hpp"

#include <cmath>

#include "fft.hpp"
#include "mirror_extension.hpp"
#include "recon/kernels/parallel_for.hpp"

namespace recon::detail {

LaplacianGrid laplacian_grid(const Shape& shape, const std::vector<int>& axes, bool periodic) {
  LaplacianGrid g{shape, Shape{}, 0, periodic};
  for (int a : axes) g.axes_mask |= 1 << a;
  for (int a = 0; a < shape.ndim(); ++a)
    g.extended.push_back(!periodic && (g.axes_mask >> a & 1) ? 2 * shape[a] : shape[a]);
  return g;
}

Shape laplacian_spectrum_shape(const LaplacianGrid& g) {
  return Shape{fft_shape(g.extended, g.extended.ndim(), "normal_inverse").half_size(), 2};
}

// v *= 1 / ((sum_a w_a 4 sin^2(pi k_a / period_a) + lambda) * scale) over a grid of `bins`
// (extent) with `components` values per bin (2 for interleaved complex, 1 for real).
template <class T>
void divide_by_eigenvalues(const Context& ctx, Dims3 bins, Dims3 period, int mask3, T lambda, double scale,
                           int components, T* v) {
  const T inv_scale = static_cast<T>(1.0 / scale);
  const T pi = static_cast<T>(3.14159265358979323846);
  parallel_for(ctx, Extent3{bins.n[0], bins.n[1], bins.n[2]},
               [=] RECON_HD(index_t k0, index_t k1, index_t k2) {
                 const index_t k[3] = {k0, k1, k2};
                 T eig = lambda;
                 for (int a = 0; a < 3; ++a)
                   if (mask3 >> a & 1) {
                     const T s = sin(pi * static_cast<T>(k[a]) / static_cast<T>(period.n[a]));
                     eig += T(4) * s * s;
                   }
                 const T f = inv_scale / eig;
                 const index_t i = components * ((k0 * bins.n[1] + k1) * bins.n[2] + k2);
                 for (int c = 0; c < components; ++c) v[i + c] *= f;
               });
}

template <class T>
void laplacian_solve_fft(const Context& ctx, const LaplacianGrid& g, T lambda, const T* b, T* x, T* ext,
                         T* spec) {
  const Dims3 n = dims3(g.shape), m = dims3(g.extended);
  const int mask3 = g.axes_mask << (3 - g.shape.ndim());
  const FftShape fs = fft_shape(g.extended, g.extended.ndim(), "normal_inverse");
  const bool extended = g.extended != g.shape;
  if (extended) mirror_extend(ctx, n, m, b, ext);
  fft_r2c<T>(ctx, fs, extended ? ext : b, spec);
  const Dims3 half{{m.n[0], m.n[1], m.n[2] / 2 + 1}};
  divide_by_eigenvalues(ctx, half, m, mask3, lambda, static_cast<double>(fs.real_size()), 2, spec);
  fft_c2r<T>(ctx, fs, spec, extended ? ext : x);
  if (extended) restrict_to_domain(ctx, n, m, ext, x);
}

template <class T>
void laplacian_solve_dct(const Context& ctx, const LaplacianGrid& g, T lambda, const T* b, T* x) {
  const Dims3 n = dims3(g.shape);
  const FftShape fs = fft_shape(g.shape, g.shape.ndim(), "normal_inverse");
  const Dims3 period{{2 * n.n[0], 2 * n.n[1], 2 * n.n[2]}};
  const double scale = static_cast<double>(fs.real_size()) * (1 << g.shape.ndim());  // prod 2 n_a
  fftw_dct<T>(ctx, fs, false, b, x);
  divide_by_eigenvalues(ctx, n, period, g.axes_mask << (3 - g.shape.ndim()), lambda, scale, 1, x);
  fftw_dct<T>(ctx, fs, true, x, x);
}

#define RECON_INSTANTIATE_LAPLACIAN(T)                                                                 \
  template void laplacian_solve_fft<T>(const Context&, const LaplacianGrid&, T, const T*, T*, T*, T*); \
  template void laplacian_solve_dct<T>(const Context&, const LaplacianGrid&, T, const T*, T*);
RECON_INSTANTIATE_LAPLACIAN(float)
RECON_INSTANTIATE_LAPLACIAN(double)

}  // namespace recon::detail

// Spectral solve of (D^T D + lambda I) x = b (see laplacian_solve.hpp).
#include "laplacian_solve.hpp"

#include <cmath>

#include "fft.hpp"
#include "recon/kernels/parallel_for.hpp"

namespace recon::detail {

namespace {
// The 3 axes of a shape of at most 3 axes, padded in front with extent 1.
struct Dims3 {
  index_t n[3];
};
Dims3 dims3(const Shape& s) {
  Dims3 d{{s.back(2), s.back(1), s.back(0)}};
  return d;
}
}  // namespace

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

// Mirror index of the half-sample symmetric extension: j for j < n, 2n - 1 - j after.
RECON_HD inline index_t mirror(index_t j, index_t n) { return j < n ? j : 2 * n - 1 - j; }

// ext(z, y, x) = b(mirror(z), mirror(y), mirror(x)) on the extended grid.
template <class T>
void mirror_extend(const Context& ctx, Dims3 n, Dims3 m, const T* b, T* ext) {
  parallel_for(ctx, Extent3{m.n[0], m.n[1], m.n[2]}, [=] RECON_HD(index_t z, index_t y, index_t x) {
    ext[(z * m.n[1] + y) * m.n[2] + x] =
        b[(mirror(z, n.n[0]) * n.n[1] + mirror(y, n.n[1])) * n.n[2] + mirror(x, n.n[2])];
  });
}

// x = the first n entries along each axis of ext.
template <class T>
void restrict_to_domain(const Context& ctx, Dims3 n, Dims3 m, const T* ext, T* x) {
  parallel_for(ctx, Extent3{n.n[0], n.n[1], n.n[2]}, [=] RECON_HD(index_t z, index_t y, index_t x_) {
    x[(z * n.n[1] + y) * n.n[2] + x_] = ext[(z * m.n[1] + y) * m.n[2] + x_];
  });
}

// spec *= 1 / ((sum_a w_a 4 sin^2(pi k_a / m_a) + lambda) * M) on the r2c half grid.
template <class T>
void divide_by_eigenvalues(const Context& ctx, Dims3 m, int mask3, T lambda, T* spec) {
  const index_t h = m.n[2] / 2 + 1;
  const double total = static_cast<double>(m.n[0]) * m.n[1] * m.n[2];
  const T inv_total = static_cast<T>(1.0 / total);
  const T pi = static_cast<T>(3.14159265358979323846);
  parallel_for(ctx, Extent3{m.n[0], m.n[1], h}, [=] RECON_HD(index_t k0, index_t k1, index_t k2) {
    const index_t k[3] = {k0, k1, k2};
    T eig = lambda;
    for (int a = 0; a < 3; ++a)
      if (mask3 >> a & 1) {
        const T s = sin(pi * static_cast<T>(k[a]) / static_cast<T>(m.n[a]));
        eig += T(4) * s * s;
      }
    const T f = inv_total / eig;
    const index_t i = 2 * ((k0 * m.n[1] + k1) * h + k2);
    spec[i] *= f;
    spec[i + 1] *= f;
  });
}

template <class T>
void laplacian_solve(const Context& ctx, const LaplacianGrid& g, T lambda, const T* b, T* x, T* ext, T* spec) {
  const Dims3 n = dims3(g.shape), m = dims3(g.extended);
  const int pad = 3 - g.shape.ndim();
  const int mask3 = g.axes_mask << pad;
  const FftShape fs = fft_shape(g.extended, g.extended.ndim(), "normal_inverse");
  const bool extended = g.extended != g.shape;
  if (extended) mirror_extend(ctx, n, m, b, ext);
  fft_r2c<T>(ctx, fs, extended ? ext : b, spec);
  divide_by_eigenvalues(ctx, m, mask3, lambda, spec);
  fft_c2r<T>(ctx, fs, spec, extended ? ext : x);
  if (extended) restrict_to_domain(ctx, n, m, ext, x);
}

template void laplacian_solve<float>(const Context&, const LaplacianGrid&, float, const float*, float*, float*, float*);
template void laplacian_solve<double>(const Context&, const LaplacianGrid&, double, const double*, double*, double*,
                                      double*);

}  // namespace recon::detail

// Orthonormal DCT-II through the FFT of the half-sample mirrored extension (formulas in dct.hpp).
//
// Why it works, one axis of length n (Makhoul 1980, sec. II; the multi-dimensional case is the
// product over the axes): with e[j] = x[mirror(j)] on [0, 2n),
//   E[k] = sum_{j<2n} e[j] e^{-i pi j k / n} = 2 e^{i pi k / (2n)} C[k],
//   C[k] = sum_{j<n} x[j] cos(pi k (2j + 1) / (2n)),
// so X[k] = (s_k / 2) Re(E[k] e^{-i pi k / (2n)}) for k < n, inside the r2c half spectrum.
// Inverse (DCT-III): Z[k] = e^{i pi k / (2n)} D[k] with D[k] = s_0 X[0] for k = 0,
// (s_k / 2) X[k] for 0 < k < n, 0 for k = n and D[2n - k] = -D[k] is Hermitian, and its
// unnormalised inverse DFT is, on j < n, D[0] + 2 sum_{0<k<n} D[k] cos(pi k (2j + 1) / (2n)) = x[j].
#include "recon/operators/dct.hpp"

#include <cmath>
#include <string>

#include "fft.hpp"
#include "mirror_extension.hpp"
#include "recon/kernels/parallel_for.hpp"

namespace recon {

namespace detail {

// The transformed axes padded in front to 3 with extent 1 (never scaled, never extended).
template <class T>
struct DctGrid {
  Dims3 n, m;           // extents, extended extents (2n on the transformed axes)
  index_t batch, half;  // arrays, r2c bins on the last axis (n_last + 1)
  T fw0[3], fw1[3];     // forward weight of bin 0 and of k > 0: s_k / 2 (1 on padding)
  T iw0[3], iw1[3];     // inverse: s_0 and s_k / 2 (1 on padding)
  T step[3];            // pi / (2 n_a), 0 on padding
};

template <class T>
DctGrid<T> dct_grid(const Shape& shape, int rank) {
  DctGrid<T> g{};
  Shape t;
  for (int a = shape.ndim() - rank; a < shape.ndim(); ++a) t.push_back(shape[a]);
  g.n = dims3(t);
  g.batch = shape.size() / t.size();
  for (int a = 0; a < 3; ++a) {
    const bool on = a >= 3 - rank;
    const double n = static_cast<double>(g.n.n[a]);
    g.m.n[a] = on ? 2 * g.n.n[a] : 1;
    g.fw0[a] = static_cast<T>(on ? 0.5 / std::sqrt(n) : 1.0);
    g.fw1[a] = static_cast<T>(on ? 0.5 * std::sqrt(2.0 / n) : 1.0);
    g.iw0[a] = static_cast<T>(on ? 1.0 / std::sqrt(n) : 1.0);
    g.iw1[a] = static_cast<T>(on ? 0.5 * std::sqrt(2.0 / n) : 1.0);
    g.step[a] = static_cast<T>(on ? 3.14159265358979323846 / (2.0 * n) : 0.0);
  }
  g.half = g.n.n[2] + 1;
  return g;
}

// (c + i s) *= e^{i t}: the phase accumulated one axis at a time, each angle below pi.
template <class T>
RECON_HD inline void rotate(T& c, T& s, T t) {
  const T ct = cos(t), st = sin(t), cn = c * ct - s * st;
  s = c * st + s * ct;
  c = cn;
}

// y[i, k] = prod_a w_a(k_a) Re(spec[i, k] e^{-i sum_a step_a k_a}) for k_a < n_a.
template <class T>
void dct_from_spectrum(const Context& ctx, const DctGrid<T>& g, const T* spec, T* y) {
  parallel_for(ctx, Extent3{g.batch * g.n.n[0], g.n.n[1], g.n.n[2]},
               [=] RECON_HD(index_t bz, index_t k1, index_t k2) {
                 const index_t i = bz / g.n.n[0], k0 = bz % g.n.n[0];
                 const index_t k[3] = {k0, k1, k2};
                 T c = 1, s = 0, w = 1;  // c + i s = e^{-i theta}
                 for (int a = 0; a < 3; ++a) {
                   rotate(c, s, -g.step[a] * static_cast<T>(k[a]));
                   w *= k[a] == 0 ? g.fw0[a] : g.fw1[a];
                 }
                 const index_t b = ((i * g.m.n[0] + k0) * g.m.n[1] + k1) * g.half + k2;
                 y[(bz * g.n.n[1] + k1) * g.n.n[2] + k2] = w * (spec[2 * b] * c - spec[2 * b + 1] * s);
               });
}

// The Hermitian half spectrum whose inverse DFT, restricted to the domain, is the DCT-III of y:
// spec[i, k] = e^{i sum_a step_a k_a} prod_a D_a, D_a the antisymmetric extension above.
template <class T>
void dct_to_spectrum(const Context& ctx, const DctGrid<T>& g, const T* y, T* spec) {
  parallel_for(ctx, Extent3{g.batch * g.m.n[0], g.m.n[1], g.half},
               [=] RECON_HD(index_t bz, index_t k1, index_t k2) {
                 const index_t i = bz / g.m.n[0], k0 = bz % g.m.n[0];
                 const index_t k[3] = {k0, k1, k2};
                 index_t src = i;
                 T c = 1, s = 0, w = 1;  // c + i s = e^{+i theta}
                 for (int a = 0; a < 3; ++a) {
                   const index_t n = g.n.n[a];
                   index_t kf = k[a];
                   if (kf == n) w = 0;
                   if (kf > n) {
                     kf = 2 * n - kf;
                     w = -w;
                   }
                   src = src * n + (kf < n ? kf : 0);
                   w *= kf == 0 ? g.iw0[a] : g.iw1[a];
                   rotate(c, s, g.step[a] * static_cast<T>(k[a]));
                 }
                 const T v = w * y[src];
                 const index_t b = (bz * g.m.n[1] + k1) * g.half + k2;
                 spec[2 * b] = v * c;
                 spec[2 * b + 1] = v * s;
               });
}

}  // namespace detail

namespace {

int checked_rank(const Shape& shape, int rank) {
  if (rank == 0) rank = shape.ndim();
  if (rank < 1 || rank > 3 || rank > shape.ndim())
    throw InvalidArgument("Dct: transforms 1 to 3 trailing axes, asked for " + std::to_string(rank) +
                          " of the shape " + shape.str());
  return rank;
}

// The shape with each of the last `rank` axes doubled: the mirrored extension.
Shape extended_shape(const Shape& shape, int rank) {
  Shape e;
  for (int a = 0; a < shape.ndim(); ++a) e.push_back(a >= shape.ndim() - rank ? 2 * shape[a] : shape[a]);
  return e;
}

}  // namespace

template <class T>
DctOperator<T>::DctOperator(const Shape& shape, int rank)
    : IsometryOperator<T>("Dct", shape, shape), rank_(checked_rank(shape, rank)) {
  detail::fft_shape(extended_shape(shape, rank_), rank_, "Dct");  // 2 n_a within the FFT's int extents
}

template <class T>
void DctOperator<T>::do_apply(const Context& ctx, View<const T> x, View<T> y) const {
  const Shape ext_shape = extended_shape(this->domain(), rank_);
  const detail::FftShape fs = detail::fft_shape(ext_shape, rank_, "Dct");
  const auto g = detail::dct_grid<T>(this->domain(), rank_);
  View<T> ext = this->scratch(ctx, 0, ext_shape);
  View<T> spec = this->scratch(ctx, 1, Shape{fs.batch * fs.half_size(), 2});
  detail::mirror_extend(ctx, g.n, g.m, x.data(), ext.data(), g.batch);
  detail::fft_r2c<T>(ctx, fs, ext.data(), spec.data());
  detail::dct_from_spectrum(ctx, g, spec.data(), y.data());
}

template <class T>
void DctOperator<T>::do_adjoint(const Context& ctx, View<const T> y, View<T> x) const {
  const Shape ext_shape = extended_shape(this->domain(), rank_);
  const detail::FftShape fs = detail::fft_shape(ext_shape, rank_, "Dct");
  const auto g = detail::dct_grid<T>(this->domain(), rank_);
  View<T> ext = this->scratch(ctx, 0, ext_shape);
  View<T> spec = this->scratch(ctx, 1, Shape{fs.batch * fs.half_size(), 2});
  detail::dct_to_spectrum(ctx, g, y.data(), spec.data());
  detail::fft_c2r<T>(ctx, fs, spec.data(), ext.data());
  detail::restrict_to_domain(ctx, g.n, g.m, ext.data(), x.data(), g.batch);
}

template <class T>
Operator<T> dct(const Shape& shape, int rank) {
  return Operator<T>(std::make_shared<DctOperator<T>>(shape, rank));
}

template class DctOperator<float>;
template class DctOperator<double>;
template Operator<float> dct<float>(const Shape&, int);
template Operator<double> dct<double>(const Shape&, int);

}  // namespace recon

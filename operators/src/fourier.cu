// Unitary FFT operator (formulas in fourier.hpp): the library transform into a work buffer,
// then one pass that applies the unitary weights and the optional fftshift (or, for the
// adjoint, the inverse shift, the weights and the Hermitian symmetrisation) before the inverse.
#include "recon/operators/fourier.hpp"

#include <cmath>
#include <string>

#include "fft.hpp"
#include "recon/kernels/parallel_for.hpp"
#include "recon/kernels/vector_ops.hpp"

namespace recon {

namespace detail {

// Bin layout of the spectrum: `rank` axes with extents m[a] (the last one halved for r2c),
// n[a] the transform lengths, batched.
struct SpectrumLayout {
  index_t n[3], m[3];
  int rank;
  bool half;     // r2c: the last axis holds n/2 + 1 bins
  bool shift;    // fftshift on the full axes
  double scale;  // N^-1/2
};

namespace {
// Shift of coordinate k on axis a: forward fftshift reads source (k - n/2) mod n.
RECON_HD inline index_t shifted(const SpectrumLayout& L, int a, index_t k, bool forward) {
  if (!L.shift || (L.half && a == L.rank - 1)) return k;
  const index_t n = L.n[a];
  return forward ? (k + n - n / 2) % n : (k + n / 2) % n;
}

// r2c weight of a last-axis bin: sqrt(2) where the Hermitian partner is not stored.
RECON_HD inline bool unpaired(const SpectrumLayout& L, index_t k_last) {
  const index_t n = L.n[L.rank - 1];
  return L.half && k_last > 0 && 2 * k_last != n;
}
}  // namespace

// y = weights * fftshift(s): element e of the range.
template <class T>
struct SpectrumPost {
  const T* s;
  T* y;
  SpectrumLayout L;
  RECON_HD void operator()(index_t e) const {
    index_t rest = e, src = 0, stride = 1, k_last = 0;
    for (int a = L.rank - 1; a >= 0; --a) {
      const index_t k = rest % L.m[a];
      rest /= L.m[a];
      if (a == L.rank - 1) k_last = k;
      src += stride * shifted(L, a, k, true);
      stride *= L.m[a];
    }
    src += rest * stride;
    const T w = static_cast<T>(unpaired(L, k_last) ? L.scale * 1.4142135623730951 : L.scale);
    y[2 * e] = w * s[2 * src];
    y[2 * e + 1] = w * s[2 * src + 1];
  }
};

// s = weights * ifftshift(y), Hermitian-symmetrised on the self-paired r2c bins, so that the
// library's inverse (c2c, or c2r which assumes Hermitian input) yields the adjoint.
template <class T>
struct SpectrumPre {
  const T* y;
  T* s;
  SpectrumLayout L;
  RECON_HD void operator()(index_t e) const {
    index_t rest = e, src = 0, partner = 0, stride = 1, k_last = 0;
    for (int a = L.rank - 1; a >= 0; --a) {
      const index_t j = rest % L.m[a];
      rest /= L.m[a];
      if (a == L.rank - 1) k_last = j;
      const index_t mirror = (a == L.rank - 1 && L.half) ? j : (L.n[a] - j) % L.n[a];
      src += stride * shifted(L, a, j, false);
      partner += stride * shifted(L, a, mirror, false);
      stride *= L.m[a];
    }
    src += rest * stride;
    partner += rest * stride;
    T re = y[2 * src], im = y[2 * src + 1];
    T w = static_cast<T>(L.scale);
    if (L.half) {
      if (unpaired(L, k_last)) {
        w = static_cast<T>(L.scale * 0.7071067811865476);  // sqrt(2)/2: c2r counts these twice
      } else {
        re = (re + y[2 * partner]) / T(2);
        im = (im - y[2 * partner + 1]) / T(2);
      }
    }
    s[2 * e] = w * re;
    s[2 * e + 1] = w * im;
  }
};

template <class T>
void spectrum_post(const Context& ctx, const SpectrumLayout& L, index_t bins, const T* s, T* y) {
  parallel_for(ctx, bins, SpectrumPost<T>{s, y, L});
}

template <class T>
void spectrum_pre(const Context& ctx, const SpectrumLayout& L, index_t bins, const T* y, T* s) {
  parallel_for(ctx, bins, SpectrumPre<T>{y, s, L});
}

}  // namespace detail

namespace {

// The signal shape: the domain without the trailing 2 of complex data.
Shape signal_shape(const Shape& domain, FourierKind kind) {
  if (kind == FourierKind::RealToComplex) return domain;
  if (domain.ndim() < 2 || domain[domain.ndim() - 1] != 2)
    throw ShapeMismatch("Fourier: a complex domain ends in an axis of 2 (re, im), got " + domain.str());
  Shape s;
  for (int a = 0; a + 1 < domain.ndim(); ++a) s.push_back(domain[a]);
  return s;
}

int signal_rank(const Shape& domain, FourierKind kind, int rank) {
  const Shape s = signal_shape(domain, kind);
  if (rank == 0) rank = s.ndim();
  detail::fft_shape(s, rank, "Fourier");  // validates 1 <= rank <= 3
  return rank;
}

Shape fourier_range(const Shape& domain, FourierKind kind, int rank) {
  if (kind == FourierKind::ComplexToComplex) return domain;
  signal_rank(domain, kind, rank);
  if (domain.ndim() > 3)
    throw InvalidArgument("Fourier: a real domain " + domain.str() +
                          " has more than 3 axes; the spectrum needs one more");
  Shape r;
  for (int a = 0; a + 1 < domain.ndim(); ++a) r.push_back(domain[a]);
  r.push_back(domain[domain.ndim() - 1] / 2 + 1);
  r.push_back(2);
  return r;
}

}  // namespace

template <class T>
FourierOperator<T>::FourierOperator(const Shape& domain, int rank, FourierKind kind, bool fftshift)
    : IsometryOperator<T>(kind == FourierKind::RealToComplex ? "FourierR2C" : "Fourier", domain,
                          fourier_range(domain, kind, rank)),
      rank_(signal_rank(domain, kind, rank)),
      kind_(kind),
      shift_(fftshift) {}

namespace {
template <class T>
detail::SpectrumLayout layout(const detail::FftShape& f, bool half, bool shift) {
  detail::SpectrumLayout L{};
  L.rank = f.rank;
  L.half = half;
  L.shift = shift;
  for (int a = 0; a < f.rank; ++a) L.n[a] = L.m[a] = f.n[a];
  if (half) L.m[f.rank - 1] = f.n[f.rank - 1] / 2 + 1;
  L.scale = 1.0 / std::sqrt(static_cast<double>(f.real_size()));
  return L;
}
}  // namespace

template <class T>
void FourierOperator<T>::do_apply(const Context& ctx, View<const T> x, View<T> y) const {
  const bool half = kind_ == FourierKind::RealToComplex;
  const auto f = detail::fft_shape(signal_shape(this->domain(), kind_), rank_, "Fourier");
  View<T> s = this->scratch(ctx, 1, this->range());
  if (half)
    detail::fft_r2c<T>(ctx, f, x.data(), s.data());
  else
    detail::fft_c2c<T>(ctx, f, x.data(), s.data(), false);
  detail::spectrum_post(ctx, layout<T>(f, half, shift_), this->range().size() / 2, s.data(), y.data());
}

template <class T>
void FourierOperator<T>::do_adjoint(const Context& ctx, View<const T> y, View<T> x) const {
  const bool half = kind_ == FourierKind::RealToComplex;
  const auto f = detail::fft_shape(signal_shape(this->domain(), kind_), rank_, "Fourier");
  View<T> s = this->scratch(ctx, 1, this->range());
  detail::spectrum_pre(ctx, layout<T>(f, half, shift_), this->range().size() / 2, y.data(), s.data());
  if (half)
    detail::fft_c2r<T>(ctx, f, s.data(), x.data());
  else
    detail::fft_c2c<T>(ctx, f, s.data(), x.data(), true);
}

template <class T>
Operator<T> fourier(const Shape& domain, FourierKind kind, int rank, bool fftshift) {
  return Operator<T>(std::make_shared<FourierOperator<T>>(domain, rank, kind, fftshift));
}

template class FourierOperator<float>;
template class FourierOperator<double>;
template Operator<float> fourier<float>(const Shape&, FourierKind, int, bool);
template Operator<double> fourier<double>(const Shape&, FourierKind, int, bool);

}  // namespace recon

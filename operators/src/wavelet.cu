// Orthonormal discrete wavelet transform kernels (formulas, layout and boundaries in wavelet.hpp).
#include "recon/operators/wavelet.hpp"

#include <string>

#include "recon/kernels/parallel_for.hpp"
#include "recon/kernels/vector_ops.hpp"

namespace recon {

namespace {

// Daubechies scaling filters h (sum h = sqrt(2), sum h^2 = 1) as PyWavelets 1.8 gives them
// (pywt.Wavelet(name).rec_lo; Daubechies, "Ten Lectures on Wavelets", table 6.1).
constexpr double kHaar[] = {0.7071067811865476, 0.7071067811865476};
constexpr double kDb2[] = {0.48296291314453416, 0.8365163037378079, 0.2241438680420134, -0.12940952255126037};
constexpr double kDb3[] = {0.33267055295008263,  0.8068915093110925,   0.45987750211849154,
                           -0.13501102001025458, -0.08544127388202666, 0.03522629188570953};
constexpr double kDb4[] = {0.2303778133088965,    0.7148465705529157,   0.6308807679298589,
                           -0.027983769416859854, -0.18703481171909309, 0.030841381835560764,
                           0.0328830116668852,    -0.010597401785069032};

const double* scaling_filter(Wavelet w) {
  switch (w) {
    case Wavelet::Haar:
      return kHaar;
    case Wavelet::Db2:
      return kDb2;
    case Wavelet::Db3:
      return kDb3;
    case Wavelet::Db4:
      return kDb4;
  }
  throw InvalidArgument("Wavelet: unknown wavelet");
}

int checked_rank(const Shape& shape, int rank) {
  if (rank == 0) rank = shape.ndim();
  if (rank < 1 || rank > 3 || rank > shape.ndim())
    throw InvalidArgument("Wavelet: transforms 1 to 3 trailing axes, asked for " + std::to_string(rank) +
                          " of the shape " + shape.str());
  return rank;
}

// Every transformed axis must halve `levels` times (each level splits an even block in two).
void check_levels(const Shape& shape, int levels, int rank) {
  if (levels < 1) throw InvalidArgument("Wavelet: levels must be >= 1, got " + std::to_string(levels));
  for (int a = shape.ndim() - rank; a < shape.ndim(); ++a) {
    index_t m = shape[a];
    for (int l = 0; l < levels; ++l, m /= 2)
      if (m % 2 != 0 || m == 0)
        throw InvalidArgument("Wavelet: axis " + std::to_string(a) + " of " + shape.str() + " has length " +
                              std::to_string(shape[a]) + ", not divisible by 2^" + std::to_string(levels) +
                              " (levels " + std::to_string(levels) + ")");
  }
}

}  // namespace

Wavelet parse_wavelet(const std::string& name) {
  if (name == "haar" || name == "db1") return Wavelet::Haar;
  if (name == "db2") return Wavelet::Db2;
  if (name == "db3") return Wavelet::Db3;
  if (name == "db4") return Wavelet::Db4;
  throw InvalidArgument("Wavelet: unknown wavelet '" + name + "', expected haar, db1, db2, db3 or db4");
}

WaveletBoundary parse_wavelet_boundary(const std::string& name) {
  if (name == "periodic" || name == "periodization") return WaveletBoundary::Periodic;
  if (name == "symmetric") return WaveletBoundary::Symmetric;
  throw InvalidArgument("Wavelet: unknown boundary '" + name + "', expected periodic or symmetric");
}

std::string wavelet_name(Wavelet w) {
  switch (w) {
    case Wavelet::Haar:
      return "haar";
    case Wavelet::Db2:
      return "db2";
    case Wavelet::Db3:
      return "db3";
    case Wavelet::Db4:
      return "db4";
  }
  throw InvalidArgument("Wavelet: unknown wavelet");
}

int wavelet_taps(Wavelet w) { return 2 * (static_cast<int>(w) + 1); }

namespace detail {

constexpr int kMaxWaveletTaps = 8;

template <class T>
struct WaveletFilters {
  T h[kMaxWaveletTaps], g[kMaxWaveletTaps];
  int taps, offset;
};

// The array as (batch, n[0], n[1], n[2]) with unit extents padding a rank below 3; one pass
// touches the block [0, m[0]) x [0, m[1]) x [0, m[2]) of every batch item along axis `axis`.
struct WaveletBlock {
  index_t n[3], m[3];
  int axis;
  // Element e of the block (row-major over batch and m): the flat index of its line's first
  // element in the array, and the position j along the axis.
  RECON_HD void locate(index_t e, index_t& line, index_t& j, index_t& stride) const {
    index_t c[3];
    for (int a = 2; a >= 0; --a) {
      c[a] = e % m[a];
      e /= m[a];
    }
    const index_t s[3] = {n[1] * n[2], n[2], 1};
    line = e * n[0] * n[1] * n[2];
    for (int a = 0; a < 3; ++a)
      if (a != axis) line += c[a] * s[a];
    j = c[axis];
    stride = s[axis];
  }
  index_t size(index_t batch) const { return batch * m[0] * m[1] * m[2]; }
};

RECON_HD inline index_t wrap(index_t i, index_t m) {
  const index_t r = i % m;
  return r < 0 ? r + m : r;
}

enum class WaveletPassKind { Analysis, Synthesis, Copy };

// One pass over the block along b.axis, one output element per index:
// Analysis: position j < m/2 gets a[j], j >= m/2 gets d[j - m/2].
// Synthesis (the transpose): x[j] = sum over the taps k with 2i + k + o = j (mod m) of
//   h[k] a[i] + g[k] d[i].
// Copy: the block unchanged (to start an odd number of passes from the scratch array).
template <class T, WaveletPassKind Kind>
struct WaveletPass {
  const T* src;
  T* dst;
  WaveletBlock b;
  WaveletFilters<T> f;
  RECON_HD void operator()(index_t e) const {
    index_t line, j, s;
    b.locate(e, line, j, s);
    const index_t m = b.m[b.axis], half = m / 2;
    T acc = 0;
    if constexpr (Kind == WaveletPassKind::Analysis) {
      const bool high = j >= half;
      const index_t i = high ? j - half : j;
      const T* w = high ? f.g : f.h;
      for (int k = 0; k < f.taps; ++k) acc += w[k] * src[line + wrap(2 * i + k + f.offset, m) * s];
    } else if constexpr (Kind == WaveletPassKind::Synthesis) {
      for (int k = static_cast<int>(wrap(j - f.offset, 2)); k < f.taps; k += 2) {
        const index_t i = wrap(j - k - f.offset, m) / 2;
        acc += f.h[k] * src[line + i * s] + f.g[k] * src[line + (half + i) * s];
      }
    } else {
      acc = src[line + j * s];
    }
    dst[line + j * s] = acc;
  }
};

template <class T>
WaveletFilters<T> wavelet_filters(Wavelet w) {
  WaveletFilters<T> f{};
  const double* h = scaling_filter(w);
  f.taps = wavelet_taps(w);
  f.offset = 1 - f.taps / 2;
  for (int k = 0; k < f.taps; ++k) {
    f.h[k] = static_cast<T>(h[k]);
    f.g[k] = static_cast<T>(k % 2 ? -h[f.taps - 1 - k] : h[f.taps - 1 - k]);
  }
  return f;
}

// One level on the block of extents m: the rank passes (axes in `order`) from `in` into out,
// ping-ponging with tmp. Passes write only the block, so the last one must land in out, where
// the finer levels' coefficients are: an odd number of passes starting from out copies the
// block to tmp first.
template <class T>
void wavelet_level(const Context& ctx, const WaveletFilters<T>& f, WaveletBlock b, index_t batch,
                   const int* order, int rank, bool synthesis, const T* in, T* out, T* tmp) {
  const T* src = in;
  if (in == out && rank % 2 == 1) {
    parallel_for(ctx, b.size(batch), WaveletPass<T, WaveletPassKind::Copy>{out, tmp, b, f});
    src = tmp;
  }
  for (int p = 0; p < rank; ++p) {
    T* dst = (rank - 1 - p) % 2 == 0 ? out : tmp;
    b.axis = order[p];
    if (synthesis)
      parallel_for(ctx, b.size(batch), WaveletPass<T, WaveletPassKind::Synthesis>{src, dst, b, f}, f.taps);
    else
      parallel_for(ctx, b.size(batch), WaveletPass<T, WaveletPassKind::Analysis>{src, dst, b, f}, f.taps);
    src = dst;
  }
}

// The whole pyramid: analysis finest level first, synthesis coarsest first with the axes in
// reverse order (each level's inverse).
template <class T>
void wavelet_transform(const Context& ctx, const Shape& shape, Wavelet w, int levels, int rank,
                       bool synthesis, View<const T> in, View<T> out, View<T> tmp) {
  WaveletBlock b{{1, 1, 1}, {1, 1, 1}, 0};
  for (int a = 0; a < rank; ++a) b.n[3 - rank + a] = shape[shape.ndim() - rank + a];
  const index_t batch = shape.size() / (b.n[0] * b.n[1] * b.n[2]);
  int order[3];
  for (int p = 0; p < rank; ++p) order[p] = synthesis ? 2 - p : 3 - rank + p;
  const auto f = wavelet_filters<T>(w);
  const T* src = in.data();
  if (synthesis) {
    // The coarsest level writes only its block; the rest of out holds the finer details.
    copy<T>(ctx, in, out);
    src = out.data();
  }
  for (int q = 0; q < levels; ++q) {
    const int level = synthesis ? levels - 1 - q : q;
    for (int a = 0; a < 3; ++a) b.m[a] = b.n[a] >> (a >= 3 - rank ? level : 0);
    wavelet_level<T>(ctx, f, b, batch, order, rank, synthesis, src, out.data(), tmp.data());
    src = out.data();
  }
}

}  // namespace detail

template <class T>
WaveletOperator<T>::WaveletOperator(const Shape& shape, Wavelet wavelet, int levels, WaveletBoundary boundary,
                                    int rank)
    : IsometryOperator<T>("Wavelet", shape, shape),
      wavelet_(wavelet),
      levels_(levels),
      boundary_(boundary),
      rank_(checked_rank(shape, rank)) {
  check_levels(shape, levels_, rank_);
  if (boundary == WaveletBoundary::Symmetric && wavelet != Wavelet::Haar)
    throw InvalidArgument("Wavelet: the symmetric boundary is orthogonal for haar only, not " +
                          wavelet_name(wavelet) + "; use the periodic boundary");
}

template <class T>
void WaveletOperator<T>::do_apply(const Context& ctx, View<const T> x, View<T> y) const {
  detail::wavelet_transform<T>(ctx, this->domain(), wavelet_, levels_, rank_, false, x, y,
                               this->scratch(ctx, 0, this->domain()));
}

template <class T>
void WaveletOperator<T>::do_adjoint(const Context& ctx, View<const T> y, View<T> x) const {
  detail::wavelet_transform<T>(ctx, this->domain(), wavelet_, levels_, rank_, true, y, x,
                               this->scratch(ctx, 0, this->domain()));
}

template <class T>
Operator<T> wavelet(const Shape& shape, Wavelet w, int levels, WaveletBoundary boundary, int rank) {
  return Operator<T>(std::make_shared<WaveletOperator<T>>(shape, w, levels, boundary, rank));
}

Shape wavelet_approximation_shape(const Shape& shape, int levels, int rank) {
  rank = checked_rank(shape, rank);
  check_levels(shape, levels, rank);
  Shape s;
  for (int a = 0; a < shape.ndim(); ++a)
    s.push_back(a >= shape.ndim() - rank ? shape[a] >> levels : shape[a]);
  return s;
}

template <class T>
std::vector<T> wavelet_detail_mask(const Shape& shape, int levels, int rank) {
  const Shape approx = wavelet_approximation_shape(shape, levels, rank);
  std::vector<T> mask(static_cast<std::size_t>(shape.size()), T(1));
  for (index_t e = 0; e < approx.size(); ++e) {
    // Element e of the corner block (batch axes whole) at its place in the full array.
    index_t rest = e, flat = 0, stride = 1;
    for (int a = shape.ndim() - 1; a >= 0; --a) {
      flat += (rest % approx[a]) * stride;
      rest /= approx[a];
      stride *= shape[a];
    }
    mask[static_cast<std::size_t>(flat)] = T(0);
  }
  return mask;
}

template class WaveletOperator<float>;
template class WaveletOperator<double>;
template Operator<float> wavelet<float>(const Shape&, Wavelet, int, WaveletBoundary, int);
template Operator<double> wavelet<double>(const Shape&, Wavelet, int, WaveletBoundary, int);
template std::vector<float> wavelet_detail_mask<float>(const Shape&, int, int);
template std::vector<double> wavelet_detail_mask<double>(const Shape&, int, int);

}  // namespace recon

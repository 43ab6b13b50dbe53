#include "recon/engine/cs.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <set>
#include <sstream>
#include <string>

#include "recon/datasets/noise.hpp"
#include "recon/datasets/random.hpp"
#include "recon/datasets/signals.hpp"
#include "recon/engine/choose.hpp"
#include "recon/engine/composite.hpp"
#include "recon/kernels/error.hpp"
#include "recon/kernels/penalties/apply.hpp"
#include "recon/kernels/vector_ops.hpp"
#include "recon/operators/dct.hpp"
#include "recon/operators/dense_matrix.hpp"
#include "recon/operators/elementwise.hpp"
#include "recon/operators/finite_difference.hpp"
#include "recon/operators/fourier.hpp"
#include "recon/operators/hadamard.hpp"
#include "recon/operators/wavelet.hpp"

#include "../loss_fit.hpp"

namespace recon::cs {

namespace {

// A dense m x N Gaussian matrix beyond this many entries (1 GiB of float) is refused: use a
// fast transform for signals that large.
constexpr double kMaxGaussianEntries = 1 << 28;

// A double in messages as %g shows it ("0", "1.5", "1e-300"), not std::to_string's "0.000000".
std::string number(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

bool is_power_of_two(index_t n) { return n > 0 && (n & (n - 1)) == 0; }

void check_hadamard_shape(const Shape& s, const char* role) {
  if (s.ndim() > 3)
    throw InvalidArgument(std::string("cs: ") + role + " hadamard takes at most 3 axes, got " + s.str());
  for (int a = 0; a < s.ndim(); ++a)
    if (!is_power_of_two(s[a]))
      throw InvalidArgument(std::string("cs: ") + role + " hadamard needs power-of-two extents, got " +
                            s.str() + " (crop or pad the signal)");
}

// The range of the transform whose coefficients are sampled (hadamard, fourier).
Shape sampled_range(const SensingSpec& s) {
  if (s.kind == "hadamard") return s.shape;
  return fourier<float>(s.shape, FourierKind::RealToComplex).range();
}

// m distinct indices in [0, n), ascending (Floyd's algorithm on the counter RNG: the same
// seed gives the same set on every platform).
std::vector<index_t> draw_indices(index_t n, index_t m, std::uint64_t seed) {
  std::set<index_t> chosen;
  for (index_t j = n - m; j < n; ++j) {
    const auto t = static_cast<index_t>(datasets::counter_bits(seed, static_cast<std::uint64_t>(j), 1) %
                                        static_cast<std::uint64_t>(j + 1));
    chosen.insert(chosen.count(t) ? j : t);
  }
  return {chosen.begin(), chosen.end()};
}

void check_rate(double rate) {
  if (!(rate > 0 && rate <= 1))
    throw InvalidArgument("cs: the sampling rate must lie in (0, 1], got " + number(rate));
}

bool is_apgm(CsSolver s) { return s == CsSolver::Monotone || s == CsSolver::Fista || s == CsSolver::Ista; }

ApgmVariant apgm_variant(CsSolver s) {
  return s == CsSolver::Fista  ? ApgmVariant::Fista
         : s == CsSolver::Ista ? ApgmVariant::Ista
                               : ApgmVariant::Monotone;
}

}  // namespace

CsSolver parse_cs_solver(const std::string& name) {
  if (name == "apgm" || name == "monotone") return CsSolver::Monotone;
  if (name == "fista") return CsSolver::Fista;
  if (name == "ista") return CsSolver::Ista;
  if (name == "admm") return CsSolver::Admm;
  throw InvalidArgument("cs: unknown solver '" + name + "'; expected apgm, fista, ista or admm");
}

const char* to_string(CsSolver s) {
  switch (s) {
    case CsSolver::Monotone:
      return "apgm";
    case CsSolver::Fista:
      return "fista";
    case CsSolver::Ista:
      return "ista";
    case CsSolver::Admm:
      return "admm";
  }
  return "?";
}

bool is_wavelet_basis(const std::string& basis) {
  return basis == "haar" || basis == "db1" || basis == "db2" || basis == "db3" || basis == "db4";
}

namespace {

// The most levels every extent of `shape` allows (divisible by 2^levels), at most 5.
int default_levels(const Shape& shape) {
  int levels = 0;
  const auto divisible = [&](int l) {
    for (int a = 0; a < shape.ndim(); ++a)
      if (shape[a] % (index_t(1) << l) != 0) return false;
    return true;
  };
  while (levels < 5 && divisible(levels + 1)) ++levels;
  return levels;
}

}  // namespace

SensingSpec make_sensing_spec(const std::string& kind, const Shape& shape, double rate, std::uint64_t seed,
                              const std::string& basis, int levels) {
  check_rate(rate);
  SensingSpec s;
  s.kind = kind;
  s.shape = shape;
  s.seed = seed;
  s.basis = basis;
  s.levels = is_wavelet_basis(basis) && levels == 0 ? default_levels(shape) : levels;
  s.measurements =
      std::max<index_t>(1, static_cast<index_t>(std::llround(rate * static_cast<double>(shape.size()))));
  if (kind == "hadamard" || kind == "fourier") {
    if (kind == "hadamard") check_hadamard_shape(shape, "sensing");
    const index_t n = sampled_range(s).size();
    s.measurements = std::min(s.measurements, n);
    s.indices = draw_indices(n, s.measurements, seed);
  }
  validate(s);
  return s;
}

void validate(const SensingSpec& s) {
  if (s.kind != "gaussian" && s.kind != "hadamard" && s.kind != "fourier")
    throw InvalidArgument("cs: unknown sensing '" + s.kind + "'; expected gaussian, hadamard or fourier");
  if (s.basis != "none" && s.basis != "hadamard" && s.basis != "dct" && !is_wavelet_basis(s.basis))
    throw InvalidArgument("cs: unknown sparsifying basis '" + s.basis +
                          "'; expected none, hadamard, dct, haar, db2, db3 or db4");
  if (s.shape.ndim() == 0 || s.shape.size() == 0)
    throw InvalidArgument("cs: empty signal shape " + s.shape.str());
  if (s.basis == "hadamard") check_hadamard_shape(s.shape, "basis");
  if (!is_wavelet_basis(s.basis) && s.levels != 0)
    throw InvalidArgument("cs: levels (" + std::to_string(s.levels) + ") apply to wavelet bases only, not '" +
                          s.basis + "'");
  if (is_wavelet_basis(s.basis)) {
    if (s.shape.ndim() > 3)
      throw InvalidArgument("cs: a wavelet basis transforms at most 3 axes, the signal has " +
                            std::to_string(s.shape.ndim()));
    wavelet<float>(s.shape, parse_wavelet(s.basis), s.levels);  // its checks: levels >= 1, sizes
  }
  if (s.basis == "dct" && s.shape.ndim() > 3)
    throw InvalidArgument("cs: the dct basis transforms at most 3 axes, the signal has " +
                          std::to_string(s.shape.ndim()));
  if (s.measurements < 1) throw InvalidArgument("cs: at least one measurement is needed");
  if (s.kind == "gaussian") {
    if (s.measurements > s.shape.size())
      throw InvalidArgument("cs: gaussian sensing with m = " + std::to_string(s.measurements) +
                            " > N = " + std::to_string(s.shape.size()) + " (rate must be <= 1)");
    if (static_cast<double>(s.measurements) * static_cast<double>(s.shape.size()) > kMaxGaussianEntries)
      throw InvalidArgument(
          "cs: a dense gaussian matrix of " + std::to_string(s.measurements) + " x " +
          std::to_string(s.shape.size()) +
          " entries is too large (limit 2^28); use hadamard or fourier sensing for signals this big");
    if (!s.indices.empty()) throw InvalidArgument("cs: gaussian sensing takes no indices");
    return;
  }
  if (s.kind == "hadamard") check_hadamard_shape(s.shape, "sensing");
  const index_t n = sampled_range(s).size();
  if (static_cast<index_t>(s.indices.size()) != s.measurements)
    throw InvalidArgument("cs: " + s.kind + " sensing needs " + std::to_string(s.measurements) +
                          " indices, got " + std::to_string(s.indices.size()));
  for (std::size_t i = 0; i < s.indices.size(); ++i) {
    if (s.indices[i] < 0 || s.indices[i] >= n)
      throw InvalidArgument("cs: index " + std::to_string(s.indices[i]) + " outside [0, " +
                            std::to_string(n) + ")");
    if (i > 0 && s.indices[i] <= s.indices[i - 1])
      throw InvalidArgument("cs: indices must be strictly increasing (distinct), see position " +
                            std::to_string(i));
  }
}

template <class T>
Operator<T> sensing_operator(const Context& ctx, const SensingSpec& s) {
  validate(s);
  if (s.kind == "gaussian") {
    const index_t n = s.shape.size();
    Operator<T> G = dense_matrix<T>(datasets::gaussian_matrix<T>(ctx, s.measurements, n, s.seed));
    return s.shape.ndim() == 1 ? G : compose(G, reshape<T>(s.shape, Shape{n}));
  }
  Operator<T> transform =
      s.kind == "hadamard" ? walsh_hadamard<T>(s.shape) : fourier<T>(s.shape, FourierKind::RealToComplex);
  return compose(subsample<T>(ctx, transform.range(), s.indices), transform);
}

template <class T>
Operator<T> basis_operator(const SensingSpec& s) {
  if (is_wavelet_basis(s.basis)) return wavelet<T>(s.shape, parse_wavelet(s.basis), s.levels).T();
  if (s.basis == "dct") return dct<T>(s.shape).T();
  return s.basis == "hadamard" ? walsh_hadamard<T>(s.shape) : identity<T>(s.shape);
}

NoiseSpec parse_noise(const std::string& text) {
  if (text == "none") return {};
  const auto colon = text.find(':');
  const std::string kind = text.substr(0, colon);
  const std::string expected = "expected none, gaussian:SIGMA, snr:DB or cauchy:GAMMA";
  if (kind != "gaussian" && kind != "snr" && kind != "cauchy")
    throw InvalidArgument("cs: unknown noise '" + text + "'; " + expected);
  if (colon == std::string::npos)
    throw InvalidArgument("cs: noise '" + text + "' needs a level; " + expected);
  const std::string value = text.substr(colon + 1);
  char* end = nullptr;
  const double level = std::strtod(value.c_str(), &end);
  if (value.empty() || *end != '\0' || !std::isfinite(level) || (kind != "snr" && level < 0))
    throw InvalidArgument("cs: noise level '" + value + "' of '" + text + "' is not a valid number (" +
                          (kind == "snr" ? "dB" : ">= 0") + ")");
  return {kind == "gaussian" ? NoiseKind::Gaussian
          : kind == "snr"    ? NoiseKind::Snr
                             : NoiseKind::Cauchy,
          level};
}

template <class T>
void add_noise(const Context& ctx, const NoiseSpec& noise, View<T> y, std::uint64_t seed) {
  if (noise.kind == NoiseKind::None) return;
  if (noise.kind == NoiseKind::Cauchy) return datasets::add_cauchy_noise<T>(ctx, y, noise.level, seed);
  const double sigma =
      noise.kind == NoiseKind::Gaussian
          ? noise.level
          : norm2<T>(ctx, y) / std::sqrt(static_cast<double>(y.size())) * std::pow(10.0, -noise.level / 20);
  datasets::add_gaussian_noise<T>(ctx, y, sigma, seed);
}

void validate(const Problem& p, const Options& o) {
  if (!is_apgm(o.solver) && o.solver != CsSolver::Admm)  // a value cast from outside the enum
    throw InvalidArgument("cs: unknown solver value " + std::to_string(static_cast<int>(o.solver)) +
                          "; expected apgm, fista, ista or admm");
  penalties::validate(p.penalty);
  penalties::validate(p.loss);
  if (!(p.lambda >= 0) || !std::isfinite(p.lambda))
    throw InvalidArgument("cs: lambda must be finite and >= 0, got " + number(p.lambda));
  if (o.max_iters < 1) throw InvalidArgument("cs: max_iters must be >= 1");
  if (!(o.tol >= 0)) throw InvalidArgument("cs: tol must be >= 0");
  if (p.constrained) {
    if (!(p.eps >= 0) || !std::isfinite(p.eps))
      throw InvalidArgument("cs: the constrained form needs eps >= 0, got " + number(p.eps));
    if (!is_apgm(o.solver))
      throw InvalidArgument("cs: the constrained form (--eps) is solved by apgm, fista or ista, not " +
                            std::string(to_string(o.solver)));
  }
  if (is_apgm(o.solver)) {
    const penalties::Properties pr = penalties::properties_of(p.loss);
    if (!pr.differentiable || !std::isfinite(pr.grad_lipschitz))
      throw InvalidArgument(std::string("cs: solver ") + to_string(o.solver) +
                            " needs a smooth loss (differentiable with a Lipschitz gradient); " +
                            penalties::describe(p.loss) +
                            " is not: use a smooth loss (sq-l2, huber, cauchy, "
                            "geman-mcclure, welsch, barron, eq8) or --solver admm");
  }
  if (o.solver == CsSolver::Admm && !(o.rho > 0)) throw InvalidArgument("cs: admm needs rho > 0");
  if (p.tv && o.solver != CsSolver::Admm)
    throw InvalidArgument(std::string("cs: a TV prior (--tv) is solved by admm, not ") + to_string(o.solver));
}

namespace detail_cs {

// {psi(A c - y), lambda phi(D c)}: the TV prior's terms, D the forward differences along the
// axes with more than one sample (Neumann boundary), grouped per pixel when isotropic.
template <class T>
std::vector<CompositeTerm<T>> tv_terms(const Operator<T>& A, View<const T> y, const Problem& p) {
  std::vector<int> axes;
  for (int k = 0; k < A.domain().ndim(); ++k)
    if (A.domain()[k] > 1) axes.push_back(k);
  require(!axes.empty(), "cs", "a TV prior needs at least two samples along one axis");
  return {{A, y, p.loss, 1.0, false},
          {gradient<T>(A.domain(), Boundary::Neumann, axes),
           {},
           p.penalty,
           p.lambda,
           *p.tv == TvNorm::Isotropic}};
}

// Psi(A c - y) and, with gradients, A^T psi'(A c - y) (scaled by the constrained form's
// outer derivative max(Psi - eps, 0)).
template <class T>
class DataTerm {
 public:
  DataTerm(const Context& ctx, const Operator<T>& A, View<const T> y, const Problem& p)
      : fit_(ctx, A.get(), y, p.loss), p_(p) {}

  // The smooth part of F.
  double value(const Context& ctx, View<const T> c) {
    const double psi = fit_.value(ctx, c);
    if (!p_.constrained) return psi;
    const double excess = std::max(psi - p_.eps, 0.0);
    return 0.5 * excess * excess;
  }
  double value_grad(const Context& ctx, View<const T> c, View<T> g) {
    const double psi = fit_.value_grad(ctx, c, g);
    if (!p_.constrained) return psi;
    const double excess = std::max(psi - p_.eps, 0.0);
    scale<T>(ctx, static_cast<T>(excess), g, g);
    return 0.5 * excess * excess;
  }

 private:
  recon::detail::LossFit<T> fit_;
  const Problem& p_;
};

}  // namespace detail_cs

template <class T>
SolveReport recover(const Context& ctx, const Operator<T>& A, View<const T> y, const Problem& p,
                    const Options& o, View<T> c, const Monitor& monitor) {
  validate(p, o);
  if (y.shape() != A.range())
    throw ShapeMismatch("cs::recover: y has shape " + y.shape().str() + ", the operator's range is " +
                        A.range().str());
  if (c.shape() != A.domain())
    throw ShapeMismatch("cs::recover: c has shape " + c.shape().str() + ", the operator's domain is " +
                        A.domain().str());
  if (o.solver == CsSolver::Admm) {
    const std::vector<CompositeTerm<T>> terms =
        p.tv
            ? detail_cs::tv_terms(A, y, p)
            : std::vector<CompositeTerm<T>>{{A, y, p.loss, 1.0, false}, {{}, {}, p.penalty, p.lambda, false}};
    CompositeAdmmOptions ao;
    ao.max_iters = o.max_iters;
    ao.tol = o.tol;
    ao.rho = o.rho;
    return admm_composite<T>(ctx, terms, c, ao, monitor);
  }
  detail_cs::DataTerm<T> data(ctx, A, y, p);
  const ValueGradFn<T> f = [&data](const Context& cx, View<const T> v, View<T> g) {
    return data.value_grad(cx, v, g);
  };
  ApgmOptions ao;
  ao.variant = apgm_variant(o.solver);
  ao.max_iters = o.max_iters;
  ao.tol = o.tol;
  ao.backtracking = true;
  // 1/L of the penalised form; the constrained form's gradient is not globally Lipschitz
  // (its curvature grows with the excess), so there backtracking shrinks the step as needed.
  ao.lipschitz = smooth_lipschitz<T>(ctx, {{A, y, p.loss, 1.0}}, A.domain());
  return apgm<T>(ctx, f, p.penalty, p.lambda, c, ao, monitor);
}

template <class T>
double objective(const Context& ctx, const Operator<T>& A, View<const T> y, const Problem& p,
                 View<const T> c) {
  if (p.tv) return composite_objective<T>(ctx, detail_cs::tv_terms(A, y, p), c);
  detail_cs::DataTerm<T> data(ctx, A, y, p);
  return data.value(ctx, c) + p.lambda * penalties::value_sum<T>(ctx, p.penalty, c);
}

#define RECON_CS_INSTANTIATE(T)                                                                      \
  template Operator<T> sensing_operator<T>(const Context&, const SensingSpec&);                      \
  template Operator<T> basis_operator<T>(const SensingSpec&);                                        \
  template void add_noise<T>(const Context&, const NoiseSpec&, View<T>, std::uint64_t);              \
  template SolveReport recover<T>(const Context&, const Operator<T>&, View<const T>, const Problem&, \
                                  const Options&, View<T>, const Monitor&);                          \
  template double objective<T>(const Context&, const Operator<T>&, View<const T>, const Problem&,    \
                               View<const T>);
RECON_CS_INSTANTIATE(float)
RECON_CS_INSTANTIATE(double)
#undef RECON_CS_INSTANTIATE

}  // namespace recon::cs

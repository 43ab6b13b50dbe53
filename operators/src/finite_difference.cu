// Forward differences and their explicit adjoint (formulas in finite_difference.hpp): one pass
// over memory each, all components of a gradient at once.
#include "recon/operators/finite_difference.hpp"

#include <algorithm>
#include <string>

#include "laplacian_solve.hpp"
#include "recon/operators/difference_stencil.hpp"

namespace recon {

namespace detail {

// (D_c x)[i] for one component c.
template <class T>
struct ComponentDifference {
  const T* x;
  int c;
  RECON_HD T operator()(index_t, const PixelStencil<T>& at) const { return at.d(x, c); }
};

template <class T>
struct ComponentDifferences {
  const T* x;
  T* y;
  index_t size;
  bool stream;
  RECON_HD StoreTo<T, ComponentDifference<T>> operator()(int c) const {
    return {y + c * size, ComponentDifference<T>{x, c}, stream};
  }
};

// y[c * size + i] = (D_c x)[i] for every component c: per pixel one element read, k written.
template <class T>
void gradient_apply(const Context& ctx, const GradientGeometry<T>& g, const T* x, T* y) {
  const bool stream = stream_stencil_stores(ctx, g);
  stencil_pass_components(ctx, g, ComponentDifferences<T>{x, y, g.size, stream});
}

// (D^T y)[i] = sum_c (D_c^T y_c)[i].
template <class T>
struct DivergenceValue {
  const T* y;
  RECON_HD T operator()(index_t, const PixelStencil<T>& at) const { return at.dt(y); }
};

// x[i] = sum_c (D_c^T y_c)[i]: per pixel k elements read, one written.
template <class T>
void gradient_adjoint(const Context& ctx, const GradientGeometry<T>& g, const T* y, T* x) {
  const bool stream = stream_stencil_stores(ctx, g);
  stencil_pass(ctx, g, StoreTo<T, DivergenceValue<T>>{x, DivergenceValue<T>{y}, stream});
}

}  // namespace detail

namespace {

Shape difference_range(const Shape& domain, const std::vector<int>& axes, bool stack) {
  if (!stack) return domain;
  if (domain.ndim() > 3)
    throw InvalidArgument("Gradient: the domain " + domain.str() +
                          " has more than 3 axes; the range needs one more for the components");
  Shape r{static_cast<index_t>(axes.size())};
  for (int a = 0; a < domain.ndim(); ++a) r.push_back(domain[a]);
  return r;
}

std::vector<int> validated_axes(const Shape& domain, std::vector<int> axes, bool stack) {
  const char* where = stack ? "Gradient" : "FiniteDifference";
  if (axes.empty())
    for (int a = 0; a < domain.ndim(); ++a) axes.push_back(a);
  require(axes.size() <= 3, where, "differences along at most 3 axes, got " + std::to_string(axes.size()));
  for (std::size_t c = 0; c < axes.size(); ++c) {
    if (axes[c] < 0 || axes[c] >= domain.ndim())
      throw InvalidArgument(std::string(where) + ": axis " + std::to_string(axes[c]) +
                            " is outside the domain " + domain.str());
    if (std::count(axes.begin(), axes.end(), axes[c]) > 1)
      throw InvalidArgument(std::string(where) + ": axis " + std::to_string(axes[c]) + " is listed twice");
  }
  return axes;
}

}  // namespace

template <class T>
DifferenceOperator<T>::DifferenceOperator(const Shape& domain, std::vector<int> axes, Boundary boundary,
                                          bool stack)
    : LinearOperator<T>(stack ? "Gradient" : "FiniteDifference", domain,
                        difference_range(domain, validated_axes(domain, axes, stack), stack)),
      axes_(validated_axes(domain, std::move(axes), stack)),
      boundary_(boundary) {
  require(stack || axes_.size() == 1, "FiniteDifference", "differences along exactly one axis");
}

template <class T>
GradientEval<T> DifferenceOperator<T>::evaluator(const T* x) const {
  GradientEval<T> e{};
  const Shape& d = this->domain();
  e.size = d.size();
  for (std::size_t c = 0; c < axes_.size(); ++c) {
    index_t inner = 1;
    for (int a = axes_[c] + 1; a < d.ndim(); ++a) inner *= d[a];
    e.axis[c] = DifferenceEval<T>{x, d[axes_[c]], inner, boundary_ == Boundary::Periodic};
  }
  return e;
}

template <class T>
void DifferenceOperator<T>::do_apply(const Context& ctx, View<const T> x, View<T> y) const {
  detail::gradient_apply(ctx, gradient_geometry(*this), x.data(), y.data());
}

template <class T>
void DifferenceOperator<T>::do_adjoint(const Context& ctx, View<const T> y, View<T> x) const {
  detail::gradient_adjoint(ctx, gradient_geometry(*this), y.data(), x.data());
}

template <class T>
void DifferenceOperator<T>::do_normal_inverse(const Context& ctx, T lambda, View<const T> b,
                                              View<T> x) const {
  require(lambda > T(0), this->name() + ".normal_inverse",
          "lambda must be > 0 (D^T D is singular: constants are in its null space)");
  const auto grid = detail::laplacian_grid(this->domain(), axes_, boundary_ == Boundary::Periodic);
  if (!ctx.is_cuda() && !grid.periodic)
    return detail::laplacian_solve_dct(ctx, grid, lambda, b.data(), x.data());
  View<T> spec = this->scratch(ctx, 1, detail::laplacian_spectrum_shape(grid));
  T* ext = grid.extended != grid.shape ? this->scratch(ctx, 2, grid.extended).data() : nullptr;
  detail::laplacian_solve_fft(ctx, grid, lambda, b.data(), x.data(), ext, spec.data());
}

template <class T>
Operator<T> finite_difference(const Shape& domain, int axis, Boundary boundary) {
  return Operator<T>(
      std::make_shared<DifferenceOperator<T>>(domain, std::vector<int>{axis}, boundary, false));
}

template <class T>
Operator<T> gradient(const Shape& domain, Boundary boundary, std::vector<int> axes) {
  return Operator<T>(std::make_shared<DifferenceOperator<T>>(domain, std::move(axes), boundary, true));
}

#define RECON_INSTANTIATE_DIFFERENCE(T)                                   \
  template class DifferenceOperator<T>;                                   \
  template Operator<T> finite_difference<T>(const Shape&, int, Boundary); \
  template Operator<T> gradient<T>(const Shape&, Boundary, std::vector<int>);
RECON_INSTANTIATE_DIFFERENCE(float)
RECON_INSTANTIATE_DIFFERENCE(double)

}  // namespace recon

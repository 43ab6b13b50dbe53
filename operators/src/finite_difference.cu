// Forward differences and their explicit adjoint (formulas in finite_difference.hpp): one pass
// over memory each, all components of a gradient at once.
#include "recon/operators/finite_difference.hpp"

#include <algorithm>
#include <string>

#include "laplacian_solve.hpp"
#include "recon/kernels/parallel_for.hpp"

namespace recon {

namespace detail {

// Launch geometry: the domain padded to 3 axes, and the padded axis of each component, so the
// kernels get each coordinate from the launch instead of dividing.
struct GradientLaunch {
  Extent3 extent;
  int axis3[3];
};

// y[c * size + i] = eval.axis[c](i) for every component c < k.
template <class T>
void gradient_apply(const Context& ctx, GradientEval<T> eval, GradientLaunch g, int k, T* y) {
  const index_t size = eval.size, ny = g.extent.ny, nx = g.extent.nx;
  parallel_for(ctx, g.extent, [=] RECON_HD(index_t z, index_t yy, index_t x) {
    const index_t coord[3] = {z, yy, x};
    const index_t i = (z * ny + yy) * nx + x;
    for (int c = 0; c < k; ++c) y[c * size + i] = eval.axis[c].at(i, coord[g.axis3[c]]);
  });
}

// x[i] = sum_c (D_c^T y_c)[i]
template <class T>
void gradient_adjoint(const Context& ctx, GradientEval<T> eval, GradientLaunch g, int k, const T* y, T* x) {
  const index_t size = eval.size, ny = g.extent.ny, nx = g.extent.nx;
  parallel_for(ctx, g.extent, [=] RECON_HD(index_t z, index_t yy, index_t xx) {
    const index_t coord[3] = {z, yy, xx};
    const index_t i = (z * ny + yy) * nx + xx;
    T v = T(0);
    for (int c = 0; c < k; ++c) {
      const DifferenceEval<T>& d = eval.axis[c];
      v += DifferenceAdjointEval<T>{y + c * size, d.n, d.inner, d.periodic}.at(i, coord[g.axis3[c]]);
    }
    x[i] = v;
  });
}

// Domains of 4 axes (one-axis differences only): merge the axes before and after it.
GradientLaunch gradient_launch(const Shape& d, const std::vector<int>& axes) {
  GradientLaunch g{};
  if (d.ndim() <= 3) {
    const int pad = 3 - d.ndim();
    g.extent = Extent3{d.back(2), d.back(1), d.back(0)};
    for (std::size_t c = 0; c < axes.size(); ++c) g.axis3[c] = axes[c] + pad;
    return g;
  }
  index_t before = 1, after = 1;
  for (int a = 0; a < axes[0]; ++a) before *= d[a];
  for (int a = axes[0] + 1; a < d.ndim(); ++a) after *= d[a];
  g.extent = Extent3{before, d[axes[0]], after};
  g.axis3[0] = 1;
  return g;
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
  detail::gradient_apply(ctx, evaluator(x.data()), detail::gradient_launch(this->domain(), axes_),
                         static_cast<int>(axes_.size()), y.data());
}

template <class T>
void DifferenceOperator<T>::do_adjoint(const Context& ctx, View<const T> y, View<T> x) const {
  detail::gradient_adjoint(ctx, evaluator(nullptr), detail::gradient_launch(this->domain(), axes_),
                           static_cast<int>(axes_.size()), y.data(), x.data());
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

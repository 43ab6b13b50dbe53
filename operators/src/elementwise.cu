// Kernels of the elementwise and selection operators (formulas in elementwise.hpp).
#include <algorithm>
#include <string>

#include "recon/kernels/parallel_for.hpp"
#include "recon/kernels/vector_ops.hpp"
#include "recon/operators/elementwise.hpp"

namespace recon {

// Launches live in free functions: nvcc rejects extended lambdas in protected members.
namespace detail {

void check_data_device(const Context& ctx, const std::string& where, Device data_device) {
  if (data_device != ctx.device())
    throw InvalidArgument(where + ": the operator's data lives on " + to_string(data_device) +
                          ", but the context is " + to_string(ctx.device()));
}

// Not in an anonymous namespace: nvcc's host-side wrapper of an extended lambda crashed when
// the enclosing function had internal linkage.
template <class T>
void diagonal_normal(const Context& ctx, const T* w, const T* x, T* y, index_t n) {
  parallel_for(ctx, n, [=] RECON_HD(index_t i) { y[i] = w[i] * w[i] * x[i]; });
}
template <class T>
void diagonal_solve(const Context& ctx, const T* w, T lambda, const T* b, T* x, index_t n) {
  parallel_for(ctx, n, [=] RECON_HD(index_t i) { x[i] = b[i] / (w[i] * w[i] + lambda); });
}

template <class T>
void subsample_gather(const Context& ctx, GatherEval<T> eval, T* y, index_t m) {
  parallel_for(ctx, m, [=] RECON_HD(index_t k) { y[k] = eval(k); });
}
// x[idx_k] = s * src[k] (the adjoint's scatter) or s * src[idx_k] (the solve on kept entries).
template <class T>
void subsample_scatter(const Context& ctx, const index_t* idx, T s, const T* src, bool indexed_src, T* x,
                       index_t m) {
  parallel_for(ctx, m, [=] RECON_HD(index_t k) { x[idx[k]] = s * src[indexed_src ? idx[k] : k]; });
}

}  // namespace detail

// ---- Diagonal --------------------------------------------------------------------------------

template <class T>
DiagonalOperator<T>::DiagonalOperator(std::shared_ptr<const Array<T>> weights)
    : LinearOperator<T>("Diagonal", weights->shape(), weights->shape()), weights_(std::move(weights)) {}

template <class T>
void DiagonalOperator<T>::check_device(const Context& ctx) const {
  detail::check_data_device(ctx, this->name(), weights_->device());
}

template <class T>
void DiagonalOperator<T>::do_apply(const Context& ctx, View<const T> x, View<T> y) const {
  check_device(ctx);
  multiply<T>(ctx, weights_->view(), x, y);
}

template <class T>
void DiagonalOperator<T>::do_adjoint(const Context& ctx, View<const T> y, View<T> x) const {
  do_apply(ctx, y, x);
}

template <class T>
void DiagonalOperator<T>::do_normal(const Context& ctx, View<const T> x, View<T> y) const {
  check_device(ctx);
  detail::diagonal_normal(ctx, weights_->data(), x.data(), y.data(), x.size());
}

template <class T>
void DiagonalOperator<T>::do_normal_inverse(const Context& ctx, T lambda, View<const T> b, View<T> x) const {
  check_device(ctx);
  detail::diagonal_solve(ctx, weights_->data(), lambda, b.data(), x.data(), b.size());
}

// ---- Subsample -------------------------------------------------------------------------------

namespace {
std::vector<index_t> validated_indices(const Shape& domain, std::vector<index_t> indices) {
  require(!indices.empty(), "Subsample", "needs at least one index (the range would be empty)");
  std::vector<index_t> sorted = indices;
  std::sort(sorted.begin(), sorted.end());
  if (sorted.front() < 0 || sorted.back() >= domain.size())
    throw InvalidArgument(
        "Subsample: index " + std::to_string(sorted.front() < 0 ? sorted.front() : sorted.back()) +
        " is outside the domain " + domain.str() + " (" + std::to_string(domain.size()) + " elements)");
  const auto dup = std::adjacent_find(sorted.begin(), sorted.end());
  if (dup != sorted.end())
    throw InvalidArgument("Subsample: index " + std::to_string(*dup) +
                          " appears twice; indices must be distinct");
  return indices;
}
}  // namespace

template <class T>
SubsampleOperator<T>::SubsampleOperator(const Context& ctx, const Shape& domain,
                                        const std::vector<index_t>& indices)
    : LinearOperator<T>("Subsample", domain, Shape{static_cast<index_t>(indices.size())}),
      indices_(Array<index_t>::from_host(ctx, Shape{static_cast<index_t>(indices.size())},
                                         validated_indices(domain, indices))) {}

template <class T>
void SubsampleOperator<T>::check_device(const Context& ctx) const {
  detail::check_data_device(ctx, this->name(), indices_.device());
}

template <class T>
void SubsampleOperator<T>::do_apply(const Context& ctx, View<const T> x, View<T> y) const {
  check_device(ctx);
  detail::subsample_gather(ctx, evaluator(x.data()), y.data(), y.size());
}

template <class T>
void SubsampleOperator<T>::do_adjoint(const Context& ctx, View<const T> y, View<T> x) const {
  check_device(ctx);
  fill<T>(ctx, x, T(0));
  detail::subsample_scatter(ctx, indices_.data(), T(1), y.data(), false, x.data(), y.size());
}

template <class T>
void SubsampleOperator<T>::do_normal_inverse(const Context& ctx, T lambda, View<const T> b, View<T> x) const {
  check_device(ctx);
  require(lambda > T(0), this->name() + ".normal_inverse",
          "lambda must be > 0 (A^T A is singular off the kept entries)");
  scale<T>(ctx, T(1) / lambda, b, x);
  detail::subsample_scatter(ctx, indices_.data(), T(1) / (T(1) + lambda), b.data(), true, x.data(),
                            indices_.size());
}

// ---- Reshape / Identity ----------------------------------------------------------------------

template <class T>
ReshapeOperator<T>::ReshapeOperator(const Shape& from, const Shape& to)
    : IsometryOperator<T>(from == to ? "Identity" : "Reshape", from, to) {
  if (from.size() != to.size())
    throw ShapeMismatch("Reshape: cannot reshape " + from.str() + " (" + std::to_string(from.size()) +
                        " elements) to " + to.str() + " (" + std::to_string(to.size()) + " elements)");
}

template <class T>
void ReshapeOperator<T>::do_apply(const Context& ctx, View<const T> x, View<T> y) const {
  copy<T>(ctx, x, y);
}

template <class T>
void ReshapeOperator<T>::do_adjoint(const Context& ctx, View<const T> y, View<T> x) const {
  copy<T>(ctx, y, x);
}

// ---- factories -------------------------------------------------------------------------------

template <class T>
Operator<T> identity(const Shape& shape) {
  return Operator<T>(std::make_shared<ReshapeOperator<T>>(shape, shape));
}

template <class T>
Operator<T> diagonal(Array<T> weights) {
  return Operator<T>(
      std::make_shared<DiagonalOperator<T>>(std::make_shared<const Array<T>>(std::move(weights))));
}

template <class T>
Operator<T> subsample(const Context& ctx, const Shape& domain, const std::vector<index_t>& indices) {
  return Operator<T>(std::make_shared<SubsampleOperator<T>>(ctx, domain, indices));
}

template <class T>
Operator<T> mask(const Context& ctx, const Shape& domain, const std::vector<std::uint8_t>& keep) {
  if (static_cast<index_t>(keep.size()) != domain.size())
    throw ShapeMismatch("mask: " + std::to_string(keep.size()) + " mask values for the domain " +
                        domain.str() + " (" + std::to_string(domain.size()) + " elements)");
  std::vector<index_t> indices;
  for (std::size_t i = 0; i < keep.size(); ++i)
    if (keep[i]) indices.push_back(static_cast<index_t>(i));
  require(!indices.empty(), "mask", "keeps no entry (the range would be empty)");
  return subsample<T>(ctx, domain, indices);
}

template <class T>
Operator<T> reshape(const Shape& from, const Shape& to) {
  return Operator<T>(std::make_shared<ReshapeOperator<T>>(from, to));
}

#define RECON_INSTANTIATE_ELEMENTWISE(T)                                                        \
  template class DiagonalOperator<T>;                                                           \
  template class SubsampleOperator<T>;                                                          \
  template class ReshapeOperator<T>;                                                            \
  template Operator<T> identity<T>(const Shape&);                                               \
  template Operator<T> diagonal<T>(Array<T>);                                                   \
  template Operator<T> subsample<T>(const Context&, const Shape&, const std::vector<index_t>&); \
  template Operator<T> mask<T>(const Context&, const Shape&, const std::vector<std::uint8_t>&); \
  template Operator<T> reshape<T>(const Shape&, const Shape&);
RECON_INSTANTIATE_ELEMENTWISE(float)
RECON_INSTANTIATE_ELEMENTWISE(double)

}  // namespace recon

// Vector operations and reductions: one RECON_HD body each, compiled for float and double.
#include "recon/kernels/vector_ops.hpp"

#include <cmath>
#include <string>

#include "recon/kernels/parallel_for.hpp"
#include "recon/kernels/reduce.hpp"

namespace recon {

namespace detail {
template <class T>
void check_operand(const Context& ctx, const char* where, const char* name, const View<T>& v, index_t n) {
  if (v.device() != ctx.device())
    throw InvalidArgument(std::string(where) + ": operand '" + name + "' lives on " + to_string(v.device()) +
                          ", expected the context's device " + to_string(ctx.device()));
  if (v.size() != n)
    throw ShapeMismatch(std::string(where) + ": operand '" + name + "' has shape " + v.shape().str() + " (" +
                        std::to_string(v.size()) + " elements), expected " + std::to_string(n) + " elements");
  if (n > 0 && v.data() == nullptr)
    throw InvalidArgument(std::string(where) + ": operand '" + name + "' has no storage");
}
}  // namespace detail

template <class T>
void fill(const Context& ctx, View<T> y, T value) {
  detail::check_operand(ctx, "fill", "y", y, y.size());
  T* py = y.data();
  parallel_for(ctx, y.size(), [=] RECON_HD(index_t i) { py[i] = value; });
}

template <class T>
void copy(const Context& ctx, View<const T> x, View<T> y) {
  detail::check_operand(ctx, "copy", "x", x, x.size());
  detail::check_operand(ctx, "copy", "y", y, x.size());
  const T* px = x.data();
  T* py = y.data();
  parallel_for(ctx, x.size(), [=] RECON_HD(index_t i) { py[i] = px[i]; });
}

template <class T>
void scale(const Context& ctx, T a, View<const T> x, View<T> y) {
  detail::check_operand(ctx, "scale", "x", x, x.size());
  detail::check_operand(ctx, "scale", "y", y, x.size());
  const T* px = x.data();
  T* py = y.data();
  parallel_for(ctx, x.size(), [=] RECON_HD(index_t i) { py[i] = a * px[i]; });
}

template <class T>
void axpby(const Context& ctx, T a, View<const T> x, T b, View<T> y) {
  detail::check_operand(ctx, "axpby", "x", x, x.size());
  detail::check_operand(ctx, "axpby", "y", y, x.size());
  const T* px = x.data();
  T* py = y.data();
  parallel_for(ctx, x.size(), [=] RECON_HD(index_t i) { py[i] = a * px[i] + b * py[i]; });
}

template <class T>
void axpbypcz(const Context& ctx, T a, View<const T> x, T b, View<const T> y, T c, View<T> z) {
  detail::check_operand(ctx, "axpbypcz", "x", x, x.size());
  detail::check_operand(ctx, "axpbypcz", "y", y, x.size());
  detail::check_operand(ctx, "axpbypcz", "z", z, x.size());
  const T* px = x.data();
  const T* py = y.data();
  T* pz = z.data();
  if (c == T(0))
    parallel_for(ctx, x.size(), [=] RECON_HD(index_t i) { pz[i] = a * px[i] + b * py[i]; });
  else
    parallel_for(ctx, x.size(), [=] RECON_HD(index_t i) { pz[i] = a * px[i] + b * py[i] + c * pz[i]; });
}

template <class T>
void multiply(const Context& ctx, View<const T> x, View<const T> y, View<T> z) {
  detail::check_operand(ctx, "multiply", "x", x, x.size());
  detail::check_operand(ctx, "multiply", "y", y, x.size());
  detail::check_operand(ctx, "multiply", "z", z, x.size());
  const T* px = x.data();
  const T* py = y.data();
  T* pz = z.data();
  parallel_for(ctx, x.size(), [=] RECON_HD(index_t i) { pz[i] = px[i] * py[i]; });
}

template <class T>
double sum(const Context& ctx, View<const T> x) {
  detail::check_operand(ctx, "sum", "x", x, x.size());
  const T* px = x.data();
  return transform_sum(ctx, x.size(), [=] RECON_HD(index_t i) { return static_cast<double>(px[i]); });
}

template <class T>
double dot(const Context& ctx, View<const T> x, View<const T> y) {
  detail::check_operand(ctx, "dot", "x", x, x.size());
  detail::check_operand(ctx, "dot", "y", y, x.size());
  const T* px = x.data();
  const T* py = y.data();
  return transform_sum(ctx, x.size(), [=] RECON_HD(index_t i) {
    return static_cast<double>(px[i]) * static_cast<double>(py[i]);
  });
}

template <class T>
double norm2(const Context& ctx, View<const T> x) {
  return std::sqrt(dot<T>(ctx, x, x));
}

template <class T>
double max_abs(const Context& ctx, View<const T> x) {
  detail::check_operand(ctx, "max_abs", "x", x, x.size());
  const T* px = x.data();
  return transform_max(ctx, x.size(), [=] RECON_HD(index_t i) {
    const double v = static_cast<double>(px[i]);
    return v < 0 ? -v : v;
  });
}

template <class T>
double distance2(const Context& ctx, View<const T> x, View<const T> y) {
  detail::check_operand(ctx, "distance2", "x", x, x.size());
  detail::check_operand(ctx, "distance2", "y", y, x.size());
  const T* px = x.data();
  const T* py = y.data();
  return std::sqrt(transform_sum(ctx, x.size(), [=] RECON_HD(index_t i) {
    const double d = static_cast<double>(px[i]) - static_cast<double>(py[i]);
    return d * d;
  }));
}

#define RECON_INSTANTIATE_VECTOR_OPS(T)                                                                      \
  template void fill<T>(const Context&, View<T>, T);                                                         \
  template void copy<T>(const Context&, View<const T>, View<T>);                                             \
  template void scale<T>(const Context&, T, View<const T>, View<T>);                                         \
  template void axpby<T>(const Context&, T, View<const T>, T, View<T>);                                      \
  template void axpbypcz<T>(const Context&, T, View<const T>, T, View<const T>, T, View<T>);                 \
  template void multiply<T>(const Context&, View<const T>, View<const T>, View<T>);                          \
  template double sum<T>(const Context&, View<const T>);                                                     \
  template double dot<T>(const Context&, View<const T>, View<const T>);                                      \
  template double norm2<T>(const Context&, View<const T>);                                                   \
  template double max_abs<T>(const Context&, View<const T>);                                                 \
  template double distance2<T>(const Context&, View<const T>, View<const T>);                                \
  template void detail::check_operand<T>(const Context&, const char*, const char*, const View<T>&, index_t); \
  template void detail::check_operand<const T>(const Context&, const char*, const char*,                     \
                                               const View<const T>&, index_t);

RECON_INSTANTIATE_VECTOR_OPS(float)
RECON_INSTANTIATE_VECTOR_OPS(double)

}  // namespace recon

// Group (vector) forms for isotropic TV (MATH.md 1.2): phi applied to the Euclidean norm of
// each group along the leading component axis. The norm is computed scaled by the largest
// component (no overflow or underflow of the squares); a norm beyond T's range is clamped
// to its largest value, where every prox here is within rounding of the exact one.
#include <limits>
#include <string>

#include "launch.hpp"
#include "recon/kernels/parallel_for.hpp"

namespace recon::penalties {

namespace detail {

// |u| = m * sqrt(s) with m = max |u_c| and s = sum (u_c/m)^2 (m = 0: the zero group).
template <class T>
struct GroupNorm {
  T m = 0, root_s = 0, norm = 0;
  RECON_HD GroupNorm(const T* x, index_t k, index_t n, index_t j) {
    for (index_t c = 0; c < k; ++c) m = max_(m, abs_(x[c * n + j]));
    if (m == T(0)) return;
    T s = 0;
    for (index_t c = 0; c < k; ++c) {
      const T v = x[c * n + j] / m;
      s += v * v;
    }
    root_s = std::sqrt(s);
    norm = m * root_s;
    if (!(norm <= std::numeric_limits<T>::max())) norm = std::numeric_limits<T>::max();
  }
  // value / |u|, computed as (value/m)/sqrt(s).
  RECON_HD T ratio(T value) const { return value / m / root_s; }
};

}  // namespace detail

namespace {

template <class T, class F, class W>
void prox_group_kernel(const Context& ctx, F f, W w, const T* in, T* out, index_t k, index_t n) {
  parallel_for(ctx, n, [=] RECON_HD(index_t j) {
    const detail::GroupNorm<T> u(in, k, n, j);
    const T scale = u.m == T(0) ? T(0) : u.ratio(f.prox(u.norm, w(j)));
    for (index_t c = 0; c < k; ++c) out[c * n + j] = in[c * n + j] * scale;
  });
}

// Values to a temporary, reduced by sum<T> (no CUB instantiation per function).
template <class T, class F>
double value_group_kernel(const Context& ctx, F f, const T* x, index_t k, index_t n) {
  Array<T> values(ctx, Shape{n});
  T* v = values.data();
  parallel_for(ctx, n, [=] RECON_HD(index_t j) { v[j] = f.value(detail::GroupNorm<T>(x, k, n, j).norm); });
  return sum<T>(ctx, values);
}

template <class T, class F>
void gradient_group_kernel(const Context& ctx, F f, const T* x, T* g, index_t k, index_t n) {
  parallel_for(ctx, n, [=] RECON_HD(index_t j) {
    const detail::GroupNorm<T> u(x, k, n, j);
    const T scale = u.m == T(0) ? T(0) : u.ratio(f.grad(u.norm));
    for (index_t c = 0; c < k; ++c) g[c * n + j] = x[c * n + j] * scale;
  });
}

template <class T, class W>
void prox_group_any(const Context& ctx, const Function& fn, W w, index_t n, View<const T> in, View<T> out) {
  const index_t k = in.shape()[0];
  std::visit([&](const auto& f) { prox_group_kernel<T>(ctx, f, w, in.data(), out.data(), k, n); }, fn);
}

template <class T>
index_t checked_groups(const Context& ctx, const char* where, const Function& fn, View<const T> in,
                       View<T> out) {
  validate(fn);
  const index_t n = detail::group_count(where, fn, in.shape());
  recon::detail::check_operand(ctx, where, "in", in, in.size());
  recon::detail::check_operand(ctx, where, "out", out, in.size());
  return n;
}

}  // namespace

template <class T>
void prox_group(const Context& ctx, const Function& fn, T gamma, View<const T> in, View<T> out) {
  const index_t n = checked_groups<T>(ctx, "prox_group", fn, in, out);
  prox_group_any<T>(ctx, fn, detail::scalar_weight("prox_group", gamma), n, in, out);
}

template <class T>
void prox_group(const Context& ctx, const Function& fn, View<const T> gamma, View<const T> in, View<T> out) {
  const index_t n = checked_groups<T>(ctx, "prox_group", fn, in, out);
  prox_group_any<T>(ctx, fn, detail::array_weight(ctx, "prox_group", gamma, n), n, in, out);
}

template <class T>
double value_sum_group(const Context& ctx, const Function& fn, View<const T> x) {
  validate(fn);
  const index_t n = detail::group_count("value_sum_group", fn, x.shape());
  recon::detail::check_operand(ctx, "value_sum_group", "x", x, x.size());
  const index_t k = x.shape()[0];
  return std::visit([&](const auto& f) { return value_group_kernel<T>(ctx, f, x.data(), k, n); }, fn);
}

template <class T>
void gradient_group(const Context& ctx, const Function& fn, View<const T> x, View<T> g) {
  const index_t n = checked_groups<T>(ctx, "gradient_group", fn, x, g);
  const index_t k = x.shape()[0];
  std::visit(
      [&](const auto& f) {
        using F = std::decay_t<decltype(f)>;
        if constexpr (F::has_grad)
          gradient_group_kernel<T>(ctx, f, x.data(), g.data(), k, n);
        else
          throw InvalidArgument(std::string("gradient_group: ") + F::name + " has no gradient");
      },
      fn);
}

#define RECON_INSTANTIATE_PENALTY_GROUP(T)                                                             \
  template void prox_group<T>(const Context&, const Function&, T, View<const T>, View<T>);             \
  template void prox_group<T>(const Context&, const Function&, View<const T>, View<const T>, View<T>); \
  template double value_sum_group<T>(const Context&, const Function&, View<const T>);                  \
  template void gradient_group<T>(const Context&, const Function&, View<const T>, View<T>);

RECON_INSTANTIATE_PENALTY_GROUP(float)
RECON_INSTANTIATE_PENALTY_GROUP(double)

}  // namespace recon::penalties

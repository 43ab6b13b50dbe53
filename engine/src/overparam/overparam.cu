// Hadamard over-parametrisation (overparam.hpp). theta is laid out as the d-1 scalar factor
// rows u_k (m values each, m = number of groups) followed by v (n values).
#include "recon/engine/overparam.hpp"

#include <cmath>
#include <limits>
#include <memory>
#include <string>

#include "recon/kernels/parallel_for.hpp"
#include "recon/kernels/vector_ops.hpp"

namespace recon {

namespace detail_overparam {

struct Layout {
  int factors;  // d - 1 scalar factors per group
  index_t k;    // group size
  index_t m;    // number of groups
  index_t n;    // base variables
};

Layout layout_of(index_t n, const OverparamOptions& o) {
  require(std::isfinite(o.lambda) && o.lambda >= 0, "overparam",
          "lambda must be finite and >= 0, got " + std::to_string(o.lambda));
  require(o.depth >= 2, "overparam",
          "depth must be >= 2 (d = 1 is not over-parametrised), got " + std::to_string(o.depth));
  require(o.group_size >= 1, "overparam", "group_size must be >= 1, got " + std::to_string(o.group_size));
  require(std::isfinite(o.init_floor) && o.init_floor > 0, "overparam",
          "init_floor must be finite and > 0, got " + std::to_string(o.init_floor));
  require(n >= 1 && n % o.group_size == 0, "overparam",
          "group_size " + std::to_string(o.group_size) + " must divide the number of variables " +
              std::to_string(n));
  return Layout{o.depth - 1, o.group_size, n / o.group_size, n};
}

template <class T>
void compose(const Context& ctx, const T* theta, const Layout& l, T* x) {
  const T* u = theta;
  const T* v = theta + l.factors * l.m;
  const int factors = l.factors;
  const index_t m = l.m;
  parallel_for(ctx, l.n, [=] RECON_HD(index_t i) {
    T p = v[i];
    for (int f = 0; f < factors; ++f) p *= u[f * m + i % m];
    x[i] = p;
  });
}

// g = d L(compose(theta)) / d theta given gx = grad L(x) (the penalty part is added by the caller).
template <class T>
void chain_rule(const Context& ctx, const T* theta, const T* gx, const Layout& l, T* g) {
  const T* u = theta;
  const T* v = theta + l.factors * l.m;
  T* gu = g;
  T* gv = g + l.factors * l.m;
  const int factors = l.factors;
  const index_t m = l.m, k = l.k;
  parallel_for(ctx, l.n, [=] RECON_HD(index_t i) {
    T p = gx[i];
    for (int f = 0; f < factors; ++f) p *= u[f * m + i % m];
    gv[i] = p;
  });
  parallel_for(ctx, m, [=] RECON_HD(index_t j) {
    T s = 0;
    for (index_t c = 0; c < k; ++c) s += gx[c * m + j] * v[c * m + j];
    for (int f = 0; f < factors; ++f) {
      T p = s;
      for (int e = 0; e < factors; ++e)
        if (e != f) p *= u[e * m + j];
      gu[f * m + j] = p;
    }
  });
}

template <class T>
void factorise(const Context& ctx, const T* x, const Layout& l, double min_norm, T* theta) {
  T* u = theta;
  T* v = theta + l.factors * l.m;
  const int factors = l.factors;
  const index_t m = l.m, k = l.k;
  parallel_for(ctx, m, [=] RECON_HD(index_t j) {
    double r2 = 0;
    for (index_t c = 0; c < k; ++c) r2 += double(x[c * m + j]) * double(x[c * m + j]);
    const double r = sqrt(r2);
    const double t = pow(r > min_norm ? r : min_norm, 1.0 / (factors + 1));
    for (int f = 0; f < factors; ++f) u[f * m + j] = T(t);
    const double inv = 1.0 / pow(t, double(factors));
    for (index_t c = 0; c < k; ++c) v[c * m + j] = T(double(x[c * m + j]) * inv);
  });
}

template <class T>
void check_theta(const Context& ctx, const char* where, const View<T>& theta, const Layout& l) {
  recon::detail::check_operand(ctx, where, "theta", theta, l.factors * l.m + l.n);
}

}  // namespace detail_overparam

index_t overparam_size(index_t n, const OverparamOptions& options) {
  const auto l = detail_overparam::layout_of(n, options);
  return l.factors * l.m + l.n;
}

template <class T>
void overparam_factorise(const Context& ctx, View<const T> x, const OverparamOptions& options,
                         View<T> theta) {
  const auto l = detail_overparam::layout_of(x.size(), options);
  recon::detail::check_operand(ctx, "overparam_factorise", "x", x, l.n);
  detail_overparam::check_theta(ctx, "overparam_factorise", theta, l);
  detail_overparam::factorise(ctx, x.data(), l, options.init_floor, theta.data());
}

template <class T>
void overparam_compose(const Context& ctx, View<const T> theta, const OverparamOptions& options, View<T> x) {
  const auto l = detail_overparam::layout_of(x.size(), options);
  recon::detail::check_operand(ctx, "overparam_compose", "x", x, l.n);
  detail_overparam::check_theta(ctx, "overparam_compose", theta, l);
  detail_overparam::compose(ctx, theta.data(), l, x.data());
}

template <class T>
ValueGradFn<T> overparam_surrogate(const Context& ctx, ValueGradFn<T> loss, const Shape& shape,
                                   const OverparamOptions& options) {
  require(static_cast<bool>(loss), "overparam_surrogate", "the loss function is empty");
  const auto l = detail_overparam::layout_of(shape.size(), options);
  struct Work {
    Array<T> x, gx;
  };
  auto work = std::make_shared<Work>(Work{Array<T>(ctx, shape), Array<T>(ctx, shape)});
  const double lambda = options.lambda, d = options.depth;
  return [work, loss = std::move(loss), l, lambda, d](const Context& c, View<const T> theta, View<T> g) {
    detail_overparam::check_theta(c, "overparam_surrogate", theta, l);
    detail_overparam::check_theta(c, "overparam_surrogate", g, l);
    detail_overparam::compose(c, theta.data(), l, work->x.data());
    const double f = loss(c, work->x.cview(), work->gx.view());
    detail_overparam::chain_rule(c, theta.data(), work->gx.data(), l, g.data());
    axpby<T>(c, T(2 * lambda / d), theta, T(1), g);
    return f + lambda / d * dot<T>(c, theta, theta);
  };
}

template <class T>
SolveReport overparam_solve(const Context& ctx, const ValueGradFn<T>& loss, View<T> x,
                            const OverparamOptions& options, const Monitor& monitor) {
  const index_t size = overparam_size(x.size(), options);
  recon::detail::check_operand(ctx, "overparam_solve", "x", x, x.size());
  Array<T> theta(ctx, Shape{size});
  overparam_factorise<T>(ctx, x, options, theta);
  const SolveReport report =
      lbfgs<T>(ctx, overparam_surrogate<T>(ctx, loss, x.shape(), options), theta, options.lbfgs, monitor);
  overparam_compose<T>(ctx, theta.cview(), options, x);
  return report;
}

#define RECON_INSTANTIATE_OVERPARAM(T)                                                                   \
  template void overparam_factorise<T>(const Context&, View<const T>, const OverparamOptions&, View<T>); \
  template void overparam_compose<T>(const Context&, View<const T>, const OverparamOptions&, View<T>);   \
  template ValueGradFn<T> overparam_surrogate<T>(const Context&, ValueGradFn<T>, const Shape&,           \
                                                 const OverparamOptions&);                               \
  template SolveReport overparam_solve<T>(const Context&, const ValueGradFn<T>&, View<T>,                \
                                          const OverparamOptions&, const Monitor&);
RECON_INSTANTIATE_OVERPARAM(float)
RECON_INSTANTIATE_OVERPARAM(double)
#undef RECON_INSTANTIATE_OVERPARAM

}  // namespace recon

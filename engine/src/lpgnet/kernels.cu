// Kernels of kernels.hpp. Row reductions run one thread per row (a batch has tens of rows of
// a few hundred values), element-wise maps one thread per element.
#include "kernels.hpp"

#include <cmath>

#include "recon/kernels/parallel_for.hpp"

namespace recon::detail_lpgnet {

namespace {
index_t row_length(View<const double> rows_out, index_t size, index_t rows, const char* where) {
  require(rows > 0 && size % rows == 0, where,
          "batch of " + std::to_string(size) + " values is not a whole number of rows");
  require(rows_out.size() == rows, where, "row output has " + std::to_string(rows_out.size()) + " entries");
  return size / rows;
}
}  // namespace

template <class T>
void row_dot(const Context& ctx, View<const T> a, View<const T> b, index_t rows, View<double> out) {
  const index_t n = row_length(out, a.size(), rows, "row_dot");
  const T *pa = a.data(), *pb = b.data();
  double* po = out.data();
  parallel_for(ctx, rows, [=] RECON_HD(index_t r) {
    double s = 0;
    for (index_t j = r * n; j < (r + 1) * n; ++j)
      s += static_cast<double>(pa[j]) * static_cast<double>(pb[j]);
    po[r] = s;
  });
}

template <class T>
void row_abs_sum(const Context& ctx, View<const T> a, index_t rows, View<double> out) {
  const index_t n = row_length(out, a.size(), rows, "row_abs_sum");
  const T* pa = a.data();
  double* po = out.data();
  parallel_for(ctx, rows, [=] RECON_HD(index_t r) {
    double s = 0;
    for (index_t j = r * n; j < (r + 1) * n; ++j) s += fabs(static_cast<double>(pa[j]));
    po[r] = s;
  });
}

template <class T>
void step_threshold(const Context& ctx, View<const T> x, View<const T> g, View<const T> alpha, T tau,
                    View<T> x_next) {
  const index_t n = x.size() / alpha.size();
  const T *px = x.data(), *pg = g.data(), *pa = alpha.data();
  T* py = x_next.data();
  parallel_for(ctx, x.size(), [=] RECON_HD(index_t i) {
    const T u = px[i] - pa[i / n] * pg[i];
    const T m = fabs(u) - tau;
    py[i] = m > T(0) ? (u > T(0) ? m : -m) : T(0);
  });
}

template <class T>
void threshold_backward(const Context& ctx, View<const T> xbar, View<const T> x, View<const T> g,
                        View<const T> alpha, T tau, View<T> ubar, View<double> partial) {
  const index_t rows = alpha.size();
  const index_t n = row_length(partial, x.size(), rows, "threshold_backward");
  const T *pxb = xbar.data(), *px = x.data(), *pg = g.data(), *pa = alpha.data();
  T* pu = ubar.data();
  double* pp = partial.data();
  parallel_for(ctx, rows, [=] RECON_HD(index_t r) {
    double s = 0;
    for (index_t j = r * n; j < (r + 1) * n; ++j) {
      const T u = px[j] - pa[r] * pg[j];
      const bool pass = fabs(u) > tau;
      pu[j] = pass ? pxb[j] : T(0);
      if (pass) s += u > T(0) ? static_cast<double>(pxb[j]) : -static_cast<double>(pxb[j]);
    }
    pp[r] = s;
  });
}

template <class T>
void row_combine(const Context& ctx, View<const T> a, View<const T> x, View<const T> c, View<const T> y,
                 View<T> out) {
  const index_t n = x.size() / a.size();
  const T *pa = a.data(), *px = x.data(), *pc = c.data(), *py = y.data();
  T* po = out.data();
  parallel_for(ctx, x.size(), [=] RECON_HD(index_t i) { po[i] = pa[i / n] * px[i] + pc[i / n] * py[i]; });
}

template <class T>
void add_objective_gradient(const Context& ctx, View<const T> coef, View<const T> g, View<const T> x,
                            T lambda, View<T> out) {
  const index_t n = x.size() / coef.size();
  const T *pc = coef.data(), *pg = g.data(), *px = x.data();
  T* po = out.data();
  parallel_for(ctx, x.size(), [=] RECON_HD(index_t i) {
    const T sign = px[i] > T(0) ? T(1) : (px[i] < T(0) ? T(-1) : T(0));
    po[i] += pc[i / n] * (pg[i] + lambda * sign);
  });
}

#define RECON_INSTANTIATE(T)                                                                                \
  template void row_dot<T>(const Context&, View<const T>, View<const T>, index_t, View<double>);            \
  template void row_abs_sum<T>(const Context&, View<const T>, index_t, View<double>);                       \
  template void step_threshold<T>(const Context&, View<const T>, View<const T>, View<const T>, T, View<T>); \
  template void threshold_backward<T>(const Context&, View<const T>, View<const T>, View<const T>,          \
                                      View<const T>, T, View<T>, View<double>);                             \
  template void row_combine<T>(const Context&, View<const T>, View<const T>, View<const T>, View<const T>,  \
                               View<T>);                                                                    \
  template void add_objective_gradient<T>(const Context&, View<const T>, View<const T>, View<const T>, T,   \
                                          View<T>);
RECON_INSTANTIATE(float)
RECON_INSTANTIATE(double)
#undef RECON_INSTANTIATE

}  // namespace recon::detail_lpgnet

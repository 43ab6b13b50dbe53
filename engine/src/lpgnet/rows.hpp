// Batch helpers shared by LPG-Net and the LASSO reference solvers (engine/src/lpgnet):
// rows of a (rows, n) batch, per-row reductions brought to the host and per-row scalars sent
// to the device. No kernels here (they live once in kernels.cu). Tests: tests/lpgnet/.
#pragma once

#include <numeric>
#include <vector>

#include "kernels.hpp"
#include "recon/kernels/vector_ops.hpp"
#include "recon/operators/operator.hpp"

namespace recon::detail_lpgnet {

template <class T>
View<T> row(View<T> batch, index_t i) {
  const index_t n = batch.shape().back(0);
  return View<T>(batch.data() + i * n, Shape{n}, batch.device());
}

// Row-wise helpers bound to one batch: reductions come back as host vectors, host vectors of
// per-row scalars go up as device arrays.
template <class T>
class Rows {
 public:
  Rows(const Context& ctx, index_t rows) : ctx_(ctx), rows_(rows), buf_(ctx, Shape{rows}) {}
  std::vector<double> dot(View<const T> a, View<const T> b) {
    row_dot<T>(ctx_, a, b, rows_, buf_);
    return buf_.to_host_vector();
  }
  std::vector<double> abs_sum(View<const T> a) {
    row_abs_sum<T>(ctx_, a, rows_, buf_);
    return buf_.to_host_vector();
  }
  std::vector<double> threshold_backward(View<const T> xbar, View<const T> x, View<const T> g,
                                         View<const T> alpha, T tau, View<T> ubar) {
    detail_lpgnet::threshold_backward<T>(ctx_, xbar, x, g, alpha, tau, ubar, buf_);
    return buf_.to_host_vector();
  }
  Array<T> upload(const std::vector<double>& v) const {
    return Array<T>::from_host(ctx_, Shape{rows_}, std::vector<T>(v.begin(), v.end()));
  }

 private:
  const Context& ctx_;
  index_t rows_;
  Array<double> buf_;
};

// r = A x - b, g = A^T r; returns ||r_i||^2 per row.
template <class T>
std::vector<double> residual_gradient(const Context& ctx, const Operator<T>& a, View<const T> b,
                                      View<const T> x, View<T> r, View<T> g, Rows<T>& rows) {
  a.apply(ctx, x, r);
  axpby<T>(ctx, T(-1), b, T(1), r);
  a.adjoint(ctx, r, g);
  return rows.dot(r, r);
}

// F(x_i) = 0.5 ||A x_i - b_i||^2 + lambda ||x_i||_1 per row, given r2[i] = ||A x_i - b_i||^2.
template <class T>
std::vector<double> objective_rows(Rows<T>& rows, View<const T> x, const std::vector<double>& r2,
                                   double lambda) {
  std::vector<double> f = rows.abs_sum(x);
  for (size_t i = 0; i < f.size(); ++i) f[i] = 0.5 * r2[i] + lambda * f[i];
  return f;
}

inline double mean(const std::vector<double>& v) {
  return std::accumulate(v.begin(), v.end(), 0.0) / v.size();
}

}  // namespace recon::detail_lpgnet

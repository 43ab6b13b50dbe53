// The LASSO reference solvers and synthetic problems of lpgnet.hpp: ISTA, FISTA and ADMM
// reach the same minimiser, which satisfies the LASSO optimality conditions; ISTA's objective
// never increases; the data generator honours k, the SNR and per-sample reproducibility.
#include <gtest/gtest.h>

#include <cmath>

#include "recon/engine/lpgnet.hpp"
#include "recon/kernels/vector_ops.hpp"

namespace recon {
namespace {

struct Problem {
  Context ctx = Context::host();
  LassoSpec spec{40, 24, 4, 25.0, 0.05, 8};  // n, m, k, SNR (dB), lambda, seed
  index_t batch = 3;
  std::shared_ptr<const Array<double>> matrix;
  LassoBatch<double> data;
  double lipschitz = 0;
  Problem() {
    matrix = std::make_shared<const Array<double>>(lasso_matrix<double>(ctx, spec));
    data = lasso_samples<double>(ctx, spec, *matrix, batch, 4);
    const double s = batched_matrix<double>(matrix, 1).norm_estimate(ctx, 500);
    lipschitz = 1.001 * s * s;  // the power method estimates from below
  }
};

TEST(LassoReference, SolversAgreeAtTheOptimum) {
  Problem p;
  const LassoReference<double> ref(p.ctx, p.matrix, p.batch, p.spec.lambda, p.lipschitz, 1.0);
  const Shape xs{p.batch, p.spec.n};
  Array<double> ista(p.ctx, xs), fista(p.ctx, xs), admm(p.ctx, xs);
  std::vector<double> ista_obj;
  ref.solve(p.ctx, LassoSolver::Ista, 20000, p.data.b, ista, &ista_obj);
  ref.solve(p.ctx, LassoSolver::Fista, 3000, p.data.b, fista);
  ref.solve(p.ctx, LassoSolver::Admm, 3000, p.data.b, admm);
  EXPECT_LT(distance2<double>(p.ctx, ista, fista), 1e-7);
  EXPECT_LT(distance2<double>(p.ctx, admm, fista), 1e-7);
  ASSERT_EQ(ista_obj.size(), 20001u);
  for (size_t k = 1; k < ista_obj.size(); ++k)
    ASSERT_LE(ista_obj[k], ista_obj[k - 1] + 1e-12) << "iteration " << k;
  EXPECT_NEAR(lasso_objective<double>(p.ctx, ref.op(), p.data.b, fista, p.spec.lambda), ista_obj.back(),
              1e-10);

  // Optimality: g = A^T(A x - b); g_j = -lambda sign(x_j) on the support, |g_j| <= lambda off it.
  const std::vector<double> a = p.matrix->to_host_vector(), b = p.data.b.to_host_vector(),
                            x = fista.to_host_vector();
  const index_t n = p.spec.n, m = p.spec.m;
  int support = 0;
  for (index_t s = 0; s < p.batch; ++s)
    for (index_t j = 0; j < n; ++j) {
      double g = 0;
      for (index_t i = 0; i < m; ++i) {
        double r = -b[s * m + i];
        for (index_t l = 0; l < n; ++l) r += a[i * n + l] * x[s * n + l];
        g += a[i * n + j] * r;
      }
      const double xj = x[s * n + j];
      if (xj != 0) {
        ++support;
        EXPECT_NEAR(g, -p.spec.lambda * (xj > 0 ? 1 : -1), 1e-7);
      } else {
        EXPECT_LE(std::fabs(g), p.spec.lambda + 1e-7);
      }
    }
  EXPECT_GT(support, 0);
}

TEST(LassoReference, FistaAndAdmmBeatIstaAtTwentyIterations) {
  Problem p;
  const LassoReference<double> ref(p.ctx, p.matrix, p.batch, p.spec.lambda, p.lipschitz, 1.0);
  Array<double> x(p.ctx, Shape{p.batch, p.spec.n});
  std::vector<double> ista, fista, admm;
  ref.solve(p.ctx, LassoSolver::Ista, 20, p.data.b, x, &ista);
  ref.solve(p.ctx, LassoSolver::Fista, 20, p.data.b, x, &fista);
  ref.solve(p.ctx, LassoSolver::Admm, 20, p.data.b, x, &admm);
  EXPECT_LT(fista.back(), ista.back());
  EXPECT_LT(admm.back(), ista.front());
}

TEST(LassoSamples, SparsitySnrAndReproducibility) {
  Problem p;
  const index_t count = 64;
  const LassoBatch<double> big = lasso_samples<double>(p.ctx, p.spec, *p.matrix, count, 4);
  const std::vector<double> x = big.x_true.to_host_vector(), b = big.b.to_host_vector();
  const std::vector<double> x_small = p.data.x_true.to_host_vector(), b_small = p.data.b.to_host_vector();
  for (size_t i = 0; i < x_small.size(); ++i)
    ASSERT_EQ(x[i], x_small[i]) << "sample i must not depend on count";
  // b = A x* goes through a GEMM whose blocking depends on the batch: equal up to rounding.
  for (size_t i = 0; i < b_small.size(); ++i) ASSERT_NEAR(b[i], b_small[i], 1e-13);
  for (index_t s = 0; s < count; ++s) {
    int nonzero = 0;
    for (index_t j = 0; j < p.spec.n; ++j) nonzero += x[s * p.spec.n + j] != 0;
    EXPECT_EQ(nonzero, p.spec.k);
  }
  // Noise energy over signal energy, pooled: 10^(-snr/10) within sampling error.
  const auto a = batched_matrix<double>(p.matrix, count);
  Array<double> clean(p.ctx, big.b.shape());
  a.apply(p.ctx, big.x_true, clean);
  const double noise = distance2<double>(p.ctx, clean, big.b), signal = norm2<double>(p.ctx, clean);
  EXPECT_NEAR(20 * std::log10(signal / noise), p.spec.snr_db, 0.5);
  // Columns have unit norm.
  const std::vector<double> m = p.matrix->to_host_vector();
  for (index_t j = 0; j < p.spec.n; ++j) {
    double c = 0;
    for (index_t i = 0; i < p.spec.m; ++i) c += m[i * p.spec.n + j] * m[i * p.spec.n + j];
    EXPECT_NEAR(c, 1.0, 1e-12);
  }
  EXPECT_THROW(lasso_samples<double>(p.ctx, p.spec, *p.matrix, 0, 1), InvalidArgument);
  LassoSpec bad = p.spec;
  bad.m += 1;
  EXPECT_THROW(lasso_samples<double>(p.ctx, bad, *p.matrix, 4, 1), ShapeMismatch);
}

}  // namespace
}  // namespace recon

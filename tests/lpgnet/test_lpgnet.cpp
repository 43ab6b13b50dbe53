// LPG-Net (engine/include/recon/engine/lpgnet.hpp): the forward pass against a plain scalar
// re-implementation, the hand-written gradient against central finite differences (every
// parameter type, hinge active), training on a tiny problem, JSON round trip and errors.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>

#include "backends.hpp"
#include "recon/engine/lpgnet.hpp"
#include "recon/engine/metrics.hpp"
#include "recon/operators/dense_matrix.hpp"

namespace recon {
namespace {

using testing::BackendName;
using testing::BackendTest;

// n, m, k, SNR (dB), lambda, seed
LassoSpec small_spec() { return {24, 12, 3, 20.0, 0.05, 5}; }

// Random parameters with a wide step interval so that some layers overshoot and the
// monotonicity hinge is active.
LpgNetParams random_params(const LassoSpec& spec, int layers, LpgAblation ablation, unsigned seed) {
  LpgNetParams p = LpgNetParams::initial(spec, layers, 3.0, ablation, 0.7, 0.02);
  p.alpha_min = 0.05;
  p.alpha_max = 0.9;
  std::mt19937_64 gen(seed);
  std::uniform_real_distribution<double> u(-1, 1);
  for (double& w : p.w) w = ablation == LpgAblation::NoAdaptiveStep ? 0 : 0.8 * u(gen);
  for (double& c : p.c) c = 1.5 * u(gen);
  for (double& t : p.theta) t = -3 + 0.5 * u(gen);
  return p;
}

double softplus(double t) { return std::log1p(std::exp(t)); }

// Scalar LPG-Net, one sample at a time, straight from MATH.md 3.3.
std::vector<double> scalar_forward(const std::vector<double>& a, const std::vector<double>& b,
                                   const LpgNetParams& p, std::vector<double>* objective) {
  const index_t n = p.problem.n, m = p.problem.m;
  std::vector<double> x(n, 0.0), r(m), g(n);
  const auto grad = [&] {
    double rr = 0;
    for (index_t i = 0; i < m; ++i) {
      r[i] = -b[i];
      for (index_t j = 0; j < n; ++j) r[i] += a[i * n + j] * x[j];
      rr += r[i] * r[i];
    }
    for (index_t j = 0; j < n; ++j) {
      g[j] = 0;
      for (index_t i = 0; i < m; ++i) g[j] += a[i * n + j] * r[i];
    }
    double l1 = 0;
    for (double v : x) l1 += std::fabs(v);
    objective->push_back(0.5 * rr + p.problem.lambda * l1);
  };
  for (int k = 0; k < p.layers; ++k) {
    grad();
    double s = 0;
    for (double v : g) s += v * v;
    s = std::sqrt(s);
    const double alpha = p.alpha_min + (p.alpha_max - p.alpha_min) / (1 + std::exp(-(p.w[k] * s + p.c[k])));
    const double tau = softplus(p.theta[p.theta.size() == 1 ? 0 : k]);
    for (index_t j = 0; j < n; ++j) {
      const double u = x[j] - alpha * g[j];
      x[j] = std::fabs(u) > tau ? (u > 0 ? u - tau : u + tau) : 0.0;
    }
  }
  grad();
  return x;
}

template <class B>
class LpgNetForward : public BackendTest<B> {};
TYPED_TEST_SUITE(LpgNetForward, testing::AllBackends, BackendName);

TYPED_TEST(LpgNetForward, MatchesScalarReimplementation) {
  using T = typename TypeParam::value_type;
  const Context& ctx = this->ctx();
  const LassoSpec spec = small_spec();
  const index_t batch = 5;
  for (LpgAblation ab : {LpgAblation::None, LpgAblation::SharedThreshold}) {
    const LpgNetParams p = random_params(spec, 6, ab, 3);
    const auto matrix = std::make_shared<const Array<T>>(lasso_matrix<T>(ctx, spec));
    const LassoBatch<T> data = lasso_samples<T>(ctx, spec, *matrix, batch, 7);
    Array<T> x(ctx, Shape{batch, spec.n});
    std::vector<double> objective;
    lpgnet_forward<T>(ctx, batched_matrix<T>(matrix, batch), p, data.b, x, &objective);

    const std::vector<T> at = matrix->to_host_vector(), bt = data.b.to_host_vector(), xt = x.to_host_vector();
    const std::vector<double> a(at.begin(), at.end());
    std::vector<double> mean_objective(p.layers + 1, 0.0);
    const double tol = sizeof(T) == 4 ? 2e-4 : 1e-11;
    for (index_t i = 0; i < batch; ++i) {
      std::vector<double> obj;
      const std::vector<double> bi(bt.begin() + i * spec.m, bt.begin() + (i + 1) * spec.m);
      const std::vector<double> ref = scalar_forward(a, bi, p, &obj);
      for (index_t j = 0; j < spec.n; ++j)
        EXPECT_NEAR(xt[i * spec.n + j], ref[j], tol) << "sample " << i << " j " << j;
      for (int k = 0; k <= p.layers; ++k) mean_objective[k] += obj[k] / batch;
    }
    ASSERT_EQ(objective.size(), mean_objective.size());
    for (int k = 0; k <= p.layers; ++k)
      EXPECT_NEAR(objective[k], mean_objective[k], 10 * tol) << "layer " << k;
  }
}

// Loss on a fixed double-precision batch as a function of the parameters.
struct GradientFixture {
  Context ctx = Context::host();
  LassoSpec spec = small_spec();
  index_t batch = 4;
  std::shared_ptr<const Array<double>> matrix =
      std::make_shared<const Array<double>>(lasso_matrix<double>(ctx, spec));
  Operator<double> a = batched_matrix<double>(matrix, batch);
  LassoBatch<double> data = lasso_samples<double>(ctx, spec, *matrix, batch, 3);
  LpgLoss loss(const LpgNetParams& p, LpgGradient* g = nullptr) {
    return lpgnet_loss<double>(ctx, a, p, data.b, data.x_true, g);
  }
};

void expect_gradient_matches_finite_differences(LpgAblation ablation) {
  GradientFixture f;
  LpgNetParams p = random_params(f.spec, 5, ablation, 17);
  LpgGradient g;
  const LpgLoss l = f.loss(p, &g);
  EXPECT_GT(l.monotone, 0) << "the hinge term must be active somewhere for this check to cover it";
  EXPECT_GT(l.regulariser, 0);
  const double h = 1e-6;
  const auto check = [&](std::vector<double>& param, const std::vector<double>& grad, const char* name) {
    ASSERT_EQ(param.size(), grad.size()) << name;
    for (size_t i = 0; i < param.size(); ++i) {
      const double keep = param[i];
      param[i] = keep + h;
      const double up = f.loss(p).total;
      param[i] = keep - h;
      const double down = f.loss(p).total;
      param[i] = keep;
      const double fd = (up - down) / (2 * h);
      EXPECT_NEAR(grad[i], fd, 1e-6 * std::max(1.0, std::fabs(fd))) << name << "[" << i << "]";
    }
  };
  check(p.w, g.w, "w");
  check(p.c, g.c, "c");
  check(p.theta, g.theta, "theta");
  double w_norm = 0;
  for (double v : g.w) w_norm += std::fabs(v);
  if (ablation != LpgAblation::NoAdaptiveStep) {
    EXPECT_GT(w_norm, 1e-6) << "the adaptive-step path is exercised";
  }
}

TEST(LpgNetGradient, MatchesFiniteDifferences) {
  expect_gradient_matches_finite_differences(LpgAblation::None);
}

TEST(LpgNetGradient, MatchesFiniteDifferencesWithSharedThreshold) {
  expect_gradient_matches_finite_differences(LpgAblation::SharedThreshold);
}

TEST(LpgNetGradient, MatchesFiniteDifferencesWithoutAdaptiveStep) {
  expect_gradient_matches_finite_differences(LpgAblation::NoAdaptiveStep);
}

TEST(LpgNetGradient, LossPartsAddUp) {
  GradientFixture f;
  const LpgNetParams p = random_params(f.spec, 5, LpgAblation::None, 17);
  const LpgLoss l = f.loss(p);
  EXPECT_NEAR(l.total, l.task + p.beta * l.monotone + p.gamma * l.regulariser, 1e-12 * l.total);
  // Task term independently: ||x_K - x*||^2 averaged over the batch.
  Array<double> x(f.ctx, f.data.x_true.shape());
  lpgnet_forward<double>(f.ctx, f.a, p, f.data.b, x);
  const double d = distance2<double>(f.ctx, x, f.data.x_true);
  EXPECT_NEAR(l.task, d * d / f.batch, 1e-12 * l.task);
}

// Training on a tiny problem lowers the loss, and the trained network beats its own start
// (which is exactly ISTA: alpha = 1/L, tau = lambda/L) in held-out MAE at K = 20.
TEST(LpgNetTraining, ReducesLossAndBeatsIstaOnHeldOutSamples) {
  const Context ctx = Context::host();
  const LassoSpec spec{64, 32, 4, 30.0, 0.05, 21};
  const auto matrix = std::make_shared<const Array<double>>(lasso_matrix<double>(ctx, spec));
  const int K = 20;
  const double lipschitz = batched_matrix<double>(matrix, 1).norm_estimate(ctx);
  LpgNetParams p = LpgNetParams::initial(spec, K, lipschitz * lipschitz, LpgAblation::None, 0.1, 1e-4);
  const LpgNetParams untrained = p;

  LpgTrainOptions o;
  o.epochs = 25;
  o.batch = 32;
  o.train_samples = 256;
  o.learning_rate = 0.03;
  const std::vector<double> history = lpgnet_train<double>(ctx, matrix, p, o);
  ASSERT_EQ(history.size(), 25u);
  EXPECT_LT(history.back(), 0.5 * history.front());

  const index_t held_out = 128;
  const LassoBatch<double> test = lasso_samples<double>(ctx, spec, *matrix, held_out, 99);
  const Operator<double> a = batched_matrix<double>(matrix, held_out);
  EXPECT_LT(lpgnet_loss<double>(ctx, a, p, test.b, test.x_true).total,
            lpgnet_loss<double>(ctx, a, untrained, test.b, test.x_true).total);
  Array<double> x_net(ctx, test.x_true.shape()), x_start(ctx, test.x_true.shape()),
      x_ista(ctx, test.x_true.shape());
  lpgnet_forward<double>(ctx, a, p, test.b, x_net);
  lpgnet_forward<double>(ctx, a, untrained, test.b, x_start);
  LassoReference<double>(ctx, matrix, held_out, spec.lambda, p.lipschitz, 1.0)
      .solve(ctx, LassoSolver::Ista, K, test.b, x_ista);
  EXPECT_LT(distance2<double>(ctx, x_start, x_ista), 1e-10) << "the untrained network is ISTA";
  const double mae_net = mae<double>(ctx, test.x_true, x_net),
               mae_ista = mae<double>(ctx, test.x_true, x_ista);
  EXPECT_LT(mae_net, 0.5 * mae_ista) << "trained " << mae_net << " vs ISTA " << mae_ista;
}

// The ablations constrain what training may change: no adaptive step keeps w = 0, a shared
// threshold stays one value, no monotonicity term means beta = 0.
TEST(LpgNetTraining, AblationsConstrainTheParameters) {
  GradientFixture f;
  LpgTrainOptions o;
  o.epochs = 3;
  o.batch = 4;
  o.train_samples = 8;
  for (LpgAblation ab :
       {LpgAblation::NoAdaptiveStep, LpgAblation::SharedThreshold, LpgAblation::NoMonotone}) {
    LpgNetParams p = LpgNetParams::initial(f.spec, 4, 3.0, ab, 0.5, 1e-3);
    const LpgNetParams start = p;
    lpgnet_train<double>(f.ctx, f.matrix, p, o);
    EXPECT_NE(p.c, start.c) << to_string(ab);
    EXPECT_NE(p.theta, start.theta) << to_string(ab);
    if (ab == LpgAblation::NoAdaptiveStep) {
      EXPECT_EQ(p.w, start.w);
    } else {
      EXPECT_NE(p.w, start.w) << to_string(ab);
    }
    EXPECT_EQ(p.theta.size(), ab == LpgAblation::SharedThreshold ? 1u : 4u);
    EXPECT_EQ(p.beta, ab == LpgAblation::NoMonotone ? 0.0 : 0.5);
  }
}

TEST(LpgNetParamsJson, RoundTripIsExact) {
  LassoSpec spec = small_spec();
  spec.seed = 0xfedcba9876543210ull;
  const LpgNetParams p = random_params(spec, 7, LpgAblation::SharedThreshold, 4);
  const LpgNetParams q = lpgnet_params_from_json(lpgnet_params_to_json(p), "test");
  EXPECT_EQ(q.problem.seed, p.problem.seed);
  EXPECT_EQ(q.problem.n, p.problem.n);
  EXPECT_EQ(q.problem.lambda, p.problem.lambda);
  EXPECT_EQ(q.layers, p.layers);
  EXPECT_EQ(q.ablation, p.ablation);
  EXPECT_EQ(q.alpha_max, p.alpha_max);
  EXPECT_EQ(q.w, p.w);
  EXPECT_EQ(q.c, p.c);
  EXPECT_EQ(q.theta, p.theta);

  const std::string path = ::testing::TempDir() + "lpgnet_params.json";
  save_lpgnet_params(path, p);
  const LpgNetParams r = load_lpgnet_params(path);
  EXPECT_EQ(r.theta, p.theta);
  EXPECT_EQ(r.c, p.c);
  std::remove(path.c_str());
}

TEST(LpgNetErrors, RejectsBadInput) {
  const LassoSpec spec = small_spec();
  EXPECT_THROW(LpgNetParams::initial(spec, -1, 3.0, LpgAblation::None, 0.1, 0), InvalidArgument);
  EXPECT_THROW(LpgNetParams::initial(spec, 0, 3.0, LpgAblation::None, 0.1, 0), InvalidArgument);
  EXPECT_THROW(parse_lpg_ablation("no-step"), InvalidArgument);

  LpgNetParams p = LpgNetParams::initial(spec, 4, 3.0, LpgAblation::None, 0.1, 0);
  p.c.pop_back();
  EXPECT_THROW(p.validate("test"), InvalidArgument);

  GradientFixture f;
  const LpgNetParams good = LpgNetParams::initial(f.spec, 4, 3.0, LpgAblation::None, 0.1, 0);
  Array<double> wrong_b(f.ctx, Shape{f.batch, f.spec.m + 1}), x(f.ctx, Shape{f.batch, f.spec.n});
  EXPECT_THROW(lpgnet_forward<double>(f.ctx, f.a, good, wrong_b, x), ShapeMismatch);
  Array<double> wrong_x(f.ctx, Shape{f.batch + 1, f.spec.n});
  EXPECT_THROW(lpgnet_forward<double>(f.ctx, f.a, good, f.data.b, wrong_x), ShapeMismatch);
  LpgNetParams other = good;
  other.problem.n = f.spec.n + 2;
  EXPECT_THROW(lpgnet_forward<double>(f.ctx, f.a, other, f.data.b, x), ShapeMismatch);
  // A vector operator (no batch axis) is not accepted.
  EXPECT_THROW(lpgnet_forward<double>(f.ctx, dense_matrix<double>(lasso_matrix<double>(f.ctx, f.spec)), good,
                                      f.data.b, x),
               ShapeMismatch);

  LpgTrainOptions o;
  o.batch = 8;
  o.train_samples = 4;
  LpgNetParams t = good;
  EXPECT_THROW(lpgnet_train<double>(f.ctx, f.matrix, t, o), InvalidArgument);

  EXPECT_THROW(load_lpgnet_params(::testing::TempDir() + "no_such_lpgnet_params.json"), IoError);
  EXPECT_THROW(lpgnet_params_from_json("{\"model\": \"lpgnet\", \"version\": 1}", "test"), InvalidArgument);
  EXPECT_THROW(lpgnet_params_from_json("not json", "test"), InvalidArgument);
}

}  // namespace
}  // namespace recon

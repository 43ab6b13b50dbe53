// LPG-Net forward pass, exact reverse-mode gradient, Adam training and the synthetic LASSO
// problems (lpgnet.hpp). Per-sample scalars (s_k, alpha_k, F(x_k)) are brought to the host
// once per layer: they are a few dozen numbers and the sigmoid/softplus algebra on them is
// clearer in plain C++ than in a kernel.
#include "recon/engine/lpgnet.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "recon/datasets/noise.hpp"
#include "recon/datasets/random.hpp"
#include "recon/datasets/signals.hpp"
#include "recon/kernels/vector_ops.hpp"
#include "recon/operators/dense_matrix.hpp"
#include "rows.hpp"

namespace recon {

namespace detail_lpgnet {

double sigmoid(double z) { return z >= 0 ? 1 / (1 + std::exp(-z)) : std::exp(z) / (1 + std::exp(z)); }
double softplus(double t) { return t > 30 ? t : std::log1p(std::exp(t)); }
double softplus_inverse(double y) { return y > 30 ? y : std::log(std::expm1(y)); }

// Activations of one forward pass, kept for the backward pass.
template <class T>
struct Tape {
  std::vector<Array<T>> x, g;                    // x_0..x_K, g_0..g_K
  std::vector<std::vector<double>> s, alpha, f;  // per layer, per row; f for x_0..x_K
};

template <class T>
void check_batch(const Operator<T>& a, const LpgNetParams& p, View<const T> b, const Shape& x_shape,
                 const std::string& where) {
  p.validate(where);
  if (a.domain().ndim() != 2 || a.range().ndim() != 2)
    throw ShapeMismatch(where + ": needs a batched operator (domain (B, n)), got domain " + a.domain().str());
  if (a.domain()[1] != p.problem.n || a.range()[1] != p.problem.m)
    throw ShapeMismatch(where + ": operator maps " + a.domain().str() + " -> " + a.range().str() +
                        ", the parameters are for n = " + std::to_string(p.problem.n) +
                        ", m = " + std::to_string(p.problem.m));
  if (b.shape() != a.range())
    throw ShapeMismatch(where + ": b has shape " + b.shape().str() + ", expected " + a.range().str());
  if (x_shape != a.domain())
    throw ShapeMismatch(where + ": x has shape " + x_shape.str() + ", expected " + a.domain().str());
}

// The K layers from x_0 = 0 into x. With a tape every activation is stored; objective gets the
// batch mean of F(x_k).
template <class T>
void run_layers(const Context& ctx, const Operator<T>& a, const LpgNetParams& p, View<const T> b, View<T> x,
                Tape<T>* tape, std::vector<double>* objective) {
  const index_t rows = a.domain()[0];
  const bool need_f = tape || objective;
  Rows<T> rr(ctx, rows);
  Array<T> r(ctx, a.range()), g(ctx, a.domain()), next(ctx, a.domain());
  fill<T>(ctx, x, T(0));
  if (objective) objective->clear();
  const auto record_f = [&](View<const T> xk, const std::vector<double>& r2) {
    std::vector<double> f = objective_rows<T>(rr, xk, r2, p.problem.lambda);
    if (objective) objective->push_back(mean(f));
    if (tape) tape->f.push_back(std::move(f));
  };
  for (int k = 0; k <= p.layers; ++k) {
    View<T> gk = tape ? (tape->g.emplace_back(ctx, a.domain()), tape->g.back().view()) : g.view();
    if (tape) {
      tape->x.emplace_back(ctx, a.domain());
      copy<T>(ctx, x, tape->x.back());
    }
    if (k == p.layers && !need_f) break;
    const std::vector<double> r2 = residual_gradient<T>(ctx, a, b, x, r, gk, rr);
    if (need_f) record_f(x, r2);
    if (k == p.layers) break;
    std::vector<double> s = rr.dot(gk, gk), alpha(rows);
    for (index_t i = 0; i < rows; ++i) {
      s[i] = std::sqrt(s[i]);
      alpha[i] = p.alpha_min + (p.alpha_max - p.alpha_min) * sigmoid(p.w[k] * s[i] + p.c[k]);
    }
    step_threshold<T>(ctx, x, gk, rr.upload(alpha), static_cast<T>(p.tau(k)), next);
    copy<T>(ctx, next, x);
    if (tape) {
      tape->s.push_back(std::move(s));
      tape->alpha.push_back(std::move(alpha));
    }
  }
}

}  // namespace detail_lpgnet

using namespace detail_lpgnet;

// ---- problems ----------------------------------------------------------------------------

template <class T>
Array<T> lasso_matrix(const Context& ctx, const LassoSpec& spec) {
  require(spec.m > 0 && spec.n > 0, "lasso_matrix",
          "needs m, n > 0, got m = " + std::to_string(spec.m) + ", n = " + std::to_string(spec.n));
  return datasets::gaussian_matrix<T>(ctx, spec.m, spec.n, spec.seed);
}

template <class T>
Operator<T> batched_matrix(std::shared_ptr<const Array<T>> matrix, index_t batch) {
  require(batch > 0, "batched_matrix", "batch must be > 0, got " + std::to_string(batch));
  return Operator<T>(std::make_shared<DenseMatrixOperator<T>>(std::move(matrix), batch));
}

template <class T>
LassoBatch<T> lasso_samples(const Context& ctx, const LassoSpec& spec, const Array<T>& matrix, index_t count,
                            std::uint64_t set) {
  const std::string where = "lasso_samples";
  require(count > 0, where, "count must be > 0, got " + std::to_string(count));
  require(spec.k >= 0 && spec.k <= spec.n, where,
          "sparsity k = " + std::to_string(spec.k) + " must lie in [0, n = " + std::to_string(spec.n) + "]");
  if (matrix.shape() != Shape{spec.m, spec.n})
    throw ShapeMismatch(where + ": matrix has shape " + matrix.shape().str() +
                        ", the problem is m = " + std::to_string(spec.m) + ", n = " + std::to_string(spec.n));
  LassoBatch<T> out{Array<T>(ctx, Shape{count, spec.m}), Array<T>(ctx, Shape{count, spec.n})};
  std::vector<std::uint64_t> seeds(count);
  for (index_t i = 0; i < count; ++i) {
    seeds[i] =
        datasets::splitmix64(spec.seed ^ datasets::splitmix64((set << 32) + static_cast<std::uint64_t>(i)));
    copy<T>(ctx, datasets::sparse_vector<T>(ctx, spec.n, spec.k, seeds[i]), row(out.x_true.view(), i));
  }
  // Non-owning: the operator lives only inside this call.
  const auto a = batched_matrix<T>(std::shared_ptr<const Array<T>>(&matrix, [](const Array<T>*) {}), count);
  a.apply(ctx, out.x_true, out.b);
  const double noise_scale = std::pow(10.0, -spec.snr_db / 20) / std::sqrt(static_cast<double>(spec.m));
  for (index_t i = 0; i < count; ++i) {
    View<T> bi = row(out.b.view(), i);
    datasets::add_gaussian_noise<T>(ctx, bi, norm2<T>(ctx, bi) * noise_scale,
                                    datasets::splitmix64(seeds[i] + 1));
  }
  return out;
}

// ---- parameters --------------------------------------------------------------------------

LpgAblation parse_lpg_ablation(const std::string& name) {
  for (LpgAblation a : {LpgAblation::None, LpgAblation::NoAdaptiveStep, LpgAblation::NoMonotone,
                        LpgAblation::SharedThreshold})
    if (name == to_string(a)) return a;
  throw InvalidArgument("ablation '" + name +
                        "' is not none, no-adaptive-step, no-monotone or shared-threshold");
}

std::string to_string(LpgAblation a) {
  switch (a) {
    case LpgAblation::NoAdaptiveStep:
      return "no-adaptive-step";
    case LpgAblation::NoMonotone:
      return "no-monotone";
    case LpgAblation::SharedThreshold:
      return "shared-threshold";
    default:
      return "none";
  }
}

LpgNetParams LpgNetParams::initial(const LassoSpec& problem, int layers, double lipschitz,
                                   LpgAblation ablation, double beta, double gamma, double alpha_max_factor) {
  require(layers >= 1, "LpgNetParams::initial", "layers must be >= 1, got " + std::to_string(layers));
  require(lipschitz > 0, "LpgNetParams::initial", "lipschitz must be > 0");
  require(alpha_max_factor > 1, "LpgNetParams::initial", "alpha_max_factor must be > 1");
  LpgNetParams p;
  p.problem = problem;
  p.layers = layers;
  p.lipschitz = lipschitz;
  p.alpha_min = 0;
  p.alpha_max = alpha_max_factor / lipschitz;
  p.beta = ablation == LpgAblation::NoMonotone ? 0 : beta;
  p.gamma = gamma;
  p.ablation = ablation;
  p.w.assign(layers, 0.0);
  p.c.assign(layers, -std::log(alpha_max_factor - 1));  // sigmoid(c) = 1 / alpha_max_factor
  p.theta.assign(ablation == LpgAblation::SharedThreshold ? 1 : layers,
                 softplus_inverse(problem.lambda / lipschitz));
  p.validate("LpgNetParams::initial");
  return p;
}

double LpgNetParams::tau(int layer) const {
  return softplus(theta[ablation == LpgAblation::SharedThreshold ? 0 : layer]);
}

void LpgNetParams::validate(const std::string& where) const {
  require(layers >= 1, where, "layers must be >= 1, got " + std::to_string(layers));
  require(problem.n > 0 && problem.m > 0, where, "problem needs n, m > 0");
  require(problem.lambda >= 0, where, "lambda must be >= 0");
  require(alpha_min >= 0 && alpha_max >= alpha_min, where, "needs 0 <= alpha_min <= alpha_max");
  require(beta >= 0 && gamma >= 0, where, "beta and gamma must be >= 0");
  const size_t k = static_cast<size_t>(layers);
  const size_t nt = ablation == LpgAblation::SharedThreshold ? 1 : k;
  require(w.size() == k && c.size() == k && theta.size() == nt, where,
          "expected " + std::to_string(k) + " values of w and c and " + std::to_string(nt) +
              " of theta, got " + std::to_string(w.size()) + ", " + std::to_string(c.size()) + ", " +
              std::to_string(theta.size()));
  require(ablation != LpgAblation::NoMonotone || beta == 0, where, "the no-monotone ablation needs beta = 0");
}

// ---- forward, loss, gradient -------------------------------------------------------------

template <class T>
void lpgnet_forward(const Context& ctx, const Operator<T>& a, const LpgNetParams& p, View<const T> b,
                    View<T> x, std::vector<double>* objective) {
  check_batch<T>(a, p, b, x.shape(), "lpgnet_forward");
  run_layers<T>(ctx, a, p, b, x, nullptr, objective);
}

template <class T>
LpgLoss lpgnet_loss(const Context& ctx, const Operator<T>& a, const LpgNetParams& p, View<const T> b,
                    View<const T> x_true, LpgGradient* gradient) {
  check_batch<T>(a, p, b, x_true.shape(), "lpgnet_loss");
  const index_t rows = a.domain()[0];
  const int K = p.layers;
  Array<T> x(ctx, a.domain());
  Tape<T> tape;
  run_layers<T>(ctx, a, p, b, x, &tape, nullptr);

  // Per-row hinge indicators h[k][i] = [F(x_{k+1}) > F(x_k)].
  std::vector<std::vector<double>> h(K, std::vector<double>(rows));
  LpgLoss loss;
  Rows<T> rr(ctx, rows);
  Array<T> diff(ctx, a.domain());
  copy<T>(ctx, x, diff);
  axpby<T>(ctx, T(-1), x_true, T(1), diff);
  loss.task = mean(rr.dot(diff, diff));
  for (int k = 0; k < K; ++k) {
    const double tau = p.tau(k);
    for (index_t i = 0; i < rows; ++i) {
      const double rise = tape.f[k + 1][i] - tape.f[k][i];
      h[k][i] = rise > 0 ? 1 : 0;
      loss.monotone += std::max(0.0, rise) / rows;
      loss.regulariser += (tape.alpha[k][i] * tape.alpha[k][i] + tau * tau) / rows;
    }
  }
  loss.total = loss.task + p.beta * loss.monotone + p.gamma * loss.regulariser;
  if (!gradient) return loss;

  LpgGradient& gr = *gradient;
  gr.w.assign(K, 0.0);
  gr.c.assign(K, 0.0);
  gr.theta.assign(p.theta.size(), 0.0);
  const double inv_b = 1.0 / rows;
  // xbar = dL/dx_K: the task term and the last hinge's F(x_K).
  Array<T> xbar(ctx, a.domain()), ubar(ctx, a.domain()), gbar(ctx, a.domain()), tmp_m(ctx, a.range());
  scale<T>(ctx, static_cast<T>(2 * inv_b), diff, xbar);
  const auto add_hinge = [&](int j) {  // F(x_j)'s coefficient: beta (h_{j-1} - h_j) / B
    std::vector<double> coef(rows);
    for (index_t i = 0; i < rows; ++i) coef[i] = p.beta * inv_b * (h[j - 1][i] - (j < K ? h[j][i] : 0.0));
    if (std::any_of(coef.begin(), coef.end(), [](double v) { return v != 0; }))
      add_objective_gradient<T>(ctx, rr.upload(coef), tape.g[j], tape.x[j], static_cast<T>(p.problem.lambda),
                                xbar);
  };
  add_hinge(K);
  for (int k = K - 1; k >= 0; --k) {
    const double tau = p.tau(k), theta = p.theta[p.ablation == LpgAblation::SharedThreshold ? 0 : k];
    const Array<T> alpha = rr.upload(tape.alpha[k]);
    const std::vector<double> pass =
        rr.threshold_backward(xbar, tape.x[k], tape.g[k], alpha, static_cast<T>(tau), ubar);
    const double tau_bar = -std::accumulate(pass.begin(), pass.end(), 0.0) + 2 * p.gamma * tau;
    gr.theta[p.ablation == LpgAblation::SharedThreshold ? 0 : k] += tau_bar * sigmoid(theta);
    const std::vector<double> ug = rr.dot(ubar, tape.g[k]);
    std::vector<double> g_coef(rows), u_coef(rows);
    for (index_t i = 0; i < rows; ++i) {
      const double alpha_bar = -ug[i] + 2 * p.gamma * inv_b * tape.alpha[k][i];
      const double s = tape.s[k][i], sig = sigmoid(p.w[k] * s + p.c[k]);
      const double z_bar = alpha_bar * (p.alpha_max - p.alpha_min) * sig * (1 - sig);
      gr.w[k] += z_bar * s;
      gr.c[k] += z_bar;
      // s = ||g||: ds/dg = g / s (no step signal when g = 0, where alpha is locally constant in x).
      g_coef[i] = s > 0 ? z_bar * p.w[k] / s : 0.0;
      u_coef[i] = -tape.alpha[k][i];
    }
    if (k == 0) break;  // x_0 = 0 is no parameter's function
    // u = x - alpha g, g = A^T (A x - b): xbar_k = ubar + A^T A gbar.
    row_combine<T>(ctx, rr.upload(u_coef), ubar, rr.upload(g_coef), tape.g[k], gbar);
    a.apply(ctx, gbar, tmp_m);
    a.adjoint(ctx, tmp_m, xbar);
    axpby<T>(ctx, T(1), ubar, T(1), xbar);
    add_hinge(k);
  }
  return loss;
}

// ---- training ----------------------------------------------------------------------------

namespace detail_lpgnet {

// Adam on one parameter vector.
class Adam {
 public:
  explicit Adam(size_t n) : m_(n, 0.0), v_(n, 0.0) {}
  void step(std::vector<double>& x, const std::vector<double>& g, double lr, int t) {
    const double b1 = 0.9, b2 = 0.999, eps = 1e-8;
    for (size_t i = 0; i < x.size(); ++i) {
      m_[i] = b1 * m_[i] + (1 - b1) * g[i];
      v_[i] = b2 * v_[i] + (1 - b2) * g[i] * g[i];
      x[i] -= lr * (m_[i] / (1 - std::pow(b1, t))) / (std::sqrt(v_[i] / (1 - std::pow(b2, t))) + eps);
    }
  }

 private:
  std::vector<double> m_, v_;
};

}  // namespace detail_lpgnet

template <class T>
std::vector<double> lpgnet_train(const Context& ctx, std::shared_ptr<const Array<T>> matrix, LpgNetParams& p,
                                 const LpgTrainOptions& o, const std::function<void(int, double)>& on_epoch) {
  const std::string where = "lpgnet_train";
  p.validate(where);
  require(o.epochs >= 0, where, "epochs must be >= 0, got " + std::to_string(o.epochs));
  require(o.batch > 0 && o.train_samples >= o.batch, where,
          "needs 0 < batch <= train_samples, got batch " + std::to_string(o.batch) + ", train_samples " +
              std::to_string(o.train_samples));
  require(o.learning_rate > 0, where, "learning_rate must be > 0");
  const LassoBatch<T> data = lasso_samples<T>(ctx, p.problem, *matrix, o.train_samples, 1);
  const Operator<T> a = batched_matrix<T>(matrix, o.batch);
  Array<T> b(ctx, a.range()), xs(ctx, a.domain());
  std::vector<index_t> order(o.train_samples);
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(o.shuffle_seed);
  Adam adam_w(p.w.size()), adam_c(p.c.size()), adam_theta(p.theta.size());
  std::vector<double> history;
  int t = 0;
  const index_t steps = o.train_samples / o.batch;
  for (int epoch = 1; epoch <= o.epochs; ++epoch) {
    std::shuffle(order.begin(), order.end(), rng);
    double total = 0;
    for (index_t s = 0; s < steps; ++s) {
      for (index_t i = 0; i < o.batch; ++i) {
        const index_t src = order[s * o.batch + i];
        copy<T>(ctx, row(data.b.cview(), src), row(b.view(), i));
        copy<T>(ctx, row(data.x_true.cview(), src), row(xs.view(), i));
      }
      LpgGradient grad;
      total += lpgnet_loss<T>(ctx, a, p, b, xs, &grad).total;
      ++t;
      if (p.ablation != LpgAblation::NoAdaptiveStep) adam_w.step(p.w, grad.w, o.learning_rate, t);
      adam_c.step(p.c, grad.c, o.learning_rate, t);
      adam_theta.step(p.theta, grad.theta, o.learning_rate, t);
    }
    history.push_back(total / steps);
    if (on_epoch) on_epoch(epoch, history.back());
  }
  return history;
}

#define RECON_INSTANTIATE(T)                                                                              \
  template Array<T> lasso_matrix<T>(const Context&, const LassoSpec&);                                    \
  template Operator<T> batched_matrix<T>(std::shared_ptr<const Array<T>>, index_t);                       \
  template LassoBatch<T> lasso_samples<T>(const Context&, const LassoSpec&, const Array<T>&, index_t,     \
                                          std::uint64_t);                                                 \
  template void lpgnet_forward<T>(const Context&, const Operator<T>&, const LpgNetParams&, View<const T>, \
                                  View<T>, std::vector<double>*);                                         \
  template LpgLoss lpgnet_loss<T>(const Context&, const Operator<T>&, const LpgNetParams&, View<const T>, \
                                  View<const T>, LpgGradient*);                                           \
  template std::vector<double> lpgnet_train<T>(const Context&, std::shared_ptr<const Array<T>>,           \
                                               LpgNetParams&, const LpgTrainOptions&,                     \
                                               const std::function<void(int, double)>&);
RECON_INSTANTIATE(float)
RECON_INSTANTIATE(double)
#undef RECON_INSTANTIATE

}  // namespace recon

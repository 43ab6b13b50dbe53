// LPG-Net: proximal gradient descent for the LASSO unrolled into K layers with learned,
// residual-adaptive step sizes and learned thresholds (Wang, Xu & Zhang, "A Learnable Proximal
// Gradient Unrolling Network for Sparse Learning", eqs. 5-12; MATH.md 3.3). For every sample
//   r_k = A x_k - b,  g_k = A^T r_k,  s_k = ||g_k||_2,  x_0 = 0
//   alpha_k = alpha_min + (alpha_max - alpha_min) sigmoid(w_k s_k + c_k)
//   u_k = x_k - alpha_k g_k,  x_{k+1} = S_{tau_k}(u_k),  tau_k = softplus(theta_k)
// and the training loss, averaged over the batch, is
//   ||x_K - x*||^2 + beta sum_k max(0, F(x_{k+1}) - F(x_k)) + gamma sum_k (alpha_k^2 + tau_k^2)
// with F(x) = 0.5 ||A x - b||^2 + lambda ||x||_1. The gradient is the exact reverse-mode
// derivative through every layer (activations stored; sign(0) = 0 and the hinge's
// derivative at 0 is 0). Reference LASSO solvers ISTA, FISTA (Beck & Teboulle 2009) and ADMM
// (Boyd et al. 2011, sec. 6.4) run on the same batched DenseMatrixOperator for comparison.
// Ablations (paper sec. 4.6): no adaptive step (w_k = 0, alpha_k learned through c_k only),
// no monotonicity term (beta = 0), one threshold shared by all layers.
// Not fixed by the paper, chosen here: alpha in [0, 2/L] by default (L = ||A||_2^2; wider
// intervals made early training diverge), the ISTA start (alpha = 1/L, tau = lambda/L), alpha
// per sample (s_k is), the loss averaged over the batch.
// Tests: tests/lpgnet/test_lpgnet.cpp (finite-difference gradient, a scalar re-implementation
// of the forward pass, training, JSON round trip, errors), tests/lpgnet/test_lasso_reference.cpp,
// `recon lpgnet` contract tests in tests/lpgnet/CMakeLists.txt.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "recon/kernels/array.hpp"
#include "recon/operators/operator.hpp"

namespace recon {

// The synthetic problem family: A is m x n Gaussian with unit-norm columns (from `seed`);
// x* has k standard-normal non-zeros at random positions; b = A x* + noise at `snr_db`
// (per sample, noise sigma = ||A x*||_2 / sqrt(m) * 10^(-snr_db / 20)).
struct LassoSpec {
  index_t n = 256, m = 128, k = 10;
  double snr_db = 30;
  double lambda = 0.05;  // the LASSO weight of F, the baselines and the initial thresholds
  std::uint64_t seed = 1;
};

// A batch of samples: b is (count, m), x_true is (count, n).
template <class T>
struct LassoBatch {
  Array<T> b, x_true;
};

// The matrix of `spec` (m, n), reproducible from spec.seed.
template <class T>
Array<T> lasso_matrix(const Context& ctx, const LassoSpec& spec);
// `count` samples of `spec` for matrix A; `set` separates independent sample streams
// (training, held-out evaluation, ...), sample i of a set is the same for any count.
template <class T>
LassoBatch<T> lasso_samples(const Context& ctx, const LassoSpec& spec, const Array<T>& matrix, index_t count,
                            std::uint64_t set);
// The batched operator of `matrix` (domain (batch, n), range (batch, m)), sharing its storage.
template <class T>
Operator<T> batched_matrix(std::shared_ptr<const Array<T>> matrix, index_t batch);

enum class LpgAblation { None, NoAdaptiveStep, NoMonotone, SharedThreshold };
LpgAblation parse_lpg_ablation(const std::string& name);  // none | no-adaptive-step | ...
std::string to_string(LpgAblation a);

// Everything a trained network needs: the problem it was trained on (so the matrix can be
// rebuilt from its seed), the step interval and the learned scalars.
struct LpgNetParams {
  LassoSpec problem;
  int layers = 20;
  double lipschitz = 1;  // ||A||_2^2 estimate; the initial step is 1 / lipschitz
  double alpha_min = 0, alpha_max = 2;
  double beta = 0.1, gamma = 1e-4;
  LpgAblation ablation = LpgAblation::None;
  std::vector<double> w, c, theta;  // theta has one entry with SharedThreshold, else `layers`

  // The ISTA start: alpha_k = 1 / lipschitz (w_k = 0, c_k = logit(1 / alpha_max_factor)) in
  // [0, alpha_max_factor / lipschitz], tau_k = lambda / lipschitz. beta is forced to 0 for
  // NoMonotone. layers must be >= 1, alpha_max_factor > 1.
  static LpgNetParams initial(const LassoSpec& problem, int layers, double lipschitz, LpgAblation ablation,
                              double beta, double gamma, double alpha_max_factor = 2);
  double tau(int layer) const;
  // Throws InvalidArgument when the vectors do not match `layers` and the ablation.
  void validate(const std::string& where) const;
};

// Gradient of the loss in the layout of LpgNetParams.
struct LpgGradient {
  std::vector<double> w, c, theta;
};

// The loss and its parts, each averaged over the batch.
struct LpgLoss {
  double total = 0, task = 0, monotone = 0, regulariser = 0;
};

std::string lpgnet_params_to_json(const LpgNetParams& p);
LpgNetParams lpgnet_params_from_json(const std::string& text, const std::string& where);
void save_lpgnet_params(const std::string& path, const LpgNetParams& p);  // atomic write
LpgNetParams load_lpgnet_params(const std::string& path);                 // IoError if unreadable

// Forward pass for a batch: A is a DenseMatrixOperator with batch B (domain (B, n), range
// (B, m)); b is (B, m), x is (B, n) on output. With `objective`, objective[k] is the batch mean
// of F(x_k), k = 0..K.
template <class T>
void lpgnet_forward(const Context& ctx, const Operator<T>& a, const LpgNetParams& p, View<const T> b,
                    View<T> x, std::vector<double>* objective = nullptr);

// Loss on a batch and, with `gradient`, its exact gradient (reverse mode through all layers).
template <class T>
LpgLoss lpgnet_loss(const Context& ctx, const Operator<T>& a, const LpgNetParams& p, View<const T> b,
                    View<const T> x_true, LpgGradient* gradient = nullptr);

struct LpgTrainOptions {
  int epochs = 30;
  index_t batch = 64;
  index_t train_samples = 1024;  // a fixed training set, reshuffled every epoch
  double learning_rate = 0.02;   // Adam (Kingma & Ba 2015), beta1 0.9, beta2 0.999
  std::uint64_t shuffle_seed = 11;
};

// Trains p in place with Adam on `train_samples` samples of p.problem (set 1) for matrix
// `matrix`. NoAdaptiveStep keeps w at 0. `on_epoch(epoch, mean training loss)` after each epoch.
// Returns the mean training loss of every epoch.
template <class T>
std::vector<double> lpgnet_train(const Context& ctx, std::shared_ptr<const Array<T>> matrix, LpgNetParams& p,
                                 const LpgTrainOptions& options,
                                 const std::function<void(int, double)>& on_epoch = nullptr);

// Reference solvers for min 0.5||A x - b||^2 + lambda ||x||_1 on a batch (A as in
// lpgnet_forward), `iterations` steps from x = 0; objective[k] is the batch mean of F after k
// steps (k = 0..iterations). ISTA and FISTA (no restart) use the step 1 / lipschitz. ADMM
// splits x = z, x-update (A^T A + rho I)^{-1}(A^T b + rho (z - u)) with the inverse formed once
// at construction by the dense operator's Cholesky (host, double; set-up cost, not
// per-iteration; n <= 2048), rho fixed, and returns z, which is exactly sparse. All three run
// on the engine's solvers (FISTA loop and ADMM of engine/src/solvers).
enum class LassoSolver { Ista, Fista, Admm };
std::string to_string(LassoSolver s);

template <class T>
class LassoReference {
 public:
  // matrix: (m, n); batch as for the operator; rho: ADMM's penalty.
  LassoReference(const Context& ctx, std::shared_ptr<const Array<T>> matrix, index_t batch, double lambda,
                 double lipschitz, double rho);
  void solve(const Context& ctx, LassoSolver solver, int iterations, View<const T> b, View<T> x,
             std::vector<double>* objective = nullptr) const;
  const Operator<T>& op() const { return a_; }

 private:
  Operator<T> a_;
  index_t batch_;
  double lambda_, lipschitz_, rho_;
};

// Batch mean of F(x) = 0.5||A x - b||^2 + lambda ||x||_1.
template <class T>
double lasso_objective(const Context& ctx, const Operator<T>& a, View<const T> b, View<const T> x,
                       double lambda);

// Held-out comparison of a trained network with ISTA, FISTA and ADMM at the same budget
// (K = p.layers iterations), on `samples` samples of `data` (set 2; data may change k or
// snr_db but must keep p.problem's n, m and seed, i.e. its matrix). MAE is the mean |x - x*|
// over all entries, F1 is the support F1 pooled over all samples (non-zero = |x| > 0), the
// objective per layer/iteration is the batch mean of F, latency is one sample at a time
// (batch 1), `latency_runs` runs, measured not asserted.
struct LpgEvalOptions {
  index_t samples = 256;
  int latency_runs = 100;
  double admm_rho = 1;
};
struct LpgMethodResult {
  std::string method;
  double mae = 0, f1 = 0;
  std::vector<double> objective;
  double latency_median_ms = 0, latency_p90_ms = 0;
};
template <class T>
std::vector<LpgMethodResult> lpgnet_evaluate(const Context& ctx, const LpgNetParams& p, const LassoSpec& data,
                                             const LpgEvalOptions& options);

}  // namespace recon

// Compressive sensing (Pinilla & Thiyagalingam, "Global optimality for non-linear constrained
// restoration problems via invexity", sec. 5 and App. J, Tables 7-8):
// measurements y = A W c + noise of a signal x = W c, recovered from y by
//   penalised    min_c  sum_i psi((A W c - y)_i) + lambda sum_j phi(c_j)
//   constrained  min_c  lambda sum_j phi(c_j) + 0.5 max(sum_i psi((A W c - y)_i) - eps, 0)^2
// (the constrained form is App. J's f_hat with the penalty weighted by lambda: lambda -> 0
// approaches min phi s.t. Psi(A W c - y) <= eps). psi is any loss of the library, phi any
// penalty. The paper writes g(x) + lambda f(x) (the weight on the loss): the same minimisers
// with lambda -> 1/lambda; recon weights the penalty, like its other pipelines.
// Sensing operators A (shape = the signal's):
//   gaussian  m x N i.i.d. N(0, 1) with unit l2 columns (datasets::gaussian_matrix)
//   hadamard  m rows of the orthonormal Walsh-Hadamard transform over all axes (natural
//             order; every extent a power of two): subsample o walsh_hadamard
//   fourier   m of the real values of the unitary real-to-complex DFT (re and im parts
//             sampled independently): subsample o fourier(RealToComplex)
// chosen uniformly at random without replacement from the seed (the indices are part of
// the spec so that `recon cs recover --operator spec.json` rebuilds A exactly).
// Sparsifying basis W: none (x sparse itself), hadamard (x = H c, H the orthonormal
// Walsh-Hadamard transform, symmetric and its own inverse), dct (x = C^T c, C the orthonormal
// DCT-II over every axis, dct.hpp: any extents, c = scipy's dctn(x, norm="ortho")) or an
// orthonormal wavelet, haar, db2, db3 or db4, periodic, over every axis, `levels` levels
// (wavelet.hpp; x = D^T c, D the analysis transform; 0 levels: as many as every extent allows,
// at most 5). levels stay 0 for the other bases.
// Solvers: APGM (apgm.hpp: monotone, fista, ista) need a smooth loss (Properties::
// differentiable with a finite gradient Lipschitz constant); the step is 1/L with
// L = 1.05 ||A||^2 Lip(psi') (power method) and backtracking as a safeguard (always for the
// constrained form, whose gradient is not globally Lipschitz). ADMM is admm_composite
// (composite.hpp) with the terms {psi(A W c - y), weight 1} and {phi(c), weight lambda}; it
// takes non-smooth losses too but only the penalised form.
// Tests: tests/cs/test_cs.cpp (exact recovery without noise for gaussian and hadamard sensing,
// hadamard, wavelet and dct bases, the constrained form's feasibility, APGM and ADMM agreeing,
// errors).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "recon/engine/apgm.hpp"
#include "recon/engine/solver_types.hpp"
#include "recon/engine/tv.hpp"
#include "recon/kernels/penalties/function.hpp"
#include "recon/operators/operator.hpp"

namespace recon::cs {

struct SensingSpec {
  std::string kind;              // gaussian | hadamard | fourier
  Shape shape;                   // the signal's shape
  index_t measurements = 0;      // m
  std::uint64_t seed = 0;        // gaussian: the matrix; others: the drawn indices
  std::string basis = "none";    // none | hadamard | dct | haar | db2 | db3 | db4
  int levels = 0;                // wavelet bases: decomposition levels (>= 1 once made)
  std::vector<index_t> indices;  // hadamard, fourier: kept coefficients, ascending
};

// Whether `basis` names a wavelet (haar, db1, db2, db3, db4).
bool is_wavelet_basis(const std::string& basis);

// m = round(rate * shape.size()), indices drawn from the seed. InvalidArgument for an
// unknown kind or basis, rate outside (0, 1], shapes the transform does not take.
SensingSpec make_sensing_spec(const std::string& kind, const Shape& shape, double rate, std::uint64_t seed,
                              const std::string& basis = "none", int levels = 0);
// Checks a spec (e.g. read back from JSON): kind, basis, sizes, indices in range and distinct.
void validate(const SensingSpec& spec);

// A: signal -> measurements (without W).
template <class T>
Operator<T> sensing_operator(const Context& ctx, const SensingSpec& spec);
// W: coefficients -> signal (identity for "none").
template <class T>
Operator<T> basis_operator(const SensingSpec& spec);

// "none", "gaussian:SIGMA", "snr:DB" (Gaussian with sigma = ||A x|| / sqrt(m) 10^(-DB/20)),
// "cauchy:GAMMA" (dispersion GAMMA).
enum class NoiseKind { None, Gaussian, Snr, Cauchy };
struct NoiseSpec {
  NoiseKind kind = NoiseKind::None;
  double level = 0;  // SIGMA, DB or GAMMA
};
NoiseSpec parse_noise(const std::string& text);
// Adds the noise to clean measurements y in place (the SNR relative to y itself).
template <class T>
void add_noise(const Context& ctx, const NoiseSpec& noise, View<T> y, std::uint64_t seed);

struct Problem {
  penalties::Function penalty = penalties::L1{};
  double lambda = 0.1;
  // A TV prior instead: the penalty on the forward differences D c of the recovered variable
  // (x itself with the basis none), isotropic (phi of each gradient's norm) or anisotropic;
  // solved by ADMM ({psi(A c - y), lambda phi(D c)}, admm_composite).
  std::optional<TvNorm> tv;
  penalties::Function loss = penalties::SqL2{};
  bool constrained = false;
  double eps = 0;  // constrained form: the loss budget
};

// Monotone, Fista, Ista: APGM's variants (apgm.hpp); Admm: admm_composite.
enum class CsSolver { Monotone, Fista, Ista, Admm };
// "apgm" (or "monotone") | "fista" | "ista" | "admm"; InvalidArgument listing the names.
CsSolver parse_cs_solver(const std::string& name);
// The CLI's names: "apgm", "fista", "ista", "admm".
const char* to_string(CsSolver s);

struct Options {
  CsSolver solver = CsSolver::Monotone;
  int max_iters = 500;
  double tol = 1e-6;  // relative change of c (APGM), relative residuals (ADMM)
  double rho = 1;     // ADMM
};

// Throws InvalidArgument for a solver value outside CsSolver, a non-smooth loss with an APGM
// solver, the constrained form with ADMM, a TV prior with another solver than ADMM, bad lambda/eps.
void validate(const Problem& problem, const Options& options);

// Solves for c on A (which already includes W, e.g. compose(A, W)); c holds the warm start.
template <class T>
SolveReport recover(const Context& ctx, const Operator<T>& A, View<const T> y, const Problem& problem,
                    const Options& options, View<T> c, const Monitor& monitor = {});

// The objective the problem's form minimises, at c.
template <class T>
double objective(const Context& ctx, const Operator<T>& A, View<const T> y, const Problem& problem,
                 View<const T> c);

}  // namespace recon::cs

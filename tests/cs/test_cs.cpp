// Compressive sensing pipeline (engine/include/recon/engine/cs.hpp): exact recovery of sparse
// signals without noise (gaussian, subsampled Hadamard, partial Fourier, Hadamard, wavelet and
// DCT bases, pixel sparsity failing on a DCT-sparse image), the constrained form's feasibility,
// APGM against ADMM, reproducible specs and input errors.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "backends.hpp"
#include "recon/datasets/signals.hpp"
#include "recon/engine/cs.hpp"
#include "recon/kernels/penalties/apply.hpp"

namespace recon::testing {
namespace {

using penalties::make_function;

template <class B>
class CsTest : public BackendTest<B> {
 protected:
  using T = typename B::value_type;
  // ||c - c0|| / ||c0|| after recovering c0 (k-sparse, N(0, 1) amplitudes) from y = A W c0.
  double relative_error(const cs::SensingSpec& spec, const cs::Problem& p, const cs::Options& o, index_t k) {
    const Context& ctx = this->ctx();
    const Operator<T> A = compose(cs::sensing_operator<T>(ctx, spec), cs::basis_operator<T>(spec));
    Array<T> c0 = datasets::sparse_vector<T>(ctx, spec.shape.size(), k, 21);
    View<T> c0v = c0.view().reshaped(spec.shape);
    Array<T> y(ctx, A.range()), c(ctx, spec.shape);
    A.apply(ctx, c0v, y.view());
    fill<T>(ctx, c.view(), T(0));
    cs::recover<T>(ctx, A, y, p, o, c.view());
    return distance2<T>(ctx, c, c0v) / norm2<T>(ctx, c0v);
  }
  static double recovery_tol() { return sizeof(T) == 4 ? 2e-3 : 1e-3; }
};
TYPED_TEST_SUITE(CsTest, AllBackends, BackendName);

// Noise-free measurements of a 10-sparse signal, N = 256, m = 115: the log penalty (eq. 3)
// with a small weight recovers it to within the weight's bias.
TYPED_TEST(CsTest, RecoversSparseSignalsWithoutNoise) {
  cs::Problem p;
  p.penalty = make_function("log", {{"p", 0.5}, {"eps", 0.01}});
  p.lambda = 1e-5;
  cs::Options o;
  o.solver = cs::CsSolver::Fista;
  o.max_iters = 3000;
  o.tol = 1e-9;
  for (const char* kind : {"gaussian", "hadamard", "fourier"}) {
    SCOPED_TRACE(kind);
    const Shape shape = std::string(kind) == "hadamard" ? Shape{16, 16} : Shape{256};
    const auto spec = cs::make_sensing_spec(kind, shape, 0.45, 3);
    EXPECT_EQ(spec.measurements, 115);
    EXPECT_LT(this->relative_error(spec, p, o, 10), this->recovery_tol());
  }
  // Signal sparse in the Hadamard basis, x = H c, measured by a Gaussian matrix.
  const auto spec = cs::make_sensing_spec("gaussian", Shape{256}, 0.45, 4, "hadamard");
  o.solver = cs::CsSolver::Monotone;
  EXPECT_LT(this->relative_error(spec, p, o, 10), this->recovery_tol());
  // Sparse in a wavelet basis, x = D^T c: Haar (default levels: 5 for 256) measured by a
  // Gaussian matrix, db2 on a 16 x 16 image (2 levels) by subsampled Hadamard rows.
  const auto haar = cs::make_sensing_spec("gaussian", Shape{256}, 0.45, 4, "haar");
  EXPECT_EQ(haar.levels, 5);
  EXPECT_LT(this->relative_error(haar, p, o, 10), this->recovery_tol());
  const auto db2 = cs::make_sensing_spec("hadamard", Shape{16, 16}, 0.45, 6, "db2", 2);
  EXPECT_LT(this->relative_error(db2, p, o, 10), this->recovery_tol());
}

// Sparse in the DCT, x = C^T c: 8 of 256 coefficients of a 16 x 16 image (cosines, dense in
// pixels) from 100 Gaussian measurements come back with the dct basis; pixel sparsity (basis
// none) on the same measurements of the same image does not.
TYPED_TEST(CsTest, RecoversDctSparseImages) {
  using T = typename TypeParam::value_type;
  const Context& ctx = this->ctx();
  cs::Problem p;
  p.penalty = make_function("log", {{"p", 0.5}, {"eps", 0.01}});
  p.lambda = 1e-5;
  cs::Options o;
  o.solver = cs::CsSolver::Fista;
  o.max_iters = 3000;
  o.tol = 1e-9;
  const Shape shape{16, 16};
  const auto spec = cs::make_sensing_spec("gaussian", shape, 100.0 / 256, 5, "dct");
  EXPECT_EQ(spec.measurements, 100);
  EXPECT_EQ(spec.levels, 0);
  const double dct_error = this->relative_error(spec, p, o, 8);
  EXPECT_LT(dct_error, this->recovery_tol());
  cs::SensingSpec pixels = spec;
  pixels.basis = "none";
  const Operator<T> W = cs::basis_operator<T>(spec), A = cs::sensing_operator<T>(ctx, pixels);
  Array<T> c0 = datasets::sparse_vector<T>(ctx, shape.size(), 8, 21);
  Array<T> x0(ctx, shape), y(ctx, A.range()), x(ctx, shape);
  W.apply(ctx, c0.view().reshaped(shape), x0.view());
  A.apply(ctx, x0, y.view());
  fill<T>(ctx, x.view(), T(0));
  cs::recover<T>(ctx, A, y, p, o, x.view());
  EXPECT_GT(distance2<T>(ctx, x, x0) / norm2<T>(ctx, x0), 0.3) << "dct basis: " << dct_error;
}

// A TV prior (ADMM on {||A x - y||^2 / 2, lambda ||D x||_iso}) from noise-free subsampled Hadamard
// measurements (DC included) of a piecewise-constant image: its objective is no higher than at the truth or
// at the back-projection, and it lands far closer to the truth than the back-projection; a TV
// prior with an APGM solver is refused.
TEST(CsTvPrior, RecoversAPiecewiseConstantImage) {
  const Context ctx = Context::host();
  const Shape shape{32, 32};
  std::vector<double> truth(1024, 0.0);
  for (int i = 0; i < 32; ++i)
    for (int j = 0; j < 32; ++j)
      truth[i * 32 + j] = (i > 6 && i < 24 && j > 8 && j < 26 ? 1.0 : 0.0) +
                          (i > 12 && i < 18 && j > 3 && j < 14 ? 0.5 : 0.0);
  // The first seed whose draw has the DC coefficient: TV (zero on constants) cannot restore the mean.
  cs::SensingSpec spec;
  for (std::uint64_t seed = 0; spec.indices.empty() || spec.indices.front() != 0; ++seed)
    spec = cs::make_sensing_spec("hadamard", shape, 0.35, seed);
  const Operator<double> A = cs::sensing_operator<double>(ctx, spec);
  const auto xt = Array<double>::from_host(ctx, shape, truth);
  Array<double> y(ctx, A.range()), x(ctx, shape), bp(ctx, shape);
  A.apply(ctx, xt, y.view());
  A.adjoint(ctx, y, bp.view());
  cs::Problem p;
  p.lambda = 1e-3;
  p.tv = TvNorm::Isotropic;
  cs::Options o;
  o.solver = cs::CsSolver::Admm;
  o.max_iters = 2000;
  o.tol = 1e-7;
  fill<double>(ctx, x.view(), 0.0);
  cs::recover<double>(ctx, A, y, p, o, x.view());
  const double f = cs::objective<double>(ctx, A, y, p, x);
  EXPECT_LE(f, cs::objective<double>(ctx, A, y, p, xt) * (1 + 1e-3));
  EXPECT_LE(f, cs::objective<double>(ctx, A, y, p, bp));
  const double err = distance2<double>(ctx, x, xt) / norm2<double>(ctx, xt);
  EXPECT_LT(err, 0.2 * distance2<double>(ctx, bp, xt) / norm2<double>(ctx, xt));
  o.solver = cs::CsSolver::Fista;
  EXPECT_THROW(cs::recover<double>(ctx, A, y, p, o, x.view()), InvalidArgument);
}

// The wavelet basis is D^T for the analysis transform D: W^T W = I and W c for a unit
// coefficient is a wavelet (not the coefficient itself); bad levels are refused.
TEST(CsWaveletBasis, IsTheSynthesisOfTheOrthonormalWavelet) {
  const Context ctx = Context::host();
  const auto spec = cs::make_sensing_spec("hadamard", Shape{16, 16}, 0.5, 1, "db4", 2);
  const Operator<double> W = cs::basis_operator<double>(spec);
  Array<double> c(ctx, spec.shape), x(ctx, spec.shape), back(ctx, spec.shape);
  fill<double>(ctx, c.view(), 0.0);
  std::vector<double> unit(256, 0.0);
  unit[3 * 16 + 5] = 1;  // a detail coefficient
  c = Array<double>::from_host(ctx, spec.shape, unit);
  W.apply(ctx, c, x.view());
  W.adjoint(ctx, x, back.view());
  EXPECT_NEAR(norm2<double>(ctx, x), 1.0, 1e-12);
  EXPECT_LT(distance2<double>(ctx, back, c), 1e-12);
  int nonzero = 0;
  for (double v : x.to_host_vector()) nonzero += std::fabs(v) > 1e-12;
  EXPECT_GT(nonzero, 4);
  EXPECT_THROW(cs::make_sensing_spec("hadamard", Shape{16, 16}, 0.5, 1, "db2", 5), InvalidArgument);
  EXPECT_THROW(cs::make_sensing_spec("hadamard", Shape{16, 16}, 0.5, 1, "hadamard", 2), InvalidArgument);
  EXPECT_EQ(cs::make_sensing_spec("fourier", Shape{24, 40}, 0.5, 1, "haar").levels, 3);
}

// The dct basis is C^T for the orthonormal DCT-II C: W^T W = I, W of a unit coefficient is the
// separable cosine s_k cos(pi k (2j + 1) / (2n)) on every axis, any extents; levels and more
// than 3 axes are refused.
TEST(CsDctBasis, IsTheInverseOrthonormalDct) {
  const Context ctx = Context::host();
  const Shape shape{6, 10};
  const auto spec = cs::make_sensing_spec("fourier", shape, 0.5, 1, "dct");
  const Operator<double> W = cs::basis_operator<double>(spec);
  std::vector<double> unit(60, 0.0);
  unit[2 * 10 + 3] = 1;  // k = (2, 3)
  const auto c = Array<double>::from_host(ctx, shape, unit);
  Array<double> x(ctx, shape), back(ctx, shape);
  W.apply(ctx, c, x.view());
  W.adjoint(ctx, x, back.view());
  EXPECT_LT(distance2<double>(ctx, back, c), 1e-12);
  const auto xs = x.to_host_vector();
  const double pi = 3.141592653589793;
  for (int i = 0; i < 6; ++i)
    for (int j = 0; j < 10; ++j)
      ASSERT_NEAR(xs[i * 10 + j],
                  std::sqrt(2.0 / 6) * std::cos(pi * 2 * (2 * i + 1) / 12) * std::sqrt(2.0 / 10) *
                      std::cos(pi * 3 * (2 * j + 1) / 20),
                  1e-12)
          << i << " " << j;
  EXPECT_EQ(cs::make_sensing_spec("gaussian", Shape{7, 9}, 0.5, 1, "dct").basis, "dct");
  const auto message = [](auto&& fn) {
    try {
      fn();
    } catch (const InvalidArgument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message([] {
              cs::make_sensing_spec("gaussian", Shape{16, 16}, 0.5, 1, "dct", 2);
            }),
            "cs: levels (2) apply to wavelet bases only, not 'dct'");
  auto leveled = spec;
  leveled.levels = 1;
  EXPECT_THROW(cs::validate(leveled), InvalidArgument);
  EXPECT_EQ(message([] {
              cs::make_sensing_spec("gaussian", Shape{2, 2, 2, 2}, 0.5, 1, "dct");
            }),
            "cs: the dct basis transforms at most 3 axes, the signal has 4");
  EXPECT_EQ(message([] { cs::make_sensing_spec("gaussian", Shape{16}, 0.5, 1, "dst"); }),
            "cs: unknown sparsifying basis 'dst'; expected none, hadamard, dct, haar, db2, db3 or db4");
}

// Without sparsity (k = N) the same measurements cannot determine the signal: the recovery
// test above is not passed by any solver output.
TYPED_TEST(CsTest, DenseSignalsAreNotRecovered) {
  cs::Problem p;
  p.lambda = 1e-5;
  cs::Options o;
  o.solver = cs::CsSolver::Fista;
  o.max_iters = 500;
  const auto spec = cs::make_sensing_spec("gaussian", Shape{256}, 0.45, 3);
  EXPECT_GT(this->relative_error(spec, p, o, 256), 0.3);
}

// Constrained form (App. J): with a small penalty weight the solution meets the loss budget
// Psi(A x - y) <= eps although x = 0 does not, for sq-l2 and a robust loss.
TYPED_TEST(CsTest, ConstrainedFormMeetsTheLossBudget) {
  using T = typename TypeParam::value_type;
  const Context& ctx = this->ctx();
  const auto spec = cs::make_sensing_spec("gaussian", Shape{128}, 0.5, 8);
  const Operator<T> A = cs::sensing_operator<T>(ctx, spec);
  Array<T> x0 = datasets::sparse_vector<T>(ctx, 128, 6, 5);
  Array<T> y(ctx, A.range()), x(ctx, A.domain());
  A.apply(ctx, x0, y.view());
  cs::add_noise<T>(ctx, cs::parse_noise("snr:20"), y.view(), 77);
  for (const auto& loss : {penalties::Function(penalties::SqL2{}), make_function("cauchy", {{"delta", 1}})}) {
    SCOPED_TRACE(penalties::describe(loss));
    cs::Problem p;
    p.loss = loss;
    p.constrained = true;
    p.lambda = 1e-3;
    fill<T>(ctx, x.view(), T(0));
    cs::Problem at_zero = p;
    at_zero.constrained = false;
    const double psi0 = cs::objective<T>(ctx, A, y, at_zero, x);
    p.eps = 0.05 * psi0;
    cs::Options o;
    o.max_iters = 3000;
    o.tol = 1e-9;
    cs::recover<T>(ctx, A, y, p, o, x.view());
    cs::Problem data_only = at_zero;
    data_only.lambda = 0;
    const double psi = cs::objective<T>(ctx, A, y, data_only, x);
    EXPECT_LE(psi, p.eps * 1.02) << "psi(0) = " << psi0;
    EXPECT_GT(psi, 0.5 * p.eps);  // the penalty pulls towards the boundary of the budget
  }
}

// Convex problem (l1 + sq-l2): monotone APG and ADMM reach the same minimiser.
TYPED_TEST(CsTest, ApgmAndAdmmAgree) {
  using T = typename TypeParam::value_type;
  const Context& ctx = this->ctx();
  const auto spec = cs::make_sensing_spec("hadamard", Shape{8, 16}, 0.5, 2);
  const Operator<T> A = cs::sensing_operator<T>(ctx, spec);
  Array<T> x0 = datasets::sparse_vector<T>(ctx, 128, 6, 5);
  Array<T> y(ctx, A.range()), xa(ctx, A.domain()), xb(ctx, A.domain());
  A.apply(ctx, x0.view().reshaped(A.domain()), y.view());
  cs::add_noise<T>(ctx, cs::parse_noise("gaussian:0.05"), y.view(), 1);
  cs::Problem p;
  p.lambda = 0.05;
  cs::Options o;
  o.max_iters = 5000;
  o.tol = sizeof(T) == 4 ? 1e-7 : 1e-11;
  fill<T>(ctx, xa.view(), T(0));
  fill<T>(ctx, xb.view(), T(0));
  cs::recover<T>(ctx, A, y, p, o, xa.view());
  o.solver = cs::CsSolver::Admm;
  cs::recover<T>(ctx, A, y, p, o, xb.view());
  EXPECT_LT(distance2<T>(ctx, xa, xb), (sizeof(T) == 4 ? 1e-3 : 1e-5) * norm2<T>(ctx, xa));
}

TEST(Cs, SpecsAreReproducibleAndChecked) {
  const auto a = cs::make_sensing_spec("fourier", Shape{32, 32}, 0.3, 5);
  const auto b = cs::make_sensing_spec("fourier", Shape{32, 32}, 0.3, 5);
  const auto c = cs::make_sensing_spec("fourier", Shape{32, 32}, 0.3, 6);
  EXPECT_EQ(a.indices, b.indices);
  EXPECT_NE(a.indices, c.indices);
  EXPECT_EQ(a.measurements, 307);
  auto dup = a;
  dup.indices[1] = dup.indices[0];
  EXPECT_THROW(cs::validate(dup), InvalidArgument);
  auto out = a;
  out.indices.back() = 1 << 20;
  EXPECT_THROW(cs::validate(out), InvalidArgument);
}

TEST(Cs, BadInputsGiveClearErrors) {
  const auto message = [](auto&& fn) {
    try {
      fn();
    } catch (const InvalidArgument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const auto has = [](const std::string& text, const std::string& fragment) {
    return text.find(fragment) != std::string::npos;
  };
  EXPECT_TRUE(has(message([] { cs::make_sensing_spec("hadamard", Shape{64}, 0, 1); }), "(0, 1]"));
  EXPECT_TRUE(has(message([] { cs::make_sensing_spec("hadamard", Shape{64}, 1.2, 1); }), "(0, 1]"));
  EXPECT_TRUE(has(message([] { cs::make_sensing_spec("bernoulli", Shape{64}, 0.5, 1); }), "unknown sensing"));
  EXPECT_TRUE(has(message([] { cs::make_sensing_spec("hadamard", Shape{48}, 0.5, 1); }), "power-of-two"));
  EXPECT_TRUE(has(message([] { cs::make_sensing_spec("gaussian", Shape{256, 256}, 0.5, 1); }), "too large"));
  EXPECT_TRUE(has(message([] { cs::parse_noise("laplace:1"); }), "unknown noise"));
  EXPECT_TRUE(has(message([] { cs::parse_noise("cauchy:x"); }), "not a valid number"));
  EXPECT_EQ(cs::parse_noise("none").kind, cs::NoiseKind::None);
  EXPECT_EQ(cs::parse_noise("snr:-3").kind, cs::NoiseKind::Snr);
  EXPECT_EQ(cs::parse_noise("cauchy:0.5").level, 0.5);
  cs::Problem p;
  p.loss = penalties::L1{};
  cs::Options o;
  EXPECT_TRUE(has(message([&] { cs::validate(p, o); }), "needs a smooth loss"));
  o.solver = cs::CsSolver::Admm;
  EXPECT_EQ(message([&] { cs::validate(p, o); }), "no error");
  p.loss = penalties::SqL2{};
  p.constrained = true;
  EXPECT_TRUE(has(message([&] { cs::validate(p, o); }), "constrained form"));
  EXPECT_EQ(message([] { cs::parse_cs_solver("cg"); }),
            "cs: unknown solver 'cg'; expected apgm, fista, ista or admm");
  o.solver = static_cast<cs::CsSolver>(7);
  EXPECT_TRUE(has(message([&] { cs::validate(p, o); }), "unknown solver"));
  // The names round-trip (the CLI's summary prints to_string); monotone is apgm's other name.
  for (const char* name : {"apgm", "fista", "ista", "admm"})
    EXPECT_STREQ(cs::to_string(cs::parse_cs_solver(name)), name);
  EXPECT_EQ(cs::parse_cs_solver("monotone"), cs::CsSolver::Monotone);
}

}  // namespace
}  // namespace recon::testing

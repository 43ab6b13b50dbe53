// Parity of the compressive-sensing pipeline (engine/cs.hpp): the sensing operators
// (Gaussian, subsampled Hadamard, partial Fourier, with and without the Hadamard basis), the
// measurement noise, and a few iterations of every recovery solver.
#include <cmath>

#include "parity.hpp"
#include "recon/engine/cs.hpp"

namespace recon::parity {
namespace {

template <class T>
class ParityCs : public ParityTest<T> {};
TYPED_TEST_SUITE(ParityCs, ParityTypes, TypeName);

struct Case {
  std::string kind, basis;
  Shape shape;
  double factor;  // normwise bound in unit<T>(): sqrt(n) for GEMV, 4 log2 N for the transforms
};

std::vector<Case> cases() {
  return {{"gaussian", "none", Shape{400}, 20},
          {"hadamard", "none", Shape{32, 64}, 4 * 11},
          {"fourier", "none", Shape{30, 44}, 4 * 11},
          {"hadamard", "hadamard", Shape{16, 32}, 8 * 9},
          {"gaussian", "hadamard", Shape{256}, 20 + 4 * 8}};
}

template <class T>
Operator<T> sensing(const Context& c, const cs::SensingSpec& spec) {
  return compose(cs::sensing_operator<T>(c, spec), cs::basis_operator<T>(spec));
}

TYPED_TEST(ParityCs, SensingOperators) {
  using T = TypeParam;
  for (const Case& k : cases()) {
    const auto spec = cs::make_sensing_spec(k.kind, k.shape, 0.3, 23, k.basis);
    const Operator<T> probe = sensing<T>(this->host(), spec);
    const auto x = random_values<T>(probe.domain().size(), 111),
               y = random_values<T>(probe.range().size(), 112);
    const std::string name = k.kind + " basis " + k.basis;
    this->expect_same_normwise(
        name + " apply",
        [&](const Context& c) {
          const auto op = sensing<T>(c, spec);
          const auto a = Array<T>::from_host(c, op.domain(), x);
          auto out = poisoned<T>(c, op.range());
          op.apply(c, a.view(), out.view());
          return out.to_host_vector();
        },
        k.factor * unit<T>());
    this->expect_same_normwise(
        name + " adjoint",
        [&](const Context& c) {
          const auto op = sensing<T>(c, spec);
          const auto a = Array<T>::from_host(c, op.range(), y);
          auto out = poisoned<T>(c, op.domain());
          op.adjoint(c, a.view(), out.view());
          return out.to_host_vector();
        },
        k.factor * unit<T>());
  }
}

// The counter RNG of datasets/random.hpp: the same draws on both sides; snr scales by a
// norm (a reduction, inside 10 unit<T>()).
TYPED_TEST(ParityCs, MeasurementNoise) {
  using T = TypeParam;
  const Shape s{5003};
  const auto y = random_values<T>(s.size(), 113);
  for (const std::string text : {"gaussian:0.1", "snr:20", "cauchy:0.01"}) {
    const auto noise = cs::parse_noise(text);
    this->expect_same(
        text,
        [&](const Context& c) {
          auto a = Array<T>::from_host(c, s, y);
          cs::add_noise<T>(c, noise, a.view(), 29);
          return a.to_host_vector();
        },
        elementwise<T>(10));
  }
}

// Ten iterations from zero; the step comes from a power-method estimate of ||A|| (100
// products, normwise within 100 x its products' bound) and the iterates drift by at most the
// sum of the per-iteration differences: normwise 10 x 40 unit<T>() on top of that.
TYPED_TEST(ParityCs, RecoveryIterates) {
  using T = TypeParam;
  const auto spec = cs::make_sensing_spec("hadamard", Shape{32, 32}, 0.4, 31);
  const auto truth = random_values<T>(spec.shape.size(), 114);
  std::vector<T> measured;
  {
    const auto op = sensing<T>(this->host(), spec);
    const auto a = Array<T>::from_host(this->host(), op.domain(), truth);
    Array<T> y(this->host(), op.range());
    op.apply(this->host(), a.view(), y.view());
    measured = y.to_host_vector();
  }
  for (const std::string solver : {"apgm", "fista", "ista", "admm"}) {
    cs::Problem problem;
    problem.lambda = 0.05;
    cs::Options options;
    options.solver = cs::parse_cs_solver(solver);
    options.max_iters = 10;
    options.tol = 0;
    this->expect_same_normwise(
        solver,
        [&](const Context& c) {
          const auto op = sensing<T>(c, spec);
          const auto y = Array<T>::from_host(c, op.range(), measured);
          auto x = Array<T>::from_host(c, op.domain(), std::vector<T>(op.domain().size(), T(0)));
          cs::recover<T>(c, op, y.view(), problem, options, x.view());
          return x.to_host_vector();
        },
        10 * 40 * unit<T>() + 100 * 4 * 10 * unit<T>());
  }
}

}  // namespace
}  // namespace recon::parity

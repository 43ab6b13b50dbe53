// Parity of TV denoising (engine/tv.hpp): a few iterations of every solver from the same
// noisy image give the same iterate on both sides, and tv_objective agrees.
#include <cmath>

#include "parity.hpp"
#include "recon/engine/tv.hpp"
#include "recon/kernels/penalties/function.hpp"

namespace recon::parity {
namespace {

template <class T>
class ParityTv : public ParityTest<T> {};
TYPED_TEST_SUITE(ParityTv, ParityTypes, TypeName);

// The solvers are nonexpansive maps (ADMM, PDHG, FISTA's prox-gradient steps on the dual), so a
// rounding difference made at one iteration is not amplified: after k iterations the iterates
// differ by at most about k times the per-iteration difference (a few fused kernels, each
// unit<T>()), normwise k x 20 unit<T>(). Fixed iteration counts (tol = 0, no residual
// balancing) so no threshold decision depends on the last bits; PDHG's restarts and the
// L-BFGS line search still do, which a rare one-ulp tie could flip.
TYPED_TEST(ParityTv, SolverIterates) {
  using T = TypeParam;
  constexpr int kIters = 8;
  const Shape s{40, 52};
  const auto u = random_values<T>(s.size(), 81, 0, 1);
  const TvProblem l1{penalties::make_function("l1"), 0.2, TvNorm::Isotropic, Boundary::Neumann};
  const TvProblem huber{penalties::make_function("huber", {{"delta", 0.1}}), 0.2, TvNorm::Anisotropic,
                        Boundary::Periodic};
  for (TvSolver solver : {TvSolver::Admm, TvSolver::Ladmm, TvSolver::LadmmEq129, TvSolver::Pdhg,
                          TvSolver::Apgm, TvSolver::Lbfgs}) {
    const TvProblem& problem = solver == TvSolver::Lbfgs ? huber : l1;
    TvOptions o;
    o.solver = solver;
    o.max_iters = kIters;
    o.tol = 0;
    o.balance_rho = false;
    this->expect_same_normwise(
        to_string(solver),
        [&](const Context& c) {
          const auto ua = Array<T>::from_host(c, s, u);
          auto x = poisoned<T>(c, s);
          tv_denoise<T>(c, ua.view(), x.view(), problem, o);
          return x.to_host_vector();
        },
        kIters * 20 * unit<T>());
  }
  {
    TvOptions o;
    o.max_iters = kIters;
    o.tol = 0;
    o.balance_rho = false;
    o.use_cg = true;
    this->expect_same_normwise(
        "admm with cg",
        [&](const Context& c) {
          const auto ua = Array<T>::from_host(c, s, u);
          auto x = poisoned<T>(c, s);
          tv_denoise<T>(c, ua.view(), x.view(), l1, o);
          return x.to_host_vector();
        },
        kIters * 20 * unit<T>());
  }
  // 0.5||x - u||^2 + lambda sum phi(D x): two reductions over s.size() and 2 s.size() terms.
  const auto x = random_values<T>(s.size(), 82, 0, 1);
  const double value = tv_objective<T>(this->host(), Array<T>::from_host(this->host(), s, x).cview(),
                                       Array<T>::from_host(this->host(), s, u).cview(), l1);
  this->expect_same_scalar(
      "tv_objective",
      [&](const Context& c) {
        return tv_objective<T>(c, Array<T>::from_host(c, s, x).cview(), Array<T>::from_host(c, s, u).cview(),
                               l1);
      },
      reduction_bound<T>(3.0 * s.size(), value));
}

}  // namespace
}  // namespace recon::parity

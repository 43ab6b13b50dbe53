// ISTA, FISTA and ADMM for the LASSO on a batch (lpgnet.hpp): the baselines LPG-Net is
// compared with at the same iteration budget, as problem builders on the engine's solvers.
#include <cmath>
#include <string>

#include "../solvers/solvers.hpp"
#include "recon/engine/apgm.hpp"
#include "recon/engine/lpgnet.hpp"
#include "rows.hpp"

namespace recon {

using namespace detail_lpgnet;

std::string to_string(LassoSolver s) {
  switch (s) {
    case LassoSolver::Ista:
      return "ista";
    case LassoSolver::Fista:
      return "fista";
    default:
      return "admm";
  }
}

template <class T>
LassoReference<T>::LassoReference(const Context& ctx, std::shared_ptr<const Array<T>> matrix, index_t batch,
                                  double lambda, double lipschitz, double rho)
    : batch_(batch), lambda_(lambda), lipschitz_(lipschitz), rho_(rho) {
  const std::string where = "LassoReference";
  require(matrix && matrix->shape().ndim() == 2, where, "needs an (m, n) matrix");
  require(lambda >= 0 && lipschitz > 0 && rho > 0, where, "needs lambda >= 0, lipschitz > 0, rho > 0");
  a_ = batched_matrix<T>(matrix, batch);
  require(a_.has_normal_inverse(), where, "ADMM's x-update needs n <= 2048 (a dense Cholesky inverse)");
  // ADMM's x-update (A^T A + rho I)^{-1} is formed here, once: the operator keeps it for this
  // rho, so the solves' timings do not include the set-up.
  Array<T> zero(ctx, a_.domain()), out(ctx, a_.domain());
  fill<T>(ctx, zero.view(), T(0));
  a_.normal_inverse(ctx, static_cast<T>(rho), zero.view(), out.view());
}

// The terms 0.5||A x - b||^2 and lambda ||x||_1 run by the engine's solvers: ISTA and FISTA (no
// restart, as published) on the one FISTA loop, ADMM with the exact x-update through the dense
// operator's normal_inverse, rho fixed. Every iteration is a check when the objective is
// recorded, else only the last one. A solve that reaches an exact fixed point stops early; its
// later objectives equal the last one.
template <class T>
void LassoReference<T>::solve(const Context& ctx, LassoSolver solver, int iterations, View<const T> b,
                              View<T> x, std::vector<double>* objective) const {
  const std::string where = "LassoReference::solve";
  require(iterations >= 0, where, "iterations must be >= 0, got " + std::to_string(iterations));
  if (b.shape() != a_.range() || x.shape() != a_.domain())
    throw ShapeMismatch(where + ": b " + b.shape().str() + " and x " + x.shape().str() + ", expected " +
                        a_.range().str() + " and " + a_.domain().str());
  fill<T>(ctx, x, T(0));
  if (objective) {
    objective->assign(1, lasso_objective<T>(ctx, a_, b, x, lambda_));
  }
  if (iterations == 0) return;
  const int check_every = objective ? 1 : iterations;
  if (solver == LassoSolver::Admm) {
    const std::vector<CompositeTerm<T>> terms{{a_, b, penalties::SqL2{}, 1.0},
                                              {{}, {}, penalties::L1{}, lambda_}};
    CompositeAdmmOptions o;
    o.max_iters = iterations;
    o.tol = 0;
    o.rho = rho_;
    o.balance_rho = false;
    o.use_normal_inverse = true;
    o.check_every = check_every;
    solvers::AdmmExtras<T> extras;
    std::vector<Array<T>> z;
    extras.splits = &z;
    if (objective)
      extras.on_check = [&](const std::vector<View<const T>>& zk) {
        objective->push_back(lasso_objective<T>(ctx, a_, b, zk.front(), lambda_));
      };
    solvers::admm<T>(ctx, terms, x, o, {}, extras);
    copy<T>(ctx, z.front().view(), x);
  } else {
    Array<T> r(ctx, a_.range());
    const ValueGradFn<T> f = [&](const Context& c, View<const T> z, View<T> g) {
      a_.apply(c, z, r.view());
      axpby<T>(c, T(-1), b, T(1), r.view());
      a_.adjoint(c, r.view(), g);
      const double rn = norm2<T>(c, r.view());
      return 0.5 * rn * rn;
    };
    ApgmOptions o;
    o.variant = solver == LassoSolver::Fista ? ApgmVariant::Fista : ApgmVariant::Ista;
    o.restart = ApgmRestart::None;
    o.max_iters = iterations;
    o.tol = 0;
    o.step = 1 / lipschitz_;
    o.check_every = check_every;
    const Monitor record = [&](const IterationInfo& info) {
      objective->push_back(info.objective / batch_);
      return true;
    };
    apgm<T>(ctx, f, penalties::L1{}, lambda_, x, o, objective ? record : Monitor{});
  }
  if (objective) objective->resize(iterations + 1, objective->back());
}

template <class T>
double lasso_objective(const Context& ctx, const Operator<T>& a, View<const T> b, View<const T> x,
                       double lambda) {
  if (a.domain().ndim() != 2 || x.shape() != a.domain() || b.shape() != a.range())
    throw ShapeMismatch("lasso_objective: needs a batched operator with x " + a.domain().str() + " and b " +
                        a.range().str() + ", got x " + x.shape().str() + ", b " + b.shape().str());
  Rows<T> rows(ctx, a.domain()[0]);
  Array<T> r(ctx, a.range()), g(ctx, a.domain());
  return mean(objective_rows<T>(rows, x, residual_gradient<T>(ctx, a, b, x, r, g, rows), lambda));
}

template class LassoReference<float>;
template class LassoReference<double>;
template double lasso_objective<float>(const Context&, const Operator<float>&, View<const float>,
                                       View<const float>, double);
template double lasso_objective<double>(const Context&, const Operator<double>&, View<const double>,
                                        View<const double>, double);

}  // namespace recon

// Regularised CT reconstruction as a composite problem (engine/include/recon/engine/ct/tv_recon.hpp).
#include "recon/engine/ct/tv_recon.hpp"

#include <memory>
#include <vector>

#include "recon/engine/composite.hpp"
#include "recon/kernels/penalties/apply.hpp"
#include "recon/operators/finite_difference.hpp"
#include "recon/operators/operator.hpp"

namespace recon::ct {

TvReconSolver parse_tv_recon_solver(const std::string& name) {
  if (name == "admm") return TvReconSolver::Admm;
  if (name == "pdhg") return TvReconSolver::Pdhg;
  throw InvalidArgument("ct recon: unknown solver '" + name + "' (expected admm or pdhg)");
}

namespace {

// The gradient over the axes with more than one voxel (a 2D slice stored as (1, ny, nx) gets a
// 2D gradient).
template <class T>
Operator<T> volume_gradient(const Shape& domain) {
  std::vector<int> axes;
  for (int k = 0; k < domain.ndim(); ++k)
    if (domain[k] > 1) axes.push_back(k);
  require(!axes.empty(), "ct recon", "the volume has a single voxel; TV needs at least two along one axis");
  return gradient<T>(domain, Boundary::Neumann, axes);
}

template <class T>
std::vector<CompositeTerm<T>> make_terms(const LinearOperator<T>& a, View<const T> y, const Operator<T>& d,
                                         const TvReconProblem& p) {
  require(p.lambda >= 0, "ct recon", "lambda must be >= 0");
  if (y.shape() != a.range())
    throw ShapeMismatch("ct recon: projections have shape " + y.shape().str() + ", the geometry's are " +
                        a.range().str());
  std::vector<CompositeTerm<T>> terms{{&a, y, p.loss, 1.0},
                                      {&d.get(), {}, p.penalty, p.lambda, p.norm == TvNorm::Isotropic}};
  if (p.nonneg) terms.push_back({nullptr, {}, penalties::NonNeg{}, 1.0});
  return terms;
}

template <class T>
SolveReport solve_pdhg(const Context& ctx, const std::vector<CompositeTerm<T>>& terms, View<T> x,
                       const TvReconOptions& o, const Monitor& monitor) {
  CompositePdhgOptions po;
  po.max_iters = o.max_iters;
  po.tol = o.tol;
  po.check_every = o.check_every;
  return pdhg_composite<T>(ctx, terms, x, po, monitor);
}

template <class T>
SolveReport solve_admm(const Context& ctx, const LinearOperator<T>& a, const Operator<T>& d,
                       std::vector<CompositeTerm<T>>& terms, View<T> x, const TvReconOptions& o,
                       const Monitor& monitor) {
  // Non-owning handle: the norm estimate needs an Operator, the caller keeps `a` alive.
  const Operator<T> a_handle(std::shared_ptr<const LinearOperator<T>>(&a, [](const LinearOperator<T>*) {}));
  const double a_norm2 = std::pow(a_handle.norm_estimate(ctx, 30), 2);
  const double d_norm2 = std::pow(d.norm_estimate(ctx, 30), 2);
  require(a_norm2 > 0, "ct recon", "the projector is zero (no ray meets the volume)");
  terms[0].rho_scale = 1 / a_norm2;
  terms[1].rho_scale = 1 / d_norm2;
  CompositeAdmmOptions ao;
  ao.max_iters = o.max_iters;
  ao.tol = o.tol;
  ao.rho = o.rho;
  ao.split_quadratic = true;  // CG on A^T A + ... would be as ill-conditioned as A
  // With a projector term rho tends to oscillate under balancing (measured on the sparse-view
  // tests): adapt it for 1000 iterations, then keep it, as Boyd et al. 3.4.1 require.
  ao.balance_iters = 1000;
  ao.cg_max_iters = o.cg_max_iters;
  ao.check_every = o.check_every;
  return admm_composite<T>(ctx, terms, x, ao, monitor);
}

}  // namespace

template <class T>
SolveReport tv_reconstruct(const Context& ctx, const LinearOperator<T>& a, View<const T> y, View<T> x,
                           const TvReconProblem& problem, const TvReconOptions& o, const Monitor& monitor) {
  const Operator<T> d = volume_gradient<T>(a.domain());
  std::vector<CompositeTerm<T>> terms = make_terms<T>(a, y, d, problem);
  SolveReport report = o.solver == TvReconSolver::Pdhg ? solve_pdhg<T>(ctx, terms, x, o, monitor)
                                                       : solve_admm<T>(ctx, a, d, terms, x, o, monitor);
  // Both solvers' x meets x >= 0 only to within the primal residual; the result is a volume.
  if (problem.nonneg) penalties::prox<T>(ctx, penalties::NonNeg{}, T(1), View<const T>(x), x);
  return report;
}

template <class T>
double tv_recon_objective(const Context& ctx, const LinearOperator<T>& a, View<const T> y, View<const T> x,
                          const TvReconProblem& problem) {
  const Operator<T> d = volume_gradient<T>(a.domain());
  return composite_objective<T>(ctx, make_terms<T>(a, y, d, problem), x);
}

#define RECON_INSTANTIATE_TV_RECON(T)                                                                        \
  template SolveReport tv_reconstruct<T>(const Context&, const LinearOperator<T>&, View<const T>, View<T>, \
                                         const TvReconProblem&, const TvReconOptions&, const Monitor&);     \
  template double tv_recon_objective<T>(const Context&, const LinearOperator<T>&, View<const T>,           \
                                        View<const T>, const TvReconProblem&);
RECON_INSTANTIATE_TV_RECON(float)
RECON_INSTANTIATE_TV_RECON(double)

}  // namespace recon::ct

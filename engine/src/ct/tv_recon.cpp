// Regularised CT reconstruction by the composite solvers and APGM
// (engine/include/recon/engine/ct/tv_recon.hpp).
#include "recon/engine/ct/tv_recon.hpp"

#include <cmath>
#include <memory>
#include <vector>

#include "recon/engine/apgm.hpp"
#include "recon/engine/choose.hpp"
#include "recon/engine/composite.hpp"
#include "recon/kernels/communicator.hpp"
#include "recon/kernels/penalties/apply.hpp"
#include "recon/operators/finite_difference.hpp"
#include "recon/operators/operator.hpp"
#include "recon/operators/slab_gradient.hpp"

#include "../loss_fit.hpp"

namespace recon::ct {

TvReconSolver parse_tv_recon_solver(const std::string& name) {
  if (name == "admm") return TvReconSolver::Admm;
  if (name == "pdhg") return TvReconSolver::Pdhg;
  if (name == "apgm") return TvReconSolver::Apgm;
  throw InvalidArgument("ct recon: unknown solver '" + name + "' (expected admm, pdhg or apgm)");
}

namespace {

// TV differences along the axes with more than one voxel only (a 2D slice stored as (1, ny, nx)
// gets a 2D gradient).
std::vector<int> varying_axes(const Shape& s) {
  std::vector<int> axes;
  for (int k = 0; k < s.ndim(); ++k)
    if (s[k] > 1) axes.push_back(k);
  return axes;
}

// D of the projector's volume. A projector split by z-slabs (its domain_split) gets the slab
// gradient over the same ranks: the whole volume's slice count is the sum of the slabs', and
// block_share gives both operators the same slabs. Every axis is differenced there (a single-voxel
// axis adds a zero component, which changes neither the TV value nor its prox).
// The whole volume's shape from every rank's slab (the sum of the slabs' slice counts).
Shape whole_volume(const dist::Communicator& split, const Shape& slab) {
  Shape whole{static_cast<index_t>(split.all_reduce(static_cast<double>(slab[0]), dist::ReduceOp::Sum))};
  for (int k = 1; k < slab.ndim(); ++k) whole.push_back(slab[k]);
  return whole;
}

// Not owned: the projector keeps the communicator alive for the solve.
std::shared_ptr<const dist::Communicator> borrowed(const dist::Communicator* split) {
  return std::shared_ptr<const dist::Communicator>(std::shared_ptr<const void>(), split);
}

template <class T>
Operator<T> volume_gradient(const Operator<T>& a) {
  const Shape& domain = a.domain();
  if (const dist::Communicator* split = a.get().domain_split())
    return slab_gradient<T>(whole_volume(*split, domain), Boundary::Neumann, borrowed(split));
  const std::vector<int> axes = varying_axes(domain);
  require(!axes.empty(), "ct recon", "the volume has a single voxel; TV needs at least two along one axis");
  return gradient<T>(domain, Boundary::Neumann, axes);
}

template <class T>
std::vector<CompositeTerm<T>> make_terms(const Operator<T>& a, View<const T> y, const Operator<T>& d,
                                         const TvReconProblem& p) {
  require(p.lambda >= 0, "ct recon", "lambda must be >= 0");
  if (y.shape() != a.range())
    throw ShapeMismatch("ct recon: projections have shape " + y.shape().str() + ", the geometry's are " +
                        a.range().str());
  std::vector<CompositeTerm<T>> terms{{a, y, p.loss, 1.0},
                                      {d, {}, p.penalty, p.lambda, p.norm == TvNorm::Isotropic}};
  if (p.nonneg) terms.push_back({{}, {}, penalties::NonNeg{}, 1.0});
  return terms;
}

// ||A||^2 by the power method.
template <class T>
double projector_norm2(const Context& ctx, const Operator<T>& a) {
  const double n2 = std::pow(a.norm_estimate(ctx, 30), 2);
  require(n2 > 0, "ct recon", "the projector is zero (no ray meets the volume)");
  return n2;
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
SolveReport solve_admm(const Context& ctx, const Operator<T>& a, const Operator<T>& d,
                       std::vector<CompositeTerm<T>>& terms, View<T> x, const TvReconOptions& o,
                       const Monitor& monitor) {
  terms[0].rho_scale = 1 / projector_norm2<T>(ctx, a);
  terms[1].rho_scale = 1 / std::pow(d.norm_estimate(ctx, 30), 2);
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

// The volume without its single-voxel axes: tv_denoise then differences the same axes as
// volume_gradient.
Shape squeezed(const Shape& s) {
  Shape out;
  for (int k : varying_axes(s)) out.push_back(s[k]);
  return out;
}

// g = lambda sum phi(D x) [+ i_{x >= 0}]: its value exactly (the composite terms after the loss),
// its prox by a fixed budget of warm-started tv_denoise iterations, then clipped at 0. A volume
// split into z-slabs (`split`, the whole volume `whole`) is denoised by tv_denoise_slabs, whose
// differences are the serial ones.
template <class T>
ProxTerm<T> tv_prox_term(const std::vector<CompositeTerm<T>>& terms, const TvReconProblem& p,
                         const TvReconOptions& o, const dist::Communicator* split, const Shape& whole) {
  const std::vector<CompositeTerm<T>> g_terms(terms.begin() + 1, terms.end());
  TvOptions inner;
  inner.solver = o.inner_solver;
  inner.max_iters = o.inner_iters;
  inner.tol = 0;  // the budget, not a tolerance, bounds the work per outer step
  inner.check_every = o.inner_iters;
  inner.warm_start = true;
  return {[p, inner, split, whole](const Context& ctx, double alpha, View<const T> v, View<T> out) {
            const TvProblem tv{p.penalty, alpha * p.lambda, p.norm, Boundary::Neumann};
            if (split) {
              tv_denoise_slabs<T>(ctx, borrowed(split), whole, v, out, tv, inner);
            } else {
              const Shape s = squeezed(v.shape());
              tv_denoise<T>(ctx, v.reshaped(s), out.reshaped(s), tv, inner);
            }
            // The constrained prox for anisotropic l1-TV, an approximation otherwise (tv_recon.hpp).
            if (p.nonneg) penalties::prox<T>(ctx, penalties::NonNeg{}, T(1), View<const T>(out), out);
          },
          [g_terms](const Context& ctx, View<const T> x) { return composite_objective<T>(ctx, g_terms, x); }};
}

template <class T>
SolveReport solve_apgm(const Context& ctx, const Operator<T>& a, View<const T> y,
                       const std::vector<CompositeTerm<T>>& terms, View<T> x, const TvReconProblem& p,
                       const TvReconOptions& o, const Monitor& monitor) {
  const dist::Communicator* split = a.get().domain_split();
  const penalties::Properties loss = penalties::properties_of(p.loss);
  if (!loss.differentiable || !std::isfinite(loss.grad_lipschitz))
    throw InvalidArgument(
        "ct recon: solver apgm needs a smooth loss (differentiable with a Lipschitz gradient); " +
        penalties::describe(p.loss) + " is not: use --solver admm");
  require(o.inner_iters >= 1, "ct recon",
          "apgm needs inner_iters >= 1, got " + std::to_string(o.inner_iters));
  recon::detail::LossFit<T> fit(ctx, a.get(), y, p.loss);
  const ValueGradFn<T> f = [&fit](const Context& c, View<const T> v, View<T> g) {
    return fit.value_grad(c, v, g);
  };
  ApgmOptions ao;
  ao.variant = o.apgm_variant;
  ao.max_iters = o.max_iters;
  ao.tol = o.tol;
  // 1/L with L = max loss'' ||A||^2 (smooth_lipschitz); backtracking covers what remains.
  ao.lipschitz = smooth_lipschitz<T>(ctx, {terms.front()}, a.domain());
  ao.backtracking = true;
  ao.x_split = split;
  // The whole volume's shape once, not an all-reduce in every prox.
  const Shape whole = split ? whole_volume(*split, a.domain()) : a.domain();
  return apgm<T>(ctx, f, tv_prox_term<T>(terms, p, o, split, whole), x, ao, monitor);
}

}  // namespace

template <class T>
SolveReport tv_reconstruct(const Context& ctx, const Operator<T>& a, View<const T> y, View<T> x,
                           const TvReconProblem& problem, const TvReconOptions& o, const Monitor& monitor) {
  const Operator<T> d = volume_gradient<T>(a);
  std::vector<CompositeTerm<T>> terms = make_terms<T>(a, y, d, problem);
  SolveReport report;
  switch (o.solver) {
    case TvReconSolver::Admm:
      report = solve_admm<T>(ctx, a, d, terms, x, o, monitor);
      break;
    case TvReconSolver::Pdhg:
      report = solve_pdhg<T>(ctx, terms, x, o, monitor);
      break;
    case TvReconSolver::Apgm:
      report = solve_apgm<T>(ctx, a, y, terms, x, problem, o, monitor);
      break;
  }
  // ADMM's and PDHG's x meet x >= 0 only to within the primal residual; the result is a volume.
  if (problem.nonneg) penalties::prox<T>(ctx, penalties::NonNeg{}, T(1), View<const T>(x), x);
  return report;
}

template <class T>
double tv_recon_objective(const Context& ctx, const Operator<T>& a, View<const T> y, View<const T> x,
                          const TvReconProblem& problem) {
  const Operator<T> d = volume_gradient<T>(a);
  return composite_objective<T>(ctx, make_terms<T>(a, y, d, problem), x);
}

#define RECON_INSTANTIATE_TV_RECON(T)                                                                     \
  template SolveReport tv_reconstruct<T>(const Context&, const Operator<T>&, View<const T>, View<T>,      \
                                         const TvReconProblem&, const TvReconOptions&, const Monitor&);   \
  template double tv_recon_objective<T>(const Context&, const Operator<T>&, View<const T>, View<const T>, \
                                        const TvReconProblem&);
RECON_INSTANTIATE_TV_RECON(float)
RECON_INSTANTIATE_TV_RECON(double)

}  // namespace recon::ct

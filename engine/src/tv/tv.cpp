// tv_denoise: validation, and the problem builders for the engine's solvers (ADMM, PDHG, FISTA
// on the dual) and TV's own L-BFGS (tv_solvers.cu).
#include <cmath>

#include "../solvers/fused_split.hpp"
#include "../solvers/range_reduce.hpp"
#include "../solvers/solvers.hpp"
#include "recon/engine/lbfgs.hpp"
#include "recon/kernels/communicator.hpp"
#include "recon/kernels/penalties/apply.hpp"
#include "recon/operators/slab_gradient.hpp"
#include "tv_solvers.hpp"

namespace recon {

namespace {
const char* const kSolverNames[] = {"admm", "ladmm", "ladmm-eq129", "pdhg", "apgm", "lbfgs"};
}

TvSolver parse_tv_solver(const std::string& name) {
  for (int i = 0; i < 6; ++i)
    if (name == kSolverNames[i]) return static_cast<TvSolver>(i);
  throw InvalidArgument("unknown TV solver '" + name +
                        "' (expected admm, ladmm, ladmm-eq129, pdhg, apgm or lbfgs)");
}

std::string to_string(TvSolver s) { return kSolverNames[static_cast<int>(s)]; }

TvNorm parse_tv_norm(const std::string& name) {
  if (name == "iso" || name == "isotropic") return TvNorm::Isotropic;
  if (name == "aniso" || name == "anisotropic") return TvNorm::Anisotropic;
  throw InvalidArgument("unknown TV norm '" + name + "' (expected iso or aniso)");
}

namespace {

template <class T>
void validate(const Context& ctx, View<const T> u, View<T> x, const TvProblem& p, const TvOptions& o) {
  const std::string where = "tv_denoise";
  if (u.shape() != x.shape())
    throw ShapeMismatch(where + ": input " + u.shape().str() + " and output " + x.shape().str() + " differ");
  if (u.shape().ndim() < 1 || u.shape().ndim() > 3 || u.size() < 2)
    throw InvalidArgument(where + ": input of shape " + u.shape().str() +
                          " is not a 1D signal, 2D image or 3D volume with at least 2 elements");
  require(std::isfinite(p.lambda) && p.lambda >= 0, where,
          "lambda must be finite and >= 0, got " + std::to_string(p.lambda));
  penalties::validate(p.penalty);
  require(o.max_iters >= 0, where, "max_iters must be >= 0");
  require(o.tol >= 0, where, "tol must be >= 0");
  require(o.check_every >= 1, where, "check_every must be >= 1");
  require(o.rho >= 0 && std::isfinite(o.rho), where, "rho must be finite and >= 0 (0: automatic)");
  const double m = max_abs<T>(ctx, u);
  if (!std::isfinite(m)) throw InvalidArgument(where + ": the input contains NaN or Inf");
  if (o.warm_start && !std::isfinite(max_abs<T>(ctx, View<const T>(x))))
    throw InvalidArgument(where + ": the warm start contains NaN or Inf");
}

// The terms of TV denoising: 0.5||x - u||^2 and lambda phi(D x), isotropic as the group form
// over D's components; the solvers run the fused stencil passes on the D term
// (solvers/fused_split.hpp). Refuses a loss or a constraint as phi.
template <class T>
std::vector<CompositeTerm<T>> denoise_terms(const tv::Setup<T>& s, const TvProblem& p, View<const T> u) {
  tv::visit_tv_penalty(p.penalty, [](const auto&) { return 0; });
  return {{{}, u, penalties::SqL2{}, 1.0}, {s.op, {}, p.penalty, p.lambda, s.iso}};
}

// TV denoising by the one ADMM. admm: the x-update exact (DCT/FFT closed form) or by CG, with
// residual balancing. ladmm: linearised, one gradient step per x-update so an iteration is a
// few fused stencil passes and no transform, fixed rho, step 1 / (1 + rho ||D||^2) with
// ||D||^2 <= 4k; ladmm-eq129: eq. 129's averaged form (alpha from the options, x1 from 0).
template <class T>
SolveReport admm_denoise(const Context& ctx, const tv::Setup<T>& s, const TvProblem& p, const TvOptions& o,
                         const Monitor& monitor, View<const T> u, View<T> x, Array<T>* dual) {
  const bool linearised = o.solver != TvSolver::Admm;
  const bool eq129 = o.solver == TvSolver::LadmmEq129;
  require(!eq129 || (o.ladmm_alpha > 0 && o.ladmm_alpha <= 1), "tv_denoise(ladmm-eq129)",
          "alpha must be in (0, 1], got " + std::to_string(o.ladmm_alpha));
  const std::vector<CompositeTerm<T>> terms = denoise_terms(s, p, u);
  if (!o.warm_start) copy<T>(ctx, u, x);
  CompositeAdmmOptions ao;
  ao.max_iters = o.max_iters;
  ao.tol = o.tol;
  ao.rho = o.rho > 0 ? o.rho : 1.0;  // raised to the weak-convexity floor by the solver
  ao.balance_rho = o.balance_rho && !linearised;
  ao.check_every = o.check_every;
  ao.use_normal_inverse = !o.use_cg;
  ao.cg_max_iters = 50;
  ao.cg_rel_tol = 1e-3 * o.tol;
  const solvers::LinearisedStep step{s.norm_sq_bound, eq129 ? o.ladmm_alpha : 1.0, eq129};
  std::vector<Array<T>> multipliers;
  solvers::AdmmExtras<T> extras;
  extras.linearised = linearised ? &step : nullptr;
  extras.multipliers = dual ? &multipliers : nullptr;
  const SolveReport report = solvers::admm<T>(ctx, terms, x, ao, monitor, extras);
  if (dual) *dual = std::move(multipliers.front());
  return report;
}

// TV denoising as PDHG terms: 0.5||x - u||^2 in the primal step (so the iteration accelerates
// for a convex phi, restarted on the KKT error) and lambda phi(D x) dual, with fused passes.
// For a nonconvex phi: fixed steps, no restarts, a heuristic.
template <class T>
SolveReport pdhg_denoise(const Context& ctx, const tv::Setup<T>& s, const TvProblem& p, const TvOptions& o,
                         const Monitor& monitor, View<const T> u, View<T> x, Array<T>* dual) {
  const std::vector<CompositeTerm<T>> terms = denoise_terms(s, p, u);
  const bool convex = penalties::properties_of(p.penalty).convex;
  if (!o.warm_start) copy<T>(ctx, u, x);
  solvers::PdhgPlan plan;
  plan.primal_term = 0;
  // tau0/sigma0 = 16 with tau0 sigma0 ||D||^2 < 1 (||D||^2 <= 4k): on the ROF tests this halves
  // the distance to the solution at a given iteration compared with tau = sigma
  // (tests/engine/test_tv.cu).
  plan.tau = 0.99 * 4 / std::sqrt(s.norm_sq_bound);
  plan.sigma = {0.99 / 4 / std::sqrt(s.norm_sq_bound)};
  plan.accelerate = convex;
  plan.stop = solvers::PdhgStop::Kkt;
  plan.allow_nonconvex = true;
  const CompositePdhgOptions po{o.max_iters, o.tol, o.check_every};
  std::vector<Array<T>> duals;
  const SolveReport report = solvers::pdhg<T>(ctx, terms, x, po, monitor, plan, dual ? &duals : nullptr);
  if (dual) *dual = std::move(duals.front());
  return report;
}

// TV denoising on its dual by the one FISTA (Beck & Teboulle, "Fast gradient-based algorithms
// for constrained total variation image denoising and deblurring problems", 2009), restarted on
// the gradient (O'Donoghue & Candes, "Adaptive restart for accelerated gradient schemes", 2015):
//   min_p 0.5||u - D^T p||^2 + (lambda phi)^*(p),   x = u - D^T p.
// The smooth part's gradient -D(u - D^T p) has Lipschitz constant ||D||^2 <= 4k; the prox of the
// conjugate is the PDHG dual step (Moreau's identity), so one prox-gradient step is two fused
// passes: r = u - D^T y, then p = prox(y + D r / ||D||^2). Convex phi only: for a nonconvex
// phi the conjugate does not give back the primal problem. Checks measure the primal x. On a
// slab gradient (an array split into row blocks over ranks) the passes exchange halos and the
// checks' sums run over the ranks, so every rank takes the same steps.
template <class T>
class TvDualMap final : public solvers::ProxGradientMap<T> {
 public:
  TvDualMap(const Context& ctx, const tv::Setup<T>& s, const solvers::FusedSplit<T>& d, View<const T> u,
            View<T> x)
      : d_(d),
        split_(solvers::domain_split_of(s.op)),
        lambda_(s.lambda),
        step_(1.0 / s.norm_sq_bound),
        u_(u),
        x_(x),
        r_(ctx, s.shape),
        x_prev_(ctx, s.shape) {}

  bool apply(const Context& ctx, View<const T> y, bool, View<const T>, View<T> out) override {
    primal(ctx, y, r_.view());
    d_.dual_step(ctx, lambda_, static_cast<T>(step_), r_.data(), y.data(), out.data());
    return true;
  }
  double step() const override { return step_; }
  typename solvers::ProxGradientMap<T>::Check check(const Context& ctx, View<const T> p, View<const T>,
                                                    double) override {
    copy<T>(ctx, x_, x_prev_.view());
    primal(ctx, p, x_);
    const double fit = solvers::split_distance2<T>(ctx, split_, x_, u_);
    const double objective = 0.5 * fit * fit + static_cast<double>(lambda_) * d_.value_sum(ctx, x_.data());
    return {objective, solvers::split_distance2<T>(ctx, split_, x_, x_prev_.view()),
            solvers::split_norm2<T>(ctx, split_, x_)};
  }
  // x = u - D^T p
  void primal(const Context& ctx, View<const T> p, View<T> x) const {
    d_.adjoint_difference(ctx, T(1), u_.data(), nullptr, p.data(), x.data());
  }

 private:
  const solvers::FusedSplit<T>& d_;
  const dist::Communicator* split_;  // x's (null: whole here)
  T lambda_;
  double step_;
  View<const T> u_;
  View<T> x_;
  Array<T> r_, x_prev_;
};

// The penalties the dual FISTA (convex: only then does the dual give back the primal problem)
// and L-BFGS (differentiable) take; every TV solver, a TV penalty.
void require_penalty_for(TvSolver solver, const TvProblem& p) {
  tv::visit_tv_penalty(p.penalty, [](const auto&) { return 0; });
  const penalties::Properties props = penalties::properties_of(p.penalty);
  const std::string name = penalties::name_of(p.penalty);
  if (solver == TvSolver::Apgm && !props.convex)
    throw InvalidArgument("tv_denoise(apgm): works on the dual problem, which needs a convex penalty; '" +
                          name + "' is not convex (use admm, ladmm or pdhg)");
  if (solver == TvSolver::Lbfgs && !props.differentiable)
    throw InvalidArgument("tv_denoise(lbfgs): needs a differentiable penalty (weep, huber, sq-l2); '" + name +
                          "' is not differentiable (use admm, ladmm or pdhg)");
}

template <class T>
SolveReport dual_fista_denoise(const Context& ctx, const tv::Setup<T>& s, const TvProblem& p,
                               const TvOptions& o, const Monitor& monitor, View<const T> u, View<T> x,
                               Array<T>* dual) {
  require_penalty_for(TvSolver::Apgm, p);
  const auto d = solvers::make_fused_split<T>(s.op.get(), p.penalty, s.iso);
  require(d != nullptr, "tv_denoise(apgm)", "no fused passes for this penalty and gradient");
  copy<T>(ctx, u, x);
  TvDualMap<T> map(ctx, s, *d, u, x);
  Array<T> dual_p(ctx, s.range);
  fill<T>(ctx, dual_p.view(), T(0));
  const solvers::FistaPlan plan{true,  ApgmRestart::Gradient,        o.max_iters, o.check_every,
                                o.tol, solvers::range_split_of(s.op)};
  const SolveReport report = solvers::fista<T>(ctx, map, dual_p.view(), plan, monitor);
  map.primal(ctx, dual_p.view(), x);
  if (dual) *dual = std::move(dual_p);
  return report;
}

}  // namespace

template <class T>
SolveReport tv_denoise(const Context& ctx, View<const T> u, View<T> x, const TvProblem& problem,
                       const TvOptions& options, const Monitor& monitor, Array<T>* dual) {
  validate(ctx, u, x, problem, options);
  const tv::Setup<T> setup = tv::make_setup<T>(u.shape(), problem);
  const tv::Call call{problem, options, monitor};
  switch (options.solver) {
    case TvSolver::Admm:
    case TvSolver::Ladmm:
    case TvSolver::LadmmEq129:
      return admm_denoise(ctx, setup, problem, options, monitor, u, x, dual);
    case TvSolver::Pdhg:
      return pdhg_denoise(ctx, setup, problem, options, monitor, u, x, dual);
    case TvSolver::Apgm:
      return dual_fista_denoise(ctx, setup, problem, options, monitor, u, x, dual);
    case TvSolver::Lbfgs:
      if (dual) throw InvalidArgument("tv_denoise(lbfgs): works on the primal only and has no dual variable");
      return tv::solve_lbfgs(ctx, setup, call, u, x);
  }
  throw InvalidArgument("tv_denoise: unknown solver");
}

template <class T>
double tv_objective(const Context& ctx, View<const T> x, View<const T> u, const TvProblem& problem) {
  if (u.shape() != x.shape())
    throw ShapeMismatch("tv_objective: x " + x.shape().str() + " and u " + u.shape().str() + " differ");
  return tv::tv_objective_impl(ctx, tv::make_setup<T>(u.shape(), problem), problem.penalty, x, u);
}

namespace {

// The setup of a rank's block: D is the slab gradient (no fused passes: the solvers run its
// apply and adjoint, which exchange the halos).
template <class T>
tv::Setup<T> slab_setup(const Shape& whole, const TvProblem& problem,
                        std::shared_ptr<const dist::Communicator> comm) {
  tv::Setup<T> s;
  s.op = slab_gradient<T>(whole, problem.boundary, std::move(comm));
  s.iso = problem.norm == TvNorm::Isotropic;
  s.shape = s.op.domain();
  s.range = s.op.range();
  s.lambda = static_cast<T>(problem.lambda);
  s.norm_sq_bound = 4.0 * whole.ndim();
  return s;
}

// L-BFGS on the TV objective (tv_lbfgs.cuh's, differentiable phi only) of an array split into
// row blocks: D x and D^T psi through the slab gradient (halo exchanges), psi = phi'(D x) per
// component or per group, the objective's and L-BFGS's sums over the ranks.
template <class T>
SolveReport lbfgs_slab_denoise(const Context& ctx, const tv::Setup<T>& s, const TvProblem& p,
                               const TvOptions& o, const Monitor& monitor, View<const T> u, View<T> x) {
  require_penalty_for(TvSolver::Lbfgs, p);
  const dist::Communicator* split = solvers::domain_split_of(s.op);
  Array<T> dx(ctx, s.range), psi(ctx, s.range);
  if (!o.warm_start) copy<T>(ctx, u, x);
  const ValueGradFn<T> value_grad = [&](const Context& c, View<const T> xx, View<T> g) {
    s.op.apply(c, xx, dx.view());
    if (s.iso)
      penalties::gradient_group<T>(c, p.penalty, dx.cview(), psi.view());
    else
      penalties::gradient<T>(c, p.penalty, dx.cview(), psi.view());
    s.op.adjoint(c, psi.cview(), g);
    axpbypcz<T>(c, T(1), xx, T(-1), u, s.lambda, g);  // g = x - u + lambda D^T psi
    const double fit = distance2<T>(c, xx, u);
    const double phi = s.iso ? penalties::value_sum_group<T>(c, p.penalty, dx.cview())
                             : penalties::value_sum<T>(c, p.penalty, dx.cview());
    const auto sums = solvers::range_sums<2>(split, {fit * fit, phi});
    return 0.5 * sums[0] + p.lambda * sums[1];
  };
  LbfgsOptions lo;
  lo.max_iters = o.max_iters;
  lo.grad_tol = o.tol;
  lo.rel_f_tol = 0;
  lo.x_split = split;
  return lbfgs<T>(ctx, value_grad, x, lo, monitor);
}

}  // namespace

template <class T>
SolveReport tv_denoise_slabs(const Context& ctx, std::shared_ptr<const dist::Communicator> comm,
                             const Shape& whole, View<const T> u, View<T> x, const TvProblem& problem,
                             const TvOptions& options, const Monitor& monitor) {
  tv::Setup<T> setup;
  dist::agree(*comm, [&] {
    setup = slab_setup<T>(whole, problem, comm);
    if (u.shape() != setup.shape)
      throw ShapeMismatch("tv_denoise_slabs: this rank's block has shape " + u.shape().str() + ", expected " +
                          setup.shape.str() + " (rows " + std::to_string(setup.shape[0]) + " of " +
                          whole.str() + ")");
    validate(ctx, u, x, problem, options);
    require_penalty_for(options.solver, problem);
  });
  switch (options.solver) {
    case TvSolver::Pdhg:
      return pdhg_denoise<T>(ctx, setup, problem, options, monitor, u, x, nullptr);
    case TvSolver::Apgm:
      return dual_fista_denoise<T>(ctx, setup, problem, options, monitor, u, x, nullptr);
    case TvSolver::Lbfgs:
      return lbfgs_slab_denoise<T>(ctx, setup, problem, options, monitor, u, x);
    default:
      return admm_denoise<T>(ctx, setup, problem, options, monitor, u, x, nullptr);
  }
}

template <class T>
double tv_objective_slabs(const Context& ctx, std::shared_ptr<const dist::Communicator> comm,
                          const Shape& whole, View<const T> x, View<const T> u, const TvProblem& problem) {
  const dist::Communicator* split = comm->size() > 1 ? comm.get() : nullptr;
  const tv::Setup<T> s = slab_setup<T>(whole, problem, std::move(comm));
  if (u.shape() != s.shape || x.shape() != s.shape)
    throw ShapeMismatch("tv_objective_slabs: x " + x.shape().str() + " and u " + u.shape().str() +
                        " must be this rank's block " + s.shape.str());
  tv::visit_tv_penalty(problem.penalty, [](const auto&) { return 0; });
  Array<T> dx(ctx, s.range);
  s.op.apply(ctx, x, dx.view());
  const double fit = distance2<T>(ctx, x, u);
  const double phi = s.iso ? penalties::value_sum_group<T>(ctx, problem.penalty, dx.view())
                           : penalties::value_sum<T>(ctx, problem.penalty, dx.view());
  const auto sums = solvers::range_sums<2>(split, {fit * fit, phi});
  return 0.5 * sums[0] + problem.lambda * sums[1];
}

template SolveReport tv_denoise_slabs<float>(const Context&, std::shared_ptr<const dist::Communicator>,
                                             const Shape&, View<const float>, View<float>, const TvProblem&,
                                             const TvOptions&, const Monitor&);
template SolveReport tv_denoise_slabs<double>(const Context&, std::shared_ptr<const dist::Communicator>,
                                              const Shape&, View<const double>, View<double>,
                                              const TvProblem&, const TvOptions&, const Monitor&);
template double tv_objective_slabs<float>(const Context&, std::shared_ptr<const dist::Communicator>,
                                          const Shape&, View<const float>, View<const float>,
                                          const TvProblem&);
template double tv_objective_slabs<double>(const Context&, std::shared_ptr<const dist::Communicator>,
                                           const Shape&, View<const double>, View<const double>,
                                           const TvProblem&);

template SolveReport tv_denoise<float>(const Context&, View<const float>, View<float>, const TvProblem&,
                                       const TvOptions&, const Monitor&, Array<float>*);
template SolveReport tv_denoise<double>(const Context&, View<const double>, View<double>, const TvProblem&,
                                        const TvOptions&, const Monitor&, Array<double>*);
template double tv_objective<float>(const Context&, View<const float>, View<const float>, const TvProblem&);
template double tv_objective<double>(const Context&, View<const double>, View<const double>,
                                     const TvProblem&);

}  // namespace recon

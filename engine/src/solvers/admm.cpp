// The engine's one ADMM, for sum_k w_k Phi_k(A_k x - b_k) (engine/include/recon/engine/composite.hpp,
// MATH.md 3.1; Boyd et al., "Distributed optimization and statistical learning via the
// alternating direction method of multipliers", 2011, sec. 3). TV denoising (tv/tv.cpp), CT
// reconstruction (ct/tv_recon.cpp) and CS recovery (cs/cs.cpp) build their terms and call it.
// Written on the array-level ops, operators and prox kernels, so one host-compiled source serves
// both backends; the per-term fused stencil passes (fused_split.hpp) are the only kernels of
// their own.
// A term whose operator's range is split over ranks (the split projectors, the slab gradient,
// docs/distributed.md) keeps its z, u and A x - b as this rank's share; their sums (residuals,
// the objective) are all-reduced (range_reduce.hpp, terms.hpp); x and everything in its space is
// replicated, or split with the operators' domain (z-slabs), so every rank takes the same steps.
// x-update, solving M x = r with M = sum_split rho_k A_k^T A_k + sum_quadratic w_k A_k^T A_k:
//   exact, x = (A^T A + (c/rho) I)^{-1} r/rho, when one term is split, its operator has a
//   normal_inverse (DCT/FFT for finite differences) and the quadratic terms act on x itself
//   (c = the sum of their weights > 0), or x = (A^T A + (sum rho_k / w) I)^{-1} r/w when the one
//   quadratic term w/2 ||A x - b||^2 has it (a dense A: Cholesky) and every split term acts on
//   x itself; otherwise warm-started CG; or, when the caller asks
//   (LinearisedStep, solvers.hpp), linearised: one gradient step on the x-part of the augmented
//   Lagrangian, with the averaging of Ouyang et al. ("An accelerated linearized alternating
//   direction method of multipliers", SIAM J. Imaging Sci. 8, 2015) in the form of eq. 129 of
//   Pinilla & Thiyagalingam, "Global optimality for non-linear constrained restoration problems
//   via invexity", with v/rho inside the x1-update as MATH.md 3.1 corrects it.
#include <cmath>
#include <limits>
#include <memory>
#include <string>

#include "fused_split.hpp"
#include "iteration_log.hpp"
#include "recon/engine/cg.hpp"
#include "recon/engine/composite.hpp"
#include "recon/kernels/penalties/apply.hpp"
#include "recon/kernels/vector_ops.hpp"
#include "solvers.hpp"
#include "terms.hpp"

namespace recon {

namespace solvers {

namespace {

// Per split term: z, the scaled dual u, the residual A x - b, a spare range-sized buffer, and
// the fused passes when the term has them.
template <class T>
struct SplitState {
  const CompositeTerm<T>* term;
  Array<T> z, u, ax, spare;
  double rho_scale;
  std::unique_ptr<FusedSplit<T>> fused;
};

void check_options(const CompositeAdmmOptions& o) {
  const char* where = "admm";
  require(o.max_iters >= 0, where, "max_iters must be >= 0");
  require(o.tol >= 0, where, "tol must be >= 0");
  require(std::isfinite(o.rho) && o.rho > 0, where, "rho must be finite and > 0");
  require(o.cg_max_iters > 0, where, "cg_max_iters must be > 0");
  require(o.check_every > 0, where, "check_every must be > 0");
}

}  // namespace

template <class T>
SolveReport admm(const Context& ctx, const std::vector<CompositeTerm<T>>& terms, View<T> x,
                 const CompositeAdmmOptions& o, const Monitor& monitor, const AdmmExtras<T>& extras) {
  using namespace detail_composite;
  validate<T>(ctx, "admm", terms, x);
  check_options(o);
  const LinearisedStep* linearised = extras.linearised;

  const Shape domain = x.shape();
  const dist::Communicator* x_split = x_split_of(terms, "admm");  // sums over x run over its ranks
  std::vector<SplitState<T>> split;
  std::vector<const CompositeTerm<T>*> quadratic;
  std::vector<Array<T>> quadratic_residual;
  double quadratic_identity_weight = 0;  // c when every quadratic term acts on x itself
  bool quadratic_on_x = true;
  for (const auto& t : terms) {
    if (!o.split_quadratic && is_quadratic(t.phi, t.group)) {
      quadratic.push_back(&t);
      quadratic_residual.emplace_back(ctx, range_of(t, domain));
      quadratic_on_x = quadratic_on_x && !t.op;
      quadratic_identity_weight += t.weight;
      continue;
    }
    const Shape r = range_of(t, domain);
    std::unique_ptr<FusedSplit<T>> fused;
    if (t.op && !t.offset.data()) fused = make_fused_split<T>(t.op.get(), t.phi, t.group);
    split.push_back({&t, Array<T>(ctx, r), Array<T>(ctx, r), Array<T>(ctx, r), Array<T>(ctx, r), t.rho_scale,
                     std::move(fused)});
  }
  require(
      !split.empty(), "admm",
      "every term is sq-l2: the problem is a least-squares solve (use CG/CGLS), there is nothing to split");
  const CompositeTerm<T>& first = *split.front().term;
  require(!linearised || (split.size() == 1 && quadratic_on_x && linearised->lipschitz > 0 &&
                          linearised->alpha > 0 && linearised->alpha <= 1),
          "admm",
          "the linearised x-step needs one split term, sq-l2 terms on x itself, L > 0, alpha in (0, 1]");
  // The exact x-update x = (A^T A + mu I)^{-1} r / s needs A's normal_inverse in one of two forms:
  // A is the one split term's operator and the quadratic terms act on x (s = rho_1, mu = c /
  // rho_1: TV denoising), or A is the one quadratic term's operator and every split term acts
  // on x itself (s = its weight w, mu = sum rho_k / w: the LASSO with a dense A).
  bool split_on_x = true;
  for (const auto& s : split) split_on_x = split_on_x && !s.term->op;
  const bool exact_on_split = !linearised && o.use_normal_inverse && split.size() == 1 && first.op &&
                              first.op.has_normal_inverse() && quadratic_on_x &&
                              quadratic_identity_weight > 0;
  const bool exact_on_quadratic = !linearised && o.use_normal_inverse && !exact_on_split &&
                                  quadratic.size() == 1 && quadratic.front()->op &&
                                  quadratic.front()->op.has_normal_inverse() &&
                                  quadratic.front()->weight > 0 && split_on_x;
  const bool exact = exact_on_split || exact_on_quadratic;
  // One split term with fused passes assembles the right-hand side in one pass, divided by rho_1.
  const bool fused_rhs = !linearised && split.size() == 1 && split.front().fused;

  Array<T> rhs(ctx, domain), tmp(ctx, domain), acc(ctx, domain);
  std::unique_ptr<CgWorkspace<T>> cg_work;
  if (!exact && !linearised) cg_work = std::make_unique<CgWorkspace<T>>(ctx, domain);
  // A weakly convex Phi_k (phi + rho_w/2 x^2 convex) keeps rho_k >= 2 w_k rho_w: the z-step is
  // then a strongly convex prox, the condition of the nonconvex ADMM results (MATH.md 3.1). The
  // initial rho and residual balancing respect that floor.
  double rho_floor = 0;
  for (const auto& s : split) {
    const double rw = penalties::properties_of(s.term->phi).weak_convexity;
    if (std::isfinite(rw)) rho_floor = std::max(rho_floor, 2 * s.term->weight * rw / s.rho_scale);
  }
  double rho = std::max(o.rho, rho_floor);

  // M v = sum_split rho_k A_k^T A_k v + sum_quad w_k A_k^T A_k v
  const ApplyFn<T> normal_matrix = [&](const Context& c, View<const T> v, View<T> out) {
    fill<T>(c, out, T(0));
    auto add = [&](const CompositeTerm<T>& t, double coef) {
      if (t.op)
        t.op.normal(c, v, tmp.view());
      else
        copy<T>(c, v, tmp.view());
      axpby<T>(c, static_cast<T>(coef), tmp.view(), T(1), out);
    };
    for (const auto& s : split) add(*s.term, rho * s.rho_scale);
    for (const auto* t : quadratic) add(*t, t->weight);
  };

  // The quadratic terms' part of the right-hand side, sum w_k A_k^T b_k, is fixed.
  Array<T> rhs_fixed(ctx, domain);
  fill<T>(ctx, rhs_fixed.view(), T(0));
  for (const auto* t : quadratic) {
    if (!has_offset(*t, x_split)) continue;
    backward<T>(ctx, *t, t->offset, tmp.view());
    axpby<T>(ctx, static_cast<T>(t->weight), tmp.view(), T(1), rhs_fixed.view());
  }

  // The linearised x-step's x1 (its own sequence only when averaging, alpha < 1, or when it
  // starts at 0) and the sq-l2 terms as c/2 ||x - b||^2, b = sum w_k b_k / c.
  const bool own_x1 = linearised && (linearised->alpha < 1 || linearised->x1_from_zero);
  Array<T> x1(ctx, own_x1 ? domain : Shape{0}), x2(ctx, own_x1 ? domain : Shape{0}),
      b_quad(ctx, linearised ? domain : Shape{0});
  if (own_x1) {
    if (linearised->x1_from_zero)
      fill<T>(ctx, x1.view(), T(0));
    else
      copy<T>(ctx, x, x1.view());
  }
  if (linearised)
    scale<T>(ctx, static_cast<T>(quadratic_identity_weight > 0 ? 1 / quadratic_identity_weight : 0),
             rhs_fixed.view(), b_quad.view());

  // Start: z = prox(A x0 - b), u = 0, so a good x0 is kept. Bad functions fail here.
  for (auto& s : split) {
    residual<T>(ctx, *s.term, x, s.ax.view());
    prox_term<T>(ctx, *s.term, static_cast<T>(s.term->weight / (rho * s.rho_scale)), s.ax.view(), s.z.view());
    fill<T>(ctx, s.u.view(), T(0));
  }

  IterationLog log(o.max_iters, o.check_every, monitor);
  // Inexact x-updates must get more accurate as ADMM converges (Eckstein & Bertsekas 1992:
  // summable errors), or a warm-started CG stops moving x and the residuals stall. The CG
  // tolerance follows a tenth of the last relative ADMM residual, capped by cg_rel_tol.
  CgOptions cg_options{o.cg_max_iters, o.cg_rel_tol, x_split};
  // The linearised x-step: one gradient step on the x-part of the augmented Lagrangian from x2,
  //   x1 -= eta (c (x2 - b) + rho_1 A^T (A x2 - b_1 - z + u)),  eta = 1 / (c + rho_1 L),
  //   x2 = (1 - alpha) x + alpha x1 before, x = (1 - alpha) x + alpha x1 after.
  const auto linearised_x_step = [&](double rho_1) {
    SplitState<T>& s1 = split.front();
    const double alpha = linearised->alpha;
    const T eta = static_cast<T>(1 / (quadratic_identity_weight + rho_1 * linearised->lipschitz));
    View<T> x1v = own_x1 ? x1.view() : x, x2v = own_x1 ? x2.view() : x;
    if (own_x1) {
      copy<T>(ctx, x1.view(), x2v);
      axpby<T>(ctx, static_cast<T>(1 - alpha), x, static_cast<T>(alpha), x2v);
    }
    if (s1.fused) {
      s1.fused->shifted_residual(ctx, x2v.data(), s1.z.data(), s1.u.data(), s1.spare.data());
      s1.fused->gradient_step(ctx, eta, static_cast<T>(rho_1), static_cast<T>(alpha),
                              static_cast<T>(quadratic_identity_weight), b_quad.data(), s1.spare.data(),
                              x2v.data(), x1v.data(), x.data());
    } else {
      residual<T>(ctx, *s1.term, x2v, s1.spare.view());
      axpby<T>(ctx, T(-1), s1.z.view(), T(1), s1.spare.view());
      axpby<T>(ctx, T(1), s1.u.view(), T(1), s1.spare.view());
      backward<T>(ctx, *s1.term, s1.spare.view(), tmp.view());
      axpby<T>(ctx, static_cast<T>(quadratic_identity_weight), x2v, static_cast<T>(rho_1), tmp.view());
      axpby<T>(ctx, static_cast<T>(-quadratic_identity_weight), b_quad.view(), T(1), tmp.view());
      axpby<T>(ctx, -eta, tmp.view(), T(1), x1v);
      if (own_x1) axpby<T>(ctx, static_cast<T>(alpha), x1v, static_cast<T>(1 - alpha), x);
    }
  };
  // The exact or CG x-update: M x = sum rho_k A_k^T (b_k + z_k - u_k) + fixed part.
  const auto solved_x_step = [&](double rho_1) {
    if (fused_rhs) {
      split.front().fused->adjoint_difference(ctx, static_cast<T>(1 / rho_1), rhs_fixed.data(),
                                              split.front().z.data(), split.front().u.data(), rhs.data());
    } else {
      copy<T>(ctx, rhs_fixed.view(), rhs.view());
      for (auto& s : split) {
        View<T> v = s.spare.view();
        axpbypcz<T>(ctx, T(1), s.z.view(), T(-1), s.u.view(), T(0), v);
        if (s.term->offset.data()) axpby<T>(ctx, T(1), s.term->offset, T(1), v);
        if (s.term->op) {
          s.term->op.adjoint(ctx, v, tmp.view());
          v = tmp.view();
        }
        axpby<T>(ctx, static_cast<T>(rho * s.rho_scale), v, T(1), rhs.view());
      }
    }
    if (exact_on_split) {
      if (!fused_rhs) scale<T>(ctx, static_cast<T>(1 / rho_1), rhs.view(), rhs.view());
      first.op.normal_inverse(ctx, static_cast<T>(quadratic_identity_weight / rho_1), rhs.view(), x);
    } else if (exact_on_quadratic) {
      const CompositeTerm<T>& q = *quadratic.front();
      double rho_sum = 0;
      for (const auto& s : split) rho_sum += rho * s.rho_scale;
      if (q.weight != 1) scale<T>(ctx, static_cast<T>(1 / q.weight), rhs.view(), rhs.view());
      q.op.normal_inverse(ctx, static_cast<T>(rho_sum / q.weight), rhs.view(), x);
    } else {
      if (fused_rhs) scale<T>(ctx, static_cast<T>(rho_1), rhs.view(), rhs.view());
      conjugate_gradient<T>(ctx, normal_matrix, rhs.view(), x, cg_options, *cg_work);
    }
  };

  for (int it = 1; it <= o.max_iters; ++it) {
    const double rho_1 = rho * split.front().rho_scale;
    if (linearised)
      linearised_x_step(rho_1);
    else
      solved_x_step(rho_1);

    // z- and dual update; the check iterations also keep z_prev and A x - b for the residuals.
    const bool check = log.is_check(it);
    double r2 = 0, ax2 = 0, z2 = 0;
    for (auto& s : split) {
      const T gamma = static_cast<T>(s.term->weight / (rho * s.rho_scale));
      if (s.fused && !check) {
        s.fused->split_update(ctx, gamma, x.data(), s.z.data(), s.u.data());
        continue;
      }
      // u + A x - b, through A x - b in ax unless the term is x itself and no check needs ax.
      if (!check && !s.term->op && !s.term->offset.data()) {
        axpby<T>(ctx, T(1), x, T(1), s.u.view());
      } else {
        residual<T>(ctx, *s.term, x, s.ax.view());
        axpby<T>(ctx, T(1), s.ax.view(), T(1), s.u.view());
      }
      if (check) copy<T>(ctx, s.z.view(), s.spare.view());  // z_prev
      prox_term<T>(ctx, *s.term, gamma, s.u.view(), s.z.view());
      axpby<T>(ctx, T(-1), s.z.view(), T(1), s.u.view());  // u + A x - b - z
      if (check) {  // summed over the ranks when the term's range is split (range_reduce.hpp)
        const double d = distance2<T>(ctx, s.ax.view(), s.z.view());
        const auto sums = range_sums<3>(
            split_of(*s.term, x_split),
            {d * d, std::pow(norm2<T>(ctx, s.ax.view()), 2), std::pow(norm2<T>(ctx, s.z.view()), 2)});
        r2 += sums[0];
        ax2 += sums[1];
        z2 += sums[2];
      }
    }
    if (!check) {
      log.count(it);
      continue;
    }
    if (extras.on_check) {
      std::vector<View<const T>> z;
      for (const auto& s : split) z.push_back(s.z.view());
      extras.on_check(z);
    }

    // Dual residual ||sum rho_k A_k^T (z_k - z_prev_k)|| and the dual scale sqrt(sum ||rho_k A_k^T u_k||^2).
    fill<T>(ctx, acc.view(), T(0));
    for (auto& s : split) {
      axpby<T>(ctx, T(1), s.z.view(), T(-1), s.spare.view());
      backward<T>(ctx, *s.term, s.spare.view(), tmp.view());
      axpby<T>(ctx, static_cast<T>(rho * s.rho_scale), tmp.view(), T(1), acc.view());
    }
    const double dual = split_norm2<T>(ctx, x_split, acc.view());
    // Per term, not summed: when every term is split, sum_k A_k^T y_k -> 0 at the solution.
    double dual_scale2 = 0;
    for (auto& s : split) {
      backward<T>(ctx, *s.term, s.u.view(), tmp.view());
      dual_scale2 += std::pow(rho * s.rho_scale * split_norm2<T>(ctx, x_split, tmp.view()), 2);
    }
    const double dual_scale = std::sqrt(dual_scale2);
    const double primal = std::sqrt(r2);
    const double eps_pri = o.tol * std::max(std::sqrt(std::max(ax2, z2)), 1e-30);
    const double eps_dual = o.tol * std::max(dual_scale, 1e-30);
    cg_options.rel_tol = std::min(o.cg_rel_tol, 0.1 * std::max(primal / eps_pri, dual / eps_dual) * o.tol);

    // The monitor's objective is taken at x for the data and penalty terms; indicators are left
    // out (z is feasible by construction, x only to within the primal residual).
    double objective = 0;
    for (const auto& s : split)
      if (!is_indicator(s.term->phi)) objective += term_value<T>(ctx, *s.term, s.ax.view(), x_split);
    for (std::size_t q = 0; q < quadratic.size(); ++q) {
      residual<T>(ctx, *quadratic[q], x, quadratic_residual[q].view());
      objective += term_value<T>(ctx, *quadratic[q], quadratic_residual[q].view(), x_split);
    }
    if (log.record(it, objective, primal, dual, rho, primal <= eps_pri && dual <= eps_dual)) break;
    // Residual balancing (Boyd et al. 3.4.1) on the tolerance-normalised residuals; a halving
    // that would take rho below the floor is skipped (not clamped to it: on the demo's
    // nonconvex log-TV CT runs clamping changed the 100-iteration results by up to 0.2 dB, and
    // TV denoising is the same either way to 1e-3 dB). u is the scaled dual y/rho, so it is
    // rescaled with rho.
    if (o.balance_rho && it <= o.balance_iters) {
      const double rp = primal / eps_pri, rd = dual / eps_dual;
      double factor = rp > 10 * rd ? 2.0 : (rd > 10 * rp ? 0.5 : 1.0);
      if (rho * factor < rho_floor) factor = 1.0;
      if (factor != 1.0) {
        rho *= factor;
        for (auto& s : split) scale<T>(ctx, static_cast<T>(1 / factor), s.u.view(), s.u.view());
      }
    }
  }
  if (extras.multipliers) {
    extras.multipliers->clear();
    for (auto& s : split) {
      extras.multipliers->emplace_back(ctx, s.u.shape());
      scale<T>(ctx, static_cast<T>(rho * s.rho_scale), s.u.view(), extras.multipliers->back().view());
    }
  }
  if (extras.splits) {
    extras.splits->clear();
    for (auto& s : split) extras.splits->push_back(std::move(s.z));
  }
  return log.finish();
}

#define RECON_INSTANTIATE_ADMM(T)                                                             \
  template SolveReport admm<T>(const Context&, const std::vector<CompositeTerm<T>>&, View<T>, \
                               const CompositeAdmmOptions&, const Monitor&, const AdmmExtras<T>&);
RECON_INSTANTIATE_ADMM(float)
RECON_INSTANTIATE_ADMM(double)

}  // namespace solvers

template <class T>
SolveReport admm_composite(const Context& ctx, const std::vector<CompositeTerm<T>>& terms, View<T> x,
                           const CompositeAdmmOptions& o, const Monitor& monitor) {
  return solvers::admm<T>(ctx, terms, x, o, monitor);
}

template <class T>
double composite_objective(const Context& ctx, const std::vector<CompositeTerm<T>>& terms, View<const T> x) {
  using namespace detail_composite;
  double total = 0;
  const dist::Communicator* x_split = x_split_of(terms, "composite_objective");
  for (const auto& t : terms) {
    Array<T> r(ctx, range_of(t, x.shape()));
    residual(ctx, t, x, r.view());
    total += term_value<T>(ctx, t, r.view(), x_split);
  }
  return total;
}

#define RECON_INSTANTIATE_COMPOSITE(T)                                                                  \
  template SolveReport admm_composite<T>(const Context&, const std::vector<CompositeTerm<T>>&, View<T>, \
                                         const CompositeAdmmOptions&, const Monitor&);                  \
  template double composite_objective<T>(const Context&, const std::vector<CompositeTerm<T>>&, View<const T>);
RECON_INSTANTIATE_COMPOSITE(float)
RECON_INSTANTIATE_COMPOSITE(double)

}  // namespace recon

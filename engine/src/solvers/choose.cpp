// The solver chooser of choose.hpp: classifies the terms, derives the step or the rho scales,
// and runs the engine's CG, APGM or ADMM on them.
#include "recon/engine/choose.hpp"

#include <cmath>

#include "recon/engine/apgm.hpp"
#include "recon/engine/cg.hpp"
#include "solvers.hpp"
#include "terms.hpp"

namespace recon {

const char* to_string(CompositeAlgorithm a) {
  switch (a) {
    case CompositeAlgorithm::LeastSquares:
      return "least-squares";
    case CompositeAlgorithm::Fista:
      return "fista";
    case CompositeAlgorithm::MonotoneApg:
      return "monotone-apg";
    case CompositeAlgorithm::Admm:
      return "admm";
  }
  return "?";
}

namespace {

using detail_composite::is_quadratic;

// Differentiable with a Lipschitz gradient, element-wise (a group form has no gradient kernel).
bool is_smooth(const penalties::Function& phi, bool group) {
  const penalties::Properties p = penalties::properties_of(phi);
  return !group && p.differentiable && std::isfinite(p.grad_lipschitz);
}

template <class T>
double operator_norm2(const Context& ctx, const CompositeTerm<T>& t) {
  if (!t.op) return 1;
  const double n = t.op.norm_estimate(ctx, 50);
  return n * n;
}

// f(x) = sum_k w_k Phi_k(A_k x - b_k) over smooth terms, and its gradient, with the residual
// buffers allocated once.
template <class T>
class SmoothSum {
 public:
  SmoothSum(const Context& ctx, std::vector<CompositeTerm<T>> terms, const Shape& domain,
            const dist::Communicator* x_split)
      : terms_(std::move(terms)), x_split_(x_split), back_(ctx, domain) {
    for (const auto& t : terms_) {
      r_.emplace_back(ctx, detail_composite::range_of(t, domain));
      g_.emplace_back(ctx, detail_composite::range_of(t, domain));
    }
  }
  double operator()(const Context& ctx, View<const T> x, View<T> grad) {
    using namespace detail_composite;
    fill<T>(ctx, grad, T(0));
    double value = 0;
    for (std::size_t k = 0; k < terms_.size(); ++k) {
      const CompositeTerm<T>& t = terms_[k];
      residual<T>(ctx, t, x, r_[k].view());
      value += term_value<T>(ctx, t, r_[k].view(), x_split_);
      penalties::gradient<T>(ctx, t.phi, r_[k].view(), g_[k].view());
      backward<T>(ctx, t, g_[k].view(), back_.view());
      axpby<T>(ctx, static_cast<T>(t.weight), back_.view(), T(1), grad);
    }
    return value;
  }

 private:
  std::vector<CompositeTerm<T>> terms_;
  const dist::Communicator* x_split_;
  std::vector<Array<T>> r_, g_;
  Array<T> back_;
};

template <class T>
SolveReport least_squares(const Context& ctx, const std::vector<CompositeTerm<T>>& terms, View<T> x,
                          const CompositeSolveOptions& o, const Monitor& monitor) {
  using namespace detail_composite;
  const Shape domain = x.shape();
  const dist::Communicator* x_split = x_split_of(terms, "solve_composite");
  Array<T> rhs(ctx, domain), tmp(ctx, domain);
  fill<T>(ctx, rhs.view(), T(0));
  for (const auto& t : terms) {
    if (!has_offset(t, x_split)) continue;  // agreed over a split range (terms.hpp)
    backward<T>(ctx, t, t.offset, tmp.view());
    axpby<T>(ctx, static_cast<T>(t.weight), tmp.view(), T(1), rhs.view());
  }
  const ApplyFn<T> normal = [&](const Context& c, View<const T> v, View<T> out) {
    fill<T>(c, out, T(0));
    for (const auto& t : terms) {
      if (t.op)
        t.op.normal(c, v, tmp.view());
      else
        copy<T>(c, v, tmp.view());
      axpby<T>(c, static_cast<T>(t.weight), tmp.view(), T(1), out);
    }
  };
  CgWorkspace<T> work(ctx, domain);
  return conjugate_gradient<T>(ctx, normal, rhs.view(), x, {o.max_iters, o.tol, x_split}, work, monitor);
}

}  // namespace

template <class T>
double smooth_lipschitz(const Context& ctx, const std::vector<CompositeTerm<T>>& smooth,
                        const Shape& domain) {
  double l = 0;
  for (const auto& t : smooth) {
    require(is_smooth(t.phi, t.group), "smooth_lipschitz",
            penalties::describe(t.phi) + " is not smooth (differentiable with a Lipschitz gradient)");
    require(!t.op || t.op.domain() == domain, "smooth_lipschitz", "an operator's domain is not x's shape");
    l += t.weight * penalties::properties_of(t.phi).grad_lipschitz * operator_norm2(ctx, t);
  }
  return 1.05 * l;
}

template <class T>
CompositeChoice choose_composite_solver(const Context& ctx, const std::vector<CompositeTerm<T>>& terms,
                                        const Shape& domain) {
  require(!terms.empty(), "choose_composite_solver", "needs at least one term");
  CompositeChoice c;
  bool all_quadratic = true;
  std::vector<std::size_t> rough;  // terms that are not smooth
  for (std::size_t k = 0; k < terms.size(); ++k) {
    all_quadratic = all_quadratic && is_quadratic(terms[k].phi, terms[k].group);
    if (!is_smooth(terms[k].phi, terms[k].group)) rough.push_back(k);
  }
  if (all_quadratic) {
    c.algorithm = CompositeAlgorithm::LeastSquares;
    c.reason = "every term is sq-l2: CG on the normal equations";
    return c;
  }
  if (rough.size() == 1 && !terms[rough[0]].op && !terms[rough[0]].offset.data()) {
    const CompositeTerm<T>& g = terms[rough[0]];
    std::vector<CompositeTerm<T>> smooth;
    for (std::size_t k = 0; k < terms.size(); ++k)
      if (k != rough[0]) smooth.push_back(terms[k]);
    const bool convex = penalties::properties_of(g.phi).convex;
    c.algorithm = convex ? CompositeAlgorithm::Fista : CompositeAlgorithm::MonotoneApg;
    c.lipschitz = smooth_lipschitz<T>(ctx, smooth, domain);
    c.reason = std::string("one nonsmooth term (") + penalties::describe(g.phi) +
               ") on x itself, the others smooth: proximal gradient with step 1/L, " +
               (convex ? "FISTA (convex)" : "monotone APG (nonconvex)");
    return c;
  }
  c.algorithm = CompositeAlgorithm::Admm;
  for (const auto& t : terms) c.rho_scale.push_back(1 / std::max(operator_norm2(ctx, t), 1e-30));
  c.reason = rough.size() > 1 ? "several nonsmooth terms: ADMM splits each"
                              : "a nonsmooth term on an operator or with an offset: ADMM splits it";
  return c;
}

template <class T>
SolveReport solve_composite(const Context& ctx, const std::vector<CompositeTerm<T>>& terms, View<T> x,
                            const CompositeSolveOptions& o, const Monitor& monitor, CompositeChoice* chosen) {
  detail_composite::validate<T>(ctx, "solve_composite", terms, x);
  const CompositeChoice c = choose_composite_solver<T>(ctx, terms, x.shape());
  if (chosen) *chosen = c;
  switch (c.algorithm) {
    case CompositeAlgorithm::LeastSquares:
      return least_squares<T>(ctx, terms, x, o, monitor);
    case CompositeAlgorithm::Fista:
    case CompositeAlgorithm::MonotoneApg: {
      // APGM's own sums over x (apgm.cpp) are not split-aware yet.
      const dist::Communicator* x_split = detail_composite::x_split_of(terms, "solve_composite");
      require(!x_split, "solve_composite",
              "the proximal-gradient solver does not run on x split over ranks yet; use ADMM or PDHG");
      std::vector<CompositeTerm<T>> smooth;
      const CompositeTerm<T>* g = nullptr;
      for (const auto& t : terms) {
        if (is_smooth(t.phi, t.group))
          smooth.push_back(t);
        else
          g = &t;
      }
      SmoothSum<T> sum(ctx, smooth, x.shape(), nullptr);
      const ValueGradFn<T> f = [&sum](const Context& cx, View<const T> v, View<T> grad) {
        return sum(cx, v, grad);
      };
      const ProxTerm<T> prox{[g](const Context& cx, double alpha, View<const T> v, View<T> out) {
                               detail_composite::prox_term<T>(cx, *g, static_cast<T>(alpha * g->weight), v,
                                                              out);
                             },
                             [g](const Context& cx, View<const T> v) {
                               return detail_composite::term_value<T>(cx, *g, v, nullptr);
                             },
                             false};
      ApgmOptions ao;
      ao.variant = c.algorithm == CompositeAlgorithm::Fista ? ApgmVariant::Fista : ApgmVariant::Monotone;
      ao.max_iters = o.max_iters;
      ao.tol = o.tol;
      ao.lipschitz = c.lipschitz;
      ao.backtracking = c.lipschitz == 0;  // no smooth term with curvature: find a step
      return apgm<T>(ctx, f, prox, x, ao, monitor);
    }
    case CompositeAlgorithm::Admm: {
      std::vector<CompositeTerm<T>> scaled = terms;
      for (std::size_t k = 0; k < scaled.size(); ++k) scaled[k].rho_scale = c.rho_scale[k];
      CompositeAdmmOptions ao;
      ao.max_iters = o.max_iters;
      ao.tol = o.tol;
      return solvers::admm<T>(ctx, scaled, x, ao, monitor);
    }
  }
  throw InvalidArgument("solve_composite: unknown algorithm");
}

#define RECON_INSTANTIATE_CHOOSE(T)                                                                         \
  template CompositeChoice choose_composite_solver<T>(const Context&, const std::vector<CompositeTerm<T>>&, \
                                                      const Shape&);                                        \
  template double smooth_lipschitz<T>(const Context&, const std::vector<CompositeTerm<T>>&, const Shape&);  \
  template SolveReport solve_composite<T>(const Context&, const std::vector<CompositeTerm<T>>&, View<T>,    \
                                          const CompositeSolveOptions&, const Monitor&, CompositeChoice*);
RECON_INSTANTIATE_CHOOSE(float)
RECON_INSTANTIATE_CHOOSE(double)
#undef RECON_INSTANTIATE_CHOOSE

}  // namespace recon

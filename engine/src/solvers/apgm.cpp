#include "recon/engine/apgm.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "iteration_log.hpp"
#include "recon/kernels/error.hpp"
#include "recon/kernels/penalties/apply.hpp"
#include "recon/kernels/vector_ops.hpp"

namespace recon {

ApgmVariant parse_apgm_variant(const std::string& name) {
  if (name == "monotone" || name == "apgm") return ApgmVariant::Monotone;
  if (name == "fista") return ApgmVariant::Fista;
  if (name == "ista") return ApgmVariant::Ista;
  throw InvalidArgument("apgm: unknown variant '" + name + "'; expected monotone (apgm), fista or ista");
}

const char* to_string(ApgmVariant v) {
  switch (v) {
    case ApgmVariant::Monotone:
      return "monotone";
    case ApgmVariant::Fista:
      return "fista";
    case ApgmVariant::Ista:
      return "ista";
  }
  return "?";
}

namespace {

void check_options(const ApgmOptions& o) {
  const auto bad = [](const std::string& what) { throw InvalidArgument("apgm: " + what); };
  if (o.max_iters < 0) bad("max_iters must be >= 0, got " + std::to_string(o.max_iters));
  if (!(o.tol >= 0)) bad("tol must be >= 0, got " + std::to_string(o.tol));
  if (!(o.step >= 0) || !std::isfinite(o.step))
    bad("step must be finite and >= 0 (0: 1/lipschitz), got " + std::to_string(o.step));
  if (!(o.lipschitz >= 0) || !std::isfinite(o.lipschitz))
    bad("lipschitz must be finite and >= 0, got " + std::to_string(o.lipschitz));
  if (o.step == 0 && o.lipschitz == 0 && !o.backtracking)
    bad("no step size: give step > 0, lipschitz > 0 or enable backtracking");
  if (o.backtracking && !(o.backtrack_factor > 0 && o.backtrack_factor < 1))
    bad("backtrack_factor must lie in (0, 1), got " + std::to_string(o.backtrack_factor));
  if (o.backtracking && o.max_backtracks < 1) bad("max_backtracks must be >= 1");
}

// The prox-gradient step shared by the variants, with the step size and its backtracking.
template <class T>
class ProxGradientStep {
 public:
  ProxGradientStep(const Context& ctx, const ValueGradFn<T>& f, const ProxTerm<T>& g, const ApgmOptions& o,
                   const Shape& shape)
      : ctx_(ctx),
        f_(f),
        g_(g),
        o_(o),
        alpha_(o.step > 0        ? o.step
               : o.lipschitz > 0 ? 1 / o.lipschitz
                                 : 1),
        v_(ctx, shape) {}

  double alpha() const { return alpha_; }
  double g(View<const T> x) const { return g_.value(ctx_, x); }

  // out = prox_{alpha g}(p - alpha gp) with gp = grad f(p), fp = f(p); f_out = f(out) and
  // g_out = grad f(out). out holds the previous output of this sequence (the prox's warm
  // start). False when backtracking found no step within max_backtracks.
  bool operator()(View<const T> p, double fp, View<const T> gp, View<T> out, View<T> g_out, double& f_out) {
    const double slack = 16 * std::numeric_limits<T>::epsilon() * std::max(1.0, std::fabs(fp));
    for (int k = 0;; ++k) {
      copy<T>(ctx_, p, v_.view());
      axpby<T>(ctx_, static_cast<T>(-alpha_), gp, T(1), v_.view());
      g_.prox(ctx_, alpha_, v_, out);
      f_out = f_(ctx_, out, g_out);
      if (!o_.backtracking) return true;
      const double d = distance2<T>(ctx_, out, p);
      const double model = fp + dot<T>(ctx_, gp, out) - dot<T>(ctx_, gp, p) + d * d / (2 * alpha_);
      if (f_out <= model + slack) return true;
      if (k + 1 >= o_.max_backtracks) return false;
      alpha_ *= o_.backtrack_factor;
    }
  }

 private:
  const Context& ctx_;
  const ValueGradFn<T>& f_;
  const ProxTerm<T>& g_;
  const ApgmOptions& o_;
  double alpha_;
  Array<T> v_;  // the gradient step p - alpha gp
};

// The stopping test of the variants on the shared log: a rejected step (moved = false) cannot
// count as convergence.
class Progress {
 public:
  Progress(const ApgmOptions& o, const Monitor& m) : tol_(o.tol), log_(o.max_iters, 1, m) {}
  bool done(int t, double F, double dx, double x_norm, double alpha, bool moved = true) {
    return log_.record(t, F, dx, 0, alpha, moved && dx <= tol_ * x_norm);
  }
  bool stop(StopReason r) { return log_.stop(r); }
  SolveReport report() const { return log_.finish(); }

 private:
  double tol_;
  solvers::IterationLog log_;
};

template <class T>
SolveReport monotone_apg(const Context& ctx, const ValueGradFn<T>& f, ProxGradientStep<T>& step, View<T> x,
                         Progress& progress, int max_iters) {
  const Shape& s = x.shape();
  Array<T> x_prev(ctx, s), z(ctx, s), v(ctx, s), y(ctx, s), gx(ctx, s), gy(ctx, s), gz(ctx, s), gv(ctx, s);
  double fx = f(ctx, x, gx.view());
  double Fx = fx + step.g(x);
  copy<T>(ctx, x, x_prev.view());
  copy<T>(ctx, x, z.view());
  copy<T>(ctx, x, v.view());
  double r_prev = 0, r = 1;
  for (int t = 1; t <= max_iters; ++t) {
    // y = x + a (z - x) + b (x - x_prev) = (1 - a + b) x + a z - b x_prev
    const double a = r_prev / r, b = (r_prev - 1) / r;
    copy<T>(ctx, x, y.view());
    axpbypcz<T>(ctx, static_cast<T>(a), z.view(), static_cast<T>(-b), x_prev.view(),
                static_cast<T>(1 - a + b), y.view());
    const double fy = f(ctx, y.view(), gy.view());
    double fz = 0, fv = 0;
    if (!step(y.view(), fy, gy.view(), z.view(), gz.view(), fz) ||
        !step(x, fx, gx.view(), v.view(), gv.view(), fv)) {
      progress.stop(StopReason::LineSearchFailed);
      break;
    }
    const double Fz = fz + step.g(z.view()), Fv = fv + step.g(v.view());
    r_prev = r;
    r = (std::sqrt(4 * r * r + 1) + 1) / 2;
    copy<T>(ctx, x, x_prev.view());
    const bool take_z = Fz <= Fv;
    const View<const T> best = take_z ? z.view() : v.view();
    // The candidate's distance also when x stays: x is then a fixed point to within tol.
    const double dx = distance2<T>(ctx, best, x);
    if (std::min(Fz, Fv) <= Fx) {
      copy<T>(ctx, best, x);
      copy<T>(ctx, take_z ? gz.view() : gv.view(), gx.view());
      fx = take_z ? fz : fv;
      Fx = std::min(Fz, Fv);
    }
    if (progress.done(t, Fx, dx, norm2<T>(ctx, x), step.alpha())) break;
  }
  return progress.report();
}

// FISTA with function-value restart; ISTA is the same loop with the momentum kept at zero.
template <class T>
SolveReport fista(const Context& ctx, const ValueGradFn<T>& f, ProxGradientStep<T>& step, View<T> x,
                  Progress& progress, int max_iters, bool momentum) {
  const Shape& s = x.shape();
  Array<T> y(ctx, s), gy(ctx, s), xn(ctx, s), gxn(ctx, s);
  copy<T>(ctx, x, y.view());
  copy<T>(ctx, x, xn.view());
  double fy = f(ctx, y.view(), gy.view());
  double F = fy + step.g(x);
  double t_k = 1;
  bool y_is_x = true;
  for (int it = 1; it <= max_iters; ++it) {
    double fn = 0;
    if (!step(y.view(), fy, gy.view(), xn.view(), gxn.view(), fn)) {
      progress.stop(StopReason::LineSearchFailed);
      break;
    }
    const double Fn = fn + step.g(xn.view());
    if (Fn > F && !y_is_x) {
      // Restart: drop the step and the momentum; the next step starts from x.
      t_k = 1;
      y_is_x = true;
      copy<T>(ctx, x, y.view());
      fy = f(ctx, y.view(), gy.view());
      if (progress.done(it, F, 0, 0, step.alpha(), false)) break;
      continue;
    }
    const double t_next = momentum ? (1 + std::sqrt(1 + 4 * t_k * t_k)) / 2 : 1;
    const double beta = (t_k - 1) / t_next;
    const double dx = distance2<T>(ctx, xn.view(), x);
    if (beta == 0) {
      copy<T>(ctx, xn.view(), y.view());
      copy<T>(ctx, gxn.view(), gy.view());
      fy = fn;
    } else {
      // y = xn + beta (xn - x)
      copy<T>(ctx, xn.view(), y.view());
      axpby<T>(ctx, static_cast<T>(-beta), x, static_cast<T>(1 + beta), y.view());
      fy = f(ctx, y.view(), gy.view());
    }
    y_is_x = beta == 0;
    copy<T>(ctx, xn.view(), x);
    F = Fn;
    t_k = t_next;
    if (progress.done(it, F, dx, norm2<T>(ctx, x), step.alpha())) break;
  }
  return progress.report();
}

}  // namespace

template <class T>
SolveReport apgm(const Context& ctx, const ValueGradFn<T>& f, const ProxTerm<T>& g, View<T> x,
                 const ApgmOptions& options, const Monitor& monitor) {
  if (!f) throw InvalidArgument("apgm: no smooth function f given");
  if (!g.prox || !g.value) throw InvalidArgument("apgm: the nonsmooth part needs a prox and a value");
  if (x.size() == 0) throw InvalidArgument("apgm: x is empty");
  detail::check_operand(ctx, "apgm", "x", x, x.size());
  check_options(options);
  ProxGradientStep<T> step(ctx, f, g, options, x.shape());
  Progress progress(options, monitor);
  if (options.max_iters == 0) return progress.report();
  if (options.variant == ApgmVariant::Monotone)
    return monotone_apg(ctx, f, step, x, progress, options.max_iters);
  return fista(ctx, f, step, x, progress, options.max_iters, options.variant == ApgmVariant::Fista);
}

template <class T>
SolveReport apgm(const Context& ctx, const ValueGradFn<T>& f, const penalties::Function& phi, double weight,
                 View<T> x, const ApgmOptions& options, const Monitor& monitor) {
  penalties::validate(phi);
  if (!(weight >= 0) || !std::isfinite(weight))
    throw InvalidArgument("apgm: the penalty weight must be finite and >= 0, got " + std::to_string(weight));
  const ProxTerm<T> g{[&phi, weight](const Context& c, double alpha, View<const T> v, View<T> out) {
                        penalties::prox<T>(c, phi, static_cast<T>(alpha * weight), v, out);
                      },
                      [&phi, weight](const Context& c, View<const T> v) {
                        return weight == 0 ? 0 : weight * penalties::value_sum<T>(c, phi, v);
                      }};
  return apgm<T>(ctx, f, g, x, options, monitor);
}

#define RECON_INSTANTIATE_APGM(T)                                                                         \
  template SolveReport apgm<T>(const Context&, const ValueGradFn<T>&, const ProxTerm<T>&, View<T>,        \
                               const ApgmOptions&, const Monitor&);                                       \
  template SolveReport apgm<T>(const Context&, const ValueGradFn<T>&, const penalties::Function&, double, \
                               View<T>, const ApgmOptions&, const Monitor&);
RECON_INSTANTIATE_APGM(float)
RECON_INSTANTIATE_APGM(double)
#undef RECON_INSTANTIATE_APGM

}  // namespace recon

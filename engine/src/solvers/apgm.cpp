// The engine's proximal gradient methods (apgm.hpp): Li & Lin's monotone APG, and one FISTA loop
// (its restarts, and ISTA) that apgm, the dual of TV denoising (tv/tv.cpp) and LPG-Net's LASSO
// references run, each on its own prox-gradient map (solvers.hpp).
#include "recon/engine/apgm.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "iteration_log.hpp"
#include "range_reduce.hpp"
#include "recon/kernels/error.hpp"
#include "recon/kernels/penalties/apply.hpp"
#include "recon/kernels/vector_ops.hpp"
#include "solvers.hpp"

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
  if (o.check_every < 1) bad("check_every must be >= 1, got " + std::to_string(o.check_every));
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
  bool warm_start() const { return g_.warm_start; }
  bool evaluated = true;  // whether the last call computed f_out and g_out

  // out = prox_{alpha g}(p - alpha gp) with gp = grad f(p), fp = f(p); f_out = f(out) and
  // g_out = grad f(out), evaluated when `evaluate` or when backtracking (which needs them), as
  // `evaluated` says. out holds the previous output of this sequence (the prox's warm start).
  // False when backtracking found no step within max_backtracks.
  bool operator()(View<const T> p, double fp, View<const T> gp, View<T> out, View<T> g_out, double& f_out,
                  bool evaluate = true) {
    const double slack = 16 * std::numeric_limits<T>::epsilon() * std::max(1.0, std::fabs(fp));
    evaluated = evaluate || o_.backtracking;
    for (int k = 0;; ++k) {
      axpbypcz<T>(ctx_, T(1), p, static_cast<T>(-alpha_), gp, T(0), v_.view());
      g_.prox(ctx_, alpha_, v_, out);
      if (!evaluated) return true;
      f_out = f_(ctx_, out, g_out);
      if (!o_.backtracking) return true;
      const dist::Communicator* split = o_.x_split;
      const double d = solvers::split_distance2<T>(ctx_, split, out, p);
      const double model = fp + solvers::split_dot<T>(ctx_, split, gp, out) -
                           solvers::split_dot<T>(ctx_, split, gp, p) + d * d / (2 * alpha_);
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
  Progress(const ApgmOptions& o, const Monitor& m) : tol_(o.tol), log_(o.max_iters, o.check_every, m) {}
  bool done(int t, double F, double dx, double x_norm, double alpha, bool moved = true) {
    if (!log_.is_check(t)) {
      log_.count(t);
      return false;
    }
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
                         Progress& progress, int max_iters, const dist::Communicator* x_split) {
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
    const double dx = solvers::split_distance2<T>(ctx, x_split, best, x);
    if (std::min(Fz, Fv) <= Fx) {
      copy<T>(ctx, best, x);
      copy<T>(ctx, take_z ? gz.view() : gv.view(), gx.view());
      fx = take_z ? fz : fv;
      Fx = std::min(Fz, Fv);
    }
    if (progress.done(t, Fx, dx, solvers::split_norm2<T>(ctx, x_split, x), step.alpha())) break;
  }
  return progress.report();
}

// The map of apgm's public entry: a smooth f (value and gradient) and g by its prox. f(out) and
// grad f(out) of the last output are evaluated when something asks (backtracking, F, a step
// from that point: ISTA, FISTA after a zero momentum) and then kept, so f is never evaluated
// twice at one point.
template <class T>
class ValueGradMap final : public solvers::ProxGradientMap<T> {
 public:
  ValueGradMap(const Context& ctx, const ValueGradFn<T>& f, ProxGradientStep<T>& step, const Shape& shape,
               const dist::Communicator* x_split)
      : f_(f), step_(step), gy_(ctx, shape), g_out_(ctx, shape), x_split_(x_split) {}

  bool apply(const Context& ctx, View<const T> y, bool y_is_last_out, View<const T> last_out,
             View<T> out) override {
    if (y_is_last_out) {
      evaluate_last_out(ctx);
      std::swap(gy_, g_out_);
      fy_ = f_out_;
    } else {
      fy_ = f_(ctx, y, gy_.view());
    }
    if (step_.warm_start() && last_out.data() != out.data()) copy<T>(ctx, last_out, out);
    out_ = out;
    const bool ok = step_(y, fy_, gy_.view(), out, g_out_.view(), f_out_, false);
    f_out_known_ = step_.evaluated;
    return ok;
  }
  double step() const override { return step_.alpha(); }
  double value(const Context& ctx, View<const T> x) override { return f_(ctx, x, gy_.view()) + step_.g(x); }
  double last_value(const Context& ctx) override {
    evaluate_last_out(ctx);
    return f_out_ + step_.g(out_);
  }
  typename solvers::ProxGradientMap<T>::Check check(const Context& ctx, View<const T> x,
                                                    View<const T> difference, double objective) override {
    return {objective, solvers::split_norm2<T>(ctx, x_split_, difference),
            solvers::split_norm2<T>(ctx, x_split_, x)};
  }

 private:
  void evaluate_last_out(const Context& ctx) {
    if (!f_out_known_) f_out_ = f_(ctx, out_, g_out_.view());
    f_out_known_ = true;
  }
  const ValueGradFn<T>& f_;
  ProxGradientStep<T>& step_;
  Array<T> gy_, g_out_;
  double fy_ = 0, f_out_ = 0;
  bool f_out_known_ = false;
  View<const T> out_;
  const dist::Communicator* x_split_;
};

}  // namespace

namespace solvers {

// One loop for FISTA, its restarts and ISTA. The iterate and the map's output swap buffers, so
// an iteration moves: the map, d = x_{k+1} - x_k in place of x_k, (gradient restart: y - x_{k+1}
// in place of y and one dot), y = x_{k+1} + beta d.
template <class T>
SolveReport fista(const Context& ctx, ProxGradientMap<T>& map, View<T> x_out, const FistaPlan& plan,
                  const Monitor& monitor) {
  IterationLog log(plan.max_iters, plan.check_every, monitor);
  if (plan.max_iters == 0) return log.finish();
  const bool by_value = plan.momentum && plan.restart == ApgmRestart::FunctionValue;
  const Shape& s = x_out.shape();
  Array<T> x(ctx, s), xn(ctx, s), y(ctx, s);
  copy<T>(ctx, x_out, x.view());
  copy<T>(ctx, x_out, y.view());
  double F = by_value ? map.value(ctx, x.view()) : std::nan("");
  if (by_value && std::isnan(F))
    throw InvalidArgument("fista: the function-value restart needs F, which this problem does not give");
  double t = 1;
  bool y_is_x = true, y_is_last_out = false, last_out_is_x = true;
  for (int k = 1; k <= plan.max_iters; ++k) {
    const View<const T> last_out = last_out_is_x ? x.cview() : xn.cview();
    if (!map.apply(ctx, y.view(), y_is_last_out, last_out, xn.view())) {
      log.stop(StopReason::LineSearchFailed);
      break;
    }
    if (by_value) {
      const double Fn = map.last_value(ctx);
      if (Fn > F && !y_is_x) {
        // Restart: drop the step and the momentum; the next step starts from x.
        t = 1;
        y_is_x = true;
        y_is_last_out = last_out_is_x = false;
        copy<T>(ctx, x.view(), y.view());
        if (!log.is_check(k))
          log.count(k);
        else if (log.record(k, F, 0, 0, map.step(), false))
          break;
        continue;
      }
      F = Fn;
    }
    axpby<T>(ctx, T(1), xn.view(), T(-1), x.view());  // x = d
    bool restart = false;
    if (plan.momentum && plan.restart == ApgmRestart::Gradient) {
      axpby<T>(ctx, T(-1), xn.view(), T(1), y.view());  // y = y - x_{k+1}
      restart = solvers::split_dot<T>(ctx, plan.x_split, y.view(), x.view()) > 0;
    }
    const double t_next = plan.momentum && !restart ? (1 + std::sqrt(1 + 4 * t * t)) / 2 : 1;
    const double beta = restart ? 0 : (t - 1) / t_next;
    if (beta != 0)
      axpbypcz<T>(ctx, T(1), xn.view(), static_cast<T>(beta), x.view(), T(0), y.view());
    else
      copy<T>(ctx, xn.view(), y.view());
    t = t_next;
    y_is_x = y_is_last_out = beta == 0;
    last_out_is_x = true;
    std::swap(x, xn);  // x = x_{k+1}, xn = d
    if (!log.is_check(k)) {
      log.count(k);
      continue;
    }
    const auto c = map.check(ctx, x.view(), xn.view(), by_value ? F : map.last_value(ctx));
    if (log.record(k, c.objective, c.change, 0, map.step(), c.change <= plan.tol * c.scale)) break;
  }
  copy<T>(ctx, x.view(), x_out);
  return log.finish();
}

#define RECON_INSTANTIATE_FISTA(T)                                                              \
  template SolveReport fista<T>(const Context&, ProxGradientMap<T>&, View<T>, const FistaPlan&, \
                                const Monitor&);
RECON_INSTANTIATE_FISTA(float)
RECON_INSTANTIATE_FISTA(double)
#undef RECON_INSTANTIATE_FISTA

}  // namespace solvers

template <class T>
SolveReport apgm(const Context& ctx, const ValueGradFn<T>& f, const ProxTerm<T>& g, View<T> x,
                 const ApgmOptions& options, const Monitor& monitor) {
  if (!f) throw InvalidArgument("apgm: no smooth function f given");
  if (!g.prox || !g.value) throw InvalidArgument("apgm: the nonsmooth part needs a prox and a value");
  if (x.size() == 0) throw InvalidArgument("apgm: x is empty");
  detail::check_operand(ctx, "apgm", "x", x, x.size());
  check_options(options);
  ProxGradientStep<T> step(ctx, f, g, options, x.shape());
  if (options.variant == ApgmVariant::Monotone) {
    Progress progress(options, monitor);
    if (options.max_iters == 0) return progress.report();
    return monotone_apg(ctx, f, step, x, progress, options.max_iters, options.x_split);
  }
  ValueGradMap<T> map(ctx, f, step, x.shape(), options.x_split);
  const solvers::FistaPlan plan{options.variant == ApgmVariant::Fista,
                                options.restart,
                                options.max_iters,
                                options.check_every,
                                options.tol,
                                options.x_split};
  return solvers::fista<T>(ctx, map, x, plan, monitor);
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
                      },
                      false};
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

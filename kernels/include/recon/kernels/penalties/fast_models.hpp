// Vectorisable models of the iterative penalties and losses for the host's fast prox
// (fast_prox.hpp): per x, t phi'(x) and psi'(x) = 1 + t phi''(x) (one Newton step's worth), and
// phi(x) for the candidate comparison, in the formulas of the exact structs (sparse.hpp,
// log.hpp, robust_losses.hpp, barron.hpp) but with vector_math.hpp in place of libm, constants
// folded per call. They are accurate to a few ulps for |x| <= 2^40 (the fast path's domain),
// without the exact structs' rescalings for huge |x|. Host-only.
// Tests: through tests/penalties/test_prox_scalar_gamma.cu (ProxScalarGamma).
#pragma once

#include <cmath>

#include "recon/kernels/penalties/barron.hpp"
#include "recon/kernels/penalties/log.hpp"
#include "recon/kernels/penalties/robust_losses.hpp"
#include "recon/kernels/penalties/sparse.hpp"
#include "recon/kernels/penalties/vector_math.hpp"

namespace recon::penalties::fast {

template <class T>
struct Eval {
  T tslope, dpsi;  // t phi'(x) and 1 + t phi''(x)
};

// The shape data stationary_prox takes (MATH.md section 0): rho = -min phi'', phi'' falls on
// [0, split] and rises beyond, phi is constant beyond end.
struct Geometry {
  double rho, split, end;
};

// Float Newton steps per root before the double polish (fast_prox.hpp): enough for the
// starting points there on typical data (lp's Newton from z needs fewer); the rest is certified
// away.
constexpr int kNewtonSteps = 4;

// lp: g(y) = y + c (beta/y)^(1-p) - z on [beta, z] (Lp::prox_abs's scaled form).
template <class T>
struct LpModel {
  static constexpr int steps = kNewtonSteps - 1;
  T beta, c, one_minus_p, half_p;
  LpModel(const Lp& f, Lp::Threshold<T> th)
      : beta(th.beta), c(th.c), one_minus_p(T(1 - f.p)), half_p(T(f.p / 2)) {}
  Eval<T> eval(T y) const {
    const T ratio = beta / y, q = vmath::pow(ratio, one_minus_p);
    return {c * q, 1 - half_p * q * ratio};
  }
};

// log penalty: s = x + eps, u = s^p, t phi' = t p u / (s (1 + u)),
// t phi'' = -t phi' (1 - p + u) / (s (1 + u)), phi = log1p(u) - log1p(eps^p).
template <class T, bool Capped>
struct LogModel {
  static constexpr int steps = kNewtonSteps;
  static constexpr bool capped = Capped, rising_start = false;
  T p, eps, tp, one_minus_p, log1p_ep;
  T value_floor;  // phi's absolute error scale: the cancellation of the two logs
  LogModel(const LogPenalty& f, double t)
      : p(T(f.p)),
        eps(T(f.eps)),
        tp(T(t * f.p)),
        one_minus_p(T(1 - f.p)),
        log1p_ep(T(std::log1p(std::pow(f.eps, f.p)))),
        value_floor(2 * log1p_ep) {}
  T u_of(T x) const { return vmath::pow(x + eps, p); }
  Eval<T> eval(T x) const {
    const T s = x + eps, u = vmath::pow(s, p), r = 1 / (s * (1 + u)), ts = tp * u * r;
    return {ts, 1 - ts * (one_minus_p + u) * r};
  }
  T value(T x) const { return vmath::log1p(u_of(x)) - log1p_ep; }
};

// Cauchy: y = x/delta, w = 1 + y^2: t phi' = (2t/delta) y/w, t phi'' = (2t/delta^2)(2/w - 1)/w.
template <class T>
struct CauchyModel {
  static constexpr int steps = kNewtonSteps;
  static constexpr bool capped = false, rising_start = true;
  static constexpr T value_floor = 0;
  T inv_delta, k1, k2;
  CauchyModel(const Cauchy& f, double t)
      : inv_delta(T(1 / f.delta)), k1(T(2 * t / f.delta)), k2(T(2 * t / (f.delta * f.delta))) {}
  Eval<T> eval(T x) const {
    const T y = x * inv_delta, iw = 1 / (1 + y * y);
    return {k1 * y * iw, 1 + k2 * (2 * iw - 1) * iw};
  }
  T value(T x) const {
    const T y = x * inv_delta;
    return vmath::log1p(y * y);
  }
};

// Geman-McClure: y = x/(2 delta), w = 1 + y^2: t phi' = (2t/delta) y/w^2,
// t phi'' = (t/delta^2)(4/w - 3)/w^2, phi = 2 y^2/w.
template <class T>
struct GemanMcClureModel {
  static constexpr int steps = kNewtonSteps;
  static constexpr bool capped = false, rising_start = true;
  static constexpr T value_floor = 0;
  T inv_2delta, k1, k2;
  GemanMcClureModel(const GemanMcClure& f, double t)
      : inv_2delta(T(1 / (2 * f.delta))), k1(T(2 * t / f.delta)), k2(T(t / (f.delta * f.delta))) {}
  Eval<T> eval(T x) const {
    const T y = x * inv_2delta, iw = 1 / (1 + y * y), iw2 = iw * iw;
    return {k1 * y * iw2, 1 + k2 * (4 * iw - 3) * iw2};
  }
  T value(T x) const {
    const T y = x * inv_2delta, y2 = y * y;
    return 2 * y2 / (1 + y2);
  }
};

// Welsch: y = x/delta, v = y^2/2, e = exp(-v): t phi' = (t/delta) y e,
// t phi'' = (t/delta^2)(1 - 2v) e, phi = -expm1(-v).
template <class T>
struct WelschModel {
  static constexpr int steps = kNewtonSteps;
  static constexpr bool capped = false, rising_start = true;
  static constexpr T value_floor = 0;
  T inv_delta, k1, k2;
  WelschModel(const Welsch& f, double t)
      : inv_delta(T(1 / f.delta)), k1(T(t / f.delta)), k2(T(t / (f.delta * f.delta))) {}
  Eval<T> eval(T x) const {
    const T y = x * inv_delta, v = y * y / 2, e = vmath::exp(-v);
    return {k1 * y * e, 1 + k2 * (1 - 2 * v) * e};
  }
  T value(T x) const {
    const T y = x * inv_delta;
    return -vmath::expm1(-(y * y / 2));
  }
};

// eq. 8: v = 1/(1 + x^2): t phi' = t x v (2 - v), t phi'' = t v (-2 + v (7 - 4 v)),
// phi = log1p(x^2) - x^2 v / 2.
template <class T>
struct Eq8Model {
  static constexpr int steps = kNewtonSteps;
  static constexpr bool capped = false, rising_start = true;
  static constexpr T value_floor = 0;
  T t;
  Eq8Model(const Eq8&, double t_) : t(T(t_)) {}
  Eval<T> eval(T x) const {
    const T v = 1 / (1 + x * x);
    return {t * x * v * (2 - v), 1 + t * v * (-2 + v * (7 - 4 * v))};
  }
  T value(T x) const {
    const T x2 = x * x;
    return vmath::log1p(x2) - x2 / (1 + x2) / 2;
  }
};

// Tukey: u = (x/c)^2 below c: t phi' = t x (1 - u)^2, t phi'' = t (1 - u)(1 - 5u),
// phi = (c^2/6) u (3 - u (3 - u)); beyond c, phi' = phi'' = 0 and phi = c^2/6.
template <class T>
struct TukeyModel {
  static constexpr int steps = kNewtonSteps;
  static constexpr bool capped = true, rising_start = true;
  static constexpr T value_floor = 0;
  T c, inv_c, t, c2_6;
  TukeyModel(const Tukey& f, double t_) : c(T(f.c)), inv_c(T(1 / f.c)), t(T(t_)), c2_6(T(f.c * f.c / 6)) {}
  Eval<T> eval(T x) const {
    // w = 0 beyond c makes both terms vanish there (a select on x < c would not vectorise).
    const T r = x * inv_c, u = r * r, w = detail::max_(1 - u, T(0));
    return {t * x * w * w, 1 + t * w * (1 - 5 * u)};
  }
  T value(T x) const {
    const T r = x * inv_c, u = r * r;
    return x < c ? c2_6 * (u * (3 - u * (3 - u))) : c2_6;
  }
};

// Barron (alpha < 2): y = x/c, u = y^2/b, W = (1 + u)^(alpha/2 - 1): t phi' = (t/c) y W,
// t phi'' = (t/c^2) W (alpha - 1 + (2 - alpha)/(1 + u)), phi = (b/alpha) expm1((alpha/2) log1p(u))
// (log1p(u) at alpha = 0).
template <class T>
struct BarronModel {
  static constexpr int steps = kNewtonSteps;
  static constexpr bool capped = false, rising_start = true;
  static constexpr T value_floor = 0;
  T inv_c, inv_b, k1, k2, am1, bm, half_a, exponent, b_over_a;
  bool log_form;
  BarronModel(const Barron& f, double t)
      : inv_c(T(1 / f.c)),
        inv_b(T(1 / (2 - f.alpha))),
        k1(T(t / f.c)),
        k2(T(t / (f.c * f.c))),
        am1(T(f.alpha - 1)),
        bm(T(2 - f.alpha)),
        half_a(T(f.alpha / 2)),
        exponent(T(f.alpha / 2 - 1)),
        b_over_a(T(f.alpha == 0 ? 0 : (2 - f.alpha) / f.alpha)),
        log_form(f.alpha == 0) {}
  Eval<T> eval(T x) const {
    const T y = x * inv_c, u = y * y * inv_b, w = 1 + u, W = vmath::exp(exponent * vmath::log1p(u));
    return {k1 * y * W, 1 + k2 * W * (am1 + bm / w)};
  }
  T value(T x) const {
    const T y = x * inv_c, l = vmath::log1p(y * y * inv_b);
    return log_form ? l : b_over_a * vmath::expm1(half_a * l);
  }
};

}  // namespace recon::penalties::fast

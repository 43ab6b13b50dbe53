// The host's certified fast path for the prox of the iterative penalties and losses at a
// scalar step t, in float (MATH.md section 0's generic rule, the same candidates as
// stationary_prox.hpp and Lp::prox_abs). Everything that depends on t only -- thresholds,
// turning points of psi(x) = x + t phi'(x) and psi there -- is computed once per call (the
// constructors of LpProx and StationaryProx, in double); per element a fixed number of
// safeguarded float Newton steps on the models of fast_models.hpp (vector_math.hpp instead of
// libm) and one polishing step in double, branch-free so that the loop vectorises.
// Each element also gets a certificate: it holds only when every decision the exact rule makes
// (root exists on a piece, candidate A beats candidate B) is taken with a margin that covers
// the approximations, every root it uses has converged (the polish moved it by a few ulps)
// where psi' is well away from 0. The caller recomputes the elements without one by the exact
// routine in double (f.prox), rounded, so results never depend on the fast path being right,
// only fast, and are the global minimiser to about an ulp: the float exact routine's rounding
// error reaches several ulps where the result is far below z, and this path is not held to it.
// Host-only.
// Tests: tests/penalties/test_prox_scalar_gamma.cu (ProxScalarGamma: agreement with the exact
// routine, fallback counts), tests/penalties/test_prox_brute_force.cu
// (ProxBruteForce.ScalarGammaMatchesGlobalMinimiser), tests/penalties/test_vector_math.cpp.
#pragma once

#include <cmath>
#include <limits>

#include "recon/kernels/penalties/fast_models.hpp"

namespace recon::penalties::fast {

using detail::abs_;
using detail::max_;
using detail::min_;

template <class T>
struct Tolerance {
  static constexpr T eps = std::numeric_limits<T>::epsilon();
  // Inputs above zmax go to the exact routine: the models square |x| without rescaling.
  static constexpr T zmax = T(1099511627776.0);  // 2^40
  // psi' below dmin makes a root ill-conditioned (its error is the models' divided by psi').
  static constexpr T dmin = T(1) / T(16);
  // Decisions closer than `decide` * eps * scale are left to the exact routine.
  static constexpr T decide = T(64);
};

// 1 where c holds, else 0.
template <class T>
inline T indicator(bool c) {
  return c ? T(1) : T(0);
}

// An element's certificate: the count of failed conditions, in T. Conditions combine by
// arithmetic on 0/1 indicators, not by & and | of comparison masks (nor by nested selects,
// which if-conversion turns into those): GCC 12 fails to vectorise these loops when it must
// give many combined masks one width. The candidates' validity flags are 0/1 T's likewise.
template <class T>
struct Certificate {
  T failed = 0;
  void require(bool c) { failed += indicator<T>(!c); }
  void require_if(T applies, bool c) { failed += applies * indicator<T>(!c); }
  T holds() const { return indicator<T>(failed == T(0)); }
};

// A root of g(x) = x + t phi'(x) - z after N safeguarded Newton steps on [lo, hi] from x:
// a step that leaves the bracket (or has psi' <= 0) bisects instead. g_start is g at the
// starting point; d is psi' at the last step.
template <class T>
struct Root {
  T x, g_start, d;
  T fix = 0;  // the double-precision polish's correction (polish below)
  // Where the root is a candidate: converged (the double polish moved x by a few ulps at most,
  // so by Newton's quadratic convergence it is now within about half an ulp) where psi' is not
  // small, so that its objective is accurate.
  void certify(Certificate<T>& ok, T used) const {
    ok.require_if(used, abs_(fix) <= 8 * Tolerance<T>::eps * x);
    ok.require_if(used, d >= Tolerance<T>::dmin);
  }
};

template <int N, class T, class M>
inline Root<T> newton(const M& m, T z, T lo, T hi, T x) {
  Root<T> r{x, T(0), T(0)};
  // Unrolled: the vectoriser takes loop bodies without inner loops only.
  RECON_UNROLL_FULLY
  for (int k = 0; k < N; ++k) {
    const Eval<T> e = m.eval(r.x);
    const T g = r.x + e.tslope - z;
    if (k == 0) r.g_start = g;
    lo = g < T(0) ? r.x : lo;
    hi = g > T(0) ? r.x : hi;
    // Inside (lo, hi) as one comparison (false for NaN): see Certificate on masks.
    const T newton = r.x - g / e.dpsi, mid = lo + (hi - lo) / 2;
    T next = (newton - lo) * (hi - newton) > T(0) ? newton : mid;
    next = g == T(0) ? r.x : next;
    r.d = e.dpsi;
    r.x = next;
  }
  return r;
}

// One Newton step in double from a float root: the float models' errors (an ulp or two of
// t phi', amplified by the cancellation in g) leave x a few ulps off; this step brings it to
// about half an ulp, so the result differs from the exact routine's by that routine's error.
template <class MD>
inline Root<float> polish(const MD& md, float z, Root<float> r) {
  const double x = r.x;
  const Eval<double> e = md.eval(x);
  const float next = float(x - (x + e.tslope - double(z)) / e.dpsi);
  r.fix = next - r.x;
  r.d = float(e.dpsi);
  r.x = next;
  return r;
}

// c ? a : b for finite a, b, as arithmetic (exact: one product is 0): GCC 12 fails to vectorise
// a comparison of a select (it turns it into a select of two masks).
template <class T>
inline T blend(bool c, T a, T b) {
  const T w = indicator<T>(c);
  return w * a + (1 - w) * b;
}

// A decision `v > 0` (or `v <= 0`) is certain when v is farther than `scale` from 0 (false for NaN).
template <class T>
inline bool decided(T v, T scale) {
  return abs_(v) > Tolerance<T>::decide * Tolerance<T>::eps * scale;
}

// detail::Best's comparison with a certificate: it fails when the objectives differ by
// less than the models' errors can account for (then the exact rule may choose otherwise).
// floor: the absolute error scale of the model's phi beyond its relative error.
template <class T>
inline void consider(detail::Best<T>& best, T c, T phic, T floor, T valid, Certificate<T>& ok) {
  const T s = max_(max_(abs_(c), abs_(best.x)), abs_(best.z));
  const T d = best.t * ((phic - best.phi) / s) + ((c - best.x) / s) * (c / 2 + best.x / 2 - best.z);
  ok.require_if(valid, decided(d, best.t * ((abs_(phic) + abs_(best.phi) + floor) / s) + s));
  const T take = valid * indicator<T>(d < T(0));
  best.x = take != T(0) ? c : best.x;
  best.phi = take != T(0) ? phic : best.phi;
}

// lp (MATH.md section 1): 0 up to the threshold tau, above it the root in [beta, z] of
// y + t p y^(p-1) = z, which Newton from z approaches from above (g is convex and increasing
// there). The threshold and beta are those of Lp::threshold in T; z within a few ulps of tau is
// left to the exact routine (in double, whose tau may fall on the other side of z); psi' >= 1 - p/2
// on [beta, z], so the root is always well-conditioned.
template <class T>
struct LpProx {
  LpModel<T> m;
  LpModel<double> md;
  T tau;
  LpProx(const Lp& f, T t) : m(f, f.threshold(t)), md(f, f.threshold(double(t))), tau(f.threshold(t).tau) {}
  T operator()(T z, T& out) const {
    const Root<T> r = polish(md, z, newton<LpModel<T>::steps>(m, z, m.beta, z, z));
    const T active = indicator<T>(z > tau);
    out = active != T(0) ? max_(r.x, m.beta) : T(0);
    Certificate<T> ok;
    ok.require_if(active, z <= Tolerance<T>::zmax);
    ok.require(decided(z - tau, z));
    r.certify(ok, active);
    return ok.holds();
  }
};

// The stationary-point rule of stationary_prox.hpp for a model M, its t*rho <= 1 case when
// Convex (decided per call, in T as the exact rule tests it). The constructor computes the
// per-call constants from the exact function object `base` in double: t phi'(0+), the turning
// points xa, xb of psi (roots of psi' = 1 + t phi'') and psi there, so that "g has a root on
// this piece" is a comparison of z with psi(xa) or psi(xb). M::capped: phi is constant beyond
// `end` (z is a candidate there); M::rising_start: psi rises on [0, xa] (phi'' > 0 at 0).
template <class T, template <class> class Model, bool Convex>
struct StationaryProx {
  using M = Model<T>;
  M m;
  Model<double> md;  // for polish
  T t, end, phi_end = 0;
  T g0 = 0;                                 // t phi'(0+): g(0) = g0 - z
  T split = 0, psi_split = 0, psi_end = 0;  // psi's inflection point, psi there and at end
  T xa = 0, psi_a = 0;                      // left turning point and psi there
  T xb = 0, psi_b = 0;                      // right turning point and psi there

  template <class F, class Base>
  StationaryProx(const F& f, const Base& base, T t_, const Geometry& geo)
      : m(f, double(t_)), md(f, double(t_)), t(t_), end(T(geo.end)) {
    const double td = double(t_);
    auto dg = [&](double x) { return 1 + td * base.template curv<double>(x); };
    auto psi = [&](double x) { return x + base.template t_slope<double>(x, td); };
    g0 = T(base.template t_slope<double>(0.0, td));
    split = T(geo.split);
    psi_split = T(psi(geo.split));
    if (M::capped) {
      phi_end = base.template value_abs<T>(end);
      psi_end = T(psi(geo.end));
    }
    if (Convex) return;
    if (M::rising_start) {
      const double a = detail::bisect(dg, 0.0, geo.split);
      xa = T(a);
      psi_a = T(psi(a));
    }
    // psi' < 0 at split (t rho > 1) and recovers beyond it, or psi falls up to end (then xb = end:
    // no right piece).
    double hi = geo.split > 0 ? geo.split : 1;
    for (int i = 0; i < 2100 && dg(hi) < 0 && hi < geo.end; ++i) hi *= 2;
    hi = std::fmin(hi, geo.end);
    const double b = dg(hi) < 0 ? hi : detail::bisect(dg, geo.split, hi);
    xb = T(b);
    psi_b = T(psi(b));
  }

  T operator()(T z, T& out) const {
    const T top = min_(z, end);
    const T capped = indicator<T>(M::capped && z > end);
    Certificate<T> ok;
    ok.require(z <= Tolerance<T>::zmax);
    detail::Best<T> best(z, t, T(0), T(0));
    if constexpr (Convex) {
      // One root on [0, top] where g(0) <= 0 <= g(top); it replaces 0 unconditionally. psi is
      // concave before split and convex beyond, so Newton converges monotonically from 0 when
      // the root is below split (z <= psi(split)), from top when it is above.
      const bool right = z > psi_split;
      const T mid = min_(split, top);
      const Root<T> r =
          polish(md, z, newton<M::steps>(m, z, right ? mid : T(0), right ? top : mid, right ? top : T(0)));
      // g(top) >= 0 always at top = z (phi' >= 0); at top = end it is psi(end) - z.
      const T gs = g0 - z, g_end = psi_end - z;
      const T valid =
          indicator<T>(T(0) < top) * indicator<T>(gs <= T(0)) * (1 - capped * indicator<T>(g_end < T(0)));
      ok.require(decided(gs, z));
      ok.require(decided(z - psi_split, z));
      ok.require_if(capped, decided(g_end, z));
      r.certify(ok, valid);
      best.x = valid != T(0) ? r.x : T(0);
      if constexpr (M::capped) best.phi = valid != T(0) ? m.value(r.x) : T(0);
    } else {
      // Right piece [xb, top]: psi is convex there, Newton from top descends onto the root.
      const Root<T> r = polish(md, z, newton<M::steps>(m, z, xb, top, top));
      const T valid = indicator<T>(top > xb) * indicator<T>(r.g_start >= T(0)) * indicator<T>(z >= psi_b);
      ok.require(decided(z - psi_b, z));
      ok.require_if(capped, decided(r.g_start, z));
      r.certify(ok, valid);
      consider(best, r.x, m.value(r.x), m.value_floor, valid, ok);
      if constexpr (M::rising_start) {
        // Left piece [0, min(xa, top)]: psi concave and rising, Newton from 0 ascends.
        const T hi = min_(xa, top);
        const Root<T> l = polish(md, z, newton<M::steps>(m, z, T(0), hi, T(0)));
        const T g_hi = blend(top <= xa, r.g_start, psi_a - z);
        const T lvalid = indicator<T>(T(0) < hi) * indicator<T>(g0 - z <= T(0)) * indicator<T>(g_hi >= T(0));
        ok.require(decided(g0 - z, z));
        ok.require(decided(g_hi, z));
        l.certify(ok, lvalid);
        consider(best, l.x, m.value(l.x), m.value_floor, lvalid, ok);
      }
    }
    if constexpr (M::capped) consider(best, z, phi_end, m.value_floor, capped, ok);
    out = best.x;
    return ok.holds();
  }
};

// The element function of a prox with a certificate: out = prox(zin); returns 1 where the
// certificate holds, else 0.
template <class P>
struct Certified {
  P p;
  template <class T>
  T operator()(T zin, T& out) const {
    const T z = abs_(zin);
    T mag;
    const T holds = p(z, mag);
    out = detail::with_sign(z == T(0) ? T(0) : mag, zin);
    return z == T(0) ? T(1) : holds;
  }
};

// Calls k(element function) with the certified fast prox of f at step t and returns true, or
// returns false where f has none: closed-form functions (which vectorise as they are; Barron's
// alpha = 2 too), and double precision, whose results could not be polished in a wider type.
template <class T, class F, class K>
bool with_fast_prox(const F&, T, K&&) {
  return false;
}

template <template <class> class Model, class F, class Base, class K>
bool with_stationary(const F& f, const Base& base, float t, const Geometry& geo, K&& k) {
  if (t * float(geo.rho) <= 1.0f)
    k(Certified<StationaryProx<float, Model, true>>{{f, base, t, geo}});
  else
    k(Certified<StationaryProx<float, Model, false>>{{f, base, t, geo}});
  return true;
}

template <class F>
Geometry smooth_geometry(const F& f) {
  return {f.rho(), f.split(), f.end()};
}

template <class T>
using UncappedLogModel = LogModel<T, false>;
template <class T>
using CappedLogModel = LogModel<T, true>;

template <class K>
bool with_fast_prox(const Lp& f, float t, K&& k) {
  k(Certified<LpProx<float>>{{f, t}});
  return true;
}
template <class K>
bool with_fast_prox(const LogPenalty& f, float t, K&& k) {
  return with_stationary<UncappedLogModel>(f, f, t, {f.rho, 0, kInfinity}, k);
}
template <class K>
bool with_fast_prox(const CappedLog& f, float t, K&& k) {
  return with_stationary<CappedLogModel>(f.log, f.log, t, {f.log.rho, 0, f.cap}, k);
}
template <class K>
bool with_fast_prox(const Cauchy& f, float t, K&& k) {
  return with_stationary<CauchyModel>(f, f, t, smooth_geometry(f), k);
}
template <class K>
bool with_fast_prox(const GemanMcClure& f, float t, K&& k) {
  return with_stationary<GemanMcClureModel>(f, f, t, smooth_geometry(f), k);
}
template <class K>
bool with_fast_prox(const Welsch& f, float t, K&& k) {
  return with_stationary<WelschModel>(f, f, t, smooth_geometry(f), k);
}
template <class K>
bool with_fast_prox(const Eq8& f, float t, K&& k) {
  return with_stationary<Eq8Model>(f, f, t, smooth_geometry(f), k);
}
template <class K>
bool with_fast_prox(const Tukey& f, float t, K&& k) {
  return with_stationary<TukeyModel>(f, f, t, smooth_geometry(f), k);
}
template <class K>
bool with_fast_prox(const Barron& f, float t, K&& k) {
  return f.alpha != 2 && with_stationary<BarronModel>(f, f, t, smooth_geometry(f), k);
}

}  // namespace recon::penalties::fast

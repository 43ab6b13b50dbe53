// Scalar building blocks shared by every penalty and loss (MATH.md section 0): the
// tie-aware comparison of prox candidates and a bracketed, safeguarded Newton solver.
// Everything is RECON_HD and works in the element type T (float or double).
// Tests: tests/penalties/test_prox_brute_force.cu (ProxBruteForce.MatchesGlobalMinimiser) and
// tests/penalties/test_prox_structure.cu (TypedTest PenaltyStructure), through every prox that uses
// them.
#pragma once

#include <cmath>
#include <limits>

#include "recon/kernels/macros.hpp"

// The iterative solvers are called from several places of each prox; keeping one copy of
// each on the device (instead of inlining it into every call site of ~150 kernels) keeps
// ptxas time and kernel size in check.
#if defined(__CUDACC__)
#define RECON_PENALTY_NOINLINE __noinline__
#else
#define RECON_PENALTY_NOINLINE
#endif

// The candidate rule of a prox whose closed form holds only for some step sizes. Out of line,
// it leaves the host loop over a scalar step small enough for GCC to unswitch it on that
// test, so that the closed-form loop is vectorised.
#if defined(__CUDACC__)
#define RECON_PENALTY_OUT_OF_LINE __noinline__
#else
#define RECON_PENALTY_OUT_OF_LINE __attribute__((noinline))
#endif

namespace recon::penalties::detail {

template <class T>
RECON_HD inline T abs_(T x) {
  return x < T(0) ? -x : x;
}
template <class T>
RECON_HD inline T min_(T a, T b) {
  return b < a ? b : a;
}
template <class T>
RECON_HD inline T max_(T a, T b) {
  return a < b ? b : a;
}
template <class T>
RECON_HD inline T clamp_(T x, T lo, T hi) {
  return x < lo ? lo : (hi < x ? hi : x);
}
// mag with the sign of s (s = 0 gives +mag).
template <class T>
RECON_HD inline T with_sign(T mag, T s) {
  return s < T(0) ? -mag : mag;
}
template <class T>
RECON_HD inline T sign_(T x) {
  return x > T(0) ? T(1) : (x < T(0) ? T(-1) : T(0));
}

// log(1 + (a/scale)^2) for a >= 0, scale > 0, without overflowing (a/scale)^2.
template <class T>
RECON_HD inline T log1p_sq(T a, T scale) {
  if (a <= scale) {
    const T y = a / scale;
    return std::log1p(y * y);
  }
  const T y = scale / a;
  return 2 * (std::log(a) - std::log(scale)) + std::log1p(y * y);
}

// y/(1 + y^2) for y >= 0, finite and accurate from denormal to huge y.
template <class T>
RECON_HD inline T y_over_1py2(T y) {
  return y <= T(1) ? y / (1 + y * y) : 1 / (y + 1 / y);
}

// The best prox candidate so far for min_x t*phi(x) + 0.5*(x - z)^2. Candidates are compared
// by the exact difference of their objectives, t*(phi(c) - phi(x)) + (c - x)*((c + x)/2 - z),
// divided by s = max(|c|, |x|, |z|) so that it neither overflows at |z| ~ FLT_MAX nor
// underflows for denormal z (and never forms the large squares (x - z)^2). An exact tie
// keeps the candidate of smaller magnitude (MATH.md section 0).
template <class T>
struct Best {
  T z, t, x, phi;
  RECON_HD Best(T z_, T t_, T x0, T phi0) : z(z_), t(t_), x(x0), phi(phi0) {}
  // Branch-free (s = 0 means c = x = z = 0, a tie): short-circuit logic here becomes
  // control flow that keeps GCC from vectorising the host loops over it.
  RECON_HD void consider(T c, T phic) {
    const T s = max_(max_(abs_(c), abs_(x)), abs_(z));
    const T d = t * ((phic - phi) / s) + ((c - x) / s) * (c / 2 + x / 2 - z);
    const bool nonzero = s != T(0);
    const bool take = (nonzero & (d < T(0))) | ((!nonzero | (d == T(0))) & (abs_(c) < abs_(x)));
    x = take ? c : x;
    phi = take ? phic : phi;
  }
};

// g and g' at one point (computed together where they share work).
template <class T>
struct Slope {
  T g, d;
};

// Root of an increasing g on [lo, hi] with g(lo) <= 0 <= g(hi), gd(x) = {g(x), g'(x)}: Newton
// from x0, falling back to bisection whenever a step leaves the current bracket (or g' is
// not positive). Returns once a step no longer changes x beyond a few ulps, or the bracket
// has collapsed.
template <class T, class GD>
RECON_HD RECON_PENALTY_NOINLINE T solve_increasing(GD gd, T lo, T hi, T x) {
  const T eps = std::numeric_limits<T>::epsilon();
  for (int it = 0; it < 200; ++it) {
    const Slope<T> s = gd(x);
    if (s.g == T(0)) return x;
    if (s.g < T(0))
      lo = x;
    else
      hi = x;
    T next = s.d > T(0) ? x - s.g / s.d : lo;
    if (!(next > lo && next < hi)) next = lo + (hi - lo) / 2;
    if (abs_(next - x) <= 2 * eps * abs_(next) || !(hi - lo > 2 * eps * abs_(hi))) return next;
    x = next;
  }
  return x;
}

// Root of a monotone h on [lo, hi] where h(lo) and h(hi) have opposite signs, by bisection
// to a few ulps (used for the turning points of psi, whose precision matters little).
template <class T, class H>
RECON_HD RECON_PENALTY_NOINLINE T bisect(H h, T lo, T hi) {
  const T eps = std::numeric_limits<T>::epsilon();
  const bool rising = h(lo) < T(0);
  for (int it = 0; it < 200 && hi - lo > 4 * eps * hi; ++it) {
    const T mid = lo + (hi - lo) / 2;
    if ((h(mid) < T(0)) == rising)
      lo = mid;
    else
      hi = mid;
  }
  return lo + (hi - lo) / 2;
}

}  // namespace recon::penalties::detail

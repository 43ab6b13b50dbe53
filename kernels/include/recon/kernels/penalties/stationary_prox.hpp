// The generic prox rule of MATH.md section 0 for a phi that is smooth on (0, end), with
// phi'' decreasing on [0, split] and increasing on [split, end], and constant beyond end.
// Stationary points of t*phi(x) + 0.5(x - z)^2 solve psi(x) = x + t*phi'(x) = z. Then
// psi' = 1 + t*phi'' is decreasing then increasing, so psi rises on [0, xa], falls on
// [xa, xb] and rises on [xb, end], where xa, xb are the roots of psi' (none when
// t*rho <= 1, rho = -min phi''). The local minima of the objective are the roots of
// psi = z on the rising pieces (bracketed, safeguarded Newton); with x = 0 (a kink for
// some penalties) and, when z > end, x = z in the constant region, they are the
// candidates; the lowest objective wins, ties to the smaller magnitude.
// Tests: tests/penalties/test_prox_brute_force.cu (ProxBruteForce.MatchesGlobalMinimiser on
// the robust losses and log), tests/penalties/test_prox_structure.cu (TypedTest PenaltyStructure).
#pragma once

#include <limits>

#include "recon/kernels/penalties/scalar_math.hpp"

namespace recon::penalties::detail {

// F supplies, for x >= 0: value_abs(x), t_slope(x, t) = t*phi'(x+) and curv(x) = phi''(x).
// `recover` is a point of [split, end] where 1 + t*phi'' >= 0 again (0: find it by doubling).
// Newton from x = hi towards the larger root of an increasing-convex g on [lo, hi] (g(hi) > 0):
// the tangents lie below g, so the iterates descend onto the root without passing it, and
// without a root they leave [lo, hi] or reach g' <= 0 (the turning point). Returns 1 with the
// root in r, 0 when there is none, -1 when a near-tangent case has not settled quickly.
template <class T, class G, class DG>
RECON_HD RECON_PENALTY_NOINLINE int descend_to_root(G g, DG dg, T lo, T x, T& r) {
  const T eps = std::numeric_limits<T>::epsilon();
  for (int it = 0; it < 40; ++it) {
    const T gx = g(x);
    if (gx <= T(0)) {
      r = x;
      return 1;
    }
    const T d = dg(x);
    if (!(d > T(0))) return 0;
    const T next = x - gx / d;
    if (next < lo) return 0;
    if (abs_(next - x) <= 2 * eps * abs_(next)) {
      r = next;
      return 1;
    }
    x = next;
  }
  return -1;
}

template <class T, class F>
RECON_HD RECON_PENALTY_NOINLINE T stationary_prox(const F& f, T z, T t, T rho, T split, T end, T recover) {
  Best<T> best(z, t, T(0), f.value_abs(T(0)));
  const T top = min_(z, end);
  auto g = [&](T x) { return x + f.t_slope(x, t) - z; };
  auto dg = [&](T x) { return T(1) + t * f.curv(x); };
  // Root of psi = z on a piece [lo, hi] where psi rises (Newton from x0); false if none.
  auto root_on = [&](T lo, T hi, T x0, T& r) {
    if (!(lo < hi && g(lo) <= T(0) && g(hi) >= T(0))) return false;
    r = solve_increasing([&](T x) { return Slope<T>{g(x), dg(x)}; }, lo, hi, x0);
    return true;
  };
  T r = 0;
  if (t * rho <= T(1)) {
    // The objective is convex on [0, end]: a stationary point there is its minimiser.
    if (root_on(T(0), top, top, r)) best = Best<T>(z, t, r, f.value_abs(r));
  } else {
    // Right piece: psi is convex beyond split. Try the descent first; only an undecided case
    // needs the turning point xb and the bracketed solve.
    if (top > split && g(top) >= T(0)) {
      const int found = descend_to_root(g, dg, split, top, r);
      if (found == 1) {
        best.consider(r, f.value_abs(r));
      } else if (found < 0) {
        if (!(recover > T(0))) {
          const T big = std::numeric_limits<T>::max() / 4;
          recover = split > T(0) ? split : T(1);
          for (int i = 0; i < 256 && dg(recover) < T(0) && recover < end && recover < big; ++i) recover *= 2;
          recover = min_(recover, end);
        }
        if (root_on(bisect(dg, split, recover), top, top, r)) best.consider(r, f.value_abs(r));
      }
    }
    // Left piece [0, xa] (psi concave and rising there), for phi'' that first decreases.
    if (split > T(0) && dg(T(0)) > T(0)) {
      const T xa = bisect(dg, T(0), split);
      if (root_on(T(0), min_(xa, top), T(0), r)) best.consider(r, f.value_abs(r));
    }
  }
  if (z > end) best.consider(z, f.value_abs(end));
  return best.x;
}

}  // namespace recon::penalties::detail

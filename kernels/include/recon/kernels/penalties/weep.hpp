// WEEP (Furuhashi, "WEEP: A Differentiable Nonconvex Sparse Regularizer via Weakly-Convex
// Envelope"; MATH.md 1.1): the 1-weakly convex envelope of the base penalty
// h(x) = (a/2)x^2 for |x| <= sqrt(2/a), b|x| + c beyond, c = 1 - b sqrt(2/a). With
// m = (b(a+1) + sqrt(a+1)|b - sqrt(2a)|)/a, x1 = m/(a+1), x2 = m - b, d = c - (m-b)^2/2:
//   phi(x) = (a/2)x^2 (|x| <= x1), m|x| + d - x^2/2 (|x| <= x2), b|x| + c (beyond).
// Valid only for 0 <= b < sqrt(2a) (MATH.md 1.1): beyond, the envelope is h itself and these
// formulas are wrong, so validate() rejects it. The paper's prox (eq. 10) holds for t < 1
// only; for t >= 1 the middle piece is concave in the objective and only its ends compete.
// Tests: tests/penalties/test_functions.cpp (PenaltyFunctions values and gradients,
// WeepIsTheWeaklyConvexEnvelopeOfItsBasePenalty, PenaltyCounterexamples.WeepBeyondEq10),
// tests/penalties/test_prox_brute_force.cu (ProxBruteForce.MatchesGlobalMinimiser),
// tests/penalties/test_prox_structure.cu (TypedTest PenaltyStructure).
#pragma once

#include <cmath>
#include <type_traits>

#include "recon/kernels/penalties/even_function.hpp"
#include "recon/kernels/penalties/properties.hpp"
#include "recon/kernels/penalties/validation.hpp"

namespace recon::penalties {

struct Weep : EvenFunction<Weep> {
  static constexpr const char* name = "weep";
  static constexpr FunctionKind kind = FunctionKind::Penalty;
  static constexpr bool has_grad = true;
  double a = 1, b = 0.5;
  double c = 0, m = 0, x1 = 0, x2 = 0, d = 0;  // derived, see above

  Weep() : Weep(1, 0.5) {}
  Weep(double a_, double b_) : a(a_), b(b_) {
    c = 1 - b * std::sqrt(2 / a);
    m = (b * (a + 1) + std::sqrt(a + 1) * std::fabs(b - std::sqrt(2 * a))) / a;
    x1 = m / (a + 1);
    x2 = m - b;
    d = c - (m - b) * (m - b) / 2;
  }
  template <class T>
  RECON_HD T value_abs(T x) const {
    if (x <= T(x1)) return T(a) / 2 * x * x;
    if (x <= T(x2)) return T(m) * x + T(d) - x / 2 * x;
    return T(b) * x + T(c);
  }
  template <class T>
  RECON_HD T slope(T x) const {
    if (x <= T(x1)) return T(a) * x;
    return x <= T(x2) ? T(m) - x : T(b);
  }
  template <class T>
  RECON_HD T prox_abs(T z, T t) const {
    const T aa = T(a), bb = T(b), mm = T(m), lo = T(x1), hi = T(x2);
    if (t < T(1)) {  // eq. 10, each branch clamped to its piece (rounding near t = 1)
      // All three pieces, then a select: branches on z keep the host loop from vectorising.
      const T inner = detail::min_(z / (1 + t * aa), lo);
      const T middle = detail::clamp_((z - t * mm) / (1 - t), lo, hi);
      const T outer = detail::max_(z - t * bb, hi);
      return z <= (1 + t * aa) * lo ? inner : (z <= (1 - t) * hi + t * mm ? middle : outer);
    }
    return prox_candidates(z, t);
  }
  template <class T>
  RECON_HD RECON_PENALTY_OUT_OF_LINE T prox_candidates(T z, T t) const {
    const T aa = T(a), bb = T(b), lo = T(x1), hi = T(x2);
    // The candidates' objectives are compared in at least double: b|x| can overflow float.
    using W = std::conditional_t<(sizeof(T) < sizeof(double)), double, T>;
    const T inner = detail::min_(z / (1 + t * aa), lo), outer = detail::max_(z - t * bb, hi);
    detail::Best<W> best(z, t, inner, value_abs(W(inner)));
    best.consider(lo, value_abs(W(lo)));
    best.consider(hi, value_abs(W(hi)));
    best.consider(outer, value_abs(W(outer)));
    return T(best.x);
  }
  void validate() const {
    detail::check_param(a > 0, name, "a", a, "a > 0");
    detail::check_param(b >= 0 && b < std::sqrt(2 * a), name, "b", b,
                        "0 <= b < sqrt(2a) = " + std::to_string(std::sqrt(2 * a)) +
                            " (beyond it the envelope formulas do not hold)");
  }
  Properties properties() const { return {kind, false, 1.0, true, a > 1 ? a : 1.0, true}; }
};

}  // namespace recon::penalties

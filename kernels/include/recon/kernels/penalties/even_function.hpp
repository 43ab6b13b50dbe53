// Base for the even penalties and losses phi(x) = phi(|x|): the derived struct supplies
// value_abs(a), slope(a) (the right derivative, a >= 0) and prox_abs(z, t) (z >= 0, t > 0);
// this base extends them oddly / evenly to every x (MATH.md section 0: prox(z) =
// sign(z) * prox(|z|)). gamma <= 0 (per-element weights of zero) returns z unchanged.
// Tests: tests/penalties/test_prox_structure.cu (TypedTest
// PenaltyStructure.ProxIsOddAndNondecreasing), tests/penalties/test_prox_brute_force.cu
// (ProxBruteForce.MatchesGlobalMinimiser).
#pragma once

#include "recon/kernels/penalties/scalar_math.hpp"

namespace recon::penalties {

template <class Derived>
struct EvenFunction {
  template <class T>
  RECON_HD T value(T x) const {
    return self().value_abs(detail::abs_(x));
  }
  // At x = 0 the minimum-norm element of the subdifferential: 0.
  template <class T>
  RECON_HD T grad(T x) const {
    return x == T(0) ? T(0) : detail::with_sign(self().slope(detail::abs_(x)), x);
  }
  // t * phi'(a), a >= 0 (a struct whose slope can overflow where t*slope does not overrides it).
  template <class T>
  RECON_HD T t_slope(T a, T t) const {
    return t * self().slope(a);
  }
  template <class T>
  RECON_HD T prox(T z, T t) const {
    if (!(t > T(0))) return z;
    return detail::with_sign(self().prox_abs(detail::abs_(z), t), z);
  }

 private:
  RECON_HD const Derived& self() const { return static_cast<const Derived&>(*this); }
};

}  // namespace recon::penalties

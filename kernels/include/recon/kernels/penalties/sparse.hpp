// Threshold penalties (MATH.md section 1): l0 (hard threshold) and the lp quasi-norm,
// 0 < p < 1 (Marjanovic & Solo 2012). Both prox maps jump at a threshold where the
// minimiser is the pair {0, beta}; the tie rule returns 0 there.
// Tests: tests/penalties/test_functions.cpp (PenaltyFunctions values and gradients),
// tests/penalties/test_prox_brute_force.cu (ProxBruteForce.MatchesGlobalMinimiser),
// tests/penalties/test_prox_structure.cu (TypedTest PenaltyStructure).
#pragma once

#include <cmath>

#include "recon/kernels/penalties/even_function.hpp"
#include "recon/kernels/penalties/properties.hpp"
#include "recon/kernels/penalties/validation.hpp"

namespace recon::penalties {

// phi(x) = [x != 0]. No gradient.
struct L0 : EvenFunction<L0> {
  static constexpr const char* name = "l0";
  static constexpr FunctionKind kind = FunctionKind::Penalty;
  static constexpr bool has_grad = false;
  template <class T>
  RECON_HD T value_abs(T a) const {
    return a != T(0) ? T(1) : T(0);
  }
  // Keep z when z^2/2 > t, i.e. z > sqrt(2t); at equality both 0 and z minimise: 0.
  template <class T>
  RECON_HD T prox_abs(T z, T t) const {
    return z > std::sqrt(2 * t) ? z : T(0);
  }
  void validate() const {}
  Properties properties() const { return {kind, false, kInfinity, false, kInfinity, true}; }
};

// phi(x) = |x|^p. grad(0) = 0 by the convention of EvenFunction (the slope there is infinite).
struct Lp : EvenFunction<Lp> {
  static constexpr const char* name = "lp";
  static constexpr FunctionKind kind = FunctionKind::Penalty;
  static constexpr bool has_grad = true;
  double p = 0.5;

  Lp() = default;
  explicit Lp(double p_) : p(p_) {}
  template <class T>
  RECON_HD T value_abs(T a) const {
    return a == T(0) ? T(0) : std::pow(a, T(p));
  }
  // p a^(p-1) as one exponential: finite wherever the result is (a^(p-1) alone can overflow).
  template <class T>
  RECON_HD T slope(T a) const {
    return std::exp((T(p) - 1) * std::log(a) + std::log(T(p)));
  }
  // beta = (2t(1-p))^(1/(2-p)) is the nonzero point of the tie; the threshold
  // tau = beta + t p beta^(p-1) simplifies to beta (2-p) / (2(1-p)) (no overflow for tiny t).
  // With t = beta^(2-p) / (2(1-p)), t p y^(p-1) = c (beta/y)^(1-p), c = p beta / (2(1-p)).
  // The host's fast path (fast_prox.hpp) takes these from here, so its threshold is this one.
  template <class T>
  struct Threshold {
    T beta, tau, c;
  };
  template <class T>
  RECON_HD Threshold<T> threshold(T t) const {
    const T pp = T(p);
    const T beta = std::pow(2 * t * (1 - pp), 1 / (2 - pp));
    return {beta, beta * ((2 - pp) / (2 * (1 - pp))), pp / (2 * (1 - pp)) * beta};
  }
  // Above tau the minimiser is the root in [beta, z] of y + t p y^(p-1) = z, where that
  // function is convex and increasing: Newton from z descends monotonically onto it. The
  // terms are written in beta/y, which cannot overflow.
  template <class T>
  RECON_HD T prox_abs(T z, T t) const {
    const T pp = T(p);
    const Threshold<T> th = threshold(t);
    if (!(z > th.tau)) return T(0);
    const T beta = th.beta, c = th.c;
    auto gd = [=](T y) {
      const T ratio = beta / y, q = std::pow(ratio, 1 - pp);  // (beta/y)^(2-p) = q * ratio
      return detail::Slope<T>{y + c * q - z, 1 - pp / 2 * q * ratio};
    };
    return detail::solve_increasing(gd, beta, z, z);
  }
  void validate() const { detail::check_param(p > 0 && p < 1, name, "p", p, "0 < p < 1"); }
  Properties properties() const { return {kind, false, kInfinity, false, kInfinity, true}; }
};

}  // namespace recon::penalties

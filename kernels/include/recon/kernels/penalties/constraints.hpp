// Indicator functions of convex sets (MATH.md 1.3): value 0 inside, +inf outside; the prox
// is the projection for every gamma > 0 (gamma <= 0, a zero weight, leaves z unchanged). box(lo, hi) and
// nonneg clamp; l2-ball(r) is the even indicator of |x| <= r, whose group form projects each group radially
// onto the ball of radius r (for a ball around a centre over a whole array see project_l2_ball()).
// Tests: tests/penalties/test_prox_structure.cu (TypedTest PenaltyStructure:
// PerElementGammaAndIndicators, ProjectsOntoAnL2BallAroundACentre),
// tests/penalties/test_functions.cpp.
#pragma once

#include <limits>

#include "recon/kernels/penalties/even_function.hpp"
#include "recon/kernels/penalties/properties.hpp"
#include "recon/kernels/penalties/validation.hpp"

namespace recon::penalties {

struct Box {
  static constexpr const char* name = "box";
  static constexpr FunctionKind kind = FunctionKind::Indicator;
  static constexpr bool has_grad = false;
  double lo = 0, hi = 1;
  Box() = default;
  Box(double lo_, double hi_) : lo(lo_), hi(hi_) {}
  template <class T>
  RECON_HD T value(T x) const {
    return (x >= T(lo) && x <= T(hi)) ? T(0) : std::numeric_limits<T>::infinity();
  }
  template <class T>
  RECON_HD T prox(T z, T t) const {
    return t > T(0) ? detail::clamp_(z, T(lo), T(hi)) : z;
  }
  void validate() const {
    detail::check_param(lo <= hi, name, "lo", lo, "lo <= hi = " + std::to_string(hi));
    detail::check_param(true, name, "hi", hi, "a finite bound");
  }
  Properties properties() const { return {kind, true, 0.0, false, kInfinity, false}; }
};

struct NonNeg {
  static constexpr const char* name = "nonneg";
  static constexpr FunctionKind kind = FunctionKind::Indicator;
  static constexpr bool has_grad = false;
  template <class T>
  RECON_HD T value(T x) const {
    return x >= T(0) ? T(0) : std::numeric_limits<T>::infinity();
  }
  template <class T>
  RECON_HD T prox(T z, T t) const {
    return (z > T(0) || !(t > T(0))) ? z : T(0);
  }
  void validate() const {}
  Properties properties() const { return {kind, true, 0.0, false, kInfinity, false}; }
};

struct L2Ball : EvenFunction<L2Ball> {
  static constexpr const char* name = "l2-ball";
  static constexpr FunctionKind kind = FunctionKind::Indicator;
  static constexpr bool has_grad = false;
  double r = 1;
  L2Ball() = default;
  explicit L2Ball(double r_) : r(r_) {}
  template <class T>
  RECON_HD T value_abs(T a) const {
    return a <= T(r) ? T(0) : std::numeric_limits<T>::infinity();
  }
  template <class T>
  RECON_HD T prox_abs(T z, T) const {
    return detail::min_(z, T(r));
  }
  void validate() const { detail::check_param(r >= 0, name, "r", r, "r >= 0"); }
  Properties properties() const { return {kind, true, 0.0, false, kInfinity, true}; }
};

}  // namespace recon::penalties

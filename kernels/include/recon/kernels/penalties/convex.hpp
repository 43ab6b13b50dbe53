// Convex penalties with closed-form prox (MATH.md section 1): l1 (soft threshold),
// sq-l2 (shrinkage z/(1+t)) and Huber.
// Tests: tests/penalties/test_functions.cpp (PenaltyFunctions values and gradients),
// tests/penalties/test_prox_brute_force.cu (ProxBruteForce.MatchesGlobalMinimiser),
// tests/penalties/test_prox_structure.cu (TypedTest PenaltyStructure).
#pragma once

#include "recon/kernels/penalties/even_function.hpp"
#include "recon/kernels/penalties/properties.hpp"
#include "recon/kernels/penalties/validation.hpp"

namespace recon::penalties {

// phi(x) = |x|.
struct L1 : EvenFunction<L1> {
  static constexpr const char* name = "l1";
  // Also a loss (MATH.md section 2); kind Penalty, the role in which the TV solvers accept it.
  static constexpr FunctionKind kind = FunctionKind::Penalty;
  static constexpr bool has_grad = true;
  template <class T>
  RECON_HD T value_abs(T a) const {
    return a;
  }
  template <class T>
  RECON_HD T slope(T) const {
    return T(1);
  }
  template <class T>
  RECON_HD T prox_abs(T z, T t) const {
    return z > t ? z - t : T(0);
  }
  void validate() const {}
  Properties properties() const { return {kind, true, 0.0, false, kInfinity, true}; }
};

// phi(x) = x^2 / 2.
struct SqL2 : EvenFunction<SqL2> {
  static constexpr const char* name = "sq-l2";
  // Also a loss (MATH.md section 2); kind Penalty, the role in which the TV solvers accept it.
  static constexpr FunctionKind kind = FunctionKind::Penalty;
  static constexpr bool has_grad = true;
  template <class T>
  RECON_HD T value_abs(T a) const {
    return a / 2 * a;
  }
  template <class T>
  RECON_HD T slope(T a) const {
    return a;
  }
  template <class T>
  RECON_HD T prox_abs(T z, T t) const {
    return z / (T(1) + t);
  }
  void validate() const {}
  Properties properties() const { return {kind, true, 0.0, true, 1.0, true}; }
};

// phi(x) = x^2/2 for |x| <= delta, delta(|x| - delta/2) beyond.
struct Huber : EvenFunction<Huber> {
  static constexpr const char* name = "huber";
  // Also a loss (MATH.md section 2); kind Penalty, the role in which the TV solvers accept it.
  static constexpr FunctionKind kind = FunctionKind::Penalty;
  static constexpr bool has_grad = true;
  double delta = 1;

  Huber() = default;
  explicit Huber(double delta_) : delta(delta_) {}
  template <class T>
  RECON_HD T value_abs(T a) const {
    const T d = T(delta);
    return a <= d ? a / 2 * a : d * (a - d / 2);
  }
  template <class T>
  RECON_HD T slope(T a) const {
    return detail::min_(a, T(delta));
  }
  template <class T>
  RECON_HD T prox_abs(T z, T t) const {
    const T d = T(delta);
    return z <= d * (T(1) + t) ? z / (T(1) + t) : z - t * d;
  }
  void validate() const { detail::check_param(delta > 0, name, "delta", delta, "delta > 0"); }
  Properties properties() const { return {kind, true, 0.0, true, 1.0, true}; }
};

}  // namespace recon::penalties

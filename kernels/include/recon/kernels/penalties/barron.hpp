// Barron's adaptive robust loss (Barron 2019; eq. 7 of Pinilla & Thiyagalingam, "Global
// optimality for non-linear constrained restoration problems via invexity"), x = r/c,
// b = |alpha - 2|, u = x^2/b:
//   phi = (b/alpha)((u + 1)^(alpha/2) - 1), alpha = 0: log(1 + x^2/2), alpha = 2: x^2/2,
//   phi' = (r/c^2)(1+u)^(alpha/2-1), phi'' = (1/c^2)(1+u)^(alpha/2-1)(alpha-1 + (2-alpha)/(1+u)).
// The limits alpha = 0, 2 are evaluated explicitly and phi through expm1/log1p (no 0/0).
// alpha > 2 is rejected (not admissible, MATH.md section 2). For alpha >= 1 phi is convex;
// below, phi'' is smallest at u = 3/(1-alpha): rho = (2/c^2)(1 + 3/(1-alpha))^(alpha/2-2).
// Tests: tests/penalties/test_functions.cpp (PenaltyFunctions values and gradients),
// tests/penalties/test_prox_brute_force.cu (ProxBruteForce.MatchesGlobalMinimiser),
// tests/penalties/test_prox_structure.cu (TypedTest PenaltyStructure).
#pragma once

#include <cmath>

#include "recon/kernels/penalties/robust_losses.hpp"

namespace recon::penalties {

struct Barron : SmoothLoss<Barron> {
  static constexpr const char* name = "barron";
  static constexpr FunctionKind kind = FunctionKind::Loss;
  double alpha = 1, c = 1;
  Barron() = default;
  Barron(double alpha_, double c_) : alpha(alpha_), c(c_) {}

  template <class T>
  RECON_HD T u_of(T a) const {
    const T x = a / T(c);
    return x * x / T(alpha < 2 ? 2 - alpha : 1);
  }
  // log(1 + u) without overflowing u = x^2/b for large x.
  template <class T>
  RECON_HD T log1p_u(T a) const {
    return detail::log1p_sq(a, T(c * std::sqrt(alpha < 2 ? 2 - alpha : 1.0)));
  }
  template <class T>
  RECON_HD T value_abs(T a) const {
    if (alpha == 2) {
      const T x = a / T(c);
      return x / 2 * x;
    }
    if (alpha == 0) return log1p_u(a);
    return T((2 - alpha) / alpha) * std::expm1(T(alpha / 2) * log1p_u(a));
  }
  template <class T>
  RECON_HD T slope(T a) const {
    return t_slope(a, T(1));
  }
  // t (r/c^2) (1+u)^(alpha/2-1), multiplied in an order that does not overflow before the
  // product does (r/c^2 alone can exceed FLT_MAX where t*phi' does not).
  template <class T>
  RECON_HD T t_slope(T a, T t) const {
    const T w = alpha == 2 ? T(1) : std::exp(T(alpha / 2 - 1) * log1p_u(a));
    return w == T(0) ? T(0) : (t * (w / T(c)) / T(c)) * a;
  }
  template <class T>
  RECON_HD T curv(T a) const {
    const T inv_c2 = 1 / (T(c) * T(c));
    if (alpha == 2) return inv_c2;
    const T w = 1 + u_of(a);
    return inv_c2 * std::pow(w, T(alpha / 2 - 1)) * (T(alpha - 1) + T(2 - alpha) / w);
  }
  template <class T>
  RECON_HD T prox_abs(T z, T t) const {
    if (alpha == 2) return z / (1 + t / (T(c) * T(c)));
    return SmoothLoss<Barron>::prox_abs(z, t);
  }
  RECON_HD double rho() const {
    return alpha >= 1 ? 0.0 : 2 / (c * c) * std::pow(1 + 3 / (1 - alpha), alpha / 2 - 2);
  }
  RECON_HD double split() const { return alpha >= 1 ? 0.0 : c * std::sqrt(3 * (2 - alpha) / (1 - alpha)); }
  RECON_HD double end() const { return kInfinity; }
  void validate() const {
    detail::check_param(alpha <= 2, name, "alpha", alpha,
                        "alpha <= 2 (alpha > 2 is not admissible: rho(r)/r^2 grows with r)");
    detail::check_param(c > 0, name, "c", c, "c > 0");
  }
  Properties properties() const { return {kind, alpha >= 1, rho(), true, 1 / (c * c), true}; }
};

}  // namespace recon::penalties

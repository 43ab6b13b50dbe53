// Redescending robust losses on residuals (MATH.md section 2; Pinilla & Thiyagalingam,
// "Global optimality for non-linear constrained restoration problems via invexity", eqs. 4-8): Cauchy,
// Geman-McClure, Welsch, eq. 8 and Tukey's biweight. Each is smooth, with phi'' decreasing on [0, split] and
// increasing beyond, so the prox is the generic rule of stationary_prox.hpp; rho = -phi''(split). Formulas
// are arranged so that no term overflows into inf*0 or inf/inf at |r| ~ FLT_MAX.
// Tests: tests/penalties/test_functions.cpp (PenaltyFunctions values and gradients),
// tests/penalties/test_prox_brute_force.cu (ProxBruteForce.MatchesGlobalMinimiser),
// tests/penalties/test_prox_structure.cu (TypedTest PenaltyStructure).
#pragma once

#include <cmath>

#include "recon/kernels/penalties/even_function.hpp"
#include "recon/kernels/penalties/properties.hpp"
#include "recon/kernels/penalties/stationary_prox.hpp"
#include "recon/kernels/penalties/validation.hpp"

namespace recon::penalties {

// Shared prox of the smooth losses: Derived provides rho_, split_ and end_ (in double).
template <class Derived>
struct SmoothLoss : EvenFunction<Derived> {
  static constexpr bool has_grad = true;
  template <class T>
  RECON_HD T prox_abs(T z, T t) const {
    const Derived& f = static_cast<const Derived&>(*this);
    return detail::stationary_prox(f, z, t, T(f.rho()), T(f.split()), T(f.end()), T(0));
  }
};

// phi(r) = log(1 + r^2/delta^2) (eq. 4); rho = 1/(4 delta^2) at |r| = sqrt(3) delta.
struct Cauchy : SmoothLoss<Cauchy> {
  static constexpr const char* name = "cauchy";
  static constexpr FunctionKind kind = FunctionKind::Loss;
  double delta = 1;
  Cauchy() = default;
  explicit Cauchy(double delta_) : delta(delta_) {}
  template <class T>
  RECON_HD T value_abs(T a) const {
    return detail::log1p_sq(a, T(delta));
  }
  // 2r/(delta^2 + r^2) = (2/delta) y/(1 + y^2), y = r/delta.
  template <class T>
  RECON_HD T slope(T a) const {
    return 2 / T(delta) * detail::y_over_1py2(a / T(delta));
  }
  // 2(delta^2 - r^2)/(delta^2 + r^2)^2 = (2/delta^2)(2/(1+r^2) - 1)/(1+r^2).
  template <class T>
  RECON_HD T curv(T a) const {
    const T r = a / T(delta), w = 1 + r * r;
    return 2 / (T(delta) * T(delta)) * (2 / w - 1) / w;
  }
  RECON_HD double rho() const { return 1 / (4 * delta * delta); }
  RECON_HD double split() const { return std::sqrt(3.0) * delta; }
  RECON_HD double end() const { return kInfinity; }
  void validate() const { detail::check_param(delta > 0, name, "delta", delta, "delta > 0"); }
  Properties properties() const { return {kind, false, rho(), true, 2 / (delta * delta), true}; }
};

// phi(r) = 2r^2/(r^2 + 4 delta^2) (eq. 5); with v = r^2/(4 delta^2), phi = 2v/(1+v);
// rho = 1/(4 delta^2) at |r| = 2 delta.
struct GemanMcClure : SmoothLoss<GemanMcClure> {
  static constexpr const char* name = "geman-mcclure";
  static constexpr FunctionKind kind = FunctionKind::Loss;
  double delta = 1;
  GemanMcClure() = default;
  explicit GemanMcClure(double delta_) : delta(delta_) {}
  template <class T>
  RECON_HD T v_of(T a) const {
    const T r = a / (2 * T(delta));
    return r * r;
  }
  template <class T>
  RECON_HD T value_abs(T a) const {
    const T v = v_of(a);
    return v <= T(1) ? 2 * v / (1 + v) : 2 / (1 + 1 / v);
  }
  // 16 delta^2 r/(r^2 + 4 delta^2)^2 = (2/delta) (y/(1 + y^2)) / (1 + y^2), y = r/(2 delta).
  template <class T>
  RECON_HD T slope(T a) const {
    const T y = a / (2 * T(delta));
    return 2 / T(delta) * detail::y_over_1py2(y) / (1 + y * y);
  }
  // 4k(k - 3r^2)/(r^2 + k)^3 with k = 4 delta^2 = (1/delta^2)(4/(1+v) - 3)/(1+v)^2.
  template <class T>
  RECON_HD T curv(T a) const {
    const T w = 1 / (1 + v_of(a));
    return (4 * w - 3) * w * w / (T(delta) * T(delta));
  }
  RECON_HD double rho() const { return 1 / (4 * delta * delta); }
  RECON_HD double split() const { return 2 * delta; }
  RECON_HD double end() const { return kInfinity; }
  void validate() const { detail::check_param(delta > 0, name, "delta", delta, "delta > 0"); }
  Properties properties() const { return {kind, false, rho(), true, 1 / (delta * delta), true}; }
};

// phi(r) = 1 - exp(-r^2/(2 delta^2)) (eq. 6, with 2 delta^2 as printed there; the paper's
// appendix proof uses delta^2); rho = 2 exp(-3/2)/delta^2 at |r| = sqrt(3) delta.
struct Welsch : SmoothLoss<Welsch> {
  static constexpr const char* name = "welsch";
  static constexpr FunctionKind kind = FunctionKind::Loss;
  double delta = 1;
  Welsch() = default;
  explicit Welsch(double delta_) : delta(delta_) {}
  template <class T>
  RECON_HD T v_of(T a) const {
    const T r = a / T(delta);
    return r / 2 * r;
  }
  template <class T>
  RECON_HD T value_abs(T a) const {
    return -std::expm1(-v_of(a));
  }
  template <class T>
  RECON_HD T slope(T a) const {
    const T e = std::exp(-v_of(a));
    return e == T(0) ? T(0) : a / T(delta) * (e / T(delta));
  }
  template <class T>
  RECON_HD T curv(T a) const {
    const T v = v_of(a), e = std::exp(-v);
    return e == T(0) ? T(0) : (1 - 2 * v) * e / (T(delta) * T(delta));
  }
  RECON_HD double rho() const { return 2 * std::exp(-1.5) / (delta * delta); }
  RECON_HD double split() const { return std::sqrt(3.0) * delta; }
  RECON_HD double end() const { return kInfinity; }
  void validate() const { detail::check_param(delta > 0, name, "delta", delta, "delta > 0"); }
  Properties properties() const { return {kind, false, rho(), true, 1 / (delta * delta), true}; }
};

// phi(r) = log(1 + r^2) - r^2/(2r^2 + 2) (eq. 8). With v = 1/(1+r^2): phi' = r v (2 - v),
// phi'' = v(-2 + 7v - 4v^2), minimal at v = 1/6 (|r| = sqrt 5): rho = 17/108.
struct Eq8 : SmoothLoss<Eq8> {
  static constexpr const char* name = "eq8";
  static constexpr FunctionKind kind = FunctionKind::Loss;
  template <class T>
  RECON_HD T value_abs(T a) const {
    if (a > T(1)) return 2 * std::log(a) + std::log1p(1 / a / a) - 1 / (1 + 1 / a / a) / 2;
    return std::log1p(a * a) - a * a / (1 + a * a) / 2;
  }
  template <class T>
  RECON_HD T slope(T a) const {
    const T v = 1 / (1 + a * a);
    return a * v * (2 - v);
  }
  template <class T>
  RECON_HD T curv(T a) const {
    const T v = 1 / (1 + a * a);
    return v * (-2 + v * (7 - 4 * v));
  }
  RECON_HD double rho() const { return 17.0 / 108.0; }
  RECON_HD double split() const { return std::sqrt(5.0); }
  RECON_HD double end() const { return kInfinity; }
  void validate() const {}
  Properties properties() const { return {kind, false, rho(), true, 1.0, true}; }
};

// Tukey's biweight: phi(r) = (c^2/6)(1 - (1 - (r/c)^2)^3) for |r| <= c, c^2/6 beyond.
// With u = (r/c)^2: phi' = r(1-u)^2, phi'' = (1-u)(1-5u), minimal at u = 0.6: rho = 0.8.
struct Tukey : SmoothLoss<Tukey> {
  static constexpr const char* name = "tukey";
  static constexpr FunctionKind kind = FunctionKind::Loss;
  double c = 4.685;
  Tukey() = default;
  explicit Tukey(double c_) : c(c_) {}
  template <class T>
  RECON_HD T value_abs(T a) const {
    const T cc = T(c);
    if (a >= cc) return cc * cc / 6;
    const T r = a / cc, u = r * r;  // 1 - (1-u)^3 = u(3 - 3u + u^2): no cancellation
    return cc * cc / 6 * (u * (3 - u * (3 - u)));
  }
  template <class T>
  RECON_HD T slope(T a) const {
    if (a >= T(c)) return T(0);
    const T r = a / T(c), w = 1 - r * r;
    return a * w * w;
  }
  template <class T>
  RECON_HD T curv(T a) const {
    if (a >= T(c)) return T(0);
    const T r = a / T(c), u = r * r;
    return (1 - u) * (1 - 5 * u);
  }
  RECON_HD double rho() const { return 0.8; }
  RECON_HD double split() const { return std::sqrt(0.6) * c; }
  RECON_HD double end() const { return c; }
  void validate() const { detail::check_param(c > 0, name, "c", c, "c > 0"); }
  Properties properties() const { return {kind, false, rho(), true, 1.0, true}; }
};

}  // namespace recon::penalties

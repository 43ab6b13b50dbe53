// The log penalty of Pinilla & Thiyagalingam, "Global optimality for non-linear constrained
// restoration problems via invexity", eq. 3, shifted so phi(0) = 0,
//   phi(x) = log(1 + (|x| + eps)^p) - log(1 + eps^p),  0 < p <= 1, eps > 0,
// and its capped form (eq. 10) min(phi(x), theta). The paper's Table 4 prox row is wrong
// (MATH.md section 1): the prox is 0 below a threshold and jumps. With s = x + eps,
// -phi''(x) = p s^(p-2) (1 - p + s^p)/(1 + s^p)^2 decreases in s, so psi = x + t phi' is
// convex on x > 0 and the generic rule has candidates {0, the larger root of psi = z}.
// Note: eq. 10 caps the unshifted log; its theta equals ours plus log(1 + eps^p).
// Tests: tests/penalties/test_functions.cpp (PenaltyFunctions values and gradients,
// PenaltyCounterexamples.LogPenaltyTable4RowIsWrong), tests/penalties/test_prox_brute_force.cu
// (ProxBruteForce.MatchesGlobalMinimiser), tests/penalties/test_prox_structure.cu (TypedTest
// PenaltyStructure).
#pragma once

#include <cmath>

#include "recon/kernels/penalties/even_function.hpp"
#include "recon/kernels/penalties/properties.hpp"
#include "recon/kernels/penalties/stationary_prox.hpp"
#include "recon/kernels/penalties/validation.hpp"

namespace recon::penalties {

struct LogPenalty : EvenFunction<LogPenalty> {
  static constexpr const char* name = "log";
  static constexpr FunctionKind kind = FunctionKind::Penalty;
  static constexpr bool has_grad = true;
  double p = 0.5, eps = 1e-3;
  double rho = 0;  // -phi''(0+) = sup of -phi'': the weak-convexity modulus

  LogPenalty() : LogPenalty(0.5, 1e-3) {}
  LogPenalty(double p_, double eps_) : p(p_), eps(eps_) {
    const double u = std::pow(eps, p);
    rho = p * std::pow(eps, p - 2) * (1 - p + u) / ((1 + u) * (1 + u));
  }

  // Near 0 as log1p(e^p expm1(p log1p(x/eps)) / (1 + e^p)), exact at 0 and without the
  // cancellation of the two logs.
  template <class T>
  RECON_HD T value_abs(T a) const {
    const T pp = T(p), e = T(eps), ep = std::pow(e, pp);
    if (a <= e) return std::log1p(ep * std::expm1(pp * std::log1p(a / e)) / (1 + ep));
    return std::log1p(std::pow(a + e, pp)) - std::log1p(ep);
  }
  // p s^(p-1) / (1 + s^p), arranged so that neither s^(p-1) nor s(1 + s^p) overflows.
  template <class T>
  RECON_HD T slope(T a) const {
    const T s = a + T(eps), u = std::pow(s, T(p));
    return u <= T(1) ? T(p) * u / (s * (1 + u)) : T(p) / (s * (1 + 1 / u));
  }
  template <class T>
  RECON_HD T curv(T a) const {
    const T s = a + T(eps), u = std::pow(s, T(p));
    return -(T(p) / s / s) * (u / (1 + u)) * ((1 - T(p) + u) / (1 + u));
  }
  // 1 + t phi'' >= 0 once s >= (t p)^(1/(2-p)), since -phi'' <= p s^(p-2).
  template <class T>
  RECON_HD T recover(T t) const {
    return detail::max_(std::pow(t * T(p), 1 / (2 - T(p))) - T(eps), T(0));
  }
  template <class T>
  RECON_HD T prox_abs(T z, T t) const {
    return prox_capped(z, t, std::numeric_limits<T>::infinity());
  }
  // The prox restricted to |x| <= end plus the candidate z beyond it (the capped form).
  template <class T>
  RECON_HD T prox_capped(T z, T t, T end) const {
    return detail::stationary_prox(*this, z, t, T(rho), T(0), end, recover(t));
  }
  void validate(const char* fn = name) const {
    detail::check_param(p > 0 && p <= 1, fn, "p", p, "0 < p <= 1");
    detail::check_param(eps > 0, fn, "eps", eps, "eps > 0");
  }
  Properties properties() const { return {kind, false, rho, false, kInfinity, true}; }
};

struct CappedLog : EvenFunction<CappedLog> {
  static constexpr const char* name = "capped-log";
  static constexpr FunctionKind kind = FunctionKind::Penalty;
  static constexpr bool has_grad = true;
  LogPenalty log;
  double theta = 1;
  double cap = 0;  // |x| where the log penalty reaches theta

  CappedLog() : CappedLog(0.5, 1e-3, 1) {}
  CappedLog(double p, double eps, double theta_) : log(p, eps), theta(theta_) {
    cap = std::pow((1 + std::pow(eps, p)) * std::exp(theta) - 1, 1 / p) - eps;
  }
  template <class T>
  RECON_HD T value_abs(T a) const {
    return a >= T(cap) ? T(theta) : log.value_abs(a);
  }
  // Beyond the cap the slope is 0 (at the cap itself the one-sided slope of smaller size).
  template <class T>
  RECON_HD T slope(T a) const {
    return a >= T(cap) ? T(0) : log.slope(a);
  }
  template <class T>
  RECON_HD T prox_abs(T z, T t) const {
    return log.prox_capped(z, t, T(cap));
  }
  void validate() const {
    log.validate(name);
    detail::check_param(theta > 0, name, "theta", theta, "theta > 0");
    detail::check_param(cap > 0, name, "theta", theta, "a cap the log penalty reaches at a finite |x|");
  }
  Properties properties() const { return {kind, false, kInfinity, false, kInfinity, true}; }
};

}  // namespace recon::penalties

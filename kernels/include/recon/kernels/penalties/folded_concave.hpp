// Folded-concave penalties (MATH.md section 1): MCP (Zhang 2010), SCAD (Fan & Li 2001) and
// capped-l1. MCP and SCAD carry a weight w (phi = w * standard form) so that eq. 9 of Pinilla
// & Thiyagalingam, "Global optimality for non-linear constrained restoration problems via
// invexity", lambda*MCP(mu = lambda, theta), and its App. D.2 SCAD
// are mcp(mu=lambda, theta, weight=lambda) and scad(mu=lambda, a, weight=lambda).
// Closed-form prox only where t*w*rho < 1; otherwise the candidate rule (the objective is
// concave or linear on the middle piece, so only piece ends and clipped stationary points
// compete). The paper's Table 4 MCP row omits the zero region |z| <= t*mu.
// Tests: tests/penalties/test_functions.cpp (PenaltyFunctions values and gradients,
// PenaltyCounterexamples.McpZeroRegion), tests/penalties/test_prox_brute_force.cu
// (ProxBruteForce.MatchesGlobalMinimiser), tests/penalties/test_prox_structure.cu (TypedTest
// PenaltyStructure).
#pragma once

#include "recon/kernels/penalties/even_function.hpp"
#include "recon/kernels/penalties/properties.hpp"
#include "recon/kernels/penalties/validation.hpp"

namespace recon::penalties {

// phi(x) = w(mu|x| - x^2/(2 theta)) for |x| <= theta mu, w theta mu^2 / 2 beyond; rho = w/theta.
struct Mcp : EvenFunction<Mcp> {
  static constexpr const char* name = "mcp";
  static constexpr FunctionKind kind = FunctionKind::Penalty;
  static constexpr bool has_grad = true;
  double mu = 1, theta = 2, weight = 1;

  Mcp() = default;
  Mcp(double mu_, double theta_, double weight_ = 1) : mu(mu_), theta(theta_), weight(weight_) {}
  template <class T>
  RECON_HD T value_abs(T a) const {
    const T m = T(mu), th = T(theta);
    return T(weight) * (a <= th * m ? m * a - a / (2 * th) * a : th * m / 2 * m);
  }
  template <class T>
  RECON_HD T slope(T a) const {
    return a < T(theta) * T(mu) ? T(weight) * (T(mu) - a / T(theta)) : T(0);
  }
  template <class T>
  RECON_HD T prox_abs(T z, T t) const {
    const T m = T(mu), th = T(theta), tw = t * T(weight);
    if (tw < th) {  // firm threshold
      if (z <= tw * m) return T(0);
      // Clamped to its piece: near tw = theta the quotient amplifies rounding.
      return z <= th * m ? detail::min_(th * (z - tw * m) / (th - tw), th * m) : z;
    }
    return prox_candidates(z, t);
  }
  template <class T>
  RECON_HD RECON_PENALTY_OUT_OF_LINE T prox_candidates(T z, T t) const {
    detail::Best<T> best(z, t, T(0), T(0));
    const T th = T(theta), m = T(mu), far = detail::max_(z, th * m);
    best.consider(far, value_abs(far));
    return best.x;
  }
  void validate() const {
    detail::check_param(mu > 0, name, "mu", mu, "mu > 0");
    detail::check_param(theta > 0, name, "theta", theta, "theta > 0");
    detail::check_param(weight > 0, name, "weight", weight, "weight > 0");
  }
  Properties properties() const { return {kind, false, weight / theta, false, kInfinity, true}; }
};

// phi(x) = w * [mu|x| if |x| <= mu; (-x^2 + 2 a mu |x| - mu^2)/(2(a-1)) if <= a mu;
// (a+1) mu^2 / 2 beyond]; rho = w/(a-1).
struct Scad : EvenFunction<Scad> {
  static constexpr const char* name = "scad";
  static constexpr FunctionKind kind = FunctionKind::Penalty;
  static constexpr bool has_grad = true;
  double mu = 1, a = 3.7, weight = 1;

  Scad() = default;
  Scad(double mu_, double a_, double weight_ = 1) : mu(mu_), a(a_), weight(weight_) {}
  template <class T>
  RECON_HD T value_abs(T x) const {
    const T m = T(mu), aa = T(a);
    if (x <= m) return T(weight) * m * x;
    if (x <= aa * m) return T(weight) * ((2 * aa * m - x) * x - m * m) / (2 * (aa - 1));
    return T(weight) * (aa + 1) * m / 2 * m;
  }
  template <class T>
  RECON_HD T slope(T x) const {
    const T m = T(mu), aa = T(a);
    if (x <= m) return T(weight) * m;
    return x < aa * m ? T(weight) * (aa * m - x) / (aa - 1) : T(0);
  }
  template <class T>
  RECON_HD T prox_abs(T z, T t) const {
    const T m = T(mu), aa = T(a), tw = t * T(weight);
    if (tw < aa - 1) {
      if (z <= tw * m) return T(0);
      if (z <= (1 + tw) * m) return z - tw * m;
      // Clamped to its piece: near tw = a - 1 the quotient amplifies rounding.
      return z <= aa * m ? detail::clamp_(((aa - 1) * z - tw * aa * m) / (aa - 1 - tw), m, aa * m) : z;
    }
    return prox_candidates(z, t);
  }
  template <class T>
  RECON_HD RECON_PENALTY_OUT_OF_LINE T prox_candidates(T z, T t) const {
    const T m = T(mu), aa = T(a), tw = t * T(weight);
    const T soft = detail::clamp_(z - tw * m, T(0), m);
    detail::Best<T> best(z, t, soft, value_abs(soft));
    best.consider(m, value_abs(m));
    best.consider(aa * m, value_abs(aa * m));
    const T far = detail::max_(z, aa * m);
    best.consider(far, value_abs(far));
    return best.x;
  }
  void validate() const {
    detail::check_param(mu > 0, name, "mu", mu, "mu > 0");
    detail::check_param(a > 2, name, "a", a, "a > 2");
    detail::check_param(weight > 0, name, "weight", weight, "weight > 0");
  }
  Properties properties() const { return {kind, false, weight / (a - 1), false, kInfinity, true}; }
};

// phi(x) = min(|x|, theta). Not weakly convex (concave kink at theta).
struct CappedL1 : EvenFunction<CappedL1> {
  static constexpr const char* name = "capped-l1";
  static constexpr FunctionKind kind = FunctionKind::Penalty;
  static constexpr bool has_grad = true;
  double theta = 1;

  CappedL1() = default;
  explicit CappedL1(double theta_) : theta(theta_) {}
  template <class T>
  RECON_HD T value_abs(T a) const {
    return detail::min_(a, T(theta));
  }
  template <class T>
  RECON_HD T slope(T a) const {
    return a < T(theta) ? T(1) : T(0);
  }
  template <class T>
  RECON_HD T prox_abs(T z, T t) const {
    // The two candidates of MATH.md section 1: the soft threshold kept to [0, theta], and x = z
    // when z is beyond the cap. z wins when its objective t theta is below the soft one's; the
    // difference is formed directly (an overflowing square only means z wins), without the
    // scaled comparison's two divisions per element. A tie keeps the smaller soft.
    const T th = T(theta), soft = detail::clamp_(z - t, T(0), th);
    const T excess = t * (soft - th) + (soft - z) * (soft - z) / 2;  // F(soft) - F(z)
    return z > th && excess > T(0) ? z : soft;
  }
  void validate() const { detail::check_param(theta > 0, name, "theta", theta, "theta > 0"); }
  Properties properties() const { return {kind, false, kInfinity, false, kInfinity, true}; }
};

}  // namespace recon::penalties

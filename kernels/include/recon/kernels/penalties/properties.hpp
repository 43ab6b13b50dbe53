// What the solvers may rely on about a penalty or loss phi (DESIGN.md section 3).
// Tests: tests/penalties/test_functions.cpp (PenaltyProperties.SingleValuednessAndModuli).
#pragma once

#include <limits>

namespace recon::penalties {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

struct Properties {
  bool convex = false;
  // rho >= 0 such that phi + rho/2 x^2 is convex; +inf when there is none (thresholds, caps).
  double weak_convexity = kInfinity;
  // grad() is the true gradient everywhere (otherwise it is the documented choice at kinks).
  bool differentiable = false;
  // Lipschitz constant of the gradient; +inf when not differentiable or not Lipschitz.
  double grad_lipschitz = kInfinity;
  // phi(-x) = phi(x): prox is odd, and the group form phi(norm2(u)) exists.
  bool even = true;

  // gamma*phi(x) + 0.5(x - z)^2 is strictly convex, so the prox is single-valued, when phi is
  // convex or gamma*rho < 1.
  bool prox_single_valued(double gamma) const { return convex || gamma * weak_convexity < 1; }
};

}  // namespace recon::penalties

// What the solvers may rely on about a penalty or loss phi (DESIGN.md section 3).
// Tests: tests/penalties/test_functions.cpp (PenaltyProperties.SingleValuednessAndModuli,
// PenaltyProperties.KindOfEveryFunction).
#pragma once

#include <limits>

namespace recon::penalties {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

// The role a function is defined for: a penalty (regulariser, MATH.md section 1), a robust
// loss on residuals (section 2) or the indicator of a convex set (section 1.3, value 0 or
// +inf, prox = projection). l1, huber and sq-l2 also serve as losses (section 2) but are
// Penalty, the role the TV solvers accept them in: the kind names what a function is for,
// it does not bar a loss slot from taking a penalty (the solvers check the other properties).
// Each function struct F also has it as F::kind, for compile-time dispatch.
enum class FunctionKind { Penalty, Loss, Indicator };

inline const char* to_string(FunctionKind k) {
  switch (k) {
    case FunctionKind::Penalty:
      return "penalty";
    case FunctionKind::Loss:
      return "loss";
    case FunctionKind::Indicator:
      return "indicator";
  }
  return "?";
}

struct Properties {
  FunctionKind kind = FunctionKind::Penalty;
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

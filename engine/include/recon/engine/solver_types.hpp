// What every solver shares: the per-iteration record handed to the monitor, the stopping
// reason, and the final report (DESIGN.md section 5).
#pragma once

#include <functional>
#include <string>

namespace recon {

struct IterationInfo {
  int iteration = 0;
  double objective = 0;        // NaN where a solver does not evaluate it every iteration
  double primal_residual = 0;  // ADMM/PDHG: ||L x - z||; gradient methods: ||grad||
  double dual_residual = 0;    // ADMM/PDHG: rho ||L^T (z - z_prev)||; 0 where undefined
  double step = 0;             // step length or penalty parameter in use
  double elapsed_s = 0;        // since the solver started
};

// Called after every iteration; returning false stops the solver (StopReason::Monitor).
using Monitor = std::function<bool(const IterationInfo&)>;

enum class StopReason { Converged, MaxIterations, Monitor, LineSearchFailed };

std::string to_string(StopReason r);

struct SolveReport {
  int iterations = 0;
  StopReason reason = StopReason::MaxIterations;
  IterationInfo last;
  bool converged() const { return reason == StopReason::Converged; }
};

}  // namespace recon

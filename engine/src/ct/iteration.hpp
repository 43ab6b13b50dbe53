// The end of one iteration of the CT solvers: record it in the report, let the monitor stop
// the solve, or stop on convergence (the order every solver of solver_types.hpp follows).
#pragma once

#include <chrono>

#include "recon/engine/solver_types.hpp"

namespace recon::ct::detail {

inline double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// True when the solve ends here (report.reason set).
inline bool finish_iteration(SolveReport& report, const IterationInfo& info, const Monitor& monitor,
                             bool converged) {
  report.iterations = info.iteration;
  report.last = info;
  if (monitor && !monitor(info)) {
    report.reason = StopReason::Monitor;
    return true;
  }
  if (converged) {
    report.reason = StopReason::Converged;
    return true;
  }
  return false;
}

}  // namespace recon::ct::detail

// The bookkeeping every iterative solver shares, written once: which iterations are checked
// (residuals, objective, monitor), the elapsed time, and the report. Each check follows the
// same order (solver_types.hpp): record the iteration, let the monitor stop the solve, then
// stop on convergence.
#pragma once

#include <chrono>

#include "recon/engine/solver_types.hpp"

namespace recon::solvers {

class IterationLog {
 public:
  IterationLog(int max_iters, int check_every, const Monitor& monitor)
      : max_iters_(max_iters), check_every_(check_every), monitor_(monitor) {}

  // Iteration k (1-based) computes residuals and calls the monitor.
  bool is_check(int k) const { return k % check_every_ == 0 || k == max_iters_; }

  // Iteration k ran without a check.
  void count(int k) { report_.iterations = k; }

  // Records a checked iteration; true when the solver must stop (the monitor declined or
  // `converged`), with the report's reason set.
  bool record(IterationInfo info, bool converged) {
    info.elapsed_s = seconds();
    report_.iterations = info.iteration;
    report_.last = info;
    if (monitor_ && !monitor_(report_.last)) return stop(StopReason::Monitor);
    if (converged) return stop(StopReason::Converged);
    return false;
  }
  bool record(int k, double objective, double primal, double dual, double step, bool converged) {
    return record(IterationInfo{k, objective, primal, dual, step, 0.0}, converged);
  }

  // The start already meets the stopping test: no iteration, `start` as the last record.
  SolveReport converged_at_start(const IterationInfo& start) {
    report_.last = start;
    stop(StopReason::Converged);
    return finish();
  }

  // Ends the solve for another reason (a failed line search, a rejected step at the budget).
  bool stop(StopReason reason) {
    report_.reason = reason;
    stopped_ = true;
    return true;
  }

  // The report: MaxIterations unless a check stopped the solve.
  SolveReport finish() const {
    SolveReport r = report_;
    if (!stopped_) r.reason = StopReason::MaxIterations;
    return r;
  }

  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
  }

 private:
  int max_iters_, check_every_;
  const Monitor& monitor_;
  std::chrono::steady_clock::time_point t0_ = std::chrono::steady_clock::now();
  SolveReport report_;
  bool stopped_ = false;
};

}  // namespace recon::solvers

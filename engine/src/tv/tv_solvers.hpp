// What TV denoising runs on its own kernels, compiled in tv_solvers.cu: L-BFGS on the primal
// (tv_lbfgs.cuh) and the objective; the fused split passes (tv_fused_split.cuh) serve the
// engine's solvers. The kernel launchers live in recon::tv, not in anonymous namespaces: see
// tv_solvers.cu for the nvcc extended-lambda hazards this avoids.
#pragma once

#include "tv_setup.hpp"

namespace recon::tv {

struct Call {
  const TvProblem& problem;
  const TvOptions& options;
  const Monitor& monitor;
};

template <class T>
SolveReport solve_lbfgs(const Context& ctx, const Setup<T>& s, const Call& call, View<const T> u, View<T> x);
template <class T>
double tv_objective_impl(const Context& ctx, const Setup<T>& s, const penalties::Function& fn,
                         View<const T> x, View<const T> u);

}  // namespace recon::tv

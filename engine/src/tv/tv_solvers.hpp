// The TV solvers, one per header (tv_*.cuh, all compiled in tv_solvers.cu), each visiting the
// penalty once (tv_setup.hpp). Their kernel launchers live in recon::tv, not in anonymous
// namespaces: see tv_solvers.cu for the nvcc extended-lambda hazards this avoids.
#pragma once

#include "tv_setup.hpp"

namespace recon::tv {

struct Call {
  const TvProblem& problem;
  const TvOptions& options;
  const Monitor& monitor;
};

template <class T>
SolveReport solve_apgm(const Context& ctx, const Setup<T>& s, const Call& call, View<const T> u, View<T> x,
                       Array<T>* dual);
template <class T>
SolveReport solve_lbfgs(const Context& ctx, const Setup<T>& s, const Call& call, View<const T> u, View<T> x);
template <class T>
double tv_objective_impl(const Context& ctx, const Setup<T>& s, const penalties::Function& fn,
                         View<const T> x, View<const T> u);

}  // namespace recon::tv

// The solvers' engine-internal entry points, for the problem builders (TV denoising, CT
// reconstruction, CS recovery): the public ones (composite.hpp) plus what only a builder needs.
#pragma once

#include <vector>

#include "recon/engine/composite.hpp"

namespace recon::solvers {

// ADMM on the terms (admm.cpp). multipliers, when given, receives the unscaled multiplier
// y_k = rho_k u_k of every split term, in the order of the terms (quadratic terms excluded).
template <class T>
SolveReport admm(const Context& ctx, const std::vector<CompositeTerm<T>>& terms, View<T> x,
                 const CompositeAdmmOptions& options, const Monitor& monitor,
                 std::vector<Array<T>>* multipliers);

}  // namespace recon::solvers

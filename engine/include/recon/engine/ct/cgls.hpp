// CGLS: conjugate gradients on the normal equations A^T A x = A^T y without forming A^T A
// (Hestenes & Stiefel 1952; Bjorck, "Numerical Methods for Least Squares Problems", 7.4):
// converges to a least-squares solution (the minimum-norm one from a zero start), with one
// A and one A^T per iteration.
// Stops when ||A^T (y - A x)|| <= rel_tol ||A^T y|| or after max_iters; the monitor sees
// primal_residual = ||A^T (y - A x)|| (the gradient norm) and objective = ||y - A x||^2 / 2.
// No constraints (use SIRT with nonneg for x >= 0). With a range split over ranks
// (ct::DistributedProjector) it runs distributed: the sums over the range are all-reduced.
// Tests: tests/ct/test_iterative.cu, tests/dist/test_distributed.cpp.
#pragma once

#include "recon/engine/solver_types.hpp"
#include "recon/operators/operator.hpp"

namespace recon::ct {

struct CglsOptions {
  int max_iters = 100;
  double rel_tol = 1e-6;
};

// x: the starting point on input, the result on output.
template <class T>
SolveReport cgls(const Context& ctx, const Operator<T>& a, View<const T> y, View<T> x,
                 const CglsOptions& options = {}, const Monitor& monitor = {});

}  // namespace recon::ct

// SIRT (simultaneous iterative reconstruction technique; Gregor & Benson, IEEE TMI 2008, the
// form ASTRA uses): x <- P(x + lambda C A^T R (y - A x)), R = 1 / (A 1) on the rays,
// C = 1 / (A^T 1) on the voxels (0 where a ray or voxel is not seen), P the projection onto
// x >= 0 when `nonneg`. It minimises the R-weighted residual ||y - A x||_R for
// 0 < lambda < 2. Works with any linear operator with non-negative entries (CT projectors).
// Stops when ||y - A x|| <= rel_tol ||y|| or after max_iters; the monitor sees
// primal_residual = ||y - A x|| and objective = ||y - A x||^2 / 2 of the new iterate.
// The back-projections (A^T R r and C) go through a.adjoint, so an unmatched pair such as
// ct::UnmatchedProjector (voxel-driven B ~ A^T) runs SIRT with B: its fixed points solve
// B R (y - A x) = 0 instead (tests/ct/test_unmatched.cpp compares the two on Shepp-Logan).
// With a range split over ranks (ct::DistributedProjector) it runs distributed: the row weights
// are local, the column weights and residual norms summed over the ranks.
// Tests: tests/ct/test_iterative.cu, tests/dist/test_distributed.cpp.
#pragma once

#include "recon/engine/solver_types.hpp"
#include "recon/operators/operator.hpp"

namespace recon::ct {

struct SirtOptions {
  int max_iters = 100;
  double rel_tol = 1e-6;
  double relaxation = 1.0;  // lambda in (0, 2)
  bool nonneg = false;
};

// x: the starting point on input (zeros for a cold start), the result on output.
template <class T>
SolveReport sirt(const Context& ctx, const Operator<T>& a, View<const T> y, View<T> x,
                 const SirtOptions& options = {}, const Monitor& monitor = {});

}  // namespace recon::ct

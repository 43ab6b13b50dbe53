// Conjugate gradient for A x = b with A symmetric positive definite, given only as a
// function applying A (the ADMM x-update when no closed-form inverse exists, CGLS on the
// normal equations). Warm-started from x; stops when ||b - A x|| <= rel_tol ||b||.
#pragma once

#include <functional>

#include "recon/engine/solver_types.hpp"
#include "recon/kernels/array.hpp"

namespace recon {

template <class T>
using ApplyFn = std::function<void(const Context&, View<const T> in, View<T> out)>;

namespace dist {
class Communicator;
}

struct CgOptions {
  int max_iters = 100;
  double rel_tol = 1e-6;
  // When x (and b) are split over ranks (z-slabs), the inner products run over these ranks.
  const dist::Communicator* split = nullptr;
};

// Work arrays of one size, allocated once and reused by every solve (no allocation inside
// the iteration loop, nor across the ADMM iterations that call CG).
template <class T>
class CgWorkspace {
 public:
  CgWorkspace(const Context& ctx, const Shape& shape) : r(ctx, shape), p(ctx, shape), ap(ctx, shape) {}
  Array<T> r, p, ap;
};

template <class T>
SolveReport conjugate_gradient(const Context& ctx, const ApplyFn<T>& apply_a, View<const T> b, View<T> x,
                               const CgOptions& options, CgWorkspace<T>& work, const Monitor& monitor = {});

}  // namespace recon

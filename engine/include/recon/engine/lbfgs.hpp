// L-BFGS with a strong-Wolfe line search (Nocedal & Wright, Numerical Optimization, 2nd ed.,
// Alg. 7.4 two-loop recursion, Alg. 3.5/3.6 line search) for smooth objectives: WEEP, Huber,
// Cauchy, squared l2 and the Hadamard over-parametrisation. All vectors stay on the
// context's device; the history is allocated once before the loop.
#pragma once

#include <functional>

#include "recon/engine/solver_types.hpp"
#include "recon/kernels/array.hpp"

namespace recon {

namespace dist {
class Communicator;
}

// Returns f(x) and writes grad f(x) into g.
template <class T>
using ValueGradFn = std::function<double(const Context&, View<const T> x, View<T> g)>;

struct LbfgsOptions {
  int max_iters = 500;
  int memory = 8;            // stored (s, y) pairs
  double grad_tol = 1e-6;    // stop when ||grad|| <= grad_tol * max(1, ||grad(x0)||)
  double rel_f_tol = 1e-12;  // or when |f_k - f_{k+1}| < rel_f_tol * max(1, |f_k|); 0 disables
  int max_line_search = 40;
  double c1 = 1e-4;  // sufficient decrease
  double c2 = 0.9;   // curvature (strong Wolfe)
  // x split over ranks (TV denoising by z-slabs): every dot product and norm sums over the blocks,
  // so every rank takes the same steps; f must return the whole objective on every rank.
  const dist::Communicator* x_split = nullptr;
};

// Minimises f from the starting point in x; x holds the result.
template <class T>
SolveReport lbfgs(const Context& ctx, const ValueGradFn<T>& f, View<T> x, const LbfgsOptions& options,
                  const Monitor& monitor = {});

}  // namespace recon

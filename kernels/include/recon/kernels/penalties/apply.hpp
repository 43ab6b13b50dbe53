// Array-level penalty and loss kernels (DESIGN.md section 3), compiled for float and double
// on every backend. All operands live on ctx's device. gamma is a scalar (>= 0, finite) or an
// array of per-element weights (an element with gamma <= 0 is passed through unchanged).
// Group forms apply phi to the Euclidean norm of each group, the groups laid out along a
// leading component axis (the gradient's): x of shape (k, ...) holds n = size/k groups,
// group j = {x[c*n + j], c < k}; prox(u) = prox_phi(|u|) u/|u| (MATH.md 1.2). Only even
// functions have group forms.
// Tests: tests/penalties/test_prox_structure.cu (TypedTest PenaltyStructure),
// tests/penalties/test_prox_brute_force.cu (ProxBruteForce.MatchesGlobalMinimiser),
// tests/parity/test_penalties.cu (host/CUDA parity).
#pragma once

#include "recon/kernels/array.hpp"
#include "recon/kernels/context.hpp"
#include "recon/kernels/penalties/function.hpp"

namespace recon::penalties {

// out[i] = prox_{gamma phi}(in[i]), the global minimiser; in may alias out.
template <class T>
void prox(const Context& ctx, const Function& fn, T gamma, View<const T> in, View<T> out);
template <class T>
void prox(const Context& ctx, const Function& fn, View<const T> gamma, View<const T> in, View<T> out);

// sum_i phi(x[i]) (or sum_i w[i] phi(x[i])), accumulated in double; +inf outside an indicator's set.
template <class T>
double value_sum(const Context& ctx, const Function& fn, View<const T> x);
template <class T>
double value_sum(const Context& ctx, const Function& fn, View<const T> w, View<const T> x);

// g[i] = phi'(x[i]) (at kinks the documented choice of each function, e.g. 0 at 0 for l1);
// throws InvalidArgument for functions without a gradient (l0, the indicators).
template <class T>
void gradient(const Context& ctx, const Function& fn, View<const T> x, View<T> g);

// Group forms: gamma is a scalar or one weight per group (n values).
template <class T>
void prox_group(const Context& ctx, const Function& fn, T gamma, View<const T> in, View<T> out);
template <class T>
void prox_group(const Context& ctx, const Function& fn, View<const T> gamma, View<const T> in, View<T> out);
template <class T>
double value_sum_group(const Context& ctx, const Function& fn, View<const T> x);
// g = phi'(|u|) u/|u| per group (0 where u = 0).
template <class T>
void gradient_group(const Context& ctx, const Function& fn, View<const T> x, View<T> g);

// Projection of the whole array onto {x : norm2(x - center) <= r}; a center without storage
// (View<const T>()) means 0. Inside the ball x is copied unchanged.
template <class T>
void project_l2_ball(const Context& ctx, View<const T> center, double r, View<const T> in, View<T> out);

}  // namespace recon::penalties

// Test hook of the host's certified fast prox (fast_prox.hpp): the scalar-gamma prox, returning
// how many elements failed their certificate and were recomputed by the exact routine (-1 where
// the fast path does not apply: other functions, gamma = 0, a CUDA context).
// Tests: tests/penalties/test_prox_scalar_gamma.cu (ProxScalarGamma).
#pragma once

#include "recon/kernels/array.hpp"
#include "recon/kernels/context.hpp"
#include "recon/kernels/penalties/function.hpp"

namespace recon::penalties::detail {

template <class T>
index_t prox_fallbacks(const Context& ctx, const Function& fn, T gamma, View<const T> in, View<T> out);

}  // namespace recon::penalties::detail

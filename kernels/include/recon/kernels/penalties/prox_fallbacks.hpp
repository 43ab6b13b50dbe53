// Test hook of the host's certified fast prox (fast_prox.hpp): the scalar-gamma prox, returning
// how many elements failed their certificate and were recomputed by the exact routine (-1 where
// the fast path does not apply: other functions, gamma = 0, a CUDA context). `path` picks the
// tiers: automatic (the table of prox_table.hpp for large float inputs, then the Newton path),
// or either tier forced regardless of size.
// Tests: tests/penalties/test_prox_scalar_gamma.cu (ProxScalarGamma).
#pragma once

#include "recon/kernels/array.hpp"
#include "recon/kernels/context.hpp"
#include "recon/kernels/penalties/function.hpp"

namespace recon::penalties::detail {

enum class FastPath { automatic, table, newton };

template <class T>
index_t prox_fallbacks(const Context& ctx, const Function& fn, T gamma, View<const T> in, View<T> out,
                       FastPath path = FastPath::automatic);

}  // namespace recon::penalties::detail

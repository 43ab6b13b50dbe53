// Run-time choice of the host's instruction set for the hottest host loops. A portable build
// runs SSE2 code even on hosts with AVX2 gathers and FMA, which roughly halves the speed of the
// CT projectors there; -march=x86-64-v3 (RECON_HOST_ARCH) fixes that but then refuses to run on
// older hosts. A function marked RECON_HOST_CLONED is compiled twice, for x86-64-v3 and for the
// build's default, and the loader picks one per host (GCC target_clones, an ifunc). `flatten`
// inlines the loop body into each clone, so the callees get the clone's instruction set too.
// Only host-only functions may carry it: nvcc translation units leave it empty.
#pragma once

#include "recon/kernels/config.hpp"

#if RECON_HOST_CLONES && !defined(__CUDACC__)
#define RECON_HOST_CLONED __attribute__((target_clones("arch=x86-64-v3", "default"), flatten))
#else
#define RECON_HOST_CLONED
#endif

namespace recon {

// The clone this host runs: "x86-64-v3", "default", or "none" (built without clones).
const char* host_clone_level();

}  // namespace recon

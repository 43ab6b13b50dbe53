// Portability macros for the one-source host/device model (DESIGN.md section 2).
#pragma once

#include "recon/kernels/config.hpp"

#if defined(__CUDACC__)
#define RECON_HD __host__ __device__
#define RECON_DEVICE_PASS 1
#else
#define RECON_HD
#define RECON_DEVICE_PASS 0
#endif

// Templates that launch work behave differently in nvcc and g++ translation units (only
// nvcc can launch device code). An inline namespace per compiler keeps those two
// instantiations apart, so the linker never merges a host-only body into a CUDA caller.
#if defined(__CUDACC__)
#define RECON_LAUNCH_NS launch_nvcc
#else
#define RECON_LAUNCH_NS launch_host
#endif

#include <cstdint>

namespace recon {
using index_t = std::int64_t;
}  // namespace recon

// Checking of CUDA runtime calls. Only for code that is compiled with the CUDA runtime
// headers available (nvcc translation units, and the library's own CUDA glue).
#pragma once

#include <cuda_runtime.h>

#include <string>

#include "recon/kernels/error.hpp"

namespace recon::detail {

inline void check_cuda(cudaError_t status, const char* call, const char* file, int line) {
  if (status == cudaSuccess) return;
  std::string msg = std::string("CUDA call `") + call + "` failed at " + file + ":" + std::to_string(line) +
                    ": " + cudaGetErrorName(status) + " (" + cudaGetErrorString(status) + ")";
  if (status == cudaErrorMemoryAllocation) throw OutOfMemory(msg);
  throw DeviceError(msg);
}

}  // namespace recon::detail

#define RECON_CUDA_CHECK(call) ::recon::detail::check_cuda((call), #call, __FILE__, __LINE__)

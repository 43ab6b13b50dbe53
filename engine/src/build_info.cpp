#include "recon/engine/build_info.hpp"

#include "recon/kernels/communicator.hpp"
#include "recon/kernels/config.hpp"
#include "recon/kernels/host_clones.hpp"

#ifndef RECON_BUILD_TYPE
#define RECON_BUILD_TYPE "unknown"
#endif

namespace recon {

BuildInfo build_info() {
  BuildInfo b;
  b.version = RECON_VERSION_STRING;
  b.cuda = RECON_WITH_CUDA != 0;
  b.mpi = dist::mpi_built();
  b.nccl = dist::nccl_built();
  b.cuda_architectures = RECON_CUDA_ARCHITECTURES;
  b.host_arch = RECON_HOST_ARCH;
  b.host_clone = host_clone_level();
#if defined(__clang__)
  b.compiler = "clang " __clang_version__;
#elif defined(__GNUC__)
  b.compiler = "gcc " __VERSION__;
#endif
  b.build_type = RECON_BUILD_TYPE;
  return b;
}

}  // namespace recon

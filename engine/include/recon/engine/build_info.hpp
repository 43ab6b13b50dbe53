// What this copy of recon was built with, for `recon info` and benchmark records.
#pragma once

#include <string>

namespace recon {

struct BuildInfo {
  std::string version;
  bool cuda = false;
  bool mpi = false;                // the communicator's MPI backend (RECON_MPI); distributed CT under mpiexec
  bool nccl = false;               // NCCL for device buffers in distributed runs (RECON_NCCL)
  std::string cuda_architectures;  // e.g. "80-real 90-real 90-virtual"
  std::string host_arch;           // the -march of the host code; empty: the compiler's default
  std::string host_clone;  // the instruction set of the cloned host loops this host runs (host_clones.hpp)
  std::string compiler;
  std::string build_type;
};

BuildInfo build_info();

}  // namespace recon

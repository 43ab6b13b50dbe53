#include "recon/kernels/host_clones.hpp"

namespace recon {

const char* host_clone_level() {
#if RECON_HOST_CLONES
  __builtin_cpu_init();
  return __builtin_cpu_supports("x86-64-v3") ? "x86-64-v3" : "default";
#else
  return "none";
#endif
}

}  // namespace recon

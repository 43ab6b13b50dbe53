// dist::mpi_communicator (communicator.hpp): the MPI backend over a communicator the caller made,
// in every build (one without MPI refuses it).
#include "recon/kernels/communicator.hpp"

#if RECON_WITH_MPI
#include "mpi_backend.hpp"
#endif

namespace recon::dist {

std::shared_ptr<const Communicator> mpi_communicator(const void* comm_address) {
#if RECON_WITH_MPI
  return detail::mpi_over(comm_address);
#else
  (void)comm_address;
  throw InvalidArgument("dist: this build of recon has no MPI (RECON_MPI); it runs on one rank only");
#endif
}

}  // namespace recon::dist

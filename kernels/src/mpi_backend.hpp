// The MPI backend of the communicator (communicator_mpi.cpp), compiled only in a build with
// RECON_MPI; communicator.cpp reaches it through these functions.
#pragma once

#include <memory>

#include "recon/kernels/communicator.hpp"

namespace recon::dist::detail {

// MPI_Init_thread (funneled: only the main thread calls MPI) unless MPI is already initialised.
void mpi_start(int* argc, char*** argv);
// MPI_Finalize when mpi_start initialised MPI and it is not finalised yet.
void mpi_finish();
// MPI_COMM_WORLD once mpi_start ran, else null.
std::shared_ptr<const Communicator> mpi_world();
// A communicator over a duplicate of the MPI_Comm at comm_address (communicator.hpp's
// mpi_communicator); MPI must be initialised, and is not finalised by it.
std::shared_ptr<const Communicator> mpi_over(const void* comm_address);
// MPI_Abort(MPI_COMM_WORLD, code).
[[noreturn]] void mpi_abort(int code);

}  // namespace recon::dist::detail

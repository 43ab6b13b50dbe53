# RECON_MPI (AUTO | ON | OFF) -> RECON_WITH_MPI: build the MPI backend of the communicator
# (kernels/include/recon/kernels/communicator.hpp, DESIGN.md section 10) when MPI's C++ bindings
# are found (AUTO), always (ON: an error when they are not), or never. Without it the library
# has only the single-rank communicator and every build and test still works. MPICH from Debian
# (scripts/setup-deps: mpich libmpich-dev) runs as root and oversubscribes cores without flags;
# the distributed tests run through ${MPIEXEC_EXECUTABLE} ${MPIEXEC_NUMPROC_FLAG} N.
set(RECON_WITH_MPI OFF)
if(RECON_MPI STREQUAL "OFF")
  message(STATUS "MPI: off")
  return()
endif()
if(RECON_FUZZ)
  if(RECON_MPI STREQUAL "ON")
    message(FATAL_ERROR "RECON_MPI=ON cannot be combined with RECON_FUZZ")
  endif()
  message(STATUS "MPI: off (fuzz build)")
  return()
endif()
find_package(MPI COMPONENTS CXX)
if(MPI_CXX_FOUND)
  set(RECON_WITH_MPI ON)
  message(STATUS "MPI: on (MPI ${MPI_CXX_VERSION}, ${MPIEXEC_EXECUTABLE})")
elseif(RECON_MPI STREQUAL "ON")
  message(FATAL_ERROR "RECON_MPI=ON but MPI's C++ development files were not found "
                      "(scripts/setup-deps installs mpich and libmpich-dev)")
else()
  message(STATUS "MPI: off (no MPI development files found)")
endif()

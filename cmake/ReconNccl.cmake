# RECON_NCCL (AUTO | ON | OFF) -> RECON_WITH_NCCL: the distributed collectives on device buffers
# (a CUDA context's arrays) run through NCCL (ncclAllReduce, ncclSend/ncclRecv on the context's
# stream) instead of being staged through host memory for MPI (docs/distributed.md). It needs
# both CUDA and the MPI backend: MPI starts the ranks and carries NCCL's unique id. AUTO builds it
# when CUDA and MPI are on and nccl.h and libnccl are found, ON requires them, OFF leaves it out.
# RECON_NCCL_ROOT: where to look first, by default .deps/nccl, into which scripts/setup-deps
# unpacks PyPI's nvidia-nccl-cu13 wheel on a machine with nvcc (NCCL_HOME and the system paths
# are searched after it).
set(RECON_WITH_NCCL OFF)
set(RECON_NCCL_ROOT "${PROJECT_SOURCE_DIR}/.deps/nccl" CACHE PATH
    "Where NCCL's include/nccl.h and lib/libnccl.so* are looked for first (scripts/setup-deps unpacks them there)")
if(RECON_NCCL STREQUAL "OFF")
  message(STATUS "NCCL: off")
  return()
endif()
if(NOT RECON_WITH_CUDA OR NOT RECON_WITH_MPI)
  if(RECON_NCCL STREQUAL "ON")
    message(FATAL_ERROR "RECON_NCCL=ON needs the CUDA backend and MPI (RECON_CUDA, RECON_MPI)")
  endif()
  message(STATUS "NCCL: off (needs CUDA and MPI)")
  return()
endif()
find_path(RECON_NCCL_INCLUDE_DIR nccl.h HINTS "${RECON_NCCL_ROOT}/include" ENV NCCL_HOME PATH_SUFFIXES include)
# The wheel ships only libnccl.so.2 (setup-deps adds the libnccl.so link).
find_library(RECON_NCCL_LIBRARY NAMES nccl libnccl.so.2 HINTS "${RECON_NCCL_ROOT}/lib" ENV NCCL_HOME
             PATH_SUFFIXES lib lib64)
if(RECON_NCCL_INCLUDE_DIR AND RECON_NCCL_LIBRARY)
  file(STRINGS "${RECON_NCCL_INCLUDE_DIR}/nccl.h" nccl_version REGEX "^#define NCCL_(MAJOR|MINOR|PATCH) ")
  string(REGEX REPLACE "[^0-9;]" "" nccl_version "${nccl_version}")
  string(REPLACE ";" "." nccl_version "${nccl_version}")
  set(RECON_WITH_NCCL ON)
  message(STATUS "NCCL: on (NCCL ${nccl_version}, ${RECON_NCCL_LIBRARY})")
elseif(RECON_NCCL STREQUAL "ON")
  message(FATAL_ERROR "RECON_NCCL=ON but nccl.h or libnccl was not found under RECON_NCCL_ROOT "
                      "(${RECON_NCCL_ROOT}) or NCCL_HOME (scripts/setup-deps unpacks nvidia-nccl-cu13 into .deps/nccl)")
else()
  message(STATUS "NCCL: off (nccl.h or libnccl not found; scripts/setup-deps puts them in .deps/nccl)")
endif()

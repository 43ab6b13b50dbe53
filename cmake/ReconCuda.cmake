# Decides whether this build has the CUDA backend (RECON_CUDA=AUTO|ON|OFF) and sets it up.
include(CheckLanguage)

set(RECON_WITH_CUDA OFF)
if(RECON_CUDA STREQUAL "ON" OR RECON_CUDA STREQUAL "AUTO")
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    set(RECON_WITH_CUDA ON)
  elseif(RECON_CUDA STREQUAL "ON")
    message(FATAL_ERROR "RECON_CUDA=ON but no CUDA compiler (nvcc) was found; install the CUDA toolkit "
                        "or set CMAKE_CUDA_COMPILER")
  endif()
elseif(NOT RECON_CUDA STREQUAL "OFF")
  message(FATAL_ERROR "RECON_CUDA must be AUTO, ON or OFF, got '${RECON_CUDA}'")
endif()

# The CUDA runtime every target links: static (a self-contained binary), or shared with
# RECON_SHARED_LIBS (one runtime for the process however many recon libraries it loads).
if(RECON_SHARED_LIBS)
  set(RECON_CUDA_RUNTIME Shared)
else()
  set(RECON_CUDA_RUNTIME Static)
endif()

if(RECON_WITH_CUDA)
  if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
    # A100 and H100 machine code, plus sm_90 PTX so newer GPUs can JIT it.
    set(CMAKE_CUDA_ARCHITECTURES "80-real;90-real;90-virtual")
  endif()
  if(NOT DEFINED CMAKE_CUDA_HOST_COMPILER)
    set(CMAKE_CUDA_HOST_COMPILER "${CMAKE_CXX_COMPILER}")
  endif()
  enable_language(CUDA)
  set(CMAKE_CUDA_STANDARD 17)
  set(CMAKE_CUDA_STANDARD_REQUIRED ON)
  find_package(CUDAToolkit REQUIRED)
  set(RECON_WITH_CUDA_01 1)
  string(REPLACE ";" " " RECON_CUDA_ARCH_STRING "${CMAKE_CUDA_ARCHITECTURES}")
  message(STATUS "recon: CUDA backend ON (nvcc ${CMAKE_CUDA_COMPILER_VERSION}, architectures ${CMAKE_CUDA_ARCHITECTURES})")
else()
  set(RECON_WITH_CUDA_01 0)
  set(RECON_CUDA_ARCH_STRING "")
  message(STATUS "recon: CUDA backend OFF (host only)")
endif()

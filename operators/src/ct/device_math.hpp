// Small RECON_HD helpers for the CT kernels: float/double overloads of the C math functions
// that exist on both host and device, and an atomic add that is a CUDA atomicAdd in device
// code and an OpenMP atomic on the host (the back-projection scatter of joseph_walk.hpp).
#pragma once

#include <math.h>

#include "recon/kernels/macros.hpp"

namespace recon::ct::detail {

RECON_HD inline float dfloor(float x) { return floorf(x); }
RECON_HD inline double dfloor(double x) { return floor(x); }
RECON_HD inline float dsqrt(float x) { return sqrtf(x); }
RECON_HD inline double dsqrt(double x) { return sqrt(x); }
RECON_HD inline float dabs(float x) { return fabsf(x); }
RECON_HD inline double dabs(double x) { return fabs(x); }
template <class T>
RECON_HD inline T dmin(T a, T b) {
  return a < b ? a : b;
}
template <class T>
RECON_HD inline T dmax(T a, T b) {
  return a > b ? a : b;
}

template <class T>
RECON_HD inline void atomic_add(T* p, T v) {
#if defined(__CUDA_ARCH__)
  atomicAdd(p, v);
#else
#pragma omp atomic
  *p += v;
#endif
}

}  // namespace recon::ct::detail

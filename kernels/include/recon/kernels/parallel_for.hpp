// parallel_for: one RECON_HD body, run as a grid-stride CUDA kernel on a Cuda context or
// as an OpenMP loop on a Host context (DESIGN.md section 2). Bodies take the index (1D),
// (y, x) (2D) or (z, y, x) (3D); x is the fastest axis.
#pragma once

#include "recon/kernels/context.hpp"
#include "recon/kernels/error.hpp"
#include "recon/kernels/macros.hpp"

#if defined(__CUDACC__)
#include "recon/kernels/cuda_check.hpp"
#endif

namespace recon {

struct Extent2 {
  index_t ny, nx;
};
struct Extent3 {
  index_t nz, ny, nx;
};

namespace detail {

// Below this many elements OpenMP's fork/join (and, on a busy machine, waiting for a
// descheduled thread at the barrier) costs more than the loop.
constexpr index_t kHostParallelThreshold = 1 << 16;

// A Cuda context reached a launch in a translation unit that g++ compiled.
[[noreturn]] void throw_launch_needs_nvcc(const char* what);

// Enough blocks to fill every multiprocessor several times; grid-stride loops do the rest.
index_t cuda_grid_limit(const Context& ctx);

#if defined(__CUDACC__)
template <class F>
__global__ void grid_stride_1d(index_t n, F body) {
  const index_t stride = static_cast<index_t>(blockDim.x) * gridDim.x;
  for (index_t i = blockIdx.x * static_cast<index_t>(blockDim.x) + threadIdx.x; i < n; i += stride) body(i);
}

template <class F>
__global__ void grid_stride_3d(index_t nz, index_t ny, index_t nx, F body) {
  for (index_t z = blockIdx.z; z < nz; z += gridDim.z)
    for (index_t y = blockIdx.y * static_cast<index_t>(blockDim.y) + threadIdx.y; y < ny;
         y += static_cast<index_t>(blockDim.y) * gridDim.y)
      for (index_t x = blockIdx.x * static_cast<index_t>(blockDim.x) + threadIdx.x; x < nx;
           x += static_cast<index_t>(blockDim.x) * gridDim.x)
        body(z, y, x);
}

inline index_t ceil_div(index_t a, index_t b) { return (a + b - 1) / b; }
#endif

}  // namespace detail

inline namespace RECON_LAUNCH_NS {

template <class F>
void parallel_for(const Context& ctx, index_t n, F body, index_t cost = 1) {
  if (n <= 0) return;
  if (ctx.is_cuda()) {
#if defined(__CUDACC__)
    constexpr int threads = 256;
    const index_t blocks = std::min(detail::ceil_div(n, threads), detail::cuda_grid_limit(ctx));
    detail::grid_stride_1d<<<static_cast<unsigned>(blocks), threads, 0,
                             static_cast<cudaStream_t>(ctx.stream())>>>(n, body);
    RECON_CUDA_CHECK(cudaGetLastError());
#else
    detail::throw_launch_needs_nvcc("parallel_for");
#endif
  } else {
    const int threads = ctx.host_threads();
#pragma omp parallel for num_threads(threads) schedule(static) if (n * cost > detail::kHostParallelThreshold)
    for (index_t i = 0; i < n; ++i) body(i);
  }
}

template <class F>
void parallel_for(const Context& ctx, Extent3 e, F body, index_t cost = 1) {
  if (e.nz <= 0 || e.ny <= 0 || e.nx <= 0) return;
  if (ctx.is_cuda()) {
#if defined(__CUDACC__)
    const dim3 threads(32, 8, 1);
    const index_t limit = detail::cuda_grid_limit(ctx);
    const index_t bx = std::min(detail::ceil_div(e.nx, 32), limit);
    const index_t by = std::min<index_t>(detail::ceil_div(e.ny, 8), 65535);
    const index_t bz = std::min<index_t>(e.nz, 65535);
    detail::grid_stride_3d<<<dim3(static_cast<unsigned>(bx), static_cast<unsigned>(by),
                                  static_cast<unsigned>(bz)),
                             threads, 0, static_cast<cudaStream_t>(ctx.stream())>>>(e.nz, e.ny, e.nx, body);
    RECON_CUDA_CHECK(cudaGetLastError());
#else
    detail::throw_launch_needs_nvcc("parallel_for");
#endif
  } else {
    const int threads = ctx.host_threads();
    // maybe_unused: nvcc's front end does not see the OpenMP clause that reads it.
    [[maybe_unused]] const bool parallel = e.nz * e.ny * e.nx * cost > detail::kHostParallelThreshold;
#pragma omp parallel for collapse(2) num_threads(threads) schedule(static) if (parallel)
    for (index_t z = 0; z < e.nz; ++z)
      for (index_t y = 0; y < e.ny; ++y)
        for (index_t x = 0; x < e.nx; ++x) body(z, y, x);
  }
}

// The 2D form forwards to the 3D launch with one plane; body takes (y, x).
template <class F>
struct Drop3To2 {
  F body;
  RECON_HD void operator()(index_t, index_t y, index_t x) const { body(y, x); }
};

template <class F>
void parallel_for(const Context& ctx, Extent2 e, F body, index_t cost = 1) {
  parallel_for(ctx, Extent3{1, e.ny, e.nx}, Drop3To2<F>{body}, cost);
}

}  // namespace RECON_LAUNCH_NS
}  // namespace recon

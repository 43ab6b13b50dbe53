// Allocation and inter-device copies. Device memory is stream-ordered so that freeing a
// temporary never stalls the stream; host memory is aligned for vector loads.
#include "recon/kernels/memory.hpp"

#include <cstdlib>
#include <cstring>
#include <string>

#include "recon/kernels/error.hpp"

#if RECON_WITH_CUDA
#include "recon/kernels/cuda_check.hpp"
#endif

namespace recon::detail {

namespace {
constexpr std::size_t kHostAlignment = 64;

std::string describe_bytes(std::size_t bytes) {
  return std::to_string(bytes) + " bytes (" + std::to_string(bytes / (1024.0 * 1024.0)) + " MiB)";
}
}  // namespace

void* allocate_bytes(const Context& ctx, std::size_t bytes) {
  if (bytes == 0) return nullptr;
  if (ctx.is_cuda()) {
#if RECON_WITH_CUDA
    void* p = nullptr;
    RECON_CUDA_CHECK(cudaSetDevice(ctx.ordinal()));
    const cudaError_t status = cudaMallocAsync(&p, bytes, static_cast<cudaStream_t>(ctx.stream()));
    if (status == cudaErrorMemoryAllocation) {
      cudaGetLastError();
      throw OutOfMemory("allocate: out of device memory allocating " + describe_bytes(bytes) +
                        " on cuda:" + std::to_string(ctx.ordinal()));
    }
    RECON_CUDA_CHECK(status);
    return p;
#else
    throw DeviceError("allocate: Cuda context in a build without CUDA");
#endif
  }
  const std::size_t rounded = (bytes + kHostAlignment - 1) / kHostAlignment * kHostAlignment;
  void* p = std::aligned_alloc(kHostAlignment, rounded);
  if (!p) throw OutOfMemory("allocate: out of host memory allocating " + describe_bytes(bytes));
  return p;
}

void free_bytes(const Context& ctx, void* ptr) noexcept {
  if (!ptr) return;
  if (ctx.is_cuda()) {
#if RECON_WITH_CUDA
    cudaFreeAsync(ptr, static_cast<cudaStream_t>(ctx.stream()));
#endif
    return;
  }
  std::free(ptr);
}

void copy_bytes(const Context& ctx, void* dst, Device dst_device, const void* src, Device src_device,
                std::size_t bytes) {
  if (bytes == 0) return;
  if (dst_device == Device::Host && src_device == Device::Host) {
    std::memcpy(dst, src, bytes);
    return;
  }
#if RECON_WITH_CUDA
  if (!ctx.is_cuda())
    throw DeviceError("copy: a copy involving device memory needs a Cuda context to order it on");
  auto stream = static_cast<cudaStream_t>(ctx.stream());
  RECON_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDefault, stream));
  // Host memory is pageable: the caller may read or free it as soon as we return.
  if (dst_device == Device::Host || src_device == Device::Host) RECON_CUDA_CHECK(cudaStreamSynchronize(stream));
#else
  (void)ctx;
  throw DeviceError("copy: device memory in a build without CUDA");
#endif
}

}  // namespace recon::detail

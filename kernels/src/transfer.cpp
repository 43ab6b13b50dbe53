// Events, page-locked buffers and asynchronous copies (transfer.hpp).
#include "recon/kernels/transfer.hpp"

#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

#include "recon/kernels/error.hpp"

#if RECON_WITH_CUDA
#include <cuda_runtime.h>

#include "recon/kernels/cuda_check.hpp"
#endif

namespace recon {

StreamEvent::~StreamEvent() {
#if RECON_WITH_CUDA
  if (event_) {
    cudaSetDevice(ordinal_);
    cudaEventDestroy(static_cast<cudaEvent_t>(event_));
  }
#endif
}

void StreamEvent::record(const Context& ctx) {
#if RECON_WITH_CUDA
  if (!ctx.is_cuda()) return;
  RECON_CUDA_CHECK(cudaSetDevice(ctx.ordinal()));
  if (!event_) {
    cudaEvent_t e = nullptr;
    RECON_CUDA_CHECK(cudaEventCreateWithFlags(&e, cudaEventDisableTiming));
    event_ = e;
    ordinal_ = ctx.ordinal();
  }
  RECON_CUDA_CHECK(
      cudaEventRecord(static_cast<cudaEvent_t>(event_), static_cast<cudaStream_t>(ctx.stream())));
#else
  (void)ctx;
#endif
}

void StreamEvent::make_wait(const Context& ctx) const {
#if RECON_WITH_CUDA
  if (!event_ || !ctx.is_cuda()) return;
  RECON_CUDA_CHECK(cudaSetDevice(ctx.ordinal()));
  RECON_CUDA_CHECK(
      cudaStreamWaitEvent(static_cast<cudaStream_t>(ctx.stream()), static_cast<cudaEvent_t>(event_), 0));
#else
  (void)ctx;
#endif
}

void StreamEvent::synchronize() const {
#if RECON_WITH_CUDA
  if (event_) RECON_CUDA_CHECK(cudaEventSynchronize(static_cast<cudaEvent_t>(event_)));
#endif
}

PinnedBuffer::PinnedBuffer(const Context& ctx, std::size_t bytes) : bytes_(bytes) {
  if (bytes == 0) return;
#if RECON_WITH_CUDA
  if (ctx.is_cuda()) {
    RECON_CUDA_CHECK(cudaSetDevice(ctx.ordinal()));
    if (cudaMallocHost(&data_, bytes) != cudaSuccess) {
      cudaGetLastError();  // an allocation failure is not sticky: clear it
      throw OutOfMemory("PinnedBuffer: cannot page-lock " + std::to_string(bytes) + " bytes of host memory");
    }
    pinned_ = true;
    return;
  }
#else
  (void)ctx;
#endif
  data_ = std::aligned_alloc(64, (bytes + 63) / 64 * 64);
  if (!data_)
    throw OutOfMemory("PinnedBuffer: cannot allocate " + std::to_string(bytes) + " bytes of host memory");
}

PinnedBuffer::~PinnedBuffer() {
#if RECON_WITH_CUDA
  if (pinned_) {
    cudaFreeHost(data_);
    return;
  }
#endif
  std::free(data_);
}

void copy_bytes_async(const Context& ctx, void* dst, Device dst_device, const void* src, Device src_device,
                      std::size_t bytes) {
  if (bytes == 0) return;
  if (dst_device == Device::Host && src_device == Device::Host) {
    std::memcpy(dst, src, bytes);
    return;
  }
#if RECON_WITH_CUDA
  if (!ctx.is_cuda())
    throw DeviceError("copy: a copy involving device memory needs a Cuda context to order it on");
  RECON_CUDA_CHECK(cudaSetDevice(ctx.ordinal()));
  RECON_CUDA_CHECK(
      cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDefault, static_cast<cudaStream_t>(ctx.stream())));
#else
  (void)ctx;
  throw DeviceError("copy: device memory in a build without CUDA");
#endif
}

}  // namespace recon

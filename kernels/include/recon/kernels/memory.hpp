// Raw allocation on a Context's device and copies between devices. Device memory is
// stream-ordered (cudaMallocAsync); host memory is 64-byte aligned. No managed memory.
#pragma once

#include <cstddef>

#include "recon/kernels/context.hpp"

namespace recon::detail {

// OutOfMemory names the size and the device when the allocation fails or would exceed the
// context's memory limit (Context::set_memory_limit); free_bytes takes the size allocated.
void* allocate_bytes(const Context& ctx, std::size_t bytes);
void free_bytes(const Context& ctx, void* ptr, std::size_t bytes) noexcept;

// Copies `bytes` from src (on src_device) to dst (on dst_device), ordered on ctx's stream
// when a CUDA device is involved; returns when dst may be read on the host.
void copy_bytes(const Context& ctx, void* dst, Device dst_device, const void* src, Device src_device,
                std::size_t bytes);

}  // namespace recon::detail

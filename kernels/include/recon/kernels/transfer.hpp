// Asynchronous host <-> device transfers, for pipelines that overlap copies with compute: a
// copy queued on one context's stream while kernels run on another's (two streams), page-locked
// host buffers (which cudaMemcpyAsync needs to run asynchronously, and the copy engines to reach
// full speed), and events that order one stream's work after another's. On the host every
// operation has finished when it returns: the copies are memcpy, the events no-ops.
#pragma once

#include <cstddef>

#include "recon/kernels/context.hpp"

namespace recon {

// A point in the work queued on a stream: record() marks it, then make_wait() makes another
// stream's later work wait for it, synchronize() the calling thread. Before the first record()
// it is already reached.
class StreamEvent {
 public:
  StreamEvent() = default;
  ~StreamEvent();
  StreamEvent(const StreamEvent&) = delete;
  StreamEvent& operator=(const StreamEvent&) = delete;

  void record(const Context& ctx);
  void make_wait(const Context& ctx) const;
  void synchronize() const;

 private:
  void* event_ = nullptr;  // cudaEvent_t, created by the first record() on a Cuda context
  int ordinal_ = 0;
};

// Host memory for the staging of transfers with `ctx`'s device: page-locked when ctx is a
// Cuda context, ordinary (64-byte aligned) otherwise. Not counted against memory limits (a cap
// is on device memory). OutOfMemory when the host cannot give it.
class PinnedBuffer {
 public:
  PinnedBuffer(const Context& ctx, std::size_t bytes);
  ~PinnedBuffer();
  PinnedBuffer(const PinnedBuffer&) = delete;
  PinnedBuffer& operator=(const PinnedBuffer&) = delete;

  void* data() const { return data_; }
  std::size_t bytes() const { return bytes_; }
  template <class T>
  T* as() const {
    return static_cast<T*>(data_);
  }

 private:
  void* data_ = nullptr;
  std::size_t bytes_ = 0;
  bool pinned_ = false;
};

// Queues a copy of `bytes` on ctx's stream and returns at once on a Cuda context: the host side
// must stay valid, and unread or unwritten, until the copy is known done (an event recorded
// after it). Host to host, or on a host context, it is a memcpy done on return.
void copy_bytes_async(const Context& ctx, void* dst, Device dst_device, const void* src, Device src_device,
                      std::size_t bytes);

}  // namespace recon

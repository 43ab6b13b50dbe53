// Context: where work runs. A cheap copyable handle; copies share the same stream,
// library handles and resource cache, and arrays keep their Context alive.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "recon/kernels/macros.hpp"

namespace recon {

enum class Device { Host, Cuda };

std::string to_string(Device d);

// True when the library was built with CUDA and at least one device is usable.
bool cuda_available();

struct DeviceInfo {
  Device device = Device::Host;
  int ordinal = 0;
  std::string name;
  std::size_t total_memory_bytes = 0;
  int compute_capability = 0;  // 90 for sm_90; 0 on the host
  int multiprocessors = 0;     // host: hardware threads
};

// Whether `choice` is a device choice Context::from_choice understands (auto, cpu, host, cuda,
// cuda:N), whether or not that device exists here.
bool is_device_choice(const std::string& choice);

// Every device this process can use: the host first, then each CUDA device.
std::vector<DeviceInfo> list_devices();

class Context;
namespace detail {
struct ContextState;
// Counts `bytes` against ctx's memory limit: false (nothing counted) when they would exceed it.
bool reserve_bytes(const Context& ctx, std::size_t bytes);
void release_bytes(const Context& ctx, std::size_t bytes) noexcept;
}  // namespace detail

class Context {
 public:
  // Host context running OpenMP with `threads` threads (0: OpenMP's default).
  static Context host(int threads = 0);
  // CUDA context on device `ordinal` with its own stream; DeviceError if there is none.
  static Context cuda(int ordinal = 0);
  // CUDA context on device `ordinal` that queues all its work on `stream`, a cudaStream_t the
  // caller owns (a framework's current stream, say; nullptr is the legacy default stream): the
  // context neither creates, synchronises on release nor destroys it, and its cuBLAS handle,
  // cuFFT plans and stream-ordered allocations are bound to it, so the engine's work runs after
  // what the caller queued there before and before what it queues after. The stream must outlive
  // every copy of the context. DeviceError on a host-only build or when the device does not exist.
  static Context cuda_on_stream(int ordinal, void* stream);
  // "auto" (CUDA when available, else host), "cpu", "cuda" or "cuda:N" (DeviceError if unavailable).
  static Context from_choice(const std::string& choice);

  Device device() const;
  bool is_cuda() const { return device() == Device::Cuda; }
  int ordinal() const;
  int host_threads() const;
  // Streaming multiprocessors on a Cuda context (sizes launch grids); host threads on the host.
  int multiprocessors() const;
  DeviceInfo info() const;

  // Waits until every operation queued on this context has finished.
  void synchronize() const;

  // Makes the work queued on this context from now on wait for everything queued on `other` so
  // far (an event recorded on other's stream that this stream waits on; the host waits for
  // nothing). A no-op unless both are Cuda contexts: host work has finished when it returns.
  void wait_for(const Context& other) const;

  // Opaque CUDA handles (cudaStream_t, cublasHandle_t); nullptr on the host. The cuBLAS
  // handle is created on first use and bound to the stream.
  void* stream() const;
  void* cublas_handle() const;

  // A cap on the bytes of the arrays held on this context (by it and its copies) at once: an
  // allocation beyond it fails with OutOfMemory, and available_bytes() reports what is left
  // under it. The streamed CT path (ct/streamed.hpp) plans its pieces to fit, so that a volume
  // larger than a device, or than a chosen share of it, is processed piece by piece; on the
  // host it rehearses the device path. 0 (the default): no cap.
  void set_memory_limit(std::size_t bytes) const;
  std::size_t memory_limit() const;
  std::size_t memory_in_use() const;  // bytes of the arrays alive on this context

  // Per-context cache of expensive objects (cuFFT/FFTW plans, workspaces) keyed by a
  // description string: created once by `make`, destroyed with the last Context copy.
  std::shared_ptr<void> cached(const std::string& key,
                               const std::function<std::shared_ptr<void>()>& make) const;

  bool operator==(const Context& o) const { return state_ == o.state_; }
  bool operator!=(const Context& o) const { return state_ != o.state_; }

 private:
  friend bool detail::reserve_bytes(const Context&, std::size_t);
  friend void detail::release_bytes(const Context&, std::size_t) noexcept;
  explicit Context(std::shared_ptr<detail::ContextState> s) : state_(std::move(s)) {}
  std::shared_ptr<detail::ContextState> state_;
};

}  // namespace recon

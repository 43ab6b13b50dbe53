// Allocation and inter-device copies. Device memory is stream-ordered so that freeing a
// temporary never stalls the stream; host memory is aligned for vector loads.
#include "recon/kernels/memory.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <utility>

#include "recon/kernels/error.hpp"
#include "recon/kernels/memory_budget.hpp"
#include "recon/kernels/transfer.hpp"

#if RECON_WITH_CUDA
#include "recon/kernels/cuda_check.hpp"
#endif

namespace recon {

namespace {

// The first number on the line of `path` that starts with `key` (0 when absent), times `unit`.
std::size_t read_number(const char* path, const std::string& key, std::size_t unit) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line))
    if (line.compare(0, key.size(), key) == 0) {
      const std::string rest = line.substr(key.size());
      const std::size_t digit = rest.find_first_of("0123456789");
      if (digit == std::string::npos) return 0;
      return static_cast<std::size_t>(std::strtoull(rest.c_str() + digit, nullptr, 10)) * unit;
    }
  return 0;
}

}  // namespace

std::size_t available_host_bytes() {
  std::size_t avail = read_number("/proc/meminfo", "MemAvailable:", 1024);
  if (avail == 0) {
    const long pages = sysconf(_SC_AVPHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages > 0 && page > 0) avail = static_cast<std::size_t>(pages) * static_cast<std::size_t>(page);
  }
  // A container's limit (cgroup v2; "max" reads as 0, no limit) bounds what the host offers.
  const std::size_t cgroup_max = read_number("/sys/fs/cgroup/memory.max", "", 1);
  if (cgroup_max > 0) {
    const std::size_t used = read_number("/sys/fs/cgroup/memory.current", "", 1);
    avail = std::min(avail, cgroup_max > used ? cgroup_max - used : 0);
  }
  rlimit as{};
  if (getrlimit(RLIMIT_AS, &as) == 0 && as.rlim_cur != RLIM_INFINITY)
    avail = std::min(avail, static_cast<std::size_t>(as.rlim_cur));
  return avail;
}

namespace {

std::size_t free_device_bytes(const Context& ctx) {
#if RECON_WITH_CUDA
  if (ctx.is_cuda()) {
    std::size_t free = 0, total = 0;
    RECON_CUDA_CHECK(cudaSetDevice(ctx.ordinal()));
    RECON_CUDA_CHECK(cudaMemGetInfo(&free, &total));
    return free;
  }
#else
  (void)ctx;
#endif
  return available_host_bytes();
}

std::string device_name(const Context& ctx) {
  return ctx.is_cuda() ? "cuda:" + std::to_string(ctx.ordinal()) : "the host";
}

}  // namespace

std::size_t available_bytes(const Context& ctx) {
  const std::size_t free = free_device_bytes(ctx), limit = ctx.memory_limit();
  if (limit == 0) return free;
  const std::size_t used = ctx.memory_in_use();
  return std::min(free, limit > used ? limit - used : 0);
}

std::string format_bytes(double bytes) {
  static const char* units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  if (bytes < 1024) return std::to_string(static_cast<long long>(bytes)) + " bytes";
  int u = -1;
  while (bytes >= 1024 && u < 5) {
    bytes /= 1024;
    ++u;
  }
  char text[64];
  std::snprintf(text, sizeof text,
                bytes < 10    ? "%.2f %s"
                : bytes < 1e4 ? "%.1f %s"
                              : "%.3g %s",
                bytes, units[u]);
  return text;
}

std::size_t parse_memory_size(const std::string& text, const std::string& where) {
  const auto fail = [&] {
    return InvalidArgument(where + ": '" + text +
                           "' is not a memory size; expected a number with an optional unit, e.g. 4GiB, "
                           "512MiB, 64KiB, 2GB or 4096 (bytes)");
  };
  std::size_t end = 0;
  double value = 0;
  try {
    value = std::stod(text, &end);
  } catch (const std::exception&) {
    throw fail();
  }
  std::string unit;
  for (char c : text.substr(end))
    if (c != ' ') unit += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static const std::pair<const char*, double> units[] = {
      {"", 1},       {"b", 1},        {"k", 0x1p10},   {"kib", 0x1p10}, {"kb", 1e3},
      {"m", 0x1p20}, {"mib", 0x1p20}, {"mb", 1e6},     {"g", 0x1p30},   {"gib", 0x1p30},
      {"gb", 1e9},   {"t", 0x1p40},   {"tib", 0x1p40}, {"tb", 1e12}};
  for (const auto& [name, scale] : units)
    if (unit == name) {
      const double bytes = value * scale;
      if (!(bytes >= 0) || bytes >= 0x1p63) throw fail();
      return static_cast<std::size_t>(bytes);
    }
  throw fail();
}

void require_memory(const Context& ctx, double bytes, const std::string& what) {
  const std::size_t avail = available_bytes(ctx);
  if (bytes > static_cast<double>(avail))
    throw OutOfMemory(what + " needs " + format_bytes(bytes) + ", but only " +
                      format_bytes(static_cast<double>(avail)) + " is available on " + device_name(ctx) +
                      (ctx.memory_limit() > 0 ? " under its memory limit of " +
                                                    format_bytes(static_cast<double>(ctx.memory_limit()))
                                              : ""));
}

}  // namespace recon

namespace recon::detail {

namespace {
constexpr std::size_t kHostAlignment = 64;
// Smaller requests skip the check: reading /proc/meminfo costs more than allocating them.
constexpr std::size_t kCheckedBytes = std::size_t{64} << 20;

// The allocation itself; the caller has counted it against the context's limit.
void* allocate_unlimited(const Context& ctx, std::size_t bytes) {
  if (ctx.is_cuda()) {
#if RECON_WITH_CUDA
    void* p = nullptr;
    RECON_CUDA_CHECK(cudaSetDevice(ctx.ordinal()));
    const cudaError_t status = cudaMallocAsync(&p, bytes, static_cast<cudaStream_t>(ctx.stream()));
    if (status == cudaErrorMemoryAllocation) {
      cudaGetLastError();
      throw OutOfMemory("out of device memory: an array of " + format_bytes(static_cast<double>(bytes)) +
                        " does not fit in the " + format_bytes(static_cast<double>(free_device_bytes(ctx))) +
                        " free on cuda:" + std::to_string(ctx.ordinal()));
    }
    RECON_CUDA_CHECK(status);
    return p;
#else
    throw DeviceError("allocate: Cuda context in a build without CUDA");
#endif
  }
  if (bytes >= kCheckedBytes && bytes > available_host_bytes())
    throw OutOfMemory("an array needs " + format_bytes(static_cast<double>(bytes)) + ", but only " +
                      format_bytes(static_cast<double>(available_host_bytes())) +
                      " is available on the host");
  const std::size_t rounded = (bytes + kHostAlignment - 1) / kHostAlignment * kHostAlignment;
  void* p = rounded >= bytes ? std::aligned_alloc(kHostAlignment, rounded) : nullptr;
  if (!p)
    throw OutOfMemory("out of host memory: an array of " + format_bytes(static_cast<double>(bytes)) +
                      " could not be allocated (" +
                      format_bytes(static_cast<double>(available_host_bytes())) + " available)");
  return p;
}

}  // namespace

void* allocate_bytes(const Context& ctx, std::size_t bytes) {
  if (bytes == 0) return nullptr;
  if (!reserve_bytes(ctx, bytes))
    throw OutOfMemory("device memory limit: an array of " + format_bytes(static_cast<double>(bytes)) +
                      " does not fit beside the " + format_bytes(static_cast<double>(ctx.memory_in_use())) +
                      " in use on " + device_name(ctx) + " under its limit of " +
                      format_bytes(static_cast<double>(ctx.memory_limit())));
  try {
    return allocate_unlimited(ctx, bytes);
  } catch (...) {
    release_bytes(ctx, bytes);
    throw;
  }
}

void free_bytes(const Context& ctx, void* ptr, std::size_t bytes) noexcept {
  if (!ptr) return;
  release_bytes(ctx, bytes);
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
  copy_bytes_async(ctx, dst, dst_device, src, src_device, bytes);
#if RECON_WITH_CUDA
  // Host memory is pageable: the caller may read or free it as soon as we return.
  if (bytes != 0 && (dst_device == Device::Host) != (src_device == Device::Host))
    RECON_CUDA_CHECK(cudaStreamSynchronize(static_cast<cudaStream_t>(ctx.stream())));
#endif
}

}  // namespace recon::detail

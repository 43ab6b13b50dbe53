// Context state and the CUDA runtime glue that needs no nvcc (streams, cuBLAS, queries).
#include "recon/kernels/context.hpp"

#include <omp.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "recon/kernels/error.hpp"

#if RECON_WITH_CUDA
#include <cublas_v2.h>

#include "recon/kernels/cuda_check.hpp"
#endif

namespace recon {
namespace detail {

struct ContextState {
  Device device = Device::Host;
  int ordinal = 0;
  int threads = 1;
  int multiprocessors = 0;
  void* stream = nullptr;
  void* cublas = nullptr;
  bool owns_stream = true;  // false: the caller's stream (Context::cuda_on_stream)
  std::atomic<std::size_t> memory_limit{0}, memory_in_use{0};
  std::mutex mutex;
  std::map<std::string, std::shared_ptr<void>> cache;

  ~ContextState() {
    cache.clear();  // plans and workspaces go before the stream they were made on
#if RECON_WITH_CUDA
    if (device == Device::Cuda) {
      cudaSetDevice(ordinal);
      if (owns_stream && stream) cudaStreamSynchronize(static_cast<cudaStream_t>(stream));
      if (cublas) cublasDestroy(static_cast<cublasHandle_t>(cublas));
      if (owns_stream && stream) cudaStreamDestroy(static_cast<cudaStream_t>(stream));
    }
#endif
  }
};

namespace {

std::string host_cpu_name() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0) {
      auto pos = line.find(':');
      if (pos != std::string::npos) return line.substr(pos + 2);
    }
  return "host CPU";
}

int cuda_device_count() {
#if RECON_WITH_CUDA
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();  // no driver or no device: clear the sticky error, report none
    return 0;
  }
  return count;
#else
  return 0;
#endif
}

}  // namespace
}  // namespace detail

std::string to_string(Device d) { return d == Device::Cuda ? "cuda" : "host"; }

bool cuda_available() { return detail::cuda_device_count() > 0; }

std::vector<DeviceInfo> list_devices() {
  std::vector<DeviceInfo> out;
  DeviceInfo host;
  host.device = Device::Host;
  host.name = detail::host_cpu_name();
  host.total_memory_bytes =
      static_cast<std::size_t>(sysconf(_SC_PHYS_PAGES)) * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  host.multiprocessors = static_cast<int>(std::thread::hardware_concurrency());
  out.push_back(host);
#if RECON_WITH_CUDA
  for (int i = 0; i < detail::cuda_device_count(); ++i) {
    cudaDeviceProp prop{};
    RECON_CUDA_CHECK(cudaGetDeviceProperties(&prop, i));
    DeviceInfo d;
    d.device = Device::Cuda;
    d.ordinal = i;
    d.name = prop.name;
    d.total_memory_bytes = prop.totalGlobalMem;
    d.compute_capability = prop.major * 10 + prop.minor;
    d.multiprocessors = prop.multiProcessorCount;
    out.push_back(d);
  }
#endif
  return out;
}

Context Context::host(int threads) {
  if (threads < 0)
    throw InvalidArgument("Context::host: thread count must be >= 0, got " + std::to_string(threads));
  auto s = std::make_shared<detail::ContextState>();
  s->device = Device::Host;
  s->threads = threads > 0 ? threads : omp_get_max_threads();
  s->multiprocessors = s->threads;
  return Context(s);
}

namespace detail {
namespace {
#if RECON_WITH_CUDA
// A Cuda context's state on device `ordinal` (checked against the devices present); no stream yet.
std::shared_ptr<ContextState> cuda_state(int ordinal, const char* where) {
  const int count = cuda_device_count();
  if (count == 0)
    throw DeviceError(std::string(where) +
                      ": no CUDA device is available on this machine (expected at least one)");
  if (ordinal < 0 || ordinal >= count)
    throw DeviceError(std::string(where) + ": device " + std::to_string(ordinal) + " requested, but only " +
                      std::to_string(count) + " CUDA device(s) exist");
  auto s = std::make_shared<ContextState>();
  s->device = Device::Cuda;
  s->ordinal = ordinal;
  s->threads = omp_get_max_threads();
  RECON_CUDA_CHECK(cudaSetDevice(ordinal));
  RECON_CUDA_CHECK(cudaDeviceGetAttribute(&s->multiprocessors, cudaDevAttrMultiProcessorCount, ordinal));
  return s;
}
#else
[[noreturn]] void no_cuda(const char* where) {
  throw DeviceError(std::string(where) +
                    ": this build of recon has no CUDA support (configure with -DRECON_CUDA=ON)");
}
#endif
}  // namespace
}  // namespace detail

Context Context::cuda(int ordinal) {
#if RECON_WITH_CUDA
  auto s = detail::cuda_state(ordinal, "Context::cuda");
  cudaStream_t stream = nullptr;
  RECON_CUDA_CHECK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  s->stream = stream;
  return Context(s);
#else
  (void)ordinal;
  detail::no_cuda("Context::cuda");
#endif
}

Context Context::cuda_on_stream(int ordinal, void* stream) {
#if RECON_WITH_CUDA
  auto s = detail::cuda_state(ordinal, "Context::cuda_on_stream");
  s->stream = stream;
  s->owns_stream = false;
  return Context(s);
#else
  (void)ordinal;
  (void)stream;
  detail::no_cuda("Context::cuda_on_stream");
#endif
}

namespace {
// N of "cuda:N" (at most 4 digits), or -1.
int cuda_ordinal(const std::string& choice) {
  const std::string n = choice.rfind("cuda:", 0) == 0 ? choice.substr(5) : "";
  if (n.empty() || n.size() > 4 || n.find_first_not_of("0123456789") != std::string::npos) return -1;
  return std::stoi(n);
}
}  // namespace

bool is_device_choice(const std::string& choice) {
  return choice == "auto" || choice == "cpu" || choice == "host" || choice == "cuda" ||
         cuda_ordinal(choice) >= 0;
}

Context Context::from_choice(const std::string& choice) {
  if (choice == "cpu" || choice == "host") return host();
  if (choice == "cuda") return cuda();
  if (choice == "auto") return cuda_available() ? cuda() : host();
  if (cuda_ordinal(choice) >= 0) return cuda(cuda_ordinal(choice));
  throw InvalidArgument("device choice '" + choice + "' is not one of auto, cpu, cuda, cuda:N");
}

Device Context::device() const { return state_ ? state_->device : Device::Host; }
int Context::ordinal() const { return state_->ordinal; }
int Context::host_threads() const { return state_->threads; }
int Context::multiprocessors() const { return state_->multiprocessors; }
void* Context::stream() const { return state_->stream; }
void Context::set_memory_limit(std::size_t bytes) const { state_->memory_limit = bytes; }
std::size_t Context::memory_limit() const { return state_->memory_limit; }
std::size_t Context::memory_in_use() const { return state_->memory_in_use; }

DeviceInfo Context::info() const {
  for (const DeviceInfo& d : list_devices())
    if (d.device == device() && d.ordinal == ordinal()) return d;
  throw DeviceError("Context::info: device " + to_string(device()) + ":" + std::to_string(ordinal()) +
                    " not found");
}

void Context::synchronize() const {
#if RECON_WITH_CUDA
  if (is_cuda()) RECON_CUDA_CHECK(cudaStreamSynchronize(static_cast<cudaStream_t>(state_->stream)));
#endif
}

void Context::wait_for(const Context& other) const {
#if RECON_WITH_CUDA
  if (!is_cuda() || !other.is_cuda() || state_->stream == other.state_->stream) return;
  cudaEvent_t done = nullptr;
  RECON_CUDA_CHECK(cudaSetDevice(other.ordinal()));
  RECON_CUDA_CHECK(cudaEventCreateWithFlags(&done, cudaEventDisableTiming));
  const cudaError_t recorded = cudaEventRecord(done, static_cast<cudaStream_t>(other.stream()));
  const cudaError_t waited = recorded == cudaSuccess
                                 ? cudaStreamWaitEvent(static_cast<cudaStream_t>(state_->stream), done, 0)
                                 : recorded;
  cudaEventDestroy(done);  // released once the wait no longer needs it
  RECON_CUDA_CHECK(waited);
#else
  (void)other;
#endif
}

void* Context::cublas_handle() const {
#if RECON_WITH_CUDA
  if (!is_cuda()) return nullptr;
  std::lock_guard<std::mutex> lock(state_->mutex);
  if (!state_->cublas) {
    cublasHandle_t h = nullptr;
    if (cublasCreate(&h) != CUBLAS_STATUS_SUCCESS) throw DeviceError("Context: cublasCreate failed");
    cublasSetStream(h, static_cast<cudaStream_t>(state_->stream));
    state_->cublas = h;
  }
  return state_->cublas;
#else
  return nullptr;
#endif
}

std::shared_ptr<void> Context::cached(const std::string& key,
                                      const std::function<std::shared_ptr<void>()>& make) const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  auto it = state_->cache.find(key);
  if (it != state_->cache.end()) return it->second;
  auto value = make();
  state_->cache.emplace(key, value);
  return value;
}

namespace detail {

bool reserve_bytes(const Context& ctx, std::size_t bytes) {
  ContextState& s = *ctx.state_;
  std::size_t used = s.memory_in_use.load();
  do {
    const std::size_t limit = s.memory_limit.load();
    if (limit > 0 && (bytes > limit || used > limit - bytes)) return false;
  } while (!s.memory_in_use.compare_exchange_weak(used, used + bytes));
  return true;
}

void release_bytes(const Context& ctx, std::size_t bytes) noexcept { ctx.state_->memory_in_use -= bytes; }

[[noreturn]] void throw_launch_needs_nvcc(const char* what) {
  throw DeviceError(std::string(what) +
                    ": a Cuda context reached a launch compiled without nvcc; compile the calling "
                    "source as CUDA (a .cu file) to run it on the device");
}

index_t cuda_grid_limit(const Context& ctx) { return static_cast<index_t>(ctx.multiprocessors()) * 32; }

}  // namespace detail
}  // namespace recon

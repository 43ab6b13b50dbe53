// Device selection and its errors.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "backends.hpp"
#include "recon/kernels/graph_replay.hpp"
#include "recon/kernels/vector_ops.hpp"

#if RECON_WITH_CUDA
#include <cuda_runtime.h>

#include "recon/kernels/cuda_check.hpp"
#endif

namespace recon::testing {
namespace {

TEST(Context, HostIsAlwaysAvailable) {
  const Context ctx = Context::from_choice("cpu");
  EXPECT_EQ(ctx.device(), Device::Host);
  EXPECT_GE(ctx.host_threads(), 1);
  EXPECT_EQ(ctx.stream(), nullptr);
  EXPECT_EQ(list_devices().front().device, Device::Host);
}

TEST(Context, AutoPicksCudaExactlyWhenAvailable) {
  EXPECT_EQ(Context::from_choice("auto").device(), cuda_available() ? Device::Cuda : Device::Host);
}

TEST(Context, UnknownChoiceIsInvalidArgument) {
  for (const char* bad : {"gpu", "cuda:", "cuda:x", "cuda:-1", "cuda:12345"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(is_device_choice(bad));
    try {
      Context::from_choice(bad);
      FAIL();
    } catch (const InvalidArgument& e) {
      EXPECT_EQ(std::string(e.what()),
                std::string("device choice '") + bad + "' is not one of auto, cpu, cuda, cuda:N");
    }
  }
  for (const char* good : {"auto", "cpu", "host", "cuda", "cuda:0", "cuda:7"})
    EXPECT_TRUE(is_device_choice(good));
}

TEST(Context, CudaWithoutDeviceIsDeviceError) {
  if (cuda_available()) GTEST_SKIP() << "a CUDA device is present";
  EXPECT_THROW(Context::cuda(), DeviceError);
  EXPECT_THROW(Context::from_choice("cuda"), DeviceError);
}

TEST(Context, CopiesShareTheCache) {
  const Context a = Context::host();
  const Context b = a;
  int made = 0;
  auto make = [&] {
    ++made;
    return std::make_shared<int>(42);
  };
  auto p = a.cached("k", make);
  auto q = b.cached("k", make);
  EXPECT_EQ(p, q);
  EXPECT_EQ(made, 1);
  EXPECT_NE(Context::host().cached("k", make), p);
}

TEST(Context, NegativeThreadCountIsRejected) { EXPECT_THROW(Context::host(-1), InvalidArgument); }

TEST(Context, CudaStreamAndCublasHandleExistOnDevice) {
  if (!cuda_available()) GTEST_SKIP() << "no CUDA device on this machine";
  const Context ctx = Context::cuda();
  EXPECT_NE(ctx.stream(), nullptr);
  EXPECT_NE(ctx.cublas_handle(), nullptr);
  EXPECT_GT(ctx.multiprocessors(), 0);
}

TEST(Context, CudaOnStreamWithoutDeviceIsDeviceError) {
  if (cuda_available()) GTEST_SKIP() << "a CUDA device is present";
  EXPECT_THROW(Context::cuda_on_stream(0, nullptr), DeviceError);
}

TEST(Context, WaitForIsANoOpOnTheHost) {
  const Context a = Context::host(), b = Context::host();
  a.wait_for(b);
}

#if RECON_WITH_CUDA
// Spins for about `cycles` clock cycles, then writes `value` everywhere: work that is still
// running when the host queues the next operation.
__global__ void slow_fill(float* p, index_t n, float value, long long cycles) {
  const long long t0 = clock64();
  while (clock64() - t0 < cycles) {
  }
  for (index_t i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += index_t(gridDim.x) * blockDim.x)
    p[i] = value;
}

constexpr index_t kN = 1 << 20;
constexpr long long kSpin = 200'000'000;  // ~0.1 s at 2 GHz

// x zeroed and finished, then filled with 2 by slow_fill on `stream` (still running on return).
void zero_then_slow_fill(const Context& ctx, Array<float>& x, cudaStream_t stream) {
  ctx.synchronize();  // x's stream-ordered allocation has happened
  RECON_CUDA_CHECK(cudaMemset(x.data(), 0, sizeof(float) * kN));
  RECON_CUDA_CHECK(cudaDeviceSynchronize());
  slow_fill<<<64, 256, 0, stream>>>(x.data(), kN, 2.0f, kSpin);
  RECON_CUDA_CHECK(cudaGetLastError());
}
#endif

// The engine's work on a context made on the caller's stream runs after what the caller queued
// there: y = 3 x right after a slow kernel that writes x, with no synchronisation between them,
// sees the kernel's x (an engine that used a stream of its own would read the zeros).
TEST(Context, CudaOnStreamRunsAfterTheCallersWork) {
  if (!cuda_available()) GTEST_SKIP() << "no CUDA device on this machine";
#if RECON_WITH_CUDA
  cudaStream_t stream = nullptr;
  RECON_CUDA_CHECK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  {
    const Context ctx = Context::cuda_on_stream(0, stream);
    EXPECT_TRUE(ctx.is_cuda());
    EXPECT_EQ(ctx.stream(), static_cast<void*>(stream));
    EXPECT_NE(ctx.cublas_handle(), nullptr);
    Array<float> x(ctx, Shape{kN}), y(ctx, Shape{kN});
    zero_then_slow_fill(ctx, x, stream);
    EXPECT_EQ(cudaStreamQuery(stream), cudaErrorNotReady);  // the kernel is still running
    scale<float>(ctx, 3.0f, x.view(), y.view());
    const std::vector<float> host = y.to_host_vector();
    EXPECT_EQ(host.front(), 6.0f);
    EXPECT_EQ(host.back(), 6.0f);
  }
  // The context neither destroyed nor left work on the caller's stream.
  EXPECT_EQ(cudaStreamQuery(stream), cudaSuccess);
  RECON_CUDA_CHECK(cudaStreamDestroy(stream));
#endif
}

// wait_for orders a context's own stream after another's queued work.
TEST(Context, WaitForOrdersAfterTheOtherStream) {
  if (!cuda_available()) GTEST_SKIP() << "no CUDA device on this machine";
#if RECON_WITH_CUDA
  cudaStream_t stream = nullptr;
  RECON_CUDA_CHECK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  {
    const Context own = Context::cuda(0), caller = Context::cuda_on_stream(0, stream);
    Array<float> x(own, Shape{kN}), y(own, Shape{kN});
    zero_then_slow_fill(own, x, stream);
    own.wait_for(caller);
    scale<float>(own, 3.0f, x.view(), y.view());
    const std::vector<float> host = y.to_host_vector();
    EXPECT_EQ(host.front(), 6.0f);
    EXPECT_EQ(host.back(), 6.0f);
  }
  RECON_CUDA_CHECK(cudaStreamDestroy(stream));
#endif
}

// GraphReplay: every run does the body's work. On the host the body runs each time; on a GPU the
// first run captures it and later runs launch the graph, except for a body that cannot be
// captured (it synchronises), which runs directly each time.
std::vector<float> scaled_thrice(const Context& ctx, bool synchronising, bool& replayed) {
  auto x = Array<float>::from_host(ctx, Shape{1000}, std::vector<float>(1000, 1.0f));
  GraphReplay replay(ctx);
  for (int k = 0; k < 3; ++k)
    replay.run([&] {
      scale<float>(ctx, 2.0f, x.view(), x.view());
      if (synchronising) ctx.synchronize();
    });
  replayed = replay.replaying();
  return x.to_host_vector();
}

TEST(GraphReplay, RunsTheBodyOnTheHost) {
  bool replayed = true;
  EXPECT_EQ(scaled_thrice(Context::host(), false, replayed), std::vector<float>(1000, 8.0f));
  EXPECT_FALSE(replayed);
}

TEST(GraphReplay, ReplaysCapturedWorkOnTheDevice) {
  if (!cuda_available()) GTEST_SKIP() << "no CUDA device on this machine";
  bool replayed = false;
  EXPECT_EQ(scaled_thrice(Context::cuda(0), false, replayed), std::vector<float>(1000, 8.0f));
  EXPECT_TRUE(replayed);
  EXPECT_EQ(scaled_thrice(Context::cuda(0), true, replayed), std::vector<float>(1000, 8.0f));
  EXPECT_FALSE(replayed);
}

}  // namespace
}  // namespace recon::testing

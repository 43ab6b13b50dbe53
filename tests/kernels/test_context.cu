// Device selection and its errors.
#include <gtest/gtest.h>

#include <string>

#include "backends.hpp"

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

}  // namespace
}  // namespace recon::testing

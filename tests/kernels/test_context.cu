// Device selection and its errors.
#include <gtest/gtest.h>

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
  try {
    Context::from_choice("gpu");
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_STREQ(e.what(), "device choice 'gpu' is not one of auto, cpu, cuda");
  }
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

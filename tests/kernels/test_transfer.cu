// Asynchronous transfers (transfer.hpp): a copy stream and a compute stream ordered by events
// through page-locked buffers give the values a synchronous path gives. On a GPU the arrays
// are large enough that a missing wait would let the compute read the upload half done.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>

#include "backends.hpp"
#include "recon/kernels/transfer.hpp"
#include "recon/kernels/vector_ops.hpp"

namespace recon::testing {
namespace {

template <class B>
using TransferTest = BackendTest<B>;
TYPED_TEST_SUITE(TransferTest, AllBackends, BackendName);

TYPED_TEST(TransferTest, CopyStreamAndComputeStreamOrderedByEvents) {
  using T = typename TypeParam::value_type;
  const Context& ctx = this->ctx();
  const Context copies = ctx.is_cuda() ? Context::cuda(ctx.ordinal()) : ctx;
  const index_t n = index_t(1) << 24;
  const auto values = random_values<T>(static_cast<size_t>(n), 3);
  const std::size_t bytes = sizeof(T) * static_cast<std::size_t>(n);
  PinnedBuffer up(ctx, bytes), down(ctx, bytes);
  std::memcpy(up.data(), values.data(), bytes);
  Array<T> a(ctx, Shape{n});
  StreamEvent allocated, moved, computed, back;
  allocated.record(ctx);  // the stream-ordered allocation precedes the copy stream's write
  allocated.make_wait(copies);
  copy_bytes_async(copies, a.data(), ctx.device(), up.data(), Device::Host, bytes);
  moved.record(copies);
  moved.make_wait(ctx);
  scale<T>(ctx, T(2), a.view(), a.view());
  computed.record(ctx);
  computed.make_wait(copies);
  copy_bytes_async(copies, down.data(), Device::Host, a.data(), ctx.device(), bytes);
  back.record(copies);
  back.synchronize();
  const T* got = down.as<T>();
  for (index_t i = 0; i < n; i += 4099) ASSERT_EQ(got[i], T(2) * values[static_cast<size_t>(i)]) << i;
  EXPECT_EQ(got[n - 1], T(2) * values.back());
}

TEST(PinnedBuffer, AlignedAndSized) {
  const Context host = Context::host();
  const PinnedBuffer empty(host, 0), some(host, 100);
  EXPECT_EQ(empty.bytes(), 0u);
  EXPECT_EQ(some.bytes(), 100u);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(some.data()) % 64, 0u);
  StreamEvent never;  // never recorded: already reached
  never.synchronize();
  never.make_wait(host);
}

}  // namespace
}  // namespace recon::testing

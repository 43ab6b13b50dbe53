// Vector updates against straightforward host loops, and their argument checks.
#include <gtest/gtest.h>

#include "backends.hpp"
#include "recon/kernels/bandwidth.hpp"

namespace recon::testing {
namespace {

template <class B>
using VectorOpsTest = BackendTest<B>;
TYPED_TEST_SUITE(VectorOpsTest, AllBackends, BackendName);

TYPED_TEST(VectorOpsTest, UpdatesMatchHostLoops) {
  using T = typename TypeParam::value_type;
  const index_t n = 30001;
  const auto xv = random_values<T>(n, 1), yv = random_values<T>(n, 2), zv = random_values<T>(n, 3);
  const Context& ctx = this->ctx();
  auto x = Array<T>::from_host(ctx, Shape{n}, xv);
  auto y = Array<T>::from_host(ctx, Shape{n}, yv);
  auto z = Array<T>::from_host(ctx, Shape{n}, zv);
  Array<T> out(ctx, Shape{n});
  const T a = T(0.75), b = T(-1.5), c = T(2.25);
  // The device may contract a*x + b*y into an FMA: allow a few ulps of the terms (<= ~7).
  const double tol = sizeof(T) == 4 ? 4e-6 : 1e-14;

  axpby<T>(ctx, a, x, b, y);
  auto got = y.to_host_vector();
  for (index_t i = 0; i < n; ++i) ASSERT_NEAR(got[i], a * xv[i] + b * yv[i], tol);

  axpbypcz<T>(ctx, a, x, b, x, c, z);
  got = z.to_host_vector();
  for (index_t i = 0; i < n; ++i) ASSERT_NEAR(got[i], a * xv[i] + b * xv[i] + c * zv[i], tol);

  scale<T>(ctx, c, x, out);
  got = out.to_host_vector();
  for (index_t i = 0; i < n; ++i) ASSERT_NEAR(got[i], c * xv[i], tol);

  multiply<T>(ctx, x, x, out);
  got = out.to_host_vector();
  for (index_t i = 0; i < n; ++i) ASSERT_NEAR(got[i], xv[i] * xv[i], tol);

  copy<T>(ctx, x, out);
  EXPECT_EQ(out.to_host_vector(), xv);

  fill<T>(ctx, out, T(-3));
  EXPECT_EQ(out.to_host_vector(), std::vector<T>(n, T(-3)));
}

TYPED_TEST(VectorOpsTest, RejectsMismatchedSizes) {
  using T = typename TypeParam::value_type;
  Array<T> x(this->ctx(), Shape{10}), y(this->ctx(), Shape{11});
  EXPECT_THROW(axpby<T>(this->ctx(), T(1), x, T(1), y), ShapeMismatch);
  EXPECT_THROW(dot<T>(this->ctx(), x, y), ShapeMismatch);
  try {
    copy<T>(this->ctx(), x, y);
    FAIL() << "copy accepted mismatched sizes";
  } catch (const ShapeMismatch& e) {
    EXPECT_STREQ(e.what(), "copy: operand 'y' has shape (11,) (11 elements), expected 10 elements");
  }
}

TEST(VectorOpsErrors, RejectsOperandOnAnotherDevice) {
  if (!cuda_available()) GTEST_SKIP() << "needs a CUDA device to have two devices";
  const Context host = Context::host(), cuda = Context::cuda();
  Array<float> x(host, Shape{4}), y(cuda, Shape{4});
  EXPECT_THROW(axpby<float>(cuda, 1.f, x, 1.f, y), InvalidArgument);
}

// The copy-bandwidth measurement on the caller's buffers (the benchmarks' roofline beside each
// benchmark): it copies, reports the buffer's size and a positive rate, and refuses buffers of
// two sizes.
TEST(CopyBandwidth, MeasuresOnTheCallersBuffers) {
  const Context ctx = Context::host();
  const auto from = Array<float>::from_host(ctx, Shape{1000}, std::vector<float>(1000, 2.5f));
  Array<float> to(ctx, Shape{1000}), other(ctx, Shape{999});
  const CopyBandwidth bw = measure_copy_bandwidth(ctx, from.cview(), to.view(), 3);
  EXPECT_EQ(to.to_host_vector(), std::vector<float>(1000, 2.5f));
  EXPECT_EQ(bw.bytes, 1000 * sizeof(float));
  EXPECT_GT(bw.gbytes_per_s, 0);
  EXPECT_THROW(measure_copy_bandwidth(ctx, from.cview(), other.view(), 3), InvalidArgument);
  EXPECT_THROW(measure_copy_bandwidth(ctx, from.cview(), to.view(), 0), InvalidArgument);
}

}  // namespace
}  // namespace recon::testing

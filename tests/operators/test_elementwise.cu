// Identity, Diagonal, Subsample/mask and Reshape: adjoint test, values, normal_inverse and the
// argument checks.
#include <gtest/gtest.h>

#include "adjoint.hpp"
#include "recon/operators/operators.hpp"

namespace recon::testing {
namespace {

template <class B>
using ElementwiseTest = BackendTest<B>;
TYPED_TEST_SUITE(ElementwiseTest, AllBackends, BackendName);

template <class T>
std::vector<T> solve_host(const Operator<T>& op, const Context& ctx, T lambda, const std::vector<T>& b) {
  auto ba = Array<T>::from_host(ctx, op.domain(), b);
  Array<T> x(ctx, op.domain());
  op.normal_inverse(ctx, lambda, ba, x);
  return x.to_host_vector();
}

TYPED_TEST(ElementwiseTest, AdjointOnOddAndEvenShapes) {
  using T = typename TypeParam::value_type;
  const Context& ctx = this->ctx();
  for (const Shape& s : {Shape{7}, Shape{4, 6}, Shape{3, 5, 2}}) {
    expect_adjoint(identity<T>(s), ctx);
    expect_adjoint(diagonal<T>(Array<T>::from_host(ctx, s, random_values<T>(s.size(), 4))), ctx);
    std::vector<std::uint8_t> keep(s.size());
    for (std::size_t i = 0; i < keep.size(); ++i) keep[i] = (i * 7 + 3) % 3 != 0;
    expect_adjoint(mask<T>(ctx, s, keep), ctx);
    expect_adjoint(subsample<T>(ctx, s, {s.size() - 1, 0, 2}), ctx);
    expect_adjoint(reshape<T>(s, Shape{s.size()}), ctx);
  }
}

TYPED_TEST(ElementwiseTest, ValuesAndZeroFilledAdjoint) {
  using T = typename TypeParam::value_type;
  const Context& ctx = this->ctx();
  const std::vector<T> x = {1, 2, 3, 4, 5, 6};
  const auto d = diagonal<T>(Array<T>::from_host(ctx, Shape{2, 3}, {2, 0, -1, 1, 3, 0.5}));
  EXPECT_EQ(apply_host(d, ctx, x), (std::vector<T>{2, 0, -3, 4, 15, 3}));
  const auto m = mask<T>(ctx, Shape{2, 3}, {0, 1, 0, 1, 1, 0});
  EXPECT_EQ(m.range(), Shape{3});
  EXPECT_EQ(apply_host(m, ctx, x), (std::vector<T>{2, 4, 5}));
  EXPECT_EQ(adjoint_host(m, ctx, {7, 8, 9}), (std::vector<T>{0, 7, 0, 8, 9, 0}));
  const auto p = subsample<T>(ctx, Shape{6}, {5, 0});
  EXPECT_EQ(apply_host(p, ctx, x), (std::vector<T>{6, 1}));
  EXPECT_EQ(adjoint_host(p, ctx, {-1, 2}), (std::vector<T>{2, 0, 0, 0, 0, -1}));
  const auto r = reshape<T>(Shape{2, 3}, Shape{3, 2});
  EXPECT_EQ(r.range(), (Shape{3, 2}));
  EXPECT_EQ(apply_host(r, ctx, x), x);
}

TYPED_TEST(ElementwiseTest, NormalInverseSolvesTheSystem) {
  using T = typename TypeParam::value_type;
  const Context& ctx = this->ctx();
  const T lambda = T(0.5);
  const std::vector<T> b = {1, -2, 3, 4};
  const std::vector<T> w = {2, 0, -1, 0.5};
  const auto d = diagonal<T>(Array<T>::from_host(ctx, Shape{4}, w));
  const auto m = mask<T>(ctx, Shape{4}, {1, 0, 0, 1});
  const auto xd = solve_host(d, ctx, lambda, b), xm = solve_host(m, ctx, lambda, b),
             xi = solve_host(identity<T>(Shape{4}), ctx, lambda, b);
  const std::vector<T> kept = {1, 0, 0, 1};
  for (std::size_t i = 0; i < b.size(); ++i) {
    EXPECT_NEAR((w[i] * w[i] + lambda) * xd[i], b[i], 1e-6);
    EXPECT_NEAR((kept[i] + lambda) * xm[i], b[i], 1e-6);
    EXPECT_NEAR((1 + lambda) * xi[i], b[i], 1e-6);
  }
  EXPECT_THROW(solve_host(m, ctx, T(0), b), InvalidArgument);
}

TEST(ElementwiseErrors, RejectsBadConstruction) {
  const Context ctx = Context::host();
  EXPECT_THROW(subsample<float>(ctx, Shape{4}, {0, 4}), InvalidArgument);
  EXPECT_THROW(subsample<float>(ctx, Shape{4}, {-1}), InvalidArgument);
  EXPECT_THROW(subsample<float>(ctx, Shape{4}, {1, 2, 1}), InvalidArgument);
  EXPECT_THROW(subsample<float>(ctx, Shape{4}, {}), InvalidArgument);
  EXPECT_THROW(mask<float>(ctx, Shape{4}, {1, 0, 1}), ShapeMismatch);
  EXPECT_THROW(mask<float>(ctx, Shape{3}, {0, 0, 0}), InvalidArgument);
  EXPECT_THROW(reshape<float>(Shape{4, 3}, Shape{5, 2}), ShapeMismatch);
  EXPECT_THROW(identity<float>(Shape{0}), InvalidArgument);
}

TEST(ElementwiseErrors, RejectsBadOperands) {
  const Context ctx = Context::host();
  const auto id = identity<float>(Shape{3, 4});
  Array<float> x(ctx, Shape{3, 4}), flat(ctx, Shape{12});
  fill<float>(ctx, x, 1.f);
  EXPECT_THROW(id.apply(ctx, x, flat), ShapeMismatch);
  EXPECT_THROW(id.apply(ctx, View<const float>(), x), ShapeMismatch);
  try {
    id.apply(ctx, x, x.view());
    FAIL() << "in-place apply was accepted";
  } catch (const InvalidArgument& e) {
    EXPECT_STREQ(e.what(), "Identity.apply: input and output overlap; in-place use is not supported");
  }
  Operator<float> empty;
  EXPECT_THROW(empty.domain(), InvalidArgument);
}

TEST(ElementwiseErrors, RejectsDataOnAnotherDevice) {
  if (!cuda_available()) GTEST_SKIP() << "needs a CUDA device to have two devices";
  const Context host = Context::host(), cuda = Context::cuda();
  const auto d = diagonal<float>(Array<float>::from_host(host, Shape{3}, {1, 2, 3}));
  Array<float> x(cuda, Shape{3}), y(cuda, Shape{3});
  EXPECT_THROW(d.apply(cuda, x, y), InvalidArgument);
  Array<float> hx(host, Shape{3});
  EXPECT_THROW(d.apply(cuda, hx, y), InvalidArgument);
}

}  // namespace
}  // namespace recon::testing

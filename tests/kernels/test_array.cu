// Arrays, views and copies between devices.
#include <gtest/gtest.h>

#include "backends.hpp"

namespace recon::testing {
namespace {

template <class B>
using ArrayTest = BackendTest<B>;
TYPED_TEST_SUITE(ArrayTest, AllBackends, BackendName);

TYPED_TEST(ArrayTest, RoundTripsValuesThroughTheDevice) {
  using T = typename TypeParam::value_type;
  for (index_t n : {1, 7, 1000, 65537}) {
    const auto values = random_values<T>(static_cast<size_t>(n), 11);
    auto a = Array<T>::from_host(this->ctx(), Shape{n}, values);
    EXPECT_EQ(a.device(), TypeParam::device);
    EXPECT_EQ(a.to_host_vector(), values);
  }
}

TYPED_TEST(ArrayTest, KeepsShapeInNumpyOrder) {
  using T = typename TypeParam::value_type;
  Array<T> a(this->ctx(), Shape{3, 5, 7});
  EXPECT_EQ(a.shape().ndim(), 3);
  EXPECT_EQ(a.size(), 105);
  EXPECT_EQ(a.shape().back(0), 7);  // x is the last, fastest axis
  EXPECT_EQ(a.shape().back(2), 3);
  EXPECT_EQ(a.shape().back(3), 1);
  EXPECT_EQ(a.shape().str(), "(3, 5, 7)");
  EXPECT_EQ(Shape{4}.str(), "(4,)");
}

TYPED_TEST(ArrayTest, CopiesToAnotherDeviceAndBack) {
  using T = typename TypeParam::value_type;
  const auto values = random_values<T>(4099, 3);
  auto a = Array<T>::from_host(this->ctx(), Shape{4099}, values);
  const Context host = Context::host();
  auto on_host = a.to(host);
  EXPECT_EQ(on_host.device(), Device::Host);
  auto back = on_host.to(this->ctx());
  EXPECT_EQ(back.device(), TypeParam::device);
  EXPECT_EQ(back.to_host_vector(), values);
}

TYPED_TEST(ArrayTest, MovesWithoutCopying) {
  using T = typename TypeParam::value_type;
  Array<T> a = Array<T>::from_host(this->ctx(), Shape{2, 2}, {1, 2, 3, 4});
  const T* p = a.data();
  Array<T> b = std::move(a);
  EXPECT_EQ(b.data(), p);
  EXPECT_EQ(a.data(), nullptr);
  EXPECT_EQ(a.size(), 0);
  a = std::move(b);
  EXPECT_EQ(a.to_host_vector(), (std::vector<T>{1, 2, 3, 4}));
}

TYPED_TEST(ArrayTest, EmptyArraysAreValid) {
  using T = typename TypeParam::value_type;
  Array<T> a(this->ctx(), Shape{0, 5});
  EXPECT_EQ(a.size(), 0);
  EXPECT_TRUE(a.to_host_vector().empty());
}

TEST(ArrayErrors, FromHostRejectsWrongCount) {
  EXPECT_THROW(Array<float>::from_host(Context::host(), Shape{3}, {1.f, 2.f}), ShapeMismatch);
}

TEST(ArrayErrors, ReshapeMustKeepTheSize) {
  Array<float> a(Context::host(), Shape{6});
  EXPECT_NO_THROW(a.view().reshaped(Shape{2, 3}));
  EXPECT_THROW(a.view().reshaped(Shape{4, 2}), ShapeMismatch);
}

TEST(ArrayErrors, ShapeRejectsNegativeAndTooManyAxes) {
  EXPECT_THROW((Shape{3, -1}), InvalidArgument);
  EXPECT_THROW((Shape{1, 2, 3, 4, 5}), InvalidArgument);
}

}  // namespace
}  // namespace recon::testing

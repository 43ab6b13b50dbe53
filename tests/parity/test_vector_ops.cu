// Parity of the vector operations and reductions of kernels/vector_ops.hpp.
#include <cmath>

#include "parity.hpp"

namespace recon::parity {
namespace {

template <class T>
class ParityVectorOps : public ParityTest<T> {};
TYPED_TEST_SUITE(ParityVectorOps, ParityTypes, TypeName);

// Not a multiple of the host's reduction block (4096) or of a warp.
constexpr index_t kN = 100003;

TYPED_TEST(ParityVectorOps, ElementwiseOps) {
  using T = TypeParam;
  const Shape s{kN};
  const auto x = random_values<T>(kN, 11), y = random_values<T>(kN, 12), z = random_values<T>(kN, 13);
  const auto tol = elementwise<T>();
  this->expect_same(
      "fill",
      [&](const Context& c) {
        auto out = poisoned<T>(c, s);
        fill<T>(c, out.view(), T(0.37));
        return out.to_host_vector();
      },
      tol);
  this->expect_same(
      "copy",
      [&](const Context& c) {
        const auto a = Array<T>::from_host(c, s, x);
        auto out = poisoned<T>(c, s);
        copy<T>(c, a.view(), out.view());
        return out.to_host_vector();
      },
      tol);
  this->expect_same(
      "scale",
      [&](const Context& c) {
        const auto a = Array<T>::from_host(c, s, x);
        auto out = poisoned<T>(c, s);
        scale<T>(c, T(-1.7), a.view(), out.view());
        return out.to_host_vector();
      },
      tol);
  this->expect_same(
      "axpby",
      [&](const Context& c) {
        const auto a = Array<T>::from_host(c, s, x);
        auto b = Array<T>::from_host(c, s, y);
        axpby<T>(c, T(0.7), a.view(), T(-1.3), b.view());
        return b.to_host_vector();
      },
      tol);
  this->expect_same(
      "axpbypcz",
      [&](const Context& c) {
        const auto a = Array<T>::from_host(c, s, x), b = Array<T>::from_host(c, s, y);
        auto d = Array<T>::from_host(c, s, z);
        axpbypcz<T>(c, T(0.7), a.view(), T(-1.3), b.view(), T(2.1), d.view());
        return d.to_host_vector();
      },
      tol);
  this->expect_same(
      "multiply",
      [&](const Context& c) {
        const auto a = Array<T>::from_host(c, s, x), b = Array<T>::from_host(c, s, y);
        auto out = poisoned<T>(c, s);
        multiply<T>(c, a.view(), b.view(), out.view());
        return out.to_host_vector();
      },
      tol);
}

// Sums are bounded by reduction_bound (parity.hpp): double accumulation on both sides, so the
// summation order costs n u_double sum|terms|; max_abs is order-independent (one term).
TYPED_TEST(ParityVectorOps, Reductions) {
  using T = TypeParam;
  const Shape s{kN};
  const auto x = random_values<T>(kN, 21, -1, 3), y = random_values<T>(kN, 22);
  double abs_x = 0, abs_xy = 0, sq_x = 0, sq_diff = 0;
  for (index_t i = 0; i < kN; ++i) {
    abs_x += std::fabs(double(x[i]));
    abs_xy += std::fabs(double(x[i]) * y[i]);
    sq_x += double(x[i]) * x[i];
    sq_diff += (double(x[i]) - y[i]) * (double(x[i]) - y[i]);
  }
  const auto on = [&](auto f) {
    return [&, f](const Context& c) {
      const auto a = Array<T>::from_host(c, s, x), b = Array<T>::from_host(c, s, y);
      return f(c, a.view(), b.view());
    };
  };
  using V = View<const T>;
  this->expect_same_scalar("sum", on([](const Context& c, V a, V) { return sum<T>(c, a); }),
                           reduction_bound<T>(kN, abs_x));
  this->expect_same_scalar("dot", on([](const Context& c, V a, V b) { return dot<T>(c, a, b); }),
                           reduction_bound<T>(kN, abs_xy));
  // sqrt halves the relative error of the sum of squares.
  this->expect_same_scalar("norm2", on([](const Context& c, V a, V) { return norm2<T>(c, a); }),
                           reduction_bound<T>(kN, sq_x) / std::sqrt(sq_x));
  this->expect_same_scalar("distance2", on([](const Context& c, V a, V b) { return distance2<T>(c, a, b); }),
                           reduction_bound<T>(kN, sq_diff) / std::sqrt(sq_diff));
  this->expect_same_scalar("max_abs", on([](const Context& c, V a, V) { return max_abs<T>(c, a); }), 0.0);
}

}  // namespace
}  // namespace recon::parity

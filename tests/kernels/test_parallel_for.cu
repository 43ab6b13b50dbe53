// parallel_for visits every index of 1D/2D/3D spaces exactly once, on odd sizes too.
#include <gtest/gtest.h>

#include "backends.hpp"

namespace recon::testing {
namespace {

// Kernel bodies live in free functions: nvcc does not allow extended lambdas inside
// gtest's private TestBody.
template <class T>
void add_code_1d(const Context& ctx, View<T> out) {
  T* p = out.data();
  parallel_for(ctx, out.size(), [=] RECON_HD(index_t i) { p[i] += static_cast<T>(i % 9973 + 1); });
}

template <class T>
void add_code_2d(const Context& ctx, View<T> out, index_t ny, index_t nx) {
  T* p = out.data();
  parallel_for(ctx, Extent2{ny, nx},
               [=] RECON_HD(index_t y, index_t x) { p[y * nx + x] += static_cast<T>(y * 1000 + x + 1); });
}

template <class T>
void add_code_3d(const Context& ctx, View<T> out, index_t nz, index_t ny, index_t nx) {
  T* p = out.data();
  parallel_for(ctx, Extent3{nz, ny, nx}, [=] RECON_HD(index_t z, index_t y, index_t x) {
    p[(z * ny + y) * nx + x] += static_cast<T>(z * 10000 + y * 100 + x + 1);
  });
}

template <class B>
using ParallelForTest = BackendTest<B>;
TYPED_TEST_SUITE(ParallelForTest, AllBackends, BackendName);

// Adding (code + 1) to zeros: an element visited twice shows 2(code + 1), one missed shows 0.
TYPED_TEST(ParallelForTest, Visits1DIndicesExactlyOnce) {
  using T = typename TypeParam::value_type;
  for (index_t n : {0, 1, 31, 257, 16385, 1000003}) {
    Array<T> a(this->ctx(), Shape{n});
    fill<T>(this->ctx(), a, T(0));
    add_code_1d<T>(this->ctx(), a);
    const auto v = a.to_host_vector();
    for (index_t i = 0; i < n; ++i) ASSERT_EQ(v[i], static_cast<T>(i % 9973 + 1)) << "n=" << n << " i=" << i;
  }
}

TYPED_TEST(ParallelForTest, Visits2DIndicesExactlyOnce) {
  using T = typename TypeParam::value_type;
  for (auto [ny, nx] : {std::pair<index_t, index_t>{1, 1}, {37, 53}, {3, 1025}, {513, 7}}) {
    Array<T> a(this->ctx(), Shape{ny, nx});
    fill<T>(this->ctx(), a, T(0));
    add_code_2d<T>(this->ctx(), a, ny, nx);
    const auto v = a.to_host_vector();
    for (index_t y = 0; y < ny; ++y)
      for (index_t x = 0; x < nx; ++x) ASSERT_EQ(v[y * nx + x], static_cast<T>(y * 1000 + x + 1));
  }
}

TYPED_TEST(ParallelForTest, Visits3DIndicesExactlyOnce) {
  using T = typename TypeParam::value_type;
  for (auto e : {Extent3{1, 1, 1}, Extent3{5, 17, 33}, Extent3{33, 9, 3}, Extent3{2, 70, 99}}) {
    Array<T> a(this->ctx(), Shape{e.nz, e.ny, e.nx});
    fill<T>(this->ctx(), a, T(0));
    add_code_3d<T>(this->ctx(), a, e.nz, e.ny, e.nx);
    const auto v = a.to_host_vector();
    for (index_t z = 0; z < e.nz; ++z)
      for (index_t y = 0; y < e.ny; ++y)
        for (index_t x = 0; x < e.nx; ++x)
          ASSERT_EQ(v[(z * e.ny + y) * e.nx + x], static_cast<T>(z * 10000 + y * 100 + x + 1));
  }
}

TEST(ParallelForHost, RunsWithOneThreadAndWithMany) {
  for (int threads : {1, 2, 5}) {
    const Context ctx = Context::host(threads);
    EXPECT_EQ(ctx.host_threads(), threads);
    Array<double> a(ctx, Shape{50000});
    fill<double>(ctx, a, 0.0);
    add_code_1d<double>(ctx, a);
    const auto v = a.to_host_vector();
    for (index_t i = 0; i < 50000; ++i) ASSERT_EQ(v[i], static_cast<double>(i % 9973 + 1));
  }
}

}  // namespace
}  // namespace recon::testing

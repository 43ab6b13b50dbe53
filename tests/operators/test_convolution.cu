// Convolution: circular (FFT), Neumann and zero-boundary stencils against a direct sum of the
// definition y_i = sum_j h_j x_{i + c - j}; the adjoint test for each on 1D/2D/3D odd and
// even shapes and kernels; bad kernels.
#include <gtest/gtest.h>

#include "adjoint.hpp"
#include "recon/operators/operators.hpp"

namespace recon::testing {
namespace {

template <class B>
using ConvolutionTest = BackendTest<B>;
TYPED_TEST_SUITE(ConvolutionTest, AllBackends, BackendName);

// The value read at position p on an axis of n for each boundary; -1 means zero.
index_t read_index(index_t p, index_t n, ConvolutionBoundary b) {
  if (b == ConvolutionBoundary::Circular) return ((p % n) + n) % n;
  if (p >= 0 && p < n) return p;
  if (b == ConvolutionBoundary::Zero) return -1;
  return p < 0 ? -1 - p : 2 * n - 1 - p;
}

template <class T>
std::vector<T> direct(const Shape& s, const Shape& ks, const std::vector<T>& h, const std::vector<T>& x,
                      ConvolutionBoundary b) {
  std::vector<T> y(x.size());
  const int d = s.ndim();
  for (index_t e = 0; e < s.size(); ++e) {
    long double acc = 0;
    for (index_t j = 0; j < ks.size(); ++j) {
      index_t re = e, rj = j, src = 0, stride = 1;
      bool zero = false;
      for (int a = d - 1; a >= 0; --a) {
        const index_t i = re % s[a], jj = rj % ks[a];
        re /= s[a];
        rj /= ks[a];
        const index_t p = read_index(i + ks[a] / 2 - jj, s[a], b);
        zero = zero || p < 0;
        src += p * stride;
        stride *= s[a];
      }
      if (!zero) acc += static_cast<long double>(h[j]) * x[src];
    }
    y[e] = static_cast<T>(acc);
  }
  return y;
}

struct Case {
  Shape domain, kernel;
};
const Case kCases[] = {{Shape{9}, Shape{3}},
                       {Shape{8}, Shape{4}},
                       {Shape{5}, Shape{11}},
                       {Shape{6, 7}, Shape{3, 2}},
                       {Shape{4, 5}, Shape{5, 5}},
                       {Shape{3, 4, 5}, Shape{3, 3, 3}},
                       {Shape{4, 4, 2}, Shape{2, 1, 2}}};

TYPED_TEST(ConvolutionTest, MatchesDirectSumAndPassesAdjoint) {
  using T = typename TypeParam::value_type;
  const double tol = sizeof(T) == 4 ? 1e-5 : 1e-12;
  for (const Case& c : kCases)
    for (ConvolutionBoundary b :
         {ConvolutionBoundary::Circular, ConvolutionBoundary::Neumann, ConvolutionBoundary::Zero}) {
      const bool too_wide = b == ConvolutionBoundary::Neumann && c.kernel[0] / 2 > c.domain[0];
      if (too_wide) continue;
      const auto h = random_values<T>(c.kernel.size(), 61);
      const auto x = random_values<T>(c.domain.size(), 62);
      const auto op = convolution<T>(this->ctx(), c.domain, c.kernel, h, b);
      const auto got = apply_host(op, this->ctx(), x);
      const auto want = direct(c.domain, c.kernel, h, x, b);
      for (std::size_t i = 0; i < x.size(); ++i)
        ASSERT_NEAR(got[i], want[i], tol * c.kernel.size())
            << c.domain.str() << " kernel " << c.kernel.str() << " boundary " << static_cast<int>(b) << " at "
            << i;
      expect_adjoint(op, this->ctx(), "boundary " + std::to_string(static_cast<int>(b)));
    }
}

TEST(ConvolutionErrors, RejectsBadKernels) {
  const Context ctx = Context::host();
  EXPECT_THROW(convolution<float>(ctx, Shape{8}, Shape{3}, {1, 2}), ShapeMismatch);
  EXPECT_THROW(convolution<float>(ctx, Shape{8, 8}, Shape{3}, {1, 2, 3}), ShapeMismatch);
  EXPECT_THROW(
      convolution<float>(ctx, Shape{2}, Shape{7}, std::vector<float>(7, 1.f), ConvolutionBoundary::Neumann),
      InvalidArgument);
  const auto circ = convolution<float>(ctx, Shape{8}, Shape{3}, {1, 2, 3});
  EXPECT_THROW(static_cast<const ConvolutionOperator<float>&>(circ.get()).evaluator(nullptr),
               InvalidArgument);
}

}  // namespace
}  // namespace recon::testing

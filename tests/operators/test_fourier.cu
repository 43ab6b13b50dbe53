// Fourier operator: against a naive O(N^2) DFT (c2c and r2c, 1D/2D/3D, odd and even, with and
// without fftshift, batched), unitarity (norm preserved, F^H F = I), the adjoint test and bad
// shapes.
#include <gtest/gtest.h>

#include <cmath>
#include <complex>

#include "adjoint.hpp"
#include "recon/operators/operators.hpp"

namespace recon::testing {
namespace {

template <class B>
using FourierTest = BackendTest<B>;
TYPED_TEST_SUITE(FourierTest, AllBackends, BackendName);

using cld = std::complex<long double>;

// Unitary DFT of each batch over the last `rank` axes of sig (complex values), by definition.
std::vector<cld> naive_dft(const Shape& sig, int rank, const std::vector<cld>& x) {
  index_t inner = 1;
  for (int a = sig.ndim() - rank; a < sig.ndim(); ++a) inner *= sig[a];
  const long double pi = 3.141592653589793238462643383279L;
  std::vector<cld> y(x.size());
  for (index_t b = 0; b < static_cast<index_t>(x.size()) / inner; ++b)
    for (index_t k = 0; k < inner; ++k) {
      cld acc = 0;
      for (index_t j = 0; j < inner; ++j) {
        long double phase = 0;
        index_t rk = k, rj = j;
        for (int a = sig.ndim() - 1; a >= sig.ndim() - rank; --a) {
          phase += static_cast<long double>((rk % sig[a]) * (rj % sig[a])) / sig[a];
          rk /= sig[a];
          rj /= sig[a];
        }
        acc += x[b * inner + j] * std::polar(1.0L, -2 * pi * phase);
      }
      y[b * inner + k] = acc / std::sqrt(static_cast<long double>(inner));
    }
  return y;
}

// numpy.fft.fftshift over the last `rank` axes (except the last when skip_last).
std::vector<cld> fftshift(const Shape& sig, int rank, bool skip_last, const std::vector<cld>& x) {
  std::vector<cld> y(x.size());
  for (index_t e = 0; e < static_cast<index_t>(x.size()); ++e) {
    index_t rest = e, dst = 0, stride = 1;
    for (int a = sig.ndim() - 1; a >= 0; --a) {
      index_t k = rest % sig[a];
      rest /= sig[a];
      const bool shifted = a >= sig.ndim() - rank && !(skip_last && a == sig.ndim() - 1);
      if (shifted) k = (k + sig[a] / 2) % sig[a];
      dst += k * stride;
      stride *= sig[a];
    }
    y[dst] = x[e];
  }
  return y;
}

struct Case {
  Shape signal;
  int rank;
};
const Case kCases[] = {{Shape{1}, 1},    {Shape{8}, 1},    {Shape{9}, 1},       {Shape{3, 6}, 1},
                       {Shape{5, 4}, 2}, {Shape{4, 7}, 2}, {Shape{3, 4, 5}, 3}, {Shape{2, 4, 6}, 2}};

template <class T>
void check_against_naive(const Context& ctx, const Case& c, FourierKind kind, bool shift) {
  const bool r2c = kind == FourierKind::RealToComplex;
  const index_t n = c.signal.size();
  Shape domain = c.signal;
  if (!r2c) domain.push_back(2);
  const auto xv = random_values<T>(static_cast<std::size_t>(domain.size()), 31);
  std::vector<cld> xc(static_cast<std::size_t>(n));
  for (index_t i = 0; i < n; ++i) xc[i] = r2c ? cld(xv[i], 0) : cld(xv[2 * i], xv[2 * i + 1]);
  auto want = fftshift(c.signal, c.rank, r2c, naive_dft(c.signal, c.rank, xc));
  if (!shift) want = naive_dft(c.signal, c.rank, xc);
  const auto f = fourier<T>(domain, kind, c.rank, shift);
  const auto got = apply_host(f, ctx, xv);
  const index_t last = c.signal[c.signal.ndim() - 1], kept = r2c ? last / 2 + 1 : last;
  ASSERT_EQ(static_cast<index_t>(got.size()), 2 * n / last * kept);
  const double tol = sizeof(T) == 4 ? 2e-5 : 1e-12;
  for (index_t e = 0; e < n; ++e) {
    const index_t k = e % last;
    if (k >= kept) continue;
    const index_t g = e / last * kept + k;
    const long double w = (r2c && k > 0 && 2 * k != last) ? std::sqrt(2.0L) : 1.0L;
    ASSERT_NEAR(got[2 * g], static_cast<double>(w * want[e].real()), tol) << c.signal.str() << " bin " << e;
    ASSERT_NEAR(got[2 * g + 1], static_cast<double>(w * want[e].imag()), tol)
        << c.signal.str() << " bin " << e;
  }
}

TYPED_TEST(FourierTest, MatchesNaiveDft) {
  using T = typename TypeParam::value_type;
  for (const Case& c : kCases)
    for (FourierKind kind : {FourierKind::ComplexToComplex, FourierKind::RealToComplex})
      for (bool shift : {false, true}) check_against_naive<T>(this->ctx(), c, kind, shift);
}

TYPED_TEST(FourierTest, AdjointOfEveryOption) {
  using T = typename TypeParam::value_type;
  for (const Case& c : kCases)
    for (bool shift : {false, true}) {
      Shape cpx = c.signal;
      cpx.push_back(2);
      expect_adjoint(fourier<T>(cpx, FourierKind::ComplexToComplex, c.rank, shift), this->ctx(), "c2c");
      expect_adjoint(fourier<T>(c.signal, FourierKind::RealToComplex, c.rank, shift), this->ctx(), "r2c");
    }
}

TYPED_TEST(FourierTest, UnitaryOnRealAndComplexData) {
  using T = typename TypeParam::value_type;
  const double tol = sizeof(T) == 4 ? 1e-5 : 1e-12;
  for (const Shape& s : {Shape{64, 48}, Shape{9, 10, 7}})
    for (FourierKind kind : {FourierKind::ComplexToComplex, FourierKind::RealToComplex}) {
      Shape domain = s;
      if (kind == FourierKind::ComplexToComplex) domain.push_back(2);
      const auto f = fourier<T>(domain, kind, 0, true);
      const auto x = random_values<T>(domain.size(), 41);
      const auto y = apply_host(f, this->ctx(), x);
      EXPECT_NEAR(norm_host(y), norm_host(x), tol * norm_host(x)) << domain.str();
      const auto back = adjoint_host(f, this->ctx(), y);
      for (std::size_t i = 0; i < x.size(); ++i) ASSERT_NEAR(back[i], x[i], tol) << domain.str();
    }
}

TYPED_TEST(FourierTest, PartialFourierAdjoint) {
  using T = typename TypeParam::value_type;
  const Shape s{6, 8, 2};
  const auto a = subsample<T>(this->ctx(), s, {0, 1, 12, 13, 40, 41, 95}) *
                 fourier<T>(s, FourierKind::ComplexToComplex, 2, true);
  expect_adjoint(a, this->ctx(), "partial");
}

TEST(FourierErrors, RejectsBadShapes) {
  EXPECT_THROW(fourier<float>(Shape{8, 3}), ShapeMismatch);
  EXPECT_THROW(fourier<float>(Shape{2}), ShapeMismatch);
  EXPECT_THROW(fourier<float>(Shape{4, 2}, FourierKind::ComplexToComplex, 2), InvalidArgument);
  EXPECT_THROW(fourier<float>(Shape{2, 2, 2, 2}, FourierKind::RealToComplex), InvalidArgument);
  EXPECT_THROW(fourier<float>(
                   Shape{
                       2,
                       2,
                       2,
                       2,
                   },
                   FourierKind::ComplexToComplex, 4),
               InvalidArgument);
  const auto f = fourier<float>(Shape{8}, FourierKind::RealToComplex);
  EXPECT_EQ(f.range(), (Shape{5, 2}));
}

}  // namespace
}  // namespace recon::testing

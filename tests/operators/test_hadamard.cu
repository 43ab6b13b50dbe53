// Walsh-Hadamard: against the explicit Sylvester matrix for small n (1D, and the separable
// 2D/3D Kronecker product with a batch axis), sequency order by counting sign changes,
// orthonormality, the adjoint test and bad lengths.
#include <gtest/gtest.h>

#include <cmath>

#include "adjoint.hpp"
#include "recon/operators/operators.hpp"

namespace recon::testing {
namespace {

template <class B>
using HadamardTest = BackendTest<B>;
TYPED_TEST_SUITE(HadamardTest, AllBackends, BackendName);

// Entry (i, j) of the unnormalised Sylvester matrix: (-1)^popcount(i & j).
int sylvester(index_t i, index_t j) {
  return __builtin_popcountll(static_cast<unsigned long long>(i & j)) % 2 ? -1 : 1;
}

// Reference: y[b, i...] = prod_a H_{n_a}(i_a, j_a) x[b, j...] / sqrt(prod n_a), with an optional
// row map per axis (sequency order).
template <class T>
std::vector<T> reference(const Shape& s, int rank, const std::vector<T>& x, bool sequency) {
  index_t inner = 1;
  for (int a = s.ndim() - rank; a < s.ndim(); ++a) inner *= s[a];
  const index_t batch = s.size() / inner;
  // rows[a][i]: the natural row used as row i along axis a (the one with i sign changes).
  std::vector<std::vector<index_t>> rows(static_cast<std::size_t>(s.ndim()));
  for (int a = s.ndim() - rank; a < s.ndim(); ++a)
    for (index_t r = 0; r < s[a]; ++r) rows[a].push_back(r);
  if (sequency)
    for (int a = s.ndim() - rank; a < s.ndim(); ++a)
      for (index_t r = 0; r < s[a]; ++r) {
        int changes = 0;
        for (index_t j = 1; j < s[a]; ++j) changes += sylvester(r, j) != sylvester(r, j - 1);
        rows[a][changes] = r;
      }
  std::vector<T> y(x.size());
  for (index_t b = 0; b < batch; ++b)
    for (index_t i = 0; i < inner; ++i) {
      long double acc = 0;
      for (index_t j = 0; j < inner; ++j) {
        int sign = 1;
        index_t ri = i, rj = j;
        for (int a = s.ndim() - 1; a >= s.ndim() - rank; --a) {
          sign *= sylvester(rows[a][ri % s[a]], rj % s[a]);
          ri /= s[a];
          rj /= s[a];
        }
        acc += sign * static_cast<long double>(x[b * inner + j]);
      }
      y[b * inner + i] = static_cast<T>(acc / std::sqrt(static_cast<long double>(inner)));
    }
  return y;
}

struct Case {
  Shape shape;
  int rank;
};
const Case kCases[] = {{Shape{1}, 1},    {Shape{2}, 1},       {Shape{16}, 1},      {Shape{3, 8}, 1},
                       {Shape{4, 8}, 2}, {Shape{3, 2, 8}, 2}, {Shape{4, 2, 8}, 3}, {Shape{2, 128, 4}, 2}};

TYPED_TEST(HadamardTest, MatchesExplicitMatrixInBothOrders) {
  using T = typename TypeParam::value_type;
  const double tol = sizeof(T) == 4 ? 1e-5 : 1e-12;
  for (const Case& c : kCases)
    for (HadamardOrder order : {HadamardOrder::Natural, HadamardOrder::Sequency}) {
      const auto x = random_values<T>(c.shape.size(), 21);
      const auto h = walsh_hadamard<T>(c.shape, c.rank, order);
      const auto got = apply_host(h, this->ctx(), x);
      const auto want = reference(c.shape, c.rank, x, order == HadamardOrder::Sequency);
      for (std::size_t i = 0; i < x.size(); ++i)
        ASSERT_NEAR(got[i], want[i], tol) << c.shape.str() << " rank " << c.rank << " at " << i;
      expect_adjoint(h, this->ctx(), order == HadamardOrder::Natural ? "natural" : "sequency");
    }
}

TYPED_TEST(HadamardTest, OrthonormalAndSelfInverse) {
  using T = typename TypeParam::value_type;
  const double tol = sizeof(T) == 4 ? 1e-5 : 1e-12;
  for (const Shape& s : {Shape{1024}, Shape{64, 32}, Shape{8, 16, 4}}) {
    const auto h = walsh_hadamard<T>(s);
    const auto x = random_values<T>(s.size(), 4);
    const auto y = apply_host(h, this->ctx(), x);
    EXPECT_NEAR(norm_host(y), norm_host(x), tol * norm_host(x));
    const auto back = apply_host(h, this->ctx(), y);
    for (std::size_t i = 0; i < x.size(); ++i) ASSERT_NEAR(back[i], x[i], tol);
    const auto hs = walsh_hadamard<T>(s, 0, HadamardOrder::Sequency);
    const auto xs = adjoint_host(hs, this->ctx(), apply_host(hs, this->ctx(), x));
    for (std::size_t i = 0; i < x.size(); ++i) ASSERT_NEAR(xs[i], x[i], tol);
  }
}

TYPED_TEST(HadamardTest, SubsampledHadamardAdjoint) {
  using T = typename TypeParam::value_type;
  const Shape s{16, 8};
  const auto a =
      subsample<T>(this->ctx(), s, {0, 5, 17, 64, 127}) * walsh_hadamard<T>(s, 2, HadamardOrder::Sequency);
  expect_adjoint(a, this->ctx(), "subsampled");
}

// The blocked row transform (radix-8 passes, in-vector stages on the host; shared memory on the
// device) against the explicit Sylvester product for every row length 1 ... 8192, on a batch of
// rows, both directions; then the strided axes (one and two passes over lines) on longer axes.
TYPED_TEST(HadamardTest, BlockedRowsMatchSylvesterProduct) {
  using T = typename TypeParam::value_type;
  const index_t batch = 3;
  for (index_t n = 1; n <= 8192; n *= 2) {
    const Shape s{batch, n};
    const auto x = random_values<T>(static_cast<std::size_t>(s.size()), 7 + static_cast<unsigned>(n));
    const auto h = walsh_hadamard<T>(s, 1);
    const auto got = apply_host(h, this->ctx(), x);
    const auto back = adjoint_host(h, this->ctx(), x);
    // Each output sums n inputs of size ~1 over log2(n) rounded stages, divided by sqrt(n).
    const double tol = (sizeof(T) == 4 ? 2e-6 : 4e-15) * (1 + std::log2(static_cast<double>(n)));
    for (index_t b = 0; b < batch; ++b)
      for (index_t i = 0; i < n; ++i) {
        long double acc = 0;
        for (index_t j = 0; j < n; ++j) acc += sylvester(i, j) * static_cast<long double>(x[b * n + j]);
        const double want = static_cast<double>(acc / std::sqrt(static_cast<long double>(n)));
        ASSERT_NEAR(got[b * n + i], want, tol) << "n " << n << " row " << b << " at " << i;
        ASSERT_NEAR(back[b * n + i], want, tol) << "adjoint, n " << n << " row " << b << " at " << i;
      }
  }
  const double tol = sizeof(T) == 4 ? 1e-5 : 1e-12;
  for (const Case& c : {Case{Shape{512, 8}, 2}, Case{Shape{2, 1024, 2}, 2}, Case{Shape{64, 2, 32}, 3}}) {
    const auto x = random_values<T>(static_cast<std::size_t>(c.shape.size()), 3);
    const auto got = apply_host(walsh_hadamard<T>(c.shape, c.rank), this->ctx(), x);
    const auto want = reference(c.shape, c.rank, x, false);
    for (std::size_t i = 0; i < x.size(); ++i)
      ASSERT_NEAR(got[i], want[i], tol) << c.shape.str() << " rank " << c.rank << " at " << i;
  }
}

TEST(HadamardErrors, RejectsBadLengthsAndRanks) {
  EXPECT_THROW(walsh_hadamard<float>(Shape{12}), InvalidArgument);
  EXPECT_THROW(walsh_hadamard<float>(Shape{6, 8}), InvalidArgument);
  EXPECT_NO_THROW(walsh_hadamard<float>(Shape{6, 8}, 1));
  EXPECT_THROW(walsh_hadamard<float>(Shape{2, 2, 2, 2}), InvalidArgument);
  EXPECT_THROW(walsh_hadamard<float>(Shape{8}, 2), InvalidArgument);
  EXPECT_THROW(walsh_hadamard<float>(Shape{0}), InvalidArgument);
  try {
    walsh_hadamard<double>(Shape{4, 12});
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_STREQ(e.what(), "WalshHadamard: axis 1 of (4, 12) has length 12, expected a power of two");
  }
}

}  // namespace
}  // namespace recon::testing

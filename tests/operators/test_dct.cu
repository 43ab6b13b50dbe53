// Orthonormal DCT-II: the direct O(N^2) cosine sum (long double) on 1D, 2D and 3D shapes with odd,
// unit and non-power-of-two extents, batched over leading axes; perfect reconstruction both ways
// (D^T D = D D^T = I), Parseval and the adjoint test; hand values (scipy.fft.dct(x, norm="ortho")
// gives the same); a constant has all its energy in the DC coefficient; bad ranks and shapes.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "adjoint.hpp"
#include "recon/operators/operators.hpp"

namespace recon::testing {
namespace {

template <class B>
using DctTest = BackendTest<B>;
TYPED_TEST_SUITE(DctTest, AllBackends, BackendName);

struct Case {
  Shape shape;
  int rank;  // 0: every axis
};
// Unit, even, odd and prime extents; batches over 1-2 leading axes; the last one is large
// enough for the host's threads (too large for the direct sum).
const Case kCases[] = {{Shape{1}, 0},       {Shape{2}, 0},          {Shape{5}, 0},
                       {Shape{8}, 0},       {Shape{7, 12}, 0},      {Shape{3, 4, 5}, 0},
                       {Shape{1, 6}, 0},    {Shape{5, 1, 3}, 0},    {Shape{3, 7}, 1},
                       {Shape{4, 3, 5}, 1}, {Shape{2, 6, 5}, 2},    {Shape{2, 3, 4, 5}, 3},
                       {Shape{3, 2, 9}, 2}, {Shape{2, 2, 3, 7}, 2}, {Shape{256, 300}, 0}};

std::string describe(const Case& c) { return c.shape.str() + " rank " + std::to_string(c.rank); }

// The definition: X[i, k] = prod_a s_{k_a} sum_j x[i, j] prod_a cos(pi k_a (2 j_a + 1) / (2 n_a))
// over the last `rank` axes, for every batch item i.
template <class T>
std::vector<long double> direct_dct(const Shape& shape, int rank, const std::vector<T>& x) {
  if (rank == 0) rank = shape.ndim();
  std::vector<index_t> n;
  index_t inner = 1;
  for (int a = shape.ndim() - rank; a < shape.ndim(); ++a) {
    n.push_back(shape[a]);
    inner *= shape[a];
  }
  const long double pi = 3.141592653589793238462643383279503L;
  // basis[a][k * n + j] = s_k cos(pi k (2j + 1) / (2n))
  std::vector<std::vector<long double>> basis(n.size());
  for (std::size_t a = 0; a < n.size(); ++a) {
    const index_t m = n[a];
    for (index_t k = 0; k < m; ++k)
      for (index_t j = 0; j < m; ++j)
        basis[a].push_back(std::sqrt((k == 0 ? 1.0L : 2.0L) / m) *
                           std::cos(pi * k * (2 * j + 1) / (2.0L * m)));
  }
  std::vector<long double> out(x.size());
  const index_t batch = shape.size() / inner;
  for (index_t b = 0; b < batch; ++b)
    for (index_t k = 0; k < inner; ++k) {
      long double acc = 0;
      for (index_t j = 0; j < inner; ++j) {
        long double w = 1;
        index_t kr = k, jr = j;
        for (int a = rank - 1; a >= 0; --a) {
          w *= basis[a][(kr % n[a]) * n[a] + jr % n[a]];
          kr /= n[a];
          jr /= n[a];
        }
        acc += w * x[static_cast<std::size_t>(b * inner + j)];
      }
      out[static_cast<std::size_t>(b * inner + k)] = acc;
    }
  return out;
}

TYPED_TEST(DctTest, MatchesTheDirectCosineSum) {
  using T = typename TypeParam::value_type;
  for (const Case& c : kCases) {
    if (c.shape.size() > 5000) continue;
    const std::string what = describe(c);
    const auto d = dct<T>(c.shape, c.rank);
    const auto x = random_values<T>(static_cast<std::size_t>(c.shape.size()), 3);
    const auto y = apply_host(d, this->ctx(), x);
    const auto want = direct_dct(c.shape, c.rank, x);
    // Observed on the host: 2.5e-7 in float, 6e-16 in double.
    const double tol = 2 * this->tol();
    for (std::size_t i = 0; i < x.size(); ++i)
      ASSERT_NEAR(y[i], static_cast<double>(want[i]), tol) << what << " at " << i;
  }
}

TYPED_TEST(DctTest, PerfectReconstructionParsevalAndAdjoint) {
  using T = typename TypeParam::value_type;
  const double tol = 10 * this->tol();
  for (const Case& c : kCases) {
    const std::string what = describe(c);
    const auto d = dct<T>(c.shape, c.rank);
    EXPECT_TRUE(d.is_orthogonal());
    EXPECT_EQ(d.range(), c.shape);
    const auto x = random_values<T>(static_cast<std::size_t>(c.shape.size()), 5);
    const auto y = apply_host(d, this->ctx(), x);
    EXPECT_NEAR(norm_host(y), norm_host(x), tol * norm_host(x)) << what;
    const auto dtdx = adjoint_host(d, this->ctx(), y);
    const auto ddty = apply_host(d, this->ctx(), adjoint_host(d, this->ctx(), x));
    for (std::size_t i = 0; i < x.size(); ++i) {
      ASSERT_NEAR(dtdx[i], x[i], tol) << "D^T D x, " << what << " at " << i;
      ASSERT_NEAR(ddty[i], x[i], tol) << "D D^T y, " << what << " at " << i;
    }
    expect_adjoint(d, this->ctx(), what);
  }
}

// Direct evaluation of the definition; scipy.fft.dct([1, 2, 3, 4], norm="ortho") prints
// [5, -2.2304425, 0, -0.15851267]. A length-2 DCT is the Haar step, so the 2x2 case is the
// wavelet test's [[5, -1], [-2, 0]]; here in a batch of two with rank 2.
TYPED_TEST(DctTest, HandValues) {
  using T = typename TypeParam::value_type;
  const double tol = 4 * this->tol();
  const auto y4 = apply_host(dct<T>(Shape{4}), this->ctx(), std::vector<T>{1, 2, 3, 4});
  const double want4[] = {5.0, -2.230442497387663, 0.0, -0.15851266778110815};
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(y4[i], want4[i], tol) << i;
  const auto y5 = apply_host(dct<T>(Shape{5}), this->ctx(), std::vector<T>{0.5, -1, 2, 0, 3});
  const double want5[] = {2.0124611797498106, -1.8755004219790483, 0.7213639011234274, -0.32786913114291544,
                          2.4606166142160357};
  for (int i = 0; i < 5; ++i) EXPECT_NEAR(y5[i], want5[i], tol) << i;
  const auto y22 = apply_host(dct<T>(Shape{2, 2, 2}, 2), this->ctx(), std::vector<T>{1, 2, 3, 4, 2, 3, 4, 5});
  const double want22[] = {5, -1, -2, 0, 7, -1, -2, 0};
  for (int i = 0; i < 8; ++i) EXPECT_NEAR(y22[i], want22[i], tol) << i;
  // The inverse of a single coefficient is the scaled cosine s_k cos(pi k (2j + 1) / (2n)).
  std::vector<T> e(6, T(0));
  e[2] = 1;
  const auto basis = adjoint_host(dct<T>(Shape{6}), this->ctx(), e);
  for (int j = 0; j < 6; ++j)
    EXPECT_NEAR(basis[j], std::sqrt(2.0 / 6) * std::cos(3.141592653589793 * 2 * (2 * j + 1) / 12.0), tol)
        << j;
}

// A constant c over each batch item's transformed block goes to X[i, 0] = c sqrt(block size)
// and nothing else.
TYPED_TEST(DctTest, ConstantIsAllDc) {
  using T = typename TypeParam::value_type;
  const Shape s{3, 6, 10};
  const auto d = dct<T>(s, 2);
  std::vector<T> x(static_cast<std::size_t>(s.size()));
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<T>(1 + i / 60);  // 1, 2, 3 per item
  const auto y = apply_host(d, this->ctx(), x);
  for (std::size_t i = 0; i < y.size(); ++i) {
    const double want = i % 60 == 0 ? (1 + i / 60) * std::sqrt(60.0) : 0.0;
    ASSERT_NEAR(y[i], want, 10 * this->tol() * std::sqrt(60.0)) << i;
  }
}

// The InvalidArgument message of building the operator, or "" when it builds.
std::string dct_error(const Shape& s, int rank = 0) {
  try {
    dct<float>(s, rank);
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return "";
}

TEST(DctErrors, RejectsBadRanksAndShapes) {
  EXPECT_EQ(dct_error(Shape{2, 2, 2, 2}),
            "Dct: transforms 1 to 3 trailing axes, asked for 4 of the shape (2, 2, 2, 2)");
  EXPECT_EQ(dct_error(Shape{8}, 2), "Dct: transforms 1 to 3 trailing axes, asked for 2 of the shape (8,)");
  EXPECT_EQ(dct_error(Shape{4, 8}, -1),
            "Dct: transforms 1 to 3 trailing axes, asked for -1 of the shape (4, 8)");
  EXPECT_EQ(dct_error(Shape{}), "Dct: transforms 1 to 3 trailing axes, asked for 0 of the shape ()");
  EXPECT_NE(dct_error(Shape{4, 0}), "");
  EXPECT_NE(dct_error(Shape{4, 0}).find("Dct: empty domain"), std::string::npos) << dct_error(Shape{4, 0});
  EXPECT_EQ(dct_error(Shape{2, 2, 2, 2}, 3), "");
  EXPECT_EQ(dct_error(Shape{7}, 1), "");
  // Inputs of the wrong shape are refused before anything runs.
  const Context ctx = Context::host();
  const auto d = dct<float>(Shape{4, 5});
  Array<float> x(ctx, Shape{5, 4}), y(ctx, Shape{4, 5});
  EXPECT_THROW(d.apply(ctx, x, y), ShapeMismatch);
}

}  // namespace
}  // namespace recon::testing

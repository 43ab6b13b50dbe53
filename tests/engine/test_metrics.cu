// Metrics on every backend: exact values for identical and offset images, SSIM against a
// direct (non-separable) evaluation of the 11x11(x11) Gaussian window sums, MS-SSIM limits,
// support F1 counts and argument errors. The comparison with scikit-image on the fetched
// images is in tests/io/test_real_data.cpp (it needs the ITK readers).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "backends.hpp"
#include "recon/engine/metrics.hpp"

namespace recon::testing {
namespace {

template <class B>
using MetricsTest = BackendTest<B>;
TYPED_TEST_SUITE(MetricsTest, AllBackends, BackendName);

// Mean SSIM over the interior, each window sum written out (no separability, no boundary:
// the interior windows never leave the image).
double direct_ssim(const std::vector<double>& a, const std::vector<double>& b, const Shape& s, double range) {
  double g[11], gs = 0;
  for (int k = 0; k < 11; ++k) gs += g[k] = std::exp(-0.5 * (k - 5) * (k - 5) / 2.25);
  for (double& w : g) w /= gs;
  const bool vol = s.ndim() == 3;
  const index_t nz = vol ? s[0] : 1, ny = s.back(1), nx = s.back(0);
  const double c1 = std::pow(0.01 * range, 2), c2 = std::pow(0.03 * range, 2);
  double total = 0;
  index_t count = 0;
  for (index_t z = vol ? 5 : 0; z < (vol ? nz - 5 : 1); ++z)
    for (index_t y = 5; y < ny - 5; ++y)
      for (index_t x = 5; x < nx - 5; ++x) {
        double ux = 0, uy = 0, uxx = 0, uyy = 0, uxy = 0;
        for (int dz = vol ? -5 : 0; dz <= (vol ? 5 : 0); ++dz)
          for (int dy = -5; dy <= 5; ++dy)
            for (int dx = -5; dx <= 5; ++dx) {
              const double w = (vol ? g[dz + 5] : 1.0) * g[dy + 5] * g[dx + 5];
              const std::size_t i = static_cast<std::size_t>(((z + dz) * ny + y + dy) * nx + x + dx);
              ux += w * a[i], uy += w * b[i], uxx += w * a[i] * a[i], uyy += w * b[i] * b[i],
                  uxy += w * a[i] * b[i];
            }
        const double vx = uxx - ux * ux, vy = uyy - uy * uy, vxy = uxy - ux * uy;
        total += (2 * ux * uy + c1) * (2 * vxy + c2) / ((ux * ux + uy * uy + c1) * (vx + vy + c2));
        ++count;
      }
  return total / count;
}

template <class T>
struct Pair {
  Array<T> a, b;
  std::vector<double> av, bv;
};

// A smooth image plus noise and a distorted copy (so SSIM is far from 1).
template <class T>
Pair<T> make_pair(const Context& ctx, const Shape& s) {
  auto noise = random_values<T>(static_cast<std::size_t>(s.size()), 3, -0.2, 0.2);
  std::vector<T> a(noise.size()), b(noise.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    a[i] = static_cast<T>(0.5 + 0.4 * std::sin(0.05 * static_cast<double>(i % 97)) + 0.1 * std::cos(0.3 * i));
    b[i] = static_cast<T>(0.8 * a[i] + noise[i]);
  }
  Pair<T> p{Array<T>::from_host(ctx, s, a), Array<T>::from_host(ctx, s, b), {}, {}};
  p.av.assign(a.begin(), a.end());
  p.bv.assign(b.begin(), b.end());
  return p;
}

TYPED_TEST(MetricsTest, IdenticalAndOffsetImagesGiveExactValues) {
  using T = typename TypeParam::value_type;
  const auto p = make_pair<T>(this->ctx(), Shape{40, 37});
  EXPECT_EQ(mse<T>(this->ctx(), p.a, p.a), 0.0);
  EXPECT_EQ(psnr<T>(this->ctx(), p.a, p.a, 1.0), std::numeric_limits<double>::infinity());
  EXPECT_NEAR(ssim<T>(this->ctx(), p.a, p.a, 1.0), 1.0, 1e-12);
  std::vector<T> shifted(p.av.size());
  for (std::size_t i = 0; i < shifted.size(); ++i) shifted[i] = static_cast<T>(p.av[i] + 0.25);
  const auto s = Array<T>::from_host(this->ctx(), p.a.shape(), shifted);
  const double tol = sizeof(T) == 4 ? 1e-6 : 1e-12;
  EXPECT_NEAR(mse<T>(this->ctx(), p.a, s), 0.0625, tol);
  EXPECT_NEAR(rmse<T>(this->ctx(), p.a, s), 0.25, tol);
  EXPECT_NEAR(mae<T>(this->ctx(), p.a, s), 0.25, tol);
  EXPECT_NEAR(psnr<T>(this->ctx(), p.a, s, 2.0), 10 * std::log10(4 / 0.0625), 1e-4);
}

TYPED_TEST(MetricsTest, SsimMatchesTheDirectWindowSums) {
  using T = typename TypeParam::value_type;
  for (const Shape& s : {Shape{23, 31}, Shape{11, 11}, Shape{13, 14, 15}}) {
    const auto p = make_pair<T>(this->ctx(), s);
    for (double range : {1.0, 0.3}) {
      const double ref = direct_ssim(p.av, p.bv, s, range);
      EXPECT_NEAR(ssim<T>(this->ctx(), p.a, p.b, range), ref, 1e-10) << s.str() << " range " << range;
    }
  }
}

TYPED_TEST(MetricsTest, MsSsimIsOneForIdenticalImagesAndInTheUnitIntervalOtherwise) {
  using T = typename TypeParam::value_type;
  const auto p = make_pair<T>(this->ctx(), Shape{180, 200});
  EXPECT_NEAR(ms_ssim<T>(this->ctx(), p.a, p.a, 1.0), 1.0, 1e-12);
  const double m = ms_ssim<T>(this->ctx(), p.a, p.b, 1.0);
  EXPECT_GT(m, 0.0);
  EXPECT_LT(m, 1.0);
  const auto small = make_pair<T>(this->ctx(), Shape{175, 200});
  EXPECT_THROW(ms_ssim<T>(this->ctx(), small.a, small.b, 1.0), InvalidArgument);
}

TYPED_TEST(MetricsTest, SupportF1CountsHitsMissesAndFalseAlarms) {
  using T = typename TypeParam::value_type;
  const auto t = Array<T>::from_host(this->ctx(), Shape{6}, {0, 1, 0, -2, 0, 3});
  const auto e = Array<T>::from_host(this->ctx(), Shape{6}, {0.5, 0.9, 0, 0.05, 0, -1});
  // threshold 0.1: truth {1,3,5}, estimate {0,1,5}: TP 2, FP 1, FN 1.
  EXPECT_DOUBLE_EQ(support_f1<T>(this->ctx(), t, e, 0.1), 4.0 / 6.0);
  EXPECT_DOUBLE_EQ(support_f1<T>(this->ctx(), t, t, 0.0), 1.0);
  EXPECT_DOUBLE_EQ(support_f1<T>(this->ctx(), t, t, 10.0), 1.0);  // both empty
}

TYPED_TEST(MetricsTest, BadArgumentsAreRejected) {
  using T = typename TypeParam::value_type;
  const auto a = make_pair<T>(this->ctx(), Shape{20, 20});
  const auto b = make_pair<T>(this->ctx(), Shape{20, 21});
  const auto tiny = make_pair<T>(this->ctx(), Shape{10, 40});
  EXPECT_THROW(psnr<T>(this->ctx(), a.a, b.a, 1.0), ShapeMismatch);
  EXPECT_THROW(psnr<T>(this->ctx(), a.a, a.b, 0.0), InvalidArgument);
  EXPECT_THROW(ssim<T>(this->ctx(), tiny.a, tiny.b, 1.0), InvalidArgument);
  const auto line = Array<T>::from_host(this->ctx(), Shape{20}, std::vector<T>(20, T(1)));
  EXPECT_THROW(ssim<T>(this->ctx(), line, line, 1.0), InvalidArgument);
}

}  // namespace
}  // namespace recon::testing

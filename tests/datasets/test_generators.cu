// Phantoms, signals and noise: known values of the phantoms (with their grid and z-x-z Euler angles), exact
// structural properties (sparsity, unit columns), noise statistics within a few standard errors,
// reproducibility from the seed, and Host/Cuda agreement on the same seed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "backends.hpp"
#include "recon/datasets/datasets.hpp"

namespace recon::testing {
namespace {

using namespace recon::datasets;

template <class B>
using GeneratorTest = BackendTest<B>;
TYPED_TEST_SUITE(GeneratorTest, AllBackends, BackendName);

double mean(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0) / v.size(); }
double variance(const std::vector<double>& v) {
  const double m = mean(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return s / (v.size() - 1);
}
template <class T>
std::vector<double> as_double(const Array<T>& a) {
  const auto v = a.to_host_vector();
  return std::vector<double>(v.begin(), v.end());
}

// The same generator on the host, to compare a Cuda result with.
template <class T, class F>
void expect_matches_host(const Array<T>& got, F make_on) {
  if (got.device() != Device::Cuda) return;
  const auto ref = as_double(make_on(Context::host()));
  const auto dev = as_double(got);
  ASSERT_EQ(ref.size(), dev.size());
  for (std::size_t i = 0; i < ref.size(); ++i)
    ASSERT_NEAR(dev[i], ref[i], 1e-12 + (sizeof(T) == 4 ? 1e-6 : 1e-12) * std::fabs(ref[i])) << "i=" << i;
}

// Pixel nearest to phantom coordinate u on an axis of n samples: the phantom's [-1, 1] spans the
// n pixels edge to edge and the index grows with the coordinate (phantoms.hpp).
index_t nearest(double u, index_t n) { return std::lround(u * n / 2 + 0.5 * (n - 1)); }

TYPED_TEST(GeneratorTest, SheppLogan2dHasTheTableIntensities) {
  using T = typename TypeParam::value_type;
  const index_t n = 257;  // odd: the centre pixel sits at (0, 0)
  const auto p = shepp_logan_2d<T>(this->ctx(), n);
  const auto v = as_double(p);
  const auto at = [&](double x, double y) {  // row index grows with y
    return v[static_cast<std::size_t>(nearest(y, n) * n + nearest(x, n))];
  };
  EXPECT_NEAR(at(0, 0), 0.2, 1e-6);           // ellipses 1 + 2
  EXPECT_NEAR(at(0, 0.9), 1.0, 1e-6);         // skull: ellipse 1 only
  EXPECT_NEAR(at(0.95, 0.95), 0.0, 1e-6);     // outside
  EXPECT_NEAR(at(0.22, 0), 0.0, 1e-6);        // right dark ellipse: 1 - 0.8 - 0.2
  EXPECT_NEAR(at(0, 0.35), 0.3, 1e-6);        // ellipse 5 on 1 + 2
  EXPECT_NEAR(at(0, -0.1), 0.3, 1e-6);        // ellipse 7
  EXPECT_NEAR(at(-0.08, -0.605), 0.3, 1e-6);  // ellipse 8: the small ones sit at low row indices
  EXPECT_NEAR(*std::max_element(v.begin(), v.end()), 1.0, 1e-6);
  EXPECT_NEAR(*std::min_element(v.begin(), v.end()), 0.0, 1e-6);
  // Partial-volume edges: the mean over 3 x 3 points, so some pixels lie strictly between levels.
  EXPECT_TRUE(std::any_of(v.begin(), v.end(), [](double x) { return x > 0.35 && x < 0.95; }));
  expect_matches_host(p, [&](const Context& c) { return shepp_logan_2d<T>(c, n); });
  EXPECT_THROW(shepp_logan_2d<T>(this->ctx(), 1), InvalidArgument);
}

TYPED_TEST(GeneratorTest, SheppLogan3dHasTheTableIntensities) {
  using T = typename TypeParam::value_type;
  const index_t n = 65;
  const auto p = shepp_logan_3d<T>(this->ctx(), n, n, n);
  const auto v = as_double(p);
  const auto at = [&](double x, double y, double z) {
    return v[static_cast<std::size_t>((nearest(z, n) * n + nearest(y, n)) * n + nearest(x, n))];
  };
  EXPECT_NEAR(at(0, 0, 0), 0.2, 1e-6);
  EXPECT_NEAR(at(0, 0.9, 0), 1.0, 1e-6);
  EXPECT_NEAR(at(0, 0, 0.9), 0.0, 1e-6);     // c = 0.81 < 0.9
  EXPECT_NEAR(at(0, 0.1, 0.25), 0.3, 1e-6);  // ellipsoid 6
  EXPECT_NEAR(at(0, 0.35, -0.15), 0.3, 1e-6);
  expect_matches_host(p, [&](const Context& c) { return shepp_logan_3d<T>(c, n, n, n); });
  EXPECT_THROW(shepp_logan_3d<T>(this->ctx(), 1, n, n), InvalidArgument);
}

// shepp_logan_2d/3d are the analytic phantom sampled on unit voxels: the same values as
// rasterize(shepp_logan(v), 3) on that grid, and (up to rounding) on a grid of another voxel
// size and origin, since the phantom scales with the volume's extent.
TEST(SheppLogan, ArraysAreTheSampledAnalyticPhantom) {
  const Context host = Context::host();
  const auto a2 = shepp_logan_2d<double>(host, 48).to_host_vector();
  const ct::VolumeGeometry unit2 = ct::volume2d(48, 48);
  EXPECT_EQ(a2, rasterize(unit2, shepp_logan(unit2), 3));
  const ct::VolumeGeometry scaled2 = ct::volume2d(48, 48, 0.01, 0.01, 3, -2);
  const auto b2 = rasterize(scaled2, shepp_logan(scaled2), 3);
  for (std::size_t i = 0; i < a2.size(); ++i) ASSERT_NEAR(b2[i], a2[i], 1e-12) << "i=" << i;

  const auto a3 = shepp_logan_3d<double>(host, 12, 14, 16).to_host_vector();
  const ct::VolumeGeometry unit3 = ct::volume3d(12, 14, 16);
  EXPECT_EQ(a3, rasterize(unit3, shepp_logan(unit3), 3));
}

// Membership of one point: a 1-voxel volume centred there, one sample.
double value_at(const std::vector<Ellipsoid>& e, const ct::Vec3& p) {
  return rasterize(ct::volume3d(1, 1, 1, {1e-3, 1e-3, 1e-3}, p), e, 1)[0];
}
// Line integral along the world axis `axis` through the origin (3D parallel ray, one view).
double chord(const std::vector<Ellipsoid>& e, int axis) {
  ct::ViewVectors w;
  w.source[static_cast<std::size_t>(axis)] = 1;  // the ray direction
  w.u[static_cast<std::size_t>((axis + 1) % 3)] = 1;
  w.v[static_cast<std::size_t>((axis + 2) % 3)] = 1;
  return line_integrals(ct::vector_geometry(3, ct::Beam::Parallel, 1, 1, {w}), e)[0];
}

// The z-x-z Euler angles (phi about z, theta about the new x, psi about the new z: the body
// frame is R = Rz(psi) Rx(theta) Rz(phi) applied to the world offset, as in phantom3d), checked
// on an ellipsoid with three different semi-axes by its extent along each world axis, both
// sampled and as exact chords.
TEST(SheppLogan, EllipsoidsFollowZxzEulerAngles) {
  constexpr double kDeg = 3.14159265358979323846 / 180;
  struct Case {
    double phi, theta, psi;
    ct::Vec3 extent;  // the semi-axis met along world x, y, z
  };
  const double a = 0.3, b = 0.5, c = 0.2;
  const Case cases[] = {
      {0, 0, 0, {a, b, c}},     // body = world
      {90, 0, 0, {b, a, c}},    // about z: x' = y, y' = -x
      {0, 90, 0, {a, c, b}},    // about x: y' = z, z' = -y
      {90, 90, 0, {c, a, b}},   // x' = y, then y'' = z, z'' = x
      {90, 90, 90, {c, b, a}},  // and then x''' = y'' = z, y''' = -x'' = -y
      {0, 90, 90, {b, c, a}},   // y' = z, z' = -y; then x'' = y' = z, y'' = -x
  };
  for (const Case& k : cases) {
    SCOPED_TRACE("phi " + std::to_string(k.phi) + " theta " + std::to_string(k.theta) + " psi " +
                 std::to_string(k.psi));
    Ellipsoid e;
    e.semi_axes = {a, b, c};
    e.phi = k.phi * kDeg, e.theta = k.theta * kDeg, e.psi = k.psi * kDeg;
    const std::vector<Ellipsoid> one{e};
    for (int axis = 0; axis < 3; ++axis) {
      const double s = k.extent[static_cast<std::size_t>(axis)];
      ct::Vec3 inside{0, 0, 0}, outside{0, 0, 0};
      inside[static_cast<std::size_t>(axis)] = 0.98 * s;
      outside[static_cast<std::size_t>(axis)] = 1.02 * s;
      EXPECT_EQ(value_at(one, inside), 1.0) << "axis " << axis;
      EXPECT_EQ(value_at(one, outside), 0.0) << "axis " << axis;
      EXPECT_NEAR(chord(one, axis), 2 * s, 1e-12) << "axis " << axis;
    }
  }
}

TYPED_TEST(GeneratorTest, EdgesTextureSignalHasItsLevels) {
  using T = typename TypeParam::value_type;
  const auto v = as_double(edges_texture_1d<T>(this->ctx(), 1000));
  EXPECT_EQ(v[50], 0.0);
  EXPECT_NEAR(v[200], 1.0, 1e-7);
  EXPECT_NEAR(v[300], 0.3, 1e-7);
  EXPECT_NEAR(v[950], 0.1, 1e-7);
  EXPECT_NEAR(v[450], 0.8 + 0.06 * std::sin(2 * M_PI * 60 * 0.4505), 1e-6);
}

TYPED_TEST(GeneratorTest, SparseVectorsHaveExactlyKNonzerosAndFollowTheSeed) {
  using T = typename TypeParam::value_type;
  for (index_t k : {0, 1, 17, 1000}) {
    const auto x = sparse_vector<T>(this->ctx(), 1000, k, 42);
    const auto v = as_double(x);
    EXPECT_EQ(std::count_if(v.begin(), v.end(), [](double a) { return a != 0; }), k);
    EXPECT_EQ(as_double(sparse_vector<T>(this->ctx(), 1000, k, 42)), v);
    expect_matches_host(x, [&](const Context& c) { return sparse_vector<T>(c, 1000, k, 42); });
  }
  EXPECT_NE(as_double(sparse_vector<T>(this->ctx(), 1000, 17, 1)),
            as_double(sparse_vector<T>(this->ctx(), 1000, 17, 2)));
  EXPECT_THROW(sparse_vector<T>(this->ctx(), 10, 11, 1), InvalidArgument);
}

TYPED_TEST(GeneratorTest, GaussianMatrixColumnsHaveUnitNorm) {
  using T = typename TypeParam::value_type;
  const index_t m = 64, n = 300;
  const auto a = gaussian_matrix<T>(this->ctx(), m, n, 7);
  const auto v = as_double(a);
  for (index_t c = 0; c < n; ++c) {
    double ss = 0;
    for (index_t r = 0; r < m; ++r) ss += v[r * n + c] * v[r * n + c];
    ASSERT_NEAR(ss, 1.0, sizeof(T) == 4 ? 1e-5 : 1e-12) << "column " << c;
  }
  // Unit columns of i.i.d. Gaussians: entries have mean 0 and variance 1/m.
  EXPECT_NEAR(mean(v), 0.0, 4 / std::sqrt(m * n * double(m)));
  EXPECT_NEAR(variance(v), 1.0 / m, 0.05 / m);
  expect_matches_host(a, [&](const Context& c) { return gaussian_matrix<T>(c, m, n, 7); });
}

TYPED_TEST(GeneratorTest, NoiseHasTheRequestedStatistics) {
  using T = typename TypeParam::value_type;
  const index_t n = 200000;
  const double se = 1 / std::sqrt(double(n));
  Array<T> x(this->ctx(), Shape{n});
  fill(this->ctx(), x.view(), T(0));
  add_gaussian_noise(this->ctx(), x.view(), 0.5, 3);
  auto v = as_double(x);
  EXPECT_NEAR(mean(v), 0.0, 4 * 0.5 * se);
  EXPECT_NEAR(std::sqrt(variance(v)), 0.5, 4 * 0.5 * se);
  expect_matches_host(x, [&](const Context& c) {
    Array<T> y(c, Shape{n});
    fill(c, y.view(), T(0));
    add_gaussian_noise(c, y.view(), 0.5, 3);
    return y;
  });

  fill(this->ctx(), x.view(), T(0));
  add_cauchy_noise(this->ctx(), x.view(), 2.0, 4);
  v = as_double(x);
  for (double& a : v) a = std::fabs(a);
  std::nth_element(v.begin(), v.begin() + n / 2, v.end());
  EXPECT_NEAR(v[n / 2], 2.0, 0.05);  // the median of |Cauchy(gamma)| is gamma

  fill(this->ctx(), x.view(), T(1));
  add_impulsive_noise(this->ctx(), x.view(), 0.1, 5.0, 5);
  v = as_double(x);
  const auto hit = std::count_if(v.begin(), v.end(), [](double a) { return a != 1.0; });
  EXPECT_NEAR(double(hit) / n, 0.1, 4 * std::sqrt(0.09) * se);
  for (double a : v) ASSERT_TRUE(a == 1.0 || a == 6.0 || a == -4.0) << a;
}

TYPED_TEST(GeneratorTest, PoissonCountsHaveMeanAndVarianceLambda) {
  using T = typename TypeParam::value_type;
  const index_t n = 100000;
  for (double lambda : {0.5, 4.0, 30.0, 2000.0}) {  // both samplers
    Array<T> rate(this->ctx(), Shape{n}), counts(this->ctx(), Shape{n});
    fill(this->ctx(), rate.view(), T(lambda));
    sample_poisson<T>(this->ctx(), rate, counts, 11);
    const auto v = as_double(counts);
    for (double c : v) ASSERT_EQ(c, std::floor(c));
    EXPECT_NEAR(mean(v), lambda, 4 * std::sqrt(lambda / n)) << lambda;
    EXPECT_NEAR(variance(v) / lambda, 1.0, 4 * std::sqrt(2.0 / n) + 1 / (n * lambda)) << lambda;
    expect_matches_host(counts, [&](const Context& c) {
      Array<T> r(c, Shape{n}), k(c, Shape{n});
      fill(c, r.view(), T(lambda));
      sample_poisson<T>(c, r, k, 11);
      return k;
    });
  }
}

TYPED_TEST(GeneratorTest, TransmissionNoiseIsUnbiasedAtHighFlux) {
  using T = typename TypeParam::value_type;
  const index_t n = 50000;
  Array<T> p(this->ctx(), Shape{n});
  fill(this->ctx(), p.view(), T(2));
  add_poisson_transmission_noise(this->ctx(), p.view(), 1e6, 9);
  const auto v = as_double(p);
  // counts ~ N(I0 e^-2, I0 e^-2): -log(counts / I0) has sd 1/sqrt(I0 e^-2).
  const double sd = 1 / std::sqrt(1e6 * std::exp(-2.0));
  EXPECT_NEAR(mean(v), 2.0, 4 * sd / std::sqrt(double(n)) + sd * sd);
  EXPECT_NEAR(std::sqrt(variance(v)), sd, 0.05 * sd);
  EXPECT_THROW(add_poisson_transmission_noise(this->ctx(), p.view(), 0.0, 1), InvalidArgument);
}

}  // namespace
}  // namespace recon::testing

// FBP / FDK: absolute scale (the reconstruction of exact line integrals of a uniform disk or
// sphere returns its attenuation inside and ~0 outside) for every family and filter, full and
// short (Parker-weighted) scans, the Shepp-Logan PSNR, the FFT filtering against a direct
// convolution, Parker's weights on conjugate rays, and the coverage errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "backends.hpp"
#include "recon/datasets/phantoms.hpp"
#include "recon/kernels/error.hpp"
#include "recon/operators/ct/fbp.hpp"

namespace recon::testing {
namespace {

struct DiskStats {
  double inside = 0, outside = 0;  // mean inside radius r_in, mean |value| in the ring (r_out, fov)
};

// Reconstructs the exact projections of `phantom` and averages the result inside a radius
// and on a ring outside (the central slice in 3D).
template <class T>
DiskStats reconstruct_ball(const Context& ctx, const ct::Geometry& g,
                           const std::vector<datasets::Ellipsoid>& phantom, double r_in, double r_out,
                           double fov, ct::FbpFilter filter) {
  const std::vector<double> p = datasets::line_integrals(g.projection, phantom);
  const auto proj = Array<T>::from_host(ctx, g.projection.shape(), std::vector<T>(p.begin(), p.end()));
  Array<T> vol(ctx, g.volume.shape);
  ct::filtered_backprojection<T>(ctx, g, proj.view(), vol.view(), filter);
  const std::vector<T> v = vol.to_host_vector();
  const index_t nx = g.volume.nx(), ny = g.volume.ny(), nz = g.volume.nz();
  const ct::Vec3 c = phantom.front().centre;
  DiskStats s;
  int n_in = 0, n_out = 0;
  const index_t z = nz / 2;
  const double zc = g.volume.origin[2] +
                    (static_cast<double>(z) - 0.5 * static_cast<double>(nz - 1)) * g.volume.voxel_size[2];
  for (index_t y = 0; y < ny; ++y)
    for (index_t x = 0; x < nx; ++x) {
      const double X = (static_cast<double>(x) - 0.5 * static_cast<double>(nx - 1)) * g.volume.voxel_size[0];
      const double Y = (static_cast<double>(y) - 0.5 * static_cast<double>(ny - 1)) * g.volume.voxel_size[1];
      const double r =
          std::sqrt((X - c[0]) * (X - c[0]) + (Y - c[1]) * (Y - c[1]) + (zc - c[2]) * (zc - c[2]));
      const double val = v[static_cast<size_t>((z * ny + y) * nx + x)];
      if (r < r_in) s.inside += val, ++n_in;
      if (r > r_out && std::hypot(X, Y) < fov) s.outside += std::fabs(val), ++n_out;
    }
  s.inside /= n_in;
  s.outside /= n_out;
  return s;
}

// count angles from start turning by `scan` (first to last view) in either direction.
std::vector<double> scan_angles(index_t count, double start, double scan) {
  std::vector<double> a;
  for (index_t k = 0; k < count; ++k)
    a.push_back(start + scan * static_cast<double>(k) / static_cast<double>(count - 1));
  return a;
}

template <class B>
class CtFbp : public BackendTest<B> {};
TYPED_TEST_SUITE(CtFbp, AllBackends, BackendName);

// The FFT filtering (FourierOperator, zero padding, chunks of rows) equals the linear
// convolution with the taps computed here directly, for an odd number of columns, every filter,
// one chunk and chunks of 3 rows plus a remainder (two transform sizes).
TYPED_TEST(CtFbp, FftFilteringEqualsDirectConvolution) {
  using T = typename TypeParam::value_type;
  const index_t lines = 7, cols = 37;  // padded to 128
  const double spacing = 0.7;
  const std::vector<T> x = random_values<T>(static_cast<size_t>(lines * cols), 5);
  const auto in = Array<T>::from_host(this->ctx(), Shape{lines, cols}, x);
  for (ct::FbpFilter f :
       {ct::FbpFilter::Ramp, ct::FbpFilter::SheppLogan, ct::FbpFilter::Cosine, ct::FbpFilter::Hann}) {
    const std::vector<double> taps = ct::detail::fbp_filter_taps(f, cols);
    std::vector<double> ref(x.size());
    double peak = 0;
    for (index_t l = 0; l < lines; ++l)
      for (index_t n = 0; n < cols; ++n) {
        double acc = 0;
        for (index_t k = 0; k < cols; ++k)
          acc += taps[static_cast<size_t>(std::abs(n - k))] *
                 static_cast<double>(x[static_cast<size_t>(l * cols + k)]);
        ref[static_cast<size_t>(l * cols + n)] = acc / spacing;
        peak = std::max(peak, std::fabs(acc / spacing));
      }
    for (index_t chunk_samples : {index_t(1) << 24, 3 * index_t(128)}) {
      Array<T> out(this->ctx(), Shape{lines, cols});
      ct::detail::filter_rows<T>(this->ctx(), f, {}, lines, cols, spacing, in.data(), out.data(),
                                 chunk_samples);
      const std::vector<T> y = out.to_host_vector();
      double err = 0;
      for (size_t i = 0; i < y.size(); ++i)
        err = std::max(err, std::fabs(static_cast<double>(y[i]) - ref[i]));
      EXPECT_LT(err, (sizeof(T) == 4 ? 1e-5 : 1e-12) * peak)
          << "filter " << static_cast<int>(f) << " chunk " << chunk_samples << " peak " << peak;
    }
  }
}

TYPED_TEST(CtFbp, ParallelAndFanReturnTheAttenuation) {
  using T = typename TypeParam::value_type;
  const auto disk = datasets::ball(0.5, 40.0, {4, -3, 0});
  const auto vol = ct::volume2d(128, 128, 0.9, 0.9);  // world units: attenuation per unit length
  const std::vector<std::pair<std::string, ct::ProjectionGeometry>> cases = {
      {"parallel 180", ct::parallel2d(160, 0.8, ct::uniform_angles(180, 0, M_PI), 0.7)},
      {"parallel 360", ct::parallel2d(160, 0.8, ct::uniform_angles(200, 0.2, 0.2 + 2 * M_PI))},
      {"fan 360", ct::fan2d(200, 1.0, ct::uniform_angles(240, 0, 2 * M_PI), 150, 100, 1.5)}};
  for (const auto& [name, p] : cases)
    for (ct::FbpFilter f :
         {ct::FbpFilter::Ramp, ct::FbpFilter::SheppLogan, ct::FbpFilter::Cosine, ct::FbpFilter::Hann}) {
      const DiskStats s = reconstruct_ball<T>(this->ctx(), {vol, p}, disk, 30, 50, 55, f);
      EXPECT_NEAR(s.inside, 0.5, 0.01) << name << " filter " << static_cast<int>(f);
      EXPECT_LT(s.outside, 0.02) << name << " filter " << static_cast<int>(f);
    }
}

TYPED_TEST(CtFbp, ParallelBeam3DAndFdkReturnTheAttenuation) {
  using T = typename TypeParam::value_type;
  const auto sphere = datasets::ball(2.0, 20.0, {1, -2, 0.5});
  const auto vol = ct::volume3d(48, 56, 56);
  const DiskStats par =
      reconstruct_ball<T>(this->ctx(), {vol, ct::parallel3d(52, 72, 1, 1, ct::uniform_angles(90, 0, M_PI))},
                          sphere, 14, 24, 27, ct::FbpFilter::Ramp);
  EXPECT_NEAR(par.inside, 2.0, 0.04);
  EXPECT_LT(par.outside, 0.04);
  // Cone angle ~ 14 degrees: FDK is approximate off the central plane, exact in it.
  const DiskStats fdk = reconstruct_ball<T>(
      this->ctx(),
      {vol, ct::cone(64, 96, 1.2, 1.2, ct::uniform_angles(120, 0, 2 * M_PI), 120, 60, 0.3, -0.2)}, sphere, 14,
      24, 27, ct::FbpFilter::Ramp);
  EXPECT_NEAR(fdk.inside, 2.0, 0.04);
  EXPECT_LT(fdk.outside, 0.04);
}

// Texture interpolation: on a GPU in float, within the 8-bit weights' bound of the exact
// interpolation (fbp.hpp: |q1 - q0| / 512 per axis and sample, far below 1% of the peak of a
// smooth object's reconstruction); on the host, and in double, exactly the exact path. Every
// divergent and parallel family, 2D and 3D.
TYPED_TEST(CtFbp, TextureInterpolationIsExactOffTheGpuAndCloseOnIt) {
  using T = typename TypeParam::value_type;
  const Context& ctx = this->ctx();
  const auto ball2 = datasets::ball(1.0, 12.0, {2, -1, 0});
  const auto ball3 = datasets::ball(1.0, 12.0, {2, -1, 0.5});
  const std::vector<std::pair<ct::Geometry, std::vector<datasets::Ellipsoid>>> cases{
      {{ct::volume2d(40, 40), ct::parallel2d(60, 1, ct::uniform_angles(60, 0, M_PI))}, ball2},
      {{ct::volume2d(40, 40), ct::fan2d(70, 1.2, ct::uniform_angles(90, 0, 2 * M_PI), 100, 50)}, ball2},
      {{ct::volume3d(24, 32, 32), ct::cone(36, 56, 1.2, 1.2, ct::uniform_angles(72, 0, 2 * M_PI), 100, 50)},
       ball3}};
  for (const auto& [g, phantom] : cases) {
    SCOPED_TRACE(g.projection.type_name());
    const std::vector<double> p = datasets::line_integrals(g.projection, phantom);
    const auto proj = Array<T>::from_host(ctx, g.projection.shape(), std::vector<T>(p.begin(), p.end()));
    Array<T> exact(ctx, g.volume.shape), texture(ctx, g.volume.shape);
    ct::filtered_backprojection<T>(ctx, g, proj.view(), exact.view(), ct::FbpFilter::Ramp);
    ct::filtered_backprojection<T>(ctx, g, proj.view(), texture.view(), ct::FbpFilter::Ramp,
                                   ct::VoxelInterpolation::Texture);
    const std::vector<T> a = exact.to_host_vector(), b = texture.to_host_vector();
    if (!ctx.is_cuda() || sizeof(T) == 8) {
      EXPECT_EQ(a, b);
      continue;
    }
    double peak = 0, diff = 0;
    for (size_t i = 0; i < a.size(); ++i) {
      peak = std::max(peak, std::fabs(static_cast<double>(a[i])));
      diff = std::max(diff, std::fabs(static_cast<double>(a[i]) - static_cast<double>(b[i])));
    }
    EXPECT_GT(diff, 0.0);  // the texture path ran
    EXPECT_LE(diff, 1e-2 * peak);
  }
  EXPECT_THROW(ct::parse_voxel_interpolation("cubic"), InvalidArgument);
  EXPECT_EQ(ct::parse_voxel_interpolation("texture"), ct::VoxelInterpolation::Texture);
}

// Short scans: the disk and the sphere come back within the full circle's tolerances, with
// increasing and decreasing angles and a shifted detector. Measured (ramp; float and double
// agree): fan inside 0.49999 / outside 0.0115 (0.0140 turning backwards) against the full
// circle's 0.49999 / 0.0101; FDK 2.0004 / 0.0198 against 1.99996 / 0.0168.
TYPED_TEST(CtFbp, ShortScanFanAndFdkReturnTheAttenuation) {
  using T = typename TypeParam::value_type;
  const auto disk = datasets::ball(0.5, 40.0, {4, -3, 0});
  const auto vol = ct::volume2d(128, 128, 0.9, 0.9);
  // Largest fan angle atan(60.6 / 150) = 22.0 degrees: at least 224 degrees needed.
  const double scan = 230 * M_PI / 180;
  for (double turn : {1.0, -1.0})
    for (ct::FbpFilter f : {ct::FbpFilter::Ramp, ct::FbpFilter::Hann}) {
      const auto p = ct::fan2d(200, 1.0, scan_angles(160, 0.3, turn * scan), 150, 100, 1.5);
      const DiskStats s = reconstruct_ball<T>(this->ctx(), {vol, p}, disk, 30, 50, 55, f);
      EXPECT_NEAR(s.inside, 0.5, 0.01) << "turn " << turn << " filter " << static_cast<int>(f);
      EXPECT_LT(s.outside, 0.02) << "turn " << turn << " filter " << static_cast<int>(f);
    }
  // Largest fan angle atan(38.2 / 120) = 17.7 degrees: at least 215 degrees needed.
  const auto sphere = datasets::ball(2.0, 20.0, {1, -2, 0.5});
  const DiskStats fdk = reconstruct_ball<T>(
      this->ctx(),
      {ct::volume3d(48, 56, 56), ct::cone(64, 96, 1.2, 1.2, scan_angles(90, 1.0, scan), 120, 60, 0.3, -0.2)},
      sphere, 14, 24, 27, ct::FbpFilter::Ramp);
  EXPECT_NEAR(fdk.inside, 2.0, 0.04);
  EXPECT_LT(fdk.outside, 0.04);
}

// Parker's weights, checked against the geometry itself: the line through a view's source and a
// detector pixel (the vector form of docs/ct-geometry.md) meets the source circle again at the
// conjugate source position; its scan angle and isocentre coordinate there give the conjugate
// ray, and the two weights sum to 1 (the conjugate outside the scan weighs 0).
TEST(CtFbpHost, ParkerWeightsOfConjugateRaysSumToOne) {
  for (double turn : {1.0, -1.0}) {
    const double scale = 150.0 / 250.0, scan = 235 * M_PI / 180;
    const auto p = ct::fan2d(61, 3.0, scan_angles(120, 0.4, turn * scan), 150, 100, 4.0);
    const ct::detail::FbpAngles a = ct::detail::fbp_angles(p, "test");
    ASSERT_TRUE(a.short_scan);
    EXPECT_NEAR(a.weight, scan / 119, 1e-12);  // the full step
    int partial = 0;
    for (index_t v = 0; v < p.views(); ++v) {
      const ct::ViewVectors& w = p.vectors[static_cast<size_t>(v)];
      const double beta = scan * static_cast<double>(v) / 119;
      for (index_t c = 0; c < p.cols; ++c) {
        const double k = static_cast<double>(c) - 0.5 * static_cast<double>(p.cols - 1);
        const double s = (k * p.pixel_u + p.offset_u) * scale;
        const double px = w.detector[0] + k * w.u[0] - w.source[0],
                     py = w.detector[1] + k * w.u[1] - w.source[1];
        const double len = std::hypot(px, py), dx = px / len, dy = py / len;
        const double sd = w.source[0] * dx + w.source[1] * dy;
        const double cx = w.source[0] - 2 * sd * dx, cy = w.source[1] - 2 * sd * dy;  // conjugate source
        const double theta = std::atan2(cx, -cy);  // source = R (sin theta, -cos theta)
        const double beta2 = std::fmod(std::fmod(turn * (theta - 0.4), 2 * M_PI) + 2 * M_PI, 2 * M_PI);
        // The line's crossing of the conjugate view's isocentre plane (x . source = 0).
        const double lambda = -(w.source[0] * cx + w.source[1] * cy) / (dx * cx + dy * cy);
        const double x = w.source[0] + lambda * dx, y = w.source[1] + lambda * dy;
        const double s2 = x * std::cos(theta) + y * std::sin(theta);
        const double w1 = a.parker(beta, s), w2 = a.parker(beta2, s2);
        EXPECT_NEAR(w1 + w2, 1.0, 1e-9)
            << "turn " << turn << " view " << v << " col " << c << " beta' " << beta2;
        partial += w1 > 1e-6 && w1 < 1 - 1e-6;
      }
    }
    EXPECT_GT(partial, 500) << "turn " << turn;  // the weighting is not trivial
  }
}

// PSNR (peak 1) of the ramp-filtered FBP of Shepp-Logan on a 128^2 unit grid in double.
double shepp_logan_psnr(const ct::ProjectionGeometry& pg) {
  const Context ctx = Context::host();
  const auto vol = ct::volume2d(128, 128);
  const auto phantom = datasets::shepp_logan(vol);
  const std::vector<double> truth = datasets::rasterize(vol, phantom, 4);
  const auto proj = Array<double>::from_host(ctx, pg.shape(), datasets::line_integrals(pg, phantom));
  Array<double> rec(ctx, vol.shape);
  ct::filtered_backprojection<double>(ctx, {vol, pg}, proj.view(), rec.view(), ct::FbpFilter::Ramp);
  const std::vector<double> r = rec.to_host_vector();
  double mse = 0;
  for (size_t i = 0; i < r.size(); ++i) mse += (r[i] - truth[i]) * (r[i] - truth[i]);
  return 10 * std::log10(static_cast<double>(r.size()) / mse);
}

TEST(CtFbpHost, SheppLoganPsnr) {
  const double psnr = shepp_logan_psnr(ct::parallel2d(183, 1.0, ct::uniform_angles(180, 0, M_PI)));
  std::printf("Shepp-Logan 128^2, 180 views, ramp: PSNR %.2f dB\n", psnr);
  EXPECT_GT(psnr, 30.0);  // 31.2 dB measured
}

// A fan-beam short scan loses little against the full circle.
TEST(CtFbpHost, ShortScanSheppLoganPsnr) {
  // 0.6 pixels at the isocentre; largest fan angle atan(0.6 x 120 / 200) = 19.8 degrees.
  const double full = shepp_logan_psnr(ct::fan2d(241, 1.0, ct::uniform_angles(360, 0, 2 * M_PI), 200, 133.3));
  const double shrt =
      shepp_logan_psnr(ct::fan2d(241, 1.0, scan_angles(226, 0, 225 * M_PI / 180), 200, 133.3));
  std::printf("Shepp-Logan 128^2 fan beam, ramp: PSNR %.2f dB full circle, %.2f dB short scan\n", full, shrt);
  EXPECT_GT(full, 30.0);        // 30.94 dB measured
  EXPECT_GT(shrt, full - 1.5);  // 29.94 dB measured; 18.5 dB with gamma's sign flipped
}

TEST(CtFbpHost, RejectsUnsupportedCoverage) {
  const Context ctx = Context::host();
  const auto vol = ct::volume2d(16, 16);
  auto check = [&](const ct::ProjectionGeometry& p, const std::string& fragment) {
    Array<float> proj(ctx, p.shape()), out(ctx, vol.shape);
    try {
      ct::filtered_backprojection<float>(ctx, {vol, p}, proj.view(), out.view());
      ADD_FAILURE() << "no error for " << fragment;
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
  };
  check(ct::parallel2d(20, 1, ct::uniform_angles(30, 0, M_PI / 2)), "covering 180 or 360 degrees");
  // Largest fan angle atan(9.5 x 40 / 60 / 40) = 9.0 degrees.
  check(ct::fan2d(20, 1, ct::uniform_angles(30, 0, M_PI), 40, 20),
        "short scan (Parker-weighted) turning between 180 + 2 x the largest fan angle = 197.99");
  check(ct::fan2d(20, 1, scan_angles(30, 0, 197.9 * M_PI / 180), 40, 20), "197.9000");
  check(ct::fan2d(20, 1, ct::uniform_angles(40, 0, 2.5 * M_PI), 40, 20), "and 360 degrees");
  check(ct::parallel2d(20, 1, {0.0, 0.1, 0.3}), "equally spaced");
  auto vec = ct::parallel2d(20, 1, ct::uniform_angles(30, 0, M_PI));
  vec.circular = false;
  check(vec, "needs a circular geometry");
}

}  // namespace
}  // namespace recon::testing

// FBP / FDK: absolute scale (the reconstruction of exact line integrals of a uniform disk or
// sphere returns its attenuation inside and ~0 outside) for every family and filter, the
// Shepp-Logan PSNR, and the coverage errors.
#include <gtest/gtest.h>

#include <cmath>

#include "backends.hpp"
#include "recon/kernels/error.hpp"
#include "recon/operators/ct/fbp.hpp"
#include "recon/operators/ct/phantom.hpp"

namespace recon::testing {
namespace {

struct DiskStats {
  double inside = 0, outside = 0;  // mean inside radius r_in, mean |value| in the ring (r_out, fov)
};

// Reconstructs the exact projections of `phantom` and averages the result inside a radius
// and on a ring outside (the central slice in 3D).
template <class T>
DiskStats reconstruct_ball(const Context& ctx, const ct::Geometry& g, const std::vector<ct::Ellipsoid>& phantom,
                           double r_in, double r_out, double fov, ct::FbpFilter filter) {
  const std::vector<double> p = ct::line_integrals(g.projection, phantom);
  const auto proj = Array<T>::from_host(ctx, g.projection.shape(), std::vector<T>(p.begin(), p.end()));
  Array<T> vol(ctx, g.volume.shape);
  ct::filtered_backprojection<T>(ctx, g, proj.view(), vol.view(), filter);
  const std::vector<T> v = vol.to_host_vector();
  const index_t nx = g.volume.nx(), ny = g.volume.ny(), nz = g.volume.nz();
  const ct::Vec3 c = phantom.front().centre;
  DiskStats s;
  int n_in = 0, n_out = 0;
  const index_t z = nz / 2;
  const double zc = g.volume.origin[2] + (static_cast<double>(z) - 0.5 * static_cast<double>(nz - 1)) * g.volume.voxel_size[2];
  for (index_t y = 0; y < ny; ++y)
    for (index_t x = 0; x < nx; ++x) {
      const double X = (static_cast<double>(x) - 0.5 * static_cast<double>(nx - 1)) * g.volume.voxel_size[0];
      const double Y = (static_cast<double>(y) - 0.5 * static_cast<double>(ny - 1)) * g.volume.voxel_size[1];
      const double r = std::sqrt((X - c[0]) * (X - c[0]) + (Y - c[1]) * (Y - c[1]) + (zc - c[2]) * (zc - c[2]));
      const double val = v[static_cast<size_t>((z * ny + y) * nx + x)];
      if (r < r_in) s.inside += val, ++n_in;
      if (r > r_out && std::hypot(X, Y) < fov) s.outside += std::fabs(val), ++n_out;
    }
  s.inside /= n_in;
  s.outside /= n_out;
  return s;
}

template <class B>
class CtFbp : public BackendTest<B> {};
TYPED_TEST_SUITE(CtFbp, AllBackends, BackendName);

TYPED_TEST(CtFbp, ParallelAndFanReturnTheAttenuation) {
  using T = typename TypeParam::value_type;
  const auto disk = ct::ball(0.5, 40.0, {4, -3, 0});
  const auto vol = ct::volume2d(128, 128, 0.9, 0.9);  // world units: attenuation per unit length
  const std::vector<std::pair<std::string, ct::ProjectionGeometry>> cases = {
      {"parallel 180", ct::parallel2d(160, 0.8, ct::uniform_angles(180, 0, M_PI), 0.7)},
      {"parallel 360", ct::parallel2d(160, 0.8, ct::uniform_angles(200, 0.2, 0.2 + 2 * M_PI))},
      {"fan 360", ct::fan2d(200, 1.0, ct::uniform_angles(240, 0, 2 * M_PI), 150, 100, 1.5)}};
  for (const auto& [name, p] : cases)
    for (ct::FbpFilter f : {ct::FbpFilter::Ramp, ct::FbpFilter::SheppLogan, ct::FbpFilter::Cosine, ct::FbpFilter::Hann}) {
      const DiskStats s = reconstruct_ball<T>(this->ctx(), {vol, p}, disk, 30, 50, 55, f);
      EXPECT_NEAR(s.inside, 0.5, 0.01) << name << " filter " << static_cast<int>(f);
      EXPECT_LT(s.outside, 0.02) << name << " filter " << static_cast<int>(f);
    }
}

TYPED_TEST(CtFbp, ParallelBeam3DAndFdkReturnTheAttenuation) {
  using T = typename TypeParam::value_type;
  const auto sphere = ct::ball(2.0, 20.0, {1, -2, 0.5});
  const auto vol = ct::volume3d(48, 56, 56);
  const DiskStats par = reconstruct_ball<T>(
      this->ctx(), {vol, ct::parallel3d(52, 72, 1, 1, ct::uniform_angles(90, 0, M_PI))}, sphere, 14, 24, 27,
      ct::FbpFilter::Ramp);
  EXPECT_NEAR(par.inside, 2.0, 0.04);
  EXPECT_LT(par.outside, 0.04);
  // Cone angle ~ 14 degrees: FDK is approximate off the central plane, exact in it.
  const DiskStats fdk = reconstruct_ball<T>(
      this->ctx(), {vol, ct::cone(64, 96, 1.2, 1.2, ct::uniform_angles(120, 0, 2 * M_PI), 120, 60, 0.3, -0.2)},
      sphere, 14, 24, 27, ct::FbpFilter::Ramp);
  EXPECT_NEAR(fdk.inside, 2.0, 0.04);
  EXPECT_LT(fdk.outside, 0.04);
}

TEST(CtFbpHost, SheppLoganPsnr) {
  const Context ctx = Context::host();
  const auto vol = ct::volume2d(128, 128);
  const ct::Geometry g{vol, ct::parallel2d(183, 1.0, ct::uniform_angles(180, 0, M_PI))};
  const auto phantom = ct::shepp_logan(vol);
  const std::vector<double> truth = ct::rasterize(vol, phantom, 4);
  const std::vector<double> p = ct::line_integrals(g.projection, phantom);
  const auto proj = Array<double>::from_host(ctx, g.projection.shape(), p);
  Array<double> rec(ctx, vol.shape);
  ct::filtered_backprojection<double>(ctx, g, proj.view(), rec.view(), ct::FbpFilter::Ramp);
  const std::vector<double> r = rec.to_host_vector();
  double mse = 0;
  for (size_t i = 0; i < r.size(); ++i) mse += (r[i] - truth[i]) * (r[i] - truth[i]);
  mse /= static_cast<double>(r.size());
  const double psnr = 10 * std::log10(1.0 / mse);  // peak 1
  std::printf("Shepp-Logan 128^2, 180 views, ramp: PSNR %.2f dB\n", psnr);
  EXPECT_GT(psnr, 30.0);  // 31.2 dB measured
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
  check(ct::fan2d(20, 1, ct::uniform_angles(30, 0, M_PI), 40, 20), "short scans need Parker weights");
  check(ct::parallel2d(20, 1, {0.0, 0.1, 0.3}), "equally spaced");
  auto vec = ct::parallel2d(20, 1, ct::uniform_angles(30, 0, M_PI));
  vec.circular = false;
  check(vec, "needs a circular geometry");
}

}  // namespace
}  // namespace recon::testing

// UnmatchedProjector (Joseph A, voxel-driven B): the measured mismatch of B against A^T on
// every circular geometry family (the tolerance documented in unmatched_projector.hpp), the
// fitted scale <x, B y> / <A x, y> ~ 1, B 1 ~ A^T 1 voxel by voxel on wide fan / cone beams
// (the weights are right everywhere), SIRT with the unmatched pair against matched SIRT on
// Shepp-Logan, the host's 2D parallel-beam kernel against the general one, and the rejection of
// vector geometries.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "backends.hpp"
#include "ct_geometries.hpp"
#include "recon/datasets/phantoms.hpp"
#include "recon/engine/ct/sirt.hpp"
#include "recon/engine/metrics.hpp"
#include "recon/operators/ct/unmatched_projector.hpp"

namespace recon::testing {
namespace {

template <class B>
class CtUnmatched : public BackendTest<B> {};
TYPED_TEST_SUITE(CtUnmatched, AllBackends, BackendName);

// exp(-|p - c|^2 / (2 s^2)) at the voxel centres p: c = centre + shift * extent, s = 0.2 x the
// smallest extent (several voxels: smooth at the scale of the interpolation).
template <class T>
Array<T> bump(const Context& ctx, const ct::VolumeGeometry& v, double shift) {
  const index_t n[3] = {v.nx(), v.ny(), v.nz()};
  double ext[3] = {0, 0, 0}, s = 1e300;
  for (int a = 0; a < v.ndim(); ++a) {
    ext[a] = static_cast<double>(n[a]) * v.voxel_size[a];
    s = std::min(s, 0.2 * ext[a]);
  }
  std::vector<T> out;
  for (index_t k = 0; k < n[2]; ++k)
    for (index_t j = 0; j < n[1]; ++j)
      for (index_t i = 0; i < n[0]; ++i) {
        const index_t idx[3] = {i, j, k};
        double r2 = 0;
        for (int a = 0; a < v.ndim(); ++a) {
          const double p =
              (static_cast<double>(idx[a]) - 0.5 * static_cast<double>(n[a] - 1)) * v.voxel_size[a];
          r2 += (p - shift * ext[a]) * (p - shift * ext[a]);
        }
        out.push_back(static_cast<T>(std::exp(-r2 / (2 * s * s))));
      }
  return Array<T>::from_host(ctx, v.shape, out);
}

// ||B y - A^T y|| / ||A^T y|| over the voxels at least 2 voxels from the volume's faces (the
// Joseph walk clips rays at the faces; B does not see them).
template <class T>
double interior_error(const ct::VolumeGeometry& v, const std::vector<T>& b, const std::vector<T>& at) {
  const index_t n[3] = {v.nx(), v.ny(), v.nz()};
  double diff = 0, ref = 0;
  for (index_t k = 0; k < n[2]; ++k)
    for (index_t j = 0; j < n[1]; ++j)
      for (index_t i = 0; i < n[0]; ++i) {
        const index_t idx[3] = {i, j, k};
        bool inside = true;
        for (int a = 0; a < v.ndim(); ++a) inside = inside && idx[a] >= 2 && idx[a] < n[a] - 2;
        if (!inside) continue;
        const size_t m = static_cast<size_t>((k * n[1] + j) * n[0] + i);
        diff += (static_cast<double>(b[m]) - at[m]) * (static_cast<double>(b[m]) - at[m]);
        ref += static_cast<double>(at[m]) * at[m];
      }
  return std::sqrt(diff / ref);
}

// The measured worst cases with margin (the table in unmatched_projector.hpp).
struct Bounds {
  const char* family;
  double inner, backprojection;
};
constexpr Bounds kBounds[] = {
    {"parallel2d", 2e-3, 0.1}, {"fan2d", 1e-3, 0.025}, {"parallel3d", 0.012, 0.03}, {"cone", 0.01, 0.1}};

TYPED_TEST(CtUnmatched, CloseToTheJosephAdjointOnEveryCircularGeometry) {
  using T = typename TypeParam::value_type;
  const Context& ctx = this->ctx();
  for (const auto& [name, g] : ct_test_geometries()) {
    if (!g.projection.circular) continue;
    SCOPED_TRACE(name);
    const ct::JosephProjector<T> a(g);
    const ct::UnmatchedProjector<T> u(g);
    const Array<T> x = bump<T>(ctx, g.volume, 0.08), x2 = bump<T>(ctx, g.volume, -0.1);
    Array<T> ax(ctx, a.range()), y(ctx, a.range()), by(ctx, a.domain()), aty(ctx, a.domain());
    u.apply(ctx, x.view(), ax.view());
    a.apply(ctx, x2.view(), y.view());
    u.adjoint(ctx, y.view(), by.view());
    a.adjoint(ctx, y.view(), aty.view());
    const double lhs = dot<T>(ctx, ax.view(), y.view()), rhs = dot<T>(ctx, x.view(), by.view());
    const double inner = std::fabs(lhs - rhs) / lhs;
    const double bp = interior_error(g.volume, by.to_host_vector(), aty.to_host_vector());
    std::printf("%-24s %s inner %.2e scale %.5f backprojection %.2e\n", name.c_str(),
                sizeof(T) == 4 ? "float" : "double", inner, rhs / lhs, bp);
    const std::string family = g.projection.type_name();
    for (const Bounds& b : kBounds)
      if (family == b.family) {
        EXPECT_LT(inner, b.inner);
        EXPECT_LT(bp, b.backprojection);
      }
    EXPECT_NEAR(rhs / lhs, 1.0, 0.015);
  }
}

// B 1 against A^T 1 voxel by voxel on wide fan / cone beams (fan angles up to 45 degrees) whose
// detectors see the whole volume from every view, with pixels half a voxel or less at the
// isocentre (A^T 1 is then smooth): checks the magnification and obliquity factors of B's
// weight everywhere in the volume, not only on average.
TYPED_TEST(CtUnmatched, RayDensityWeightsFollowTheJosephAdjoint) {
  using T = typename TypeParam::value_type;
  const Context& ctx = this->ctx();
  const std::vector<double> circle = ct::uniform_angles(90, 0, 2 * M_PI);
  for (const ct::Geometry& g :
       {ct::Geometry{ct::volume2d(40, 40), ct::fan2d(340, 0.5, circle, 40, 40)},
        ct::Geometry{ct::volume3d(16, 24, 24), ct::cone(80, 90, 1.0, 1.0, circle, 30, 30)}}) {
    SCOPED_TRACE(g.projection.type_name());
    const ct::JosephProjector<T> a(g);
    const ct::UnmatchedProjector<T> u(g);
    const auto ones = Array<T>::from_host(ctx, a.range(), std::vector<T>(a.range().size(), T(1)));
    Array<T> b1(ctx, a.domain()), at1(ctx, a.domain());
    u.adjoint(ctx, ones.view(), b1.view());
    a.adjoint(ctx, ones.view(), at1.view());
    const std::vector<T> b = b1.to_host_vector(), at = at1.to_host_vector();
    double worst = 0, peak = 0;
    for (size_t i = 0; i < b.size(); ++i) {
      worst = std::max(worst, std::fabs(static_cast<double>(b[i]) - at[i]));
      peak = std::max(peak, static_cast<double>(at[i]));
    }
    std::printf("%s B1 vs AT1 worst %.3e\n", g.projection.type_name().c_str(), worst / peak);
    EXPECT_LT(worst / peak, 0.03);
  }
}

// SIRT (nonneg, 60 iterations) on exact line integrals of Shepp-Logan, matched and unmatched.
TYPED_TEST(CtUnmatched, SirtWithTheUnmatchedPairMatchesMatchedSirt) {
  using T = typename TypeParam::value_type;
  const Context& ctx = this->ctx();
  for (const ct::ProjectionGeometry& p :
       {ct::parallel2d(96, 1.0, ct::uniform_angles(90, 0, M_PI)),
        ct::fan2d(120, 1.0, ct::uniform_angles(90, 0, 2 * M_PI), 100, 60)}) {
    const ct::Geometry g{ct::volume2d(64, 64), p};
    SCOPED_TRACE(p.type_name());
    const std::vector<double> truth = datasets::rasterize(g.volume, datasets::shepp_logan(g.volume), 3);
    const std::vector<double> data = datasets::line_integrals(g.projection, datasets::shepp_logan(g.volume));
    const auto xt = Array<T>::from_host(ctx, g.volume.shape, std::vector<T>(truth.begin(), truth.end()));
    const auto y = Array<T>::from_host(ctx, p.shape(), std::vector<T>(data.begin(), data.end()));
    ct::SirtOptions opt;
    opt.max_iters = 60;
    opt.nonneg = true;
    double psnr_db[2];
    const Operator<T> ops[2] = {ct::joseph_projector<T>(g), ct::unmatched_projector<T>(g)};
    for (int k = 0; k < 2; ++k) {
      Array<T> x(ctx, g.volume.shape);
      fill<T>(ctx, x.view(), T(0));
      ct::sirt<T>(ctx, ops[k], y.view(), x.view(), opt);
      psnr_db[k] = psnr<T>(ctx, xt.view(), x.view(), 1.0);
    }
    std::printf("%s SIRT psnr matched %.2f unmatched %.2f dB\n", p.type_name().c_str(), psnr_db[0],
                psnr_db[1]);
    EXPECT_GT(psnr_db[1], psnr_db[0] - 1.0);
    EXPECT_GT(psnr_db[0], 20.0);
  }
}

// The host runs B in tiles of voxels along x; a volume whose width is not a multiple of the tile,
// shifted by 3 voxels against a wider one, must give the same voxels: no seams at tile ends.
TYPED_TEST(CtUnmatched, TileBoundariesLeaveNoSeams) {
  using T = typename TypeParam::value_type;
  const Context& ctx = this->ctx();
  const std::vector<double> angles = ct::uniform_angles(23, 0, 2 * M_PI);
  const index_t wide = 70, narrow = 67, shift = wide - narrow;
  const double ox = 0.5 * static_cast<double>(shift);  // centre of the wide volume's voxels 3..69
  const std::pair<ct::VolumeGeometry, ct::VolumeGeometry> volumes2d{ct::volume2d(9, wide),
                                                                    ct::volume2d(9, narrow, 1, 1, ox)};
  const std::pair<ct::VolumeGeometry, ct::VolumeGeometry> volumes3d{
      ct::volume3d(5, 9, wide), ct::volume3d(5, 9, narrow, {1, 1, 1}, {ox, 0, 0})};
  const std::pair<ct::ProjectionGeometry, std::pair<ct::VolumeGeometry, ct::VolumeGeometry>> cases[] = {
      {ct::parallel2d(101, 1.0, angles), volumes2d},
      {ct::fan2d(131, 1.0, angles, 80, 60), volumes2d},
      {ct::cone(15, 131, 1.0, 1.0, angles, 80, 60), volumes3d}};
  for (const auto& [pg, vols] : cases) {
    SCOPED_TRACE(pg.type_name());
    const ct::UnmatchedProjector<T> bw(ct::Geometry{vols.first, pg}), bn(ct::Geometry{vols.second, pg});
    std::vector<T> y(static_cast<size_t>(bw.range().size()));
    for (size_t i = 0; i < y.size(); ++i) y[i] = static_cast<T>(1 + std::sin(0.37 * static_cast<double>(i)));
    const auto yd = Array<T>::from_host(ctx, bw.range(), y);
    Array<T> xw(ctx, bw.domain()), xn(ctx, bn.domain());
    bw.adjoint(ctx, yd.view(), xw.view());
    bn.adjoint(ctx, yd.view(), xn.view());
    const std::vector<T> w = xw.to_host_vector(), n = xn.to_host_vector();
    double worst = 0, peak = 0;
    for (size_t row = 0; row < n.size() / static_cast<size_t>(narrow); ++row)
      for (index_t x = 0; x < narrow; ++x) {
        const double a = w[row * static_cast<size_t>(wide) + static_cast<size_t>(x + shift)];
        worst = std::max(worst, std::fabs(a - n[row * static_cast<size_t>(narrow) + static_cast<size_t>(x)]));
        peak = std::max(peak, std::fabs(a));
      }
    EXPECT_GT(peak, 0.0);
    EXPECT_LT(worst, (sizeof(T) == 4 ? 1e-5 : 1e-12) * peak);
  }
}

// The host back-projects 2D parallel beams with its own kernel (voxel_backproject_parallel2d.cpp);
// the general kernel gives the same B on a one-slice volume and a one-row detector of the matching
// 3D parallel geometry (its row interpolation weight is then exactly 0). Even and odd sizes wider
// than the host's tiles, anisotropic and shifted voxels, offset detectors narrower than the
// volume, views at 45 degrees (where the kernel switches axes) and over 360 degrees, and voxels
// wider than detector pixels (where the host falls back to the general kernel).
TYPED_TEST(CtUnmatched, Parallel2dMatchesTheGeneralKernelOnOneSlice) {
  using T = typename TypeParam::value_type;
  const Context& ctx = this->ctx();
  struct Case {
    ct::VolumeGeometry volume;
    index_t cols;
    double pixel, offset;
    std::vector<double> angles;
  };
  const Case cases[] = {
      {ct::volume2d(32, 32), 48, 0.8, 0, ct::uniform_angles(30, 0, M_PI)},
      {ct::volume2d(31, 27, 1.1, 0.9, 1.5, -2.0), 41, 1.3, 2.7, ct::uniform_angles(17, 0.3, 0.3 + 2 * M_PI)},
      {ct::volume2d(45, 70, 1, 1, -3.5, 2), 101, 1.0, -1.5, ct::uniform_angles(36, 0, M_PI)},
      {ct::volume2d(37, 40, 0.7, 0.7), 30, 1.0, 4.2, ct::uniform_angles(24, 0.1, 0.1 + 2 * M_PI)},
      {ct::volume2d(20, 19, 2.0, 2.0), 60, 1.0, 0.5, ct::uniform_angles(8, 0, M_PI)}};
  for (const Case& c : cases) {
    const ct::VolumeGeometry& v = c.volume;
    const ct::Geometry flat{v, ct::parallel2d(c.cols, c.pixel, c.angles, c.offset)};
    const ct::Geometry slice{
        ct::volume3d(1, v.ny(), v.nx(), {v.voxel_size[0], v.voxel_size[1], 1}, {v.origin[0], v.origin[1], 0}),
        ct::parallel3d(1, c.cols, 1.0, c.pixel, c.angles, c.offset, 0)};
    SCOPED_TRACE(std::to_string(v.ny()) + " x " + std::to_string(v.nx()) + ", " + std::to_string(c.cols) +
                 " columns");
    const ct::UnmatchedProjector<T> b2(flat), b3(slice);
    const auto y = Array<T>::from_host(ctx, b2.range(), random_values<T>(b2.range().size(), 91, 0, 1));
    const View<const T> y3(y.data(), b3.range(), ctx.device());
    Array<T> x2(ctx, b2.domain()), x3(ctx, b3.domain());
    b2.adjoint(ctx, y.view(), x2.view());
    b3.adjoint(ctx, y3, x3.view());
    const std::vector<T> fast = x2.to_host_vector(), general = x3.to_host_vector();
    double worst = 0, peak = 0;
    for (size_t i = 0; i < fast.size(); ++i) {
      worst = std::max(worst, std::fabs(static_cast<double>(fast[i]) - general[i]));
      peak = std::max(peak, std::fabs(static_cast<double>(general[i])));
    }
    EXPECT_GT(peak, 0.0);
    EXPECT_LT(worst, (sizeof(T) == 4 ? 1e-5 : 1e-12) * peak);
  }
}

TYPED_TEST(CtUnmatched, RejectsVectorGeometries) {
  using T = typename TypeParam::value_type;
  for (const auto& [name, g] : ct_test_geometries())
    if (!g.projection.circular) {
      SCOPED_TRACE(name);
      EXPECT_THROW(ct::unmatched_projector<T>(g), InvalidArgument);
    }
}

}  // namespace
}  // namespace recon::testing

// Parity of the CT family beyond the Joseph projector (tests/ct/test_projector.cu's
// CtProjectorParity covers A and A^T on every geometry): FBP / FDK, the voxel-driven
// back-projection of the unmatched pair, the streamed projections, and a few SIRT / CGLS steps.
#include <cmath>

#include "ct_geometries.hpp"
#include "parity.hpp"
#include "recon/engine/ct/cgls.hpp"
#include "recon/engine/ct/sirt.hpp"
#include "recon/operators/ct/fbp.hpp"
#include "recon/operators/ct/projector.hpp"
#include "recon/operators/ct/streamed.hpp"
#include "recon/operators/ct/unmatched_projector.hpp"

namespace recon::parity {
namespace {

template <class T>
class ParityCt : public ParityTest<T> {};
TYPED_TEST_SUITE(ParityCt, ParityTypes, TypeName);

// Detector positions are computed in T from world coordinates of up to ~40 voxels, so an
// interpolation weight carries ~40 u of rounding and a sample landing on a detector edge may
// move to its neighbour: element-wise at 10 unit<T>() (float: 1e-4 of the peak, the bound of
// CtProjectorParity).
template <class T>
Tolerance ct_tolerance() {
  return elementwise<T>(10);
}

std::vector<std::pair<std::string, ct::Geometry>> circular_geometries() {
  std::vector<std::pair<std::string, ct::Geometry>> out;
  for (auto& [name, g] : recon::testing::ct_test_geometries())
    if (name.find("_vec") == std::string::npos) out.push_back({name, g});
  return out;
}

// Angles from start over `scan` radians, both ends included (a short scan).
std::vector<double> scan_angles(index_t count, double start, double scan) {
  std::vector<double> a;
  for (index_t k = 0; k < count; ++k) a.push_back(start + scan * double(k) / double(count - 1));
  return a;
}

// FBP (parallel, fan) and FDK (cone), full circles and Parker-weighted short scans turning
// either way: ramp / Hann filtering by FFT, then the voxel-driven back-projection.
TYPED_TEST(ParityCt, FilteredBackprojection) {
  using T = TypeParam;
  auto geometries = circular_geometries();
  const double scan = 230 * M_PI / 180;  // fan angles below 7 degrees here: 194 degrees needed
  for (double turn : {1.0, -1.0}) {
    const std::string t = turn > 0 ? "" : " decreasing";
    geometries.push_back(
        {"fan2d_short" + t,
         {ct::volume2d(40, 38), ct::fan2d(61, 1.0, scan_angles(40, 0.3, turn * scan), 150, 100, 1.5)}});
    geometries.push_back(
        {"cone_short" + t,
         {ct::volume3d(10, 16, 15),
          ct::cone(12, 20, 1.2, 1.2, scan_angles(30, 1.0, turn * scan), 120, 60, 0.3, -0.2)}});
  }
  for (const auto& entry : geometries) {
    // Named references, not structured bindings: the lambdas capture them (C++17).
    const std::string& name = entry.first;
    const ct::Geometry& g = entry.second;
    const Shape ps = g.projection.shape(), vs = g.volume.shape;
    const auto y = random_values<T>(ps.size(), 71, 0, 2);
    for (auto filter : {ct::FbpFilter::Ramp, ct::FbpFilter::Hann})
      this->expect_same(
          name + (filter == ct::FbpFilter::Ramp ? " fbp ramp" : " fbp hann"),
          [&](const Context& c) {
            const auto p = Array<T>::from_host(c, ps, y);
            auto out = poisoned<T>(c, vs);
            ct::filtered_backprojection<T>(c, g, p.view(), out.view(), filter);
            return out.to_host_vector();
          },
          ct_tolerance<T>());
  }
}

// The unmatched pair's B (a gather per voxel, no atomics) and its forward projection.
TYPED_TEST(ParityCt, VoxelDrivenBackprojection) {
  using T = TypeParam;
  for (const auto& [name, g] : circular_geometries()) {
    const auto op = ct::unmatched_projector<T>(g);
    const auto y = random_values<T>(op.range().size(), 72, 0, 1);
    const auto x = random_values<T>(op.domain().size(), 73, 0, 1);
    this->expect_same(
        name + " voxel-driven B",
        [&](const Context& c) {
          const auto p = Array<T>::from_host(c, op.range(), y);
          auto out = poisoned<T>(c, op.domain());
          op.adjoint(c, p.view(), out.view());
          return out.to_host_vector();
        },
        ct_tolerance<T>());
    this->expect_same(
        name + " unmatched apply",
        [&](const Context& c) {
          const auto v = Array<T>::from_host(c, op.domain(), x);
          auto out = poisoned<T>(c, op.range());
          op.apply(c, v.view(), out.view());
          return out.to_host_vector();
        },
        ct_tolerance<T>());
  }
}

// Volume and projections in host memory, pieces of 3 slices x 4 views on the side's device.
TYPED_TEST(ParityCt, StreamedProjection) {
  using T = TypeParam;
  const Context host = Context::host();
  for (const auto& entry : recon::testing::ct_test_geometries()) {
    // Named references, not structured bindings: the lambdas capture them (C++17).
    const std::string& name = entry.first;
    const ct::Geometry& g = entry.second;
    const Shape ps = g.projection.shape(), vs = g.volume.shape;
    const ct::StreamPlan plan{g.volume.ndim() == 3 ? 3 : 1, 4};
    const auto x = random_values<T>(vs.size(), 74, 0, 1), y = random_values<T>(ps.size(), 75, 0, 1);
    this->expect_same(
        name + " streamed apply",
        [&](const Context& c) {
          const auto v = Array<T>::from_host(host, vs, x);
          auto out = poisoned<T>(host, ps);
          ct::StreamedProjector<T>(g, c, plan).apply(host, v.view(), out.view());
          return out.to_host_vector();
        },
        ct_tolerance<T>());
    this->expect_same(
        name + " streamed adjoint",
        [&](const Context& c) {
          const auto p = Array<T>::from_host(host, ps, y);
          auto out = poisoned<T>(host, vs);
          ct::StreamedProjector<T>(g, c, plan).adjoint(host, p.view(), out.view());
          return out.to_host_vector();
        },
        ct_tolerance<T>());
  }
}

// Five iterations from zero: each step adds one A and one A^T of 10 unit<T>() each, so the
// iterates may drift by the sum, normwise 5 x 2 x 10 unit<T>() with a factor 2 margin.
TYPED_TEST(ParityCt, SirtAndCglsIterates) {
  using T = TypeParam;
  const auto geometries = recon::testing::ct_test_geometries();
  for (const auto& [name, g] : {geometries[0], geometries[4]}) {
    const Operator<T> a = ct::joseph_projector<T>(g);
    const auto y = random_values<T>(a.range().size(), 76, 0, 3);
    const auto run = [&](bool use_sirt) {
      return [&, use_sirt](const Context& c) {
        const auto p = Array<T>::from_host(c, a.range(), y);
        auto x = Array<T>::from_host(c, a.domain(), std::vector<T>(a.domain().size(), T(0)));
        if (use_sirt) {
          ct::SirtOptions o;
          o.max_iters = 5;
          o.rel_tol = 0;
          o.nonneg = true;
          ct::sirt<T>(c, a, p.view(), x.view(), o);
        } else {
          ct::CglsOptions o;
          o.max_iters = 5;
          o.rel_tol = 0;
          ct::cgls<T>(c, a, p.view(), x.view(), o);
        }
        return x.to_host_vector();
      };
    };
    this->expect_same_normwise(name + " sirt x5", run(true), 200 * unit<T>());
    this->expect_same_normwise(name + " cgls x5", run(false), 200 * unit<T>());
  }
}

}  // namespace
}  // namespace recon::parity

// Test geometries covering every family: odd and even sizes, anisotropic voxels, shifted
// volumes, detector offsets, and vector geometries with tilted detectors and oblique rays.
#pragma once

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "recon/operators/ct/geometry.hpp"

namespace recon::testing {

inline std::vector<std::pair<std::string, ct::Geometry>> ct_test_geometries() {
  using namespace recon::ct;
  std::vector<std::pair<std::string, Geometry>> out;
  const double pi = M_PI;
  out.push_back({"parallel2d_even", {volume2d(32, 32), parallel2d(48, 0.8, uniform_angles(30, 0, pi))}});
  out.push_back({"parallel2d_odd_offset",
                 {volume2d(31, 27, 1.1, 0.9, 1.5, -2.0),
                  parallel2d(41, 1.3, uniform_angles(17, 0.3, 0.3 + 2 * pi), 2.7)}});
  out.push_back(
      {"fan2d_odd", {volume2d(33, 30), fan2d(63, 1.5, uniform_angles(24, 0, 2 * pi), 60, 40, 1.3)}});
  out.push_back({"parallel3d",
                 {volume3d(9, 16, 15), parallel3d(11, 20, 1.1, 0.9, uniform_angles(12, 0, pi), 0.6, -0.4)}});
  out.push_back({"cone_odd_offset",
                 {volume3d(10, 17, 16, {1, 1, 1.2}, {0.5, 0, 1}),
                  cone(13, 23, 1.4, 1.3, uniform_angles(15, 0, 2 * pi), 40, 30, 1.1, -0.7)}});
  // Vector forms: tilted detectors, oblique parallel rays.
  std::vector<ViewVectors> par2, fan2, par3, cone3;
  for (int k = 0; k < 9; ++k) {
    const double a = 0.37 * k, c = std::cos(a), s = std::sin(a);
    ViewVectors p;
    p.source = {-s + 0.1, c, 0};
    p.detector = {0.5 * c, 0.5 * s, 0};
    p.u = {0.9 * c, 0.9 * s + 0.05, 0};
    par2.push_back(p);
    ViewVectors f;
    f.source = {30 * s, -30 * c, 0};
    f.detector = {-20 * s + c, 20 * c + s, 0};
    f.u = {1.2 * c + 0.1 * s, 1.2 * s, 0};
    fan2.push_back(f);
    ViewVectors q = p;
    q.source = {-s, c, 0.3};
    q.detector = {0.5 * c, 0.5 * s, 0.4};
    q.u = {c, s, 0.1};
    q.v = {0.05, 0, 1.1};
    par3.push_back(q);
    ViewVectors g = f;
    g.source = {35 * s, -35 * c, 2.0};
    g.detector = {-25 * s, 25 * c, -1.0};
    g.u = {1.3 * c, 1.3 * s, 0.1};
    g.v = {0.1 * s, 0, 1.2};
    cone3.push_back(g);
  }
  out.push_back({"parallel2d_vec", {volume2d(20, 23), vector_geometry(2, Beam::Parallel, 1, 35, par2)}});
  out.push_back({"fan2d_vec", {volume2d(21, 20), vector_geometry(2, Beam::Divergent, 1, 37, fan2)}});
  out.push_back({"parallel3d_vec", {volume3d(12, 11, 14), vector_geometry(3, Beam::Parallel, 15, 19, par3)}});
  out.push_back({"cone_vec", {volume3d(11, 14, 13), vector_geometry(3, Beam::Divergent, 16, 21, cone3)}});
  return out;
}

}  // namespace recon::testing

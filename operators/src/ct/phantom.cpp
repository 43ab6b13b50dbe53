// Ellipsoid phantoms: sampling and exact line integrals (phantom.hpp).
#include "recon/operators/ct/phantom.hpp"

#include <algorithm>
#include <cmath>

#include "recon/kernels/error.hpp"

namespace recon::ct {

namespace {

// Point or direction in the ellipsoid's unit-sphere frame.
Vec3 to_unit(const Ellipsoid& e, const Vec3& p, bool direction, bool planar) {
  const Vec3 q = direction ? p : Vec3{p[0] - e.centre[0], p[1] - e.centre[1], p[2] - e.centre[2]};
  const double c = std::cos(e.phi), s = std::sin(e.phi);
  return {(c * q[0] + s * q[1]) / e.semi_axes[0], (-s * q[0] + c * q[1]) / e.semi_axes[1],
          planar ? 0.0 : q[2] / e.semi_axes[2]};
}

double dot(const Vec3& a, const Vec3& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }

}  // namespace

std::vector<Ellipsoid> shepp_logan(const VolumeGeometry& v) {
  // density, a, b, c, x0, y0, z0, phi (degrees)
  static const double table[10][8] = {
      {1.0, .6900, .920, .810, 0, 0, 0, 0},     {-.8, .6624, .874, .780, 0, -.0184, 0, 0},
      {-.2, .1100, .310, .220, .22, 0, 0, -18}, {-.2, .1600, .410, .280, -.22, 0, 0, 18},
      {.1, .2100, .250, .410, 0, .35, -.15, 0}, {.1, .0460, .046, .050, 0, .1, .25, 0},
      {.1, .0460, .046, .050, 0, -.1, .25, 0},  {.1, .0460, .023, .050, -.08, -.605, 0, 0},
      {.1, .0230, .023, .020, 0, -.606, 0, 0},  {.1, .0230, .046, .020, .06, -.605, 0, 0}};
  const bool planar = v.ndim() == 2;
  const double h[3] = {0.5 * static_cast<double>(v.nx()) * v.voxel_size[0],
                       0.5 * static_cast<double>(v.ny()) * v.voxel_size[1],
                       planar ? 1.0 : 0.5 * static_cast<double>(v.nz()) * v.voxel_size[2]};
  std::vector<Ellipsoid> out;
  for (const auto& r : table) {
    Ellipsoid e;
    e.density = r[0];
    e.semi_axes = {r[1] * h[0], r[2] * h[1], r[3] * h[2]};
    e.centre = {v.origin[0] + r[4] * h[0], v.origin[1] + r[5] * h[1],
                planar ? 0.0 : v.origin[2] + r[6] * h[2]};
    e.phi = r[7] * M_PI / 180.0;
    out.push_back(e);
  }
  return out;
}

std::vector<Ellipsoid> ball(double density, double radius, const Vec3& centre) {
  require(radius > 0, "ct::ball", "radius must be positive");
  Ellipsoid e;
  e.density = density;
  e.centre = centre;
  e.semi_axes = {radius, radius, radius};
  return {e};
}

std::vector<double> rasterize(const VolumeGeometry& v, const std::vector<Ellipsoid>& phantom,
                              int supersample) {
  require(supersample >= 1, "ct::rasterize", "supersample must be >= 1");
  const bool planar = v.ndim() == 2;
  const index_t nx = v.nx(), ny = v.ny(), nz = v.nz();
  const int sz = planar ? 1 : supersample;
  std::vector<double> out(static_cast<size_t>(nx * ny * nz), 0.0);
  const double inv = 1.0 / (static_cast<double>(supersample) * supersample * sz);
#pragma omp parallel for collapse(2) schedule(static)
  for (index_t k = 0; k < nz; ++k)
    for (index_t j = 0; j < ny; ++j)
      for (index_t i = 0; i < nx; ++i) {
        double acc = 0;
        for (int c = 0; c < sz; ++c)
          for (int b = 0; b < supersample; ++b)
            for (int a = 0; a < supersample; ++a) {
              const double fx = static_cast<double>(i) + (a + 0.5) / supersample - 0.5;
              const double fy = static_cast<double>(j) + (b + 0.5) / supersample - 0.5;
              const double fz = planar ? 0.0 : static_cast<double>(k) + (c + 0.5) / sz - 0.5;
              const Vec3 p{
                  v.origin[0] + (fx - 0.5 * static_cast<double>(nx - 1)) * v.voxel_size[0],
                  v.origin[1] + (fy - 0.5 * static_cast<double>(ny - 1)) * v.voxel_size[1],
                  planar ? 0.0 : v.origin[2] + (fz - 0.5 * static_cast<double>(nz - 1)) * v.voxel_size[2]};
              for (const Ellipsoid& e : phantom) {
                const Vec3 q = to_unit(e, p, false, planar);
                if (dot(q, q) <= 1.0) acc += e.density;
              }
            }
        out[static_cast<size_t>((k * ny + j) * nx + i)] = acc * inv;
      }
  return out;
}

std::vector<double> line_integrals(const ProjectionGeometry& g, const std::vector<Ellipsoid>& phantom) {
  const bool planar = g.ndim == 2;
  const index_t views = g.views(), rows = g.rows, cols = g.cols;
  std::vector<double> out(static_cast<size_t>(views * rows * cols), 0.0);
#pragma omp parallel for collapse(2) schedule(static)
  for (index_t view = 0; view < views; ++view)
    for (index_t r = 0; r < rows; ++r) {
      const ViewVectors& w = g.vectors[static_cast<size_t>(view)];
      for (index_t c = 0; c < cols; ++c) {
        const double cu = static_cast<double>(c) - 0.5 * static_cast<double>(cols - 1);
        const double cv = static_cast<double>(r) - 0.5 * static_cast<double>(rows - 1);
        Vec3 pixel, start, dir;
        for (int a = 0; a < 3; ++a) {
          pixel[a] = w.detector[a] + cu * w.u[a] + cv * w.v[a];
          start[a] = g.parallel() ? pixel[a] : w.source[a];
          dir[a] = g.parallel() ? w.source[a] : pixel[a] - w.source[a];
        }
        const double dir_len = std::sqrt(dot(dir, dir));
        double acc = 0;
        for (const Ellipsoid& e : phantom) {
          const Vec3 q = to_unit(e, start, false, planar), d = to_unit(e, dir, true, planar);
          const double dd = dot(d, d), qd = dot(q, d), disc = qd * qd - dd * (dot(q, q) - 1.0);
          if (disc <= 0 || dd == 0) continue;
          const double root = std::sqrt(disc);
          double t0 = (-qd - root) / dd, t1 = (-qd + root) / dd;
          if (!g.parallel()) t0 = std::max(t0, 0.0), t1 = std::max(t1, 0.0);  // in front of the source
          acc += e.density * (t1 - t0) * dir_len;
        }
        out[static_cast<size_t>((view * rows + r) * cols + c)] = acc;
      }
    }
  return out;
}

}  // namespace recon::ct

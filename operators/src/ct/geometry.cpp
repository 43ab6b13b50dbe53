// Construction of the circular geometries in vector form, and their validation
// (conventions in geometry.hpp and docs/ct-geometry.md).
#include "recon/operators/ct/geometry.hpp"

#include <algorithm>
#include <cmath>

#include "recon/kernels/error.hpp"
#include "vec3_math.hpp"

namespace recon::ct {

namespace {

using vec3::cross;
using vec3::norm;
bool finite(const Vec3& a) { return std::isfinite(a[0]) && std::isfinite(a[1]) && std::isfinite(a[2]); }
std::string num(double v) { return std::to_string(v); }

// Fills g.vectors from the circular description.
void circular_vectors(ProjectionGeometry& g) {
  g.vectors.clear();
  for (double a : g.angles) {
    const double c = std::cos(a), s = std::sin(a);
    const Vec3 ray{-s, c, 0}, u{c, s, 0}, v{0, 0, 1};
    ViewVectors w;
    const double d = g.parallel() ? 0.0 : g.origin_detector;
    for (int k = 0; k < 3; ++k) {
      w.detector[k] = d * ray[k] + g.offset_u * u[k] + (g.ndim == 3 ? g.offset_v * v[k] : 0.0);
      w.source[k] = g.parallel() ? ray[k] : -g.source_origin * ray[k];
      w.u[k] = g.pixel_u * u[k];
      w.v[k] = g.ndim == 3 ? g.pixel_v * v[k] : 0.0;
    }
    g.vectors.push_back(w);
  }
}

ProjectionGeometry make_circular(int ndim, Beam beam, index_t rows, index_t cols, double pixel_v,
                                 double pixel_u, std::vector<double> angles, double so, double od,
                                 double off_u, double off_v) {
  ProjectionGeometry g;
  g.ndim = ndim;
  g.beam = beam;
  g.rows = rows;
  g.cols = cols;
  g.angles = std::move(angles);
  g.pixel_u = pixel_u;
  g.pixel_v = pixel_v;
  g.offset_u = off_u;
  g.offset_v = off_v;
  g.source_origin = so;
  g.origin_detector = od;
  circular_vectors(g);
  return g;
}

void validate_volume(const VolumeGeometry& v, const std::string& where) {
  const int n = v.ndim();
  require(n == 2 || n == 3, where,
          "volume.shape must have 2 (ny, nx) or 3 (nz, ny, nx) axes, got " + v.shape.str());
  for (int a = 0; a < n; ++a)
    require(v.shape[a] > 0, where, "volume.shape " + v.shape.str() + " must have positive extents");
  for (int k = 0; k < 3; ++k) {
    require(std::isfinite(v.voxel_size[k]) && v.voxel_size[k] > 0, where,
            "volume.voxel_size must be positive and finite, got " + num(v.voxel_size[k]) + " on axis " +
                "xyz"[k]);
    require(std::isfinite(v.origin[k]), where, "volume.origin must be finite");
  }
  if (n == 2) require(v.origin[2] == 0, where, "a 2D volume lies in the plane z = 0 (origin z must be 0)");
}

void validate_views(const Geometry& g, const std::string& where) {
  const ProjectionGeometry& p = g.projection;
  const bool is3 = p.ndim == 3;
  const Vec3& c = g.volume.origin;
  const VolumeGeometry& vol = g.volume;
  const double half[3] = {0.5 * static_cast<double>(vol.nx()) * vol.voxel_size[0],
                          0.5 * static_cast<double>(vol.ny()) * vol.voxel_size[1],
                          0.5 * static_cast<double>(vol.nz()) * vol.voxel_size[2]};
  for (index_t i = 0; i < p.views(); ++i) {
    const ViewVectors& w = p.vectors[static_cast<size_t>(i)];
    const std::string at = "view " + std::to_string(i) + ": ";
    require(finite(w.source) && finite(w.detector) && finite(w.u) && finite(w.v), where,
            at + "vectors must be finite");
    if (!is3)
      require(w.source[2] == 0 && w.detector[2] == 0 && w.u[2] == 0 && norm(w.v) == 0, where,
              at + "a 2D geometry has z components and v equal to 0");
    require(norm(w.u) > 0, where, at + "detector u vector must be non-zero");
    const Vec3 normal = is3 ? cross(w.u, w.v) : Vec3{-w.u[1], w.u[0], 0};
    require(
        norm(normal) > 1e-12 * norm(w.u) * (is3 ? norm(w.v) : 1.0), where,
        at + (is3 ? "detector u and v vectors must be non-zero and not parallel" : "degenerate detector"));
    if (p.parallel()) {
      const double d = norm(w.source);
      require(d > 0, where, at + "parallel ray direction must be non-zero");
      const double cosang =
          std::fabs(normal[0] * w.source[0] + normal[1] * w.source[1] + normal[2] * w.source[2]) /
          (norm(normal) * d);
      require(cosang > 1e-6, where, at + "ray direction lies in the detector plane");
    } else {
      if (!p.circular) {
        bool inside = true;
        for (int k = 0; k < (is3 ? 3 : 2); ++k) inside = inside && std::fabs(w.source[k] - c[k]) < half[k];
        require(!inside, where, at + "the source must lie outside the volume");
      }
      const Vec3 sd{w.detector[0] - w.source[0], w.detector[1] - w.source[1], w.detector[2] - w.source[2]};
      require(std::fabs(sd[0] * normal[0] + sd[1] * normal[1] + sd[2] * normal[2]) >
                  1e-9 * norm(normal) * norm(sd),
              where, at + "the source lies in the detector plane");
    }
  }
}

}  // namespace

double VolumeGeometry::axial_radius() const {
  double r = 0;
  for (int sx = -1; sx <= 1; sx += 2)
    for (int sy = -1; sy <= 1; sy += 2) {
      const double x = origin[0] + sx * 0.5 * static_cast<double>(nx()) * voxel_size[0];
      const double y = origin[1] + sy * 0.5 * static_cast<double>(ny()) * voxel_size[1];
      r = std::max(r, std::hypot(x, y));
    }
  return r;
}

Shape ProjectionGeometry::shape() const {
  return ndim == 3 ? Shape{views(), rows, cols} : Shape{views(), cols};
}

std::string ProjectionGeometry::type_name() const {
  std::string s = ndim == 2 ? (parallel() ? "parallel2d" : "fan2d") : (parallel() ? "parallel3d" : "cone");
  return circular ? s : s + "_vec";
}

VolumeGeometry volume2d(index_t ny, index_t nx, double vx, double vy, double ox, double oy) {
  VolumeGeometry v;
  v.shape = Shape{ny, nx};
  v.voxel_size = {vx, vy, 1};
  v.origin = {ox, oy, 0};
  return v;
}

VolumeGeometry volume3d(index_t nz, index_t ny, index_t nx, const Vec3& voxel, const Vec3& origin) {
  VolumeGeometry v;
  v.shape = Shape{nz, ny, nx};
  v.voxel_size = voxel;
  v.origin = origin;
  return v;
}

ProjectionGeometry parallel2d(index_t cols, double pixel, std::vector<double> angles, double offset_u) {
  return make_circular(2, Beam::Parallel, 1, cols, 1, pixel, std::move(angles), 0, 0, offset_u, 0);
}
ProjectionGeometry fan2d(index_t cols, double pixel, std::vector<double> angles, double so, double od,
                         double offset_u) {
  return make_circular(2, Beam::Divergent, 1, cols, 1, pixel, std::move(angles), so, od, offset_u, 0);
}
ProjectionGeometry parallel3d(index_t rows, index_t cols, double pixel_v, double pixel_u,
                              std::vector<double> angles, double offset_u, double offset_v) {
  return make_circular(3, Beam::Parallel, rows, cols, pixel_v, pixel_u, std::move(angles), 0, 0, offset_u,
                       offset_v);
}
ProjectionGeometry cone(index_t rows, index_t cols, double pixel_v, double pixel_u,
                        std::vector<double> angles, double so, double od, double offset_u, double offset_v) {
  return make_circular(3, Beam::Divergent, rows, cols, pixel_v, pixel_u, std::move(angles), so, od, offset_u,
                       offset_v);
}

ProjectionGeometry vector_geometry(int ndim, Beam beam, index_t rows, index_t cols,
                                   std::vector<ViewVectors> views) {
  ProjectionGeometry g;
  g.ndim = ndim;
  g.beam = beam;
  g.rows = rows;
  g.cols = cols;
  g.circular = false;
  g.vectors = std::move(views);
  return g;
}

std::vector<double> uniform_angles(index_t count, double start, double stop) {
  require(count > 0, "uniform_angles", "count must be positive, got " + std::to_string(count));
  std::vector<double> a(static_cast<size_t>(count));
  for (index_t k = 0; k < count; ++k)
    a[static_cast<size_t>(k)] = start + (stop - start) * static_cast<double>(k) / static_cast<double>(count);
  return a;
}

void validate(const Geometry& g, const std::string& where) {
  validate_volume(g.volume, where);
  const ProjectionGeometry& p = g.projection;
  require(p.ndim == 2 || p.ndim == 3, where, "projection dimension must be 2 or 3");
  require(p.ndim == g.volume.ndim(), where,
          "a " + std::to_string(p.ndim) + "D projection geometry needs a " + std::to_string(p.ndim) +
              "D volume, got shape " + g.volume.shape.str());
  require(p.cols > 0, where, "detector needs at least one column, got " + std::to_string(p.cols));
  require(p.ndim == 3 ? p.rows > 0 : p.rows == 1, where,
          p.ndim == 3 ? "detector needs at least one row" : "a 2D detector has exactly one row");
  require(p.views() > 0, where, "at least one view (angle or vector) is needed");
  if (p.circular) {
    require(p.views() == static_cast<index_t>(p.angles.size()), where, "vectors do not match the angles");
    for (double a : p.angles) require(std::isfinite(a), where, "angles must be finite");
    require(std::isfinite(p.pixel_u) && p.pixel_u > 0, where,
            "detector pixel size must be positive, got " + num(p.pixel_u));
    require(std::isfinite(p.pixel_v) && p.pixel_v > 0, where,
            "detector pixel size must be positive, got " + num(p.pixel_v));
    require(std::isfinite(p.offset_u) && std::isfinite(p.offset_v), where, "detector offsets must be finite");
    if (!p.parallel()) {
      const double r = g.volume.axial_radius();
      require(std::isfinite(p.source_origin) && p.source_origin > r, where,
              "source_origin " + num(p.source_origin) +
                  " must exceed the volume's distance from the rotation axis (" + num(r) + ")");
      require(std::isfinite(p.origin_detector) && p.origin_detector >= 0, where,
              "origin_detector must be >= 0, got " + num(p.origin_detector));
    }
  }
  validate_views(g, where);
}

}  // namespace recon::ct

// CT acquisition geometry: the volume grid and the projection geometry (conventions and
// picture in docs/ct-geometry.md). Four families: 2D parallel, 2D fan (flat detector),
// 3D parallel and 3D circular cone-beam (flat detector). A circular geometry (angles,
// distances, pixel sizes, offsets) is converted into the per-view vector form (ASTRA's *_vec:
// source or ray direction, detector centre, detector u/v pixel vectors), which is all the
// projectors use; a vector geometry can also be given directly.
//
// World axes (x, y, z); the rotation axis is z through the world origin. A volume of shape
// (ny, nx) or (nz, ny, nx) has voxel (k, j, i) centred at
//   origin + ((i - (nx-1)/2) vx, (j - (ny-1)/2) vy, (k - (nz-1)/2) vz).
// At angle theta the ray direction is r = (-sin theta, cos theta, 0), the detector u axis is
// (cos theta, sin theta, 0) and the detector v axis is z; a parallel ray through detector
// coordinate s is { x : x.u = s }, so the 2D parallel sinogram is the Radon transform
// p(theta, s) = integral of f over the line x cos theta + y sin theta = s. A divergent source
// sits at -source_origin * r and the detector centre at origin_detector * r (+ offsets).
// Projections are stored as (views, cols) in 2D and (views, rows, cols) in 3D.
// Tests: tests/ct/test_geometry.cpp (CtGeometry).
#pragma once

#include <array>
#include <string>
#include <vector>

#include "recon/kernels/shape.hpp"

namespace recon::ct {

using Vec3 = std::array<double, 3>;

struct VolumeGeometry {
  Shape shape;               // (ny, nx) or (nz, ny, nx)
  Vec3 voxel_size{1, 1, 1};  // (vx, vy, vz); vz is 1 in 2D
  Vec3 origin{0, 0, 0};      // world position of the volume centre; z is 0 in 2D
  int ndim() const { return shape.ndim(); }
  index_t nx() const { return shape.back(0); }
  index_t ny() const { return shape.back(1); }
  index_t nz() const { return shape.back(2); }
  // Largest distance of a corner of the volume from the rotation axis (z).
  double axial_radius() const;
};

// One view in vector form. For a parallel beam `source` holds the ray direction.
// Detector pixel (row, col) is centred at detector + (col - (cols-1)/2) u + (row - (rows-1)/2) v;
// |u| and |v| are the pixel sizes. In 2D all z components and v are 0.
struct ViewVectors {
  Vec3 source{}, detector{}, u{}, v{};
};

enum class Beam { Parallel, Divergent };  // divergent: fan in 2D, cone in 3D

struct ProjectionGeometry {
  int ndim = 2;
  Beam beam = Beam::Parallel;
  index_t rows = 1, cols = 0;  // rows is 1 in 2D
  // The circular description; `circular` is false for a geometry given as vectors.
  bool circular = true;
  std::vector<double> angles;  // radians
  double pixel_u = 1, pixel_v = 1;
  double offset_u = 0, offset_v = 0;              // detector centre shift along u and v
  double source_origin = 0, origin_detector = 0;  // divergent beams only
  std::vector<ViewVectors> vectors;               // always filled (derived when circular)

  index_t views() const { return static_cast<index_t>(vectors.size()); }
  bool parallel() const { return beam == Beam::Parallel; }
  Shape shape() const;  // (views, cols) or (views, rows, cols)
  // "parallel2d", "fan2d", "parallel3d" or "cone", with "_vec" for a vector geometry.
  std::string type_name() const;
};

struct Geometry {
  VolumeGeometry volume;
  ProjectionGeometry projection;
};

// Volume grids; voxel sizes default to 1 and the centre to the world origin.
VolumeGeometry volume2d(index_t ny, index_t nx, double vx = 1, double vy = 1, double ox = 0, double oy = 0);
VolumeGeometry volume3d(index_t nz, index_t ny, index_t nx, const Vec3& voxel = {1, 1, 1},
                        const Vec3& origin = {0, 0, 0});

// Circular geometries (vectors filled in). Angles in radians.
ProjectionGeometry parallel2d(index_t cols, double pixel, std::vector<double> angles, double offset_u = 0);
ProjectionGeometry fan2d(index_t cols, double pixel, std::vector<double> angles, double source_origin,
                         double origin_detector, double offset_u = 0);
ProjectionGeometry parallel3d(index_t rows, index_t cols, double pixel_v, double pixel_u,
                              std::vector<double> angles, double offset_u = 0, double offset_v = 0);
ProjectionGeometry cone(index_t rows, index_t cols, double pixel_v, double pixel_u,
                        std::vector<double> angles, double source_origin, double origin_detector,
                        double offset_u = 0, double offset_v = 0);
// A geometry given per view (ASTRA *_vec); rows must be 1 when ndim is 2.
ProjectionGeometry vector_geometry(int ndim, Beam beam, index_t rows, index_t cols,
                                   std::vector<ViewVectors> views);

// `count` angles start + k (stop - start) / count, k = 0..count-1 (stop excluded).
std::vector<double> uniform_angles(index_t count, double start, double stop);

// Throws InvalidArgument naming `where` and the offending field: positive finite sizes, at
// least one view, matching dimensions, non-degenerate detector vectors, sources outside the
// volume (source_origin > axial radius for circular divergent beams; outside the volume's
// box for vector ones) and detectors that do not contain their source.
void validate(const Geometry& g, const std::string& where = "ct geometry");

// The host memory a reader of the geometry will take besides the geometry itself, per voxel
// and per projection sample: a geometry whose arrays cannot fit (1e12 views, a 1e5^3 volume)
// is refused with OutOfMemory while it is read, before its angles or any array are made.
struct GeometryMemory {
  double bytes_per_voxel = 4, bytes_per_sample = 4;  // one float32 volume and sinogram
  std::string use;                                   // who needs it, for the message (e.g. "ct recon")
};

// JSON form (schema in docs/ct-geometry.md). Parsing validates and names the field at fault;
// `where` (e.g. the file name) starts every message.
Geometry geometry_from_json(const std::string& text, const std::string& where = "ct geometry",
                            const GeometryMemory& memory = {});
std::string geometry_to_json(const Geometry& g);
Geometry read_geometry(const std::string& path,
                       const GeometryMemory& memory = {});  // (writers: io::write_file_atomically)

}  // namespace recon::ct

// JSON form of a CT geometry (schema in docs/ct-geometry.md). Every field is type-checked,
// unknown keys are rejected (a typo must not silently fall back to a default), and the
// result goes through validate(), so a message always names the field at fault.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>
#include <set>

#include "recon/kernels/error.hpp"
#include "recon/kernels/memory_budget.hpp"
#include "recon/operators/ct/geometry.hpp"
#include "recon/operators/json_reader.hpp"

namespace recon::ct {

namespace {

using json_input::json;

// The geometry's fields on top of the typed reads of json_reader.hpp.
struct Reader : json_input::Reader {
  GeometryMemory memory;

  index_t count(const json& j, const std::string& field) const {
    return static_cast<index_t>(
        integer(j, field, 1, std::numeric_limits<long long>::max(), "a positive integer"));
  }
  // A number applied to all n entries, or an array of n numbers.
  std::vector<double> broadcast(const json& j, const std::string& field, size_t n) const {
    return j.is_number() ? std::vector<double>(n, j.get<double>()) : numbers(j, field, n);
  }

  // Refuses, before anything is allocated, a geometry whose volume or sinogram cannot be held
  // in memory: what the reader asked for plus 104 bytes of angle and view vectors per view.
  // Counted in doubles, so that no extent product wraps.
  void check_size(const Shape& volume, double views, double rows, double cols, int ndim) const {
    double voxels = 1;
    for (int a = 0; a < volume.ndim(); ++a) voxels *= static_cast<double>(volume[a]);
    const double sino = views * rows * cols;
    const double bytes = memory.bytes_per_voxel * voxels + memory.bytes_per_sample * sino + 104 * views;
    const auto whole = [](double v) { return std::to_string(static_cast<long long>(std::min(v, 9e18))); };
    const std::string sino_shape =
        "(" + whole(views) + (ndim == 3 ? ", " + whole(rows) : std::string()) + ", " + whole(cols) + ")";
    const std::string what = where + ": " + (memory.use.empty() ? "" : memory.use + " with ") +
                             "the volume " + volume.str() + " and the sinogram " + sino_shape;
    if (voxels >= 9.2e18 || sino >= 9.2e18)
      fail("geometry", "the volume " + volume.str() + " or the sinogram " + sino_shape +
                           " has more elements than an array can index (2^63); expected smaller extents");
    require_memory(Context::host(), bytes, what);
  }

  VolumeGeometry volume(const json& j) const {
    only_keys(j, "volume", {"shape", "voxel_size", "origin"});
    const json& s = at(j, "volume", "shape");
    if (!s.is_array() || (s.size() != 2 && s.size() != 3))
      wrong(s, "volume.shape", "[ny, nx] or [nz, ny, nx]");
    const size_t n = s.size();
    Shape shape;
    for (size_t i = 0; i < n; ++i) shape.push_back(count(s[i], "volume.shape[" + std::to_string(i) + "]"));
    const std::vector<double> vs = j.contains("voxel_size")
                                       ? broadcast(j["voxel_size"], "volume.voxel_size", n)
                                       : std::vector<double>(n, 1.0);
    const std::vector<double> org =
        j.contains("origin") ? numbers(j["origin"], "volume.origin", n) : std::vector<double>(n, 0.0);
    VolumeGeometry v;
    v.shape = shape;
    for (size_t k = 0; k < n; ++k) {
      v.voxel_size[k] = vs[k];
      v.origin[k] = org[k];
    }
    return v;
  }

  // The number of views the angles give (checked against memory before they are made).
  index_t angle_count(const json& j) const {
    if (j.is_array()) return static_cast<index_t>(j.size());
    only_keys(j, "projection.angles", {"start", "stop", "count"});
    return count(at(j, "projection.angles", "count"), "projection.angles.count");
  }
  std::vector<double> angles(const json& j) const {
    if (j.is_array()) return numbers(j, "projection.angles", 0);
    const double start = number(at(j, "projection.angles", "start"), "projection.angles.start");
    const double stop = number(at(j, "projection.angles", "stop"), "projection.angles.stop");
    return uniform_angles(angle_count(j), start, stop);
  }

  ViewVectors view(const json& j, size_t i, int ndim) const {
    const std::string field = "projection.vectors[" + std::to_string(i) + "]";
    const std::vector<double> v = numbers(j, field, ndim == 2 ? 6 : 12);
    ViewVectors w;
    const int d = ndim;
    for (int k = 0; k < d; ++k) {
      w.source[k] = v[k];
      w.detector[k] = v[d + k];
      w.u[k] = v[2 * d + k];
      if (d == 3) w.v[k] = v[9 + k];
    }
    return w;
  }

  ProjectionGeometry projection(const json& j, const Shape& volume) const {
    const int ndim = volume.ndim();
    const std::string type = string(at(j, "projection", "type"), "projection.type");
    static const std::set<std::string> types = {"parallel2d",     "fan2d",     "parallel3d",     "cone",
                                                "parallel2d_vec", "fan2d_vec", "parallel3d_vec", "cone_vec"};
    if (!types.count(type))
      fail("projection.type",
           "unknown type '" + type +
               "' (expected parallel2d, fan2d, parallel3d, cone, or one of them with _vec)");
    const bool vec = type.size() > 4 && type.compare(type.size() - 4, 4, "_vec") == 0;
    const int pdim = (type.rfind("parallel3d", 0) == 0 || type.rfind("cone", 0) == 0) ? 3 : 2;
    const Beam beam = type.rfind("parallel", 0) == 0 ? Beam::Parallel : Beam::Divergent;
    if (pdim != ndim)
      fail("projection.type", "'" + type + "' is a " + std::to_string(pdim) +
                                  "D geometry but volume.shape has " + std::to_string(ndim) + " axes");
    if (vec)
      only_keys(j, "projection", {"type", "detector_shape", "vectors"});
    else if (beam == Beam::Parallel)
      only_keys(j, "projection", {"type", "detector_shape", "pixel_size", "offset_u", "offset_v", "angles"});
    else
      only_keys(j, "projection",
                {"type", "detector_shape", "pixel_size", "offset_u", "offset_v", "angles", "source_origin",
                 "origin_detector"});
    if (ndim == 2 && j.contains("offset_v")) fail("projection.offset_v", "a 2D detector has no v axis");

    const json& ds = at(j, "projection", "detector_shape");
    if (!ds.is_array() || ds.size() != static_cast<size_t>(ndim - 1))
      wrong(ds, "projection.detector_shape", ndim == 2 ? "[cols]" : "[rows, cols]");
    const index_t rows = ndim == 3 ? count(ds[0], "projection.detector_shape[0]") : 1;
    const index_t cols = count(ds[static_cast<size_t>(ndim - 2)],
                               "projection.detector_shape[" + std::to_string(ndim - 2) + "]");
    if (vec) {
      const json& vs = at(j, "projection", "vectors");
      if (!vs.is_array() || vs.empty()) wrong(vs, "projection.vectors", "a non-empty array of views");
      check_size(volume, static_cast<double>(vs.size()), static_cast<double>(rows), static_cast<double>(cols),
                 ndim);
      std::vector<ViewVectors> views;
      for (size_t i = 0; i < vs.size(); ++i) views.push_back(view(vs[i], i, ndim));
      return vector_geometry(ndim, beam, rows, cols, std::move(views));
    }
    const std::vector<double> px =
        j.contains("pixel_size")
            ? broadcast(j["pixel_size"], "projection.pixel_size", static_cast<size_t>(ndim - 1))
            : std::vector<double>(static_cast<size_t>(ndim - 1), 1.0);
    const double pu = px.back(), pv = px.front();
    const double ou = number_or(j, "projection", "offset_u", 0),
                 ov = number_or(j, "projection", "offset_v", 0);
    const json& angle_spec = at(j, "projection", "angles");
    check_size(volume, static_cast<double>(angle_count(angle_spec)), static_cast<double>(rows),
               static_cast<double>(cols), ndim);
    std::vector<double> a = angles(angle_spec);
    if (a.empty()) fail("projection.angles", "at least one angle is needed");
    if (beam == Beam::Parallel)
      return ndim == 2 ? parallel2d(cols, pu, std::move(a), ou)
                       : parallel3d(rows, cols, pv, pu, std::move(a), ou, ov);
    const double so = number(at(j, "projection", "source_origin"), "projection.source_origin");
    const double od = number(at(j, "projection", "origin_detector"), "projection.origin_detector");
    return ndim == 2 ? fan2d(cols, pu, std::move(a), so, od, ou)
                     : cone(rows, cols, pv, pu, std::move(a), so, od, ou, ov);
  }
};

json vec_json(const Vec3& v, int n) {
  json a = json::array();
  for (int k = 0; k < n; ++k) a.push_back(v[k]);
  return a;
}

}  // namespace

Geometry geometry_from_json(const std::string& text, const std::string& where, const GeometryMemory& memory) {
  const json j = json_input::parse(text, where);
  Reader r{{where}, memory};
  r.only_keys(j, "geometry", {"volume", "projection"});
  Geometry g;
  g.volume = r.volume(r.at(j, "geometry", "volume"));
  g.projection = r.projection(r.at(j, "geometry", "projection"), g.volume.shape);
  validate(g, where);
  return g;
}

std::string geometry_to_json(const Geometry& g) {
  const int n = g.volume.ndim();
  json vol = {{"shape", json::array()},
              {"voxel_size", vec_json(g.volume.voxel_size, n)},
              {"origin", vec_json(g.volume.origin, n)}};
  for (int a = 0; a < n; ++a) vol["shape"].push_back(g.volume.shape[a]);
  const ProjectionGeometry& p = g.projection;
  json proj = {{"type", p.type_name()}};
  proj["detector_shape"] = p.ndim == 3 ? json::array({p.rows, p.cols}) : json::array({p.cols});
  if (p.circular) {
    proj["pixel_size"] = p.ndim == 3 ? json::array({p.pixel_v, p.pixel_u}) : json(p.pixel_u);
    proj["offset_u"] = p.offset_u;
    if (p.ndim == 3) proj["offset_v"] = p.offset_v;
    proj["angles"] = p.angles;
    if (!p.parallel()) {
      proj["source_origin"] = p.source_origin;
      proj["origin_detector"] = p.origin_detector;
    }
  } else {
    json views = json::array();
    for (const ViewVectors& w : p.vectors) {
      json row = json::array();
      for (const Vec3* v : {&w.source, &w.detector, &w.u, &w.v})
        if (p.ndim == 3 || v != &w.v)
          for (int k = 0; k < p.ndim; ++k) row.push_back((*v)[k]);
      views.push_back(row);
    }
    proj["vectors"] = views;
  }
  return json({{"volume", vol}, {"projection", proj}}).dump(2) + "\n";
}

Geometry read_geometry(const std::string& path, const GeometryMemory& memory) {
  return geometry_from_json(json_input::read_text(path, "geometry file"), path, memory);
}

}  // namespace recon::ct

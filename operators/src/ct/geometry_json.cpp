// JSON form of a CT geometry (schema in docs/ct-geometry.md). Every field is type-checked,
// unknown keys are rejected (a typo must not silently fall back to a default), and the
// result goes through validate(), so a message always names the field at fault.
#include <nlohmann/json.hpp>

#include <fstream>
#include <set>
#include <sstream>

#include "recon/kernels/error.hpp"
#include "recon/operators/ct/geometry.hpp"

namespace recon::ct {

namespace {

using nlohmann::json;

struct Reader {
  std::string where;

  [[noreturn]] void fail(const std::string& field, const std::string& what) const {
    throw InvalidArgument(where + ": " + field + ": " + what);
  }
  void only_keys(const json& j, const std::string& field, const std::set<std::string>& allowed) const {
    if (!j.is_object()) fail(field, "must be an object");
    for (auto it = j.begin(); it != j.end(); ++it)
      if (!allowed.count(it.key())) {
        std::string list;
        for (const auto& k : allowed) list += (list.empty() ? "" : ", ") + k;
        fail(field + "." + it.key(), "unknown key (expected one of " + list + ")");
      }
  }
  const json& at(const json& j, const std::string& parent, const std::string& key) const {
    if (!j.contains(key)) fail(parent + "." + key, "missing");
    return j.at(key);
  }
  double number(const json& j, const std::string& field) const {
    if (!j.is_number()) fail(field, "must be a number, got " + j.dump());
    return j.get<double>();
  }
  double number_or(const json& j, const std::string& parent, const std::string& key, double fallback) const {
    return j.contains(key) ? number(j.at(key), parent + "." + key) : fallback;
  }
  index_t count(const json& j, const std::string& field) const {
    if (!j.is_number_integer() || j.get<long long>() <= 0) fail(field, "must be a positive integer, got " + j.dump());
    return static_cast<index_t>(j.get<long long>());
  }
  std::vector<double> numbers(const json& j, const std::string& field, size_t n) const {
    if (!j.is_array() || (n && j.size() != n))
      fail(field, "must be an array of " + (n ? std::to_string(n) + " " : std::string()) + "numbers, got " + j.dump());
    std::vector<double> v;
    for (size_t i = 0; i < j.size(); ++i) v.push_back(number(j[i], field + "[" + std::to_string(i) + "]"));
    return v;
  }
  // A number applied to all n entries, or an array of n numbers.
  std::vector<double> broadcast(const json& j, const std::string& field, size_t n) const {
    return j.is_number() ? std::vector<double>(n, j.get<double>()) : numbers(j, field, n);
  }

  VolumeGeometry volume(const json& j) const {
    only_keys(j, "volume", {"shape", "voxel_size", "origin"});
    const json& s = at(j, "volume", "shape");
    if (!s.is_array() || (s.size() != 2 && s.size() != 3))
      fail("volume.shape", "must be [ny, nx] or [nz, ny, nx], got " + s.dump());
    const size_t n = s.size();
    Shape shape;
    for (size_t i = 0; i < n; ++i) shape.push_back(count(s[i], "volume.shape[" + std::to_string(i) + "]"));
    const std::vector<double> vs =
        j.contains("voxel_size") ? broadcast(j["voxel_size"], "volume.voxel_size", n) : std::vector<double>(n, 1.0);
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

  std::vector<double> angles(const json& j) const {
    if (j.is_array()) return numbers(j, "projection.angles", 0);
    only_keys(j, "projection.angles", {"start", "stop", "count"});
    const double start = number(at(j, "projection.angles", "start"), "projection.angles.start");
    const double stop = number(at(j, "projection.angles", "stop"), "projection.angles.stop");
    return uniform_angles(count(at(j, "projection.angles", "count"), "projection.angles.count"), start, stop);
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

  ProjectionGeometry projection(const json& j, int ndim) const {
    const json& t = at(j, "projection", "type");
    if (!t.is_string()) fail("projection.type", "must be a string");
    const std::string type = t.get<std::string>();
    static const std::set<std::string> types = {"parallel2d",     "fan2d",     "parallel3d",     "cone",
                                                "parallel2d_vec", "fan2d_vec", "parallel3d_vec", "cone_vec"};
    if (!types.count(type))
      fail("projection.type", "unknown type '" + type +
                                  "' (expected parallel2d, fan2d, parallel3d, cone, or one of them with _vec)");
    const bool vec = type.size() > 4 && type.compare(type.size() - 4, 4, "_vec") == 0;
    const int pdim = (type.rfind("parallel3d", 0) == 0 || type.rfind("cone", 0) == 0) ? 3 : 2;
    const Beam beam = type.rfind("parallel", 0) == 0 ? Beam::Parallel : Beam::Divergent;
    if (pdim != ndim)
      fail("projection.type", "'" + type + "' is a " + std::to_string(pdim) + "D geometry but volume.shape has " +
                                  std::to_string(ndim) + " axes");
    if (vec) only_keys(j, "projection", {"type", "detector_shape", "vectors"});
    else if (beam == Beam::Parallel)
      only_keys(j, "projection", {"type", "detector_shape", "pixel_size", "offset_u", "offset_v", "angles"});
    else
      only_keys(j, "projection", {"type", "detector_shape", "pixel_size", "offset_u", "offset_v", "angles",
                                  "source_origin", "origin_detector"});
    if (ndim == 2 && j.contains("offset_v")) fail("projection.offset_v", "a 2D detector has no v axis");

    const json& ds = at(j, "projection", "detector_shape");
    if (!ds.is_array() || ds.size() != static_cast<size_t>(ndim - 1))
      fail("projection.detector_shape", ndim == 2 ? "must be [cols]" : "must be [rows, cols]");
    const index_t rows = ndim == 3 ? count(ds[0], "projection.detector_shape[0]") : 1;
    const index_t cols = count(ds[static_cast<size_t>(ndim - 2)], "projection.detector_shape[" +
                                                                      std::to_string(ndim - 2) + "]");
    if (vec) {
      const json& vs = at(j, "projection", "vectors");
      if (!vs.is_array() || vs.empty()) fail("projection.vectors", "must be a non-empty array of views");
      std::vector<ViewVectors> views;
      for (size_t i = 0; i < vs.size(); ++i) views.push_back(view(vs[i], i, ndim));
      return vector_geometry(ndim, beam, rows, cols, std::move(views));
    }
    const std::vector<double> px = j.contains("pixel_size")
                                       ? broadcast(j["pixel_size"], "projection.pixel_size", static_cast<size_t>(ndim - 1))
                                       : std::vector<double>(static_cast<size_t>(ndim - 1), 1.0);
    const double pu = px.back(), pv = px.front();
    const double ou = number_or(j, "projection", "offset_u", 0), ov = number_or(j, "projection", "offset_v", 0);
    std::vector<double> a = angles(at(j, "projection", "angles"));
    if (a.empty()) fail("projection.angles", "at least one angle is needed");
    if (beam == Beam::Parallel)
      return ndim == 2 ? parallel2d(cols, pu, std::move(a), ou) : parallel3d(rows, cols, pv, pu, std::move(a), ou, ov);
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

Geometry geometry_from_json(const std::string& text, const std::string& where) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    throw InvalidArgument(where + ": not valid JSON (" + e.what() + ")");
  }
  Reader r{where};
  r.only_keys(j, "geometry", {"volume", "projection"});
  Geometry g;
  g.volume = r.volume(r.at(j, "geometry", "volume"));
  g.projection = r.projection(r.at(j, "geometry", "projection"), g.volume.ndim());
  validate(g, where);
  return g;
}

std::string geometry_to_json(const Geometry& g) {
  const int n = g.volume.ndim();
  json vol = {{"shape", json::array()}, {"voxel_size", vec_json(g.volume.voxel_size, n)},
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

Geometry read_geometry(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw IoError("cannot open geometry file '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  return geometry_from_json(ss.str(), path);
}

}  // namespace recon::ct

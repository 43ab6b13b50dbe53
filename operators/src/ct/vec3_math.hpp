// The few Vec3 operations the geometry code needs (host, double): cross and dot products,
// differences, scaling and the Euclidean norm.
#pragma once

#include <cmath>

#include "recon/operators/ct/geometry.hpp"

namespace recon::ct::vec3 {

inline Vec3 cross(const Vec3& a, const Vec3& b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}
inline double dot(const Vec3& a, const Vec3& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
inline Vec3 minus(const Vec3& a, const Vec3& b) { return {a[0] - b[0], a[1] - b[1], a[2] - b[2]}; }
inline Vec3 scaled(double s, const Vec3& a) { return {s * a[0], s * a[1], s * a[2]}; }
inline double norm(const Vec3& a) { return std::sqrt(dot(a, a)); }

}  // namespace recon::ct::vec3

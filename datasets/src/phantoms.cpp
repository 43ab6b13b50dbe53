// The Shepp-Logan table, ellipsoid sampling and exact line integrals (phantoms.hpp). Host code
// with OpenMP; the arrays for a CUDA context are sampled on the host and copied over.
#include "recon/datasets/phantoms.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "recon/kernels/error.hpp"

namespace recon::datasets {

namespace {

using ct::Vec3;

constexpr double kPi = 3.14159265358979323846;

double dot(const Vec3& a, const Vec3& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }

// An ellipsoid with its rotation precomputed: rows of the z-x-z Euler matrix R (world -> body),
// R = Rz(psi) Rx(theta) Rz(phi) as in phantom3d. With theta = psi = 0 its entries are exactly
// (cos phi, sin phi, 0; -sin phi, cos phi, 0; 0, 0, 1), so a z-only ellipsoid maps to the same
// body coordinates, bit for bit, as the plain rotation about z.
struct Body {
  double density;
  Vec3 centre, semi_axes;
  double r[3][3];
  double min_axis;  // smallest semi-axis that matters (x', y' in 2D)
};

Body make_body(const Ellipsoid& e, bool planar) {
  Body b{e.density, e.centre, e.semi_axes, {}, 0};
  const double cphi = std::cos(e.phi), sphi = std::sin(e.phi);
  const double cth = planar ? 1.0 : std::cos(e.theta), sth = planar ? 0.0 : std::sin(e.theta);
  const double cpsi = planar ? 1.0 : std::cos(e.psi), spsi = planar ? 0.0 : std::sin(e.psi);
  const double r[3][3] = {{cpsi * cphi - cth * sphi * spsi, cpsi * sphi + cth * cphi * spsi, spsi * sth},
                          {-spsi * cphi - cth * sphi * cpsi, -spsi * sphi + cth * cphi * cpsi, cpsi * sth},
                          {sth * sphi, -sth * cphi, cth}};
  std::copy(&r[0][0], &r[0][0] + 9, &b.r[0][0]);
  b.min_axis = std::min(e.semi_axes[0], e.semi_axes[1]);
  if (!planar) b.min_axis = std::min(b.min_axis, e.semi_axes[2]);
  return b;
}

// Point (direction = false) or direction in the ellipsoid's unit-sphere frame.
Vec3 to_unit(const Body& e, const Vec3& p, bool direction, bool planar) {
  const Vec3 q = direction ? p : Vec3{p[0] - e.centre[0], p[1] - e.centre[1], p[2] - e.centre[2]};
  return {(e.r[0][0] * q[0] + e.r[0][1] * q[1] + e.r[0][2] * q[2]) / e.semi_axes[0],
          (e.r[1][0] * q[0] + e.r[1][1] * q[1] + e.r[1][2] * q[2]) / e.semi_axes[1],
          planar ? 0.0 : (e.r[2][0] * q[0] + e.r[2][1] * q[1] + e.r[2][2] * q[2]) / e.semi_axes[2]};
}

std::vector<Body> bodies(const std::vector<Ellipsoid>& phantom, bool planar) {
  std::vector<Body> out;
  for (const Ellipsoid& e : phantom) {
    require(e.semi_axes[0] > 0 && e.semi_axes[1] > 0 && (planar || e.semi_axes[2] > 0), "datasets::rasterize",
            "ellipsoid semi-axes must be positive");
    out.push_back(make_body(e, planar));
  }
  return out;
}

// The mean of the phantom over supersample^d points of every voxel, written as T. Each voxel
// adds the densities of the ellipsoids holding each point, point by point in a fixed order.
// Ellipsoids that hold all or none of the voxel's points (the voxel centre deeper inside or
// outside than the points' spread, with a margin far above rounding) are decided once per
// voxel; the sum is then the same sequence of additions, hence the same bits, as point by point.
template <class T>
void rasterize_to(const ct::VolumeGeometry& v, const std::vector<Ellipsoid>& phantom, int supersample,
                  T* out) {
  require(supersample >= 1, "datasets::rasterize", "supersample must be >= 1");
  const bool planar = v.ndim() == 2;
  const index_t nx = v.nx(), ny = v.ny(), nz = planar ? 1 : v.nz();
  const int sz = planar ? 1 : supersample;
  const std::vector<Body> body = bodies(phantom, planar);
  const std::size_t ne = body.size();
  const double inv = 1.0 / (static_cast<double>(supersample) * supersample * sz);
  // Largest distance of a sample point from its voxel's centre, in world units.
  const double w = 0.5 - 0.5 / supersample;
  const double spread =
      std::sqrt(w * v.voxel_size[0] * w * v.voxel_size[0] + w * v.voxel_size[1] * w * v.voxel_size[1] +
                (planar ? 0.0 : w * v.voxel_size[2] * w * v.voxel_size[2]));
  constexpr double kMargin = 1e-9;
  const bool memo = ne <= 16;
  const auto centre = [&](double f, index_t n, int axis) {
    return v.origin[static_cast<std::size_t>(axis)] +
           (f - 0.5 * static_cast<double>(n - 1)) * v.voxel_size[static_cast<std::size_t>(axis)];
  };
#pragma omp parallel
  {
    std::vector<int> state(ne);  // 0: no point inside, 1: every point, 2: some
    // Sum for each set of all-or-none ellipsoids (bit mask), NaN until computed.
    std::vector<double> sums(memo ? std::size_t{1} << ne : 0, std::numeric_limits<double>::quiet_NaN());
#pragma omp for collapse(2) schedule(static)
    for (index_t k = 0; k < nz; ++k)
      for (index_t j = 0; j < ny; ++j)
        for (index_t i = 0; i < nx; ++i) {
          const Vec3 c{centre(static_cast<double>(i), nx, 0), centre(static_cast<double>(j), ny, 1),
                       planar ? 0.0 : centre(static_cast<double>(k), nz, 2)};
          bool mixed = false;
          std::size_t mask = 0;
          for (std::size_t e = 0; e < ne; ++e) {
            const Vec3 q = to_unit(body[e], c, false, planar);
            const double d = std::sqrt(dot(q, q)), r = spread / body[e].min_axis;
            state[e] = d + r < 1 - kMargin ? 1 : d - r > 1 + kMargin ? 0 : 2;
            mixed = mixed || state[e] == 2;
            if (state[e] == 1) mask |= std::size_t{1} << e;
          }
          double acc = 0;
          if (!mixed && memo && !std::isnan(sums[mask])) {
            acc = sums[mask];
          } else {
            for (int cc = 0; cc < sz; ++cc)
              for (int b = 0; b < supersample; ++b)
                for (int a = 0; a < supersample; ++a) {
                  Vec3 p{};
                  if (mixed) {
                    const double fx = static_cast<double>(i) + (a + 0.5) / supersample - 0.5;
                    const double fy = static_cast<double>(j) + (b + 0.5) / supersample - 0.5;
                    const double fz = planar ? 0.0 : static_cast<double>(k) + (cc + 0.5) / sz - 0.5;
                    p = {centre(fx, nx, 0), centre(fy, ny, 1), planar ? 0.0 : centre(fz, nz, 2)};
                  }
                  for (std::size_t e = 0; e < ne; ++e) {
                    bool in = state[e] == 1;
                    if (state[e] == 2) {
                      const Vec3 q = to_unit(body[e], p, false, planar);
                      in = dot(q, q) <= 1.0;
                    }
                    if (in) acc += body[e].density;
                  }
                }
            if (!mixed && memo) sums[mask] = acc;
          }
          out[static_cast<std::size_t>((k * ny + j) * nx + i)] = static_cast<T>(acc * inv);
        }
  }
}

template <class T>
Array<T> sampled(const Context& ctx, const Shape& shape) {
  for (int a = 0; a < shape.ndim(); ++a)
    require(shape[a] >= 2, shape.ndim() == 2 ? "shepp_logan_2d" : "shepp_logan_3d",
            "every extent must be at least 2, got " + shape.str());
  ct::VolumeGeometry v;  // unit voxels at the origin
  v.shape = shape;
  Array<T> host(ctx.is_cuda() ? Context::host() : ctx, shape);
  rasterize_to(v, shepp_logan(v), 3, host.data());
  if (ctx.is_cuda()) return host.to(ctx);
  return host;
}

}  // namespace

std::vector<Ellipsoid> shepp_logan(const ct::VolumeGeometry& v) {
  // density, a, b, c, x0, y0, z0, phi (degrees), in units of the half-extents. The 2D phantom
  // is the first two semi-axes, centres and phi. phantom3d also turns ellipsoids 3 and 4 by
  // psi = 10 degrees; the table keeps phi alone, the values the CT demo's figures (README,
  // scripts/demo_ct.py) were computed with: setting psi there would change those figures.
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
    e.phi = r[7] * kPi / 180.0;
    out.push_back(e);
  }
  return out;
}

std::vector<Ellipsoid> ball(double density, double radius, const Vec3& centre) {
  require(radius > 0, "datasets::ball", "radius must be positive");
  Ellipsoid e;
  e.density = density;
  e.centre = centre;
  e.semi_axes = {radius, radius, radius};
  return {e};
}

std::vector<double> rasterize(const ct::VolumeGeometry& v, const std::vector<Ellipsoid>& phantom,
                              int supersample) {
  std::vector<double> out(static_cast<std::size_t>(v.shape.size()), 0.0);
  rasterize_to(v, phantom, supersample, out.data());
  return out;
}

std::vector<double> line_integrals(const ct::ProjectionGeometry& g, const std::vector<Ellipsoid>& phantom) {
  const bool planar = g.ndim == 2;
  const index_t views = g.views(), rows = g.rows, cols = g.cols;
  const std::vector<Body> body = bodies(phantom, planar);
  std::vector<double> out(static_cast<std::size_t>(views * rows * cols), 0.0);
#pragma omp parallel for collapse(2) schedule(static)
  for (index_t view = 0; view < views; ++view)
    for (index_t r = 0; r < rows; ++r) {
      const ct::ViewVectors& w = g.vectors[static_cast<std::size_t>(view)];
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
        for (const Body& e : body) {
          // |q + t d| = 1 in the unit-sphere frame: the chord is (t1 - t0) |dir|.
          const Vec3 q = to_unit(e, start, false, planar), d = to_unit(e, dir, true, planar);
          const double dd = dot(d, d), qd = dot(q, d), disc = qd * qd - dd * (dot(q, q) - 1.0);
          if (disc <= 0 || dd == 0) continue;
          const double root = std::sqrt(disc);
          double t0 = (-qd - root) / dd, t1 = (-qd + root) / dd;
          if (!g.parallel()) t0 = std::max(t0, 0.0), t1 = std::max(t1, 0.0);  // in front of the source
          acc += e.density * (t1 - t0) * dir_len;
        }
        out[static_cast<std::size_t>((view * rows + r) * cols + c)] = acc;
      }
    }
  return out;
}

template <class T>
Array<T> shepp_logan_2d(const Context& ctx, index_t n) {
  require(n >= 2, "shepp_logan_2d", "size must be at least 2, got " + std::to_string(n));
  return sampled<T>(ctx, Shape{n, n});
}

template <class T>
Array<T> shepp_logan_3d(const Context& ctx, index_t nz, index_t ny, index_t nx) {
  return sampled<T>(ctx, Shape{nz, ny, nx});
}

template Array<float> shepp_logan_2d<float>(const Context&, index_t);
template Array<double> shepp_logan_2d<double>(const Context&, index_t);
template Array<float> shepp_logan_3d<float>(const Context&, index_t, index_t, index_t);
template Array<double> shepp_logan_3d<double>(const Context&, index_t, index_t, index_t);

}  // namespace recon::datasets

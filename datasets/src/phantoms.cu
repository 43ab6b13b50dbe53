// Modified Shepp-Logan phantoms (phantoms.hpp): every pixel sums the intensities of the
// ellipses/ellipsoids that contain it, in one parallel_for body.
#include "recon/datasets/phantoms.hpp"

#include <cmath>

#include "recon/kernels/parallel_for.hpp"

namespace recon::datasets {

namespace {

constexpr double kDeg = 3.14159265358979323846 / 180.0;

// A, a, b, x0, y0, phi (degrees): MATLAB phantom('Modified Shepp-Logan').
struct Ellipses2d {
  double e[10][6] = {{1, .69, .92, 0, 0, 0},           {-.8, .6624, .8740, 0, -.0184, 0},
                     {-.2, .1100, .3100, .22, 0, -18}, {-.2, .1600, .4100, -.22, 0, 18},
                     {.1, .2100, .2500, 0, .35, 0},    {.1, .0460, .0460, 0, .1, 0},
                     {.1, .0460, .0460, 0, -.1, 0},    {.1, .0460, .0230, -.08, -.605, 0},
                     {.1, .0230, .0230, 0, -.606, 0},  {.1, .0230, .0460, .06, -.605, 0}};
};

// A, a, b, c, x0, y0, z0, phi, theta, psi (degrees): phantom3d('Modified Shepp-Logan').
struct Ellipsoids3d {
  double e[10][10] = {
      {1, .6900, .920, .810, 0, 0, 0, 0, 0, 0},        {-.8, .6624, .874, .780, 0, -.0184, 0, 0, 0, 0},
      {-.2, .1100, .310, .220, .22, 0, 0, -18, 0, 10}, {-.2, .1600, .410, .280, -.22, 0, 0, 18, 0, 10},
      {.1, .2100, .250, .410, 0, .35, -.15, 0, 0, 0},  {.1, .0460, .046, .050, 0, .1, .25, 0, 0, 0},
      {.1, .0460, .046, .050, 0, -.1, .25, 0, 0, 0},   {.1, .0460, .023, .050, -.08, -.605, 0, 0, 0, 0},
      {.1, .0230, .023, .020, 0, -.606, 0, 0, 0, 0},   {.1, .0230, .046, .020, .06, -.605, 0, 0, 0, 0}};
};

// Grid coordinate of sample j of n on [-1, 1].
RECON_HD inline double grid(index_t j, index_t n) { return (j - 0.5 * (n - 1)) / (0.5 * (n - 1)); }

}  // namespace

template <class T>
Array<T> shepp_logan_2d(const Context& ctx, index_t n) {
  require(n >= 2, "shepp_logan_2d", "size must be at least 2, got " + std::to_string(n));
  Array<T> out(ctx, Shape{n, n});
  T* p = out.data();
  const Ellipses2d t;
  parallel_for(ctx, Extent2{n, n}, [=] RECON_HD(index_t i, index_t j) {
    const double x = grid(j, n), y = -grid(i, n);
    double v = 0;
    for (int k = 0; k < 10; ++k) {
      const double* e = t.e[k];
      const double c = cos(e[5] * kDeg), s = sin(e[5] * kDeg);
      const double dx = x - e[3], dy = y - e[4];
      const double u = (dx * c + dy * s) / e[1], w = (dy * c - dx * s) / e[2];
      if (u * u + w * w <= 1.0) v += e[0];
    }
    p[i * n + j] = static_cast<T>(v);
  });
  return out;
}

template <class T>
Array<T> shepp_logan_3d(const Context& ctx, index_t nz, index_t ny, index_t nx) {
  require(nz >= 2 && ny >= 2 && nx >= 2, "shepp_logan_3d",
          "every extent must be at least 2, got " + Shape{nz, ny, nx}.str());
  Array<T> out(ctx, Shape{nz, ny, nx});
  T* p = out.data();
  const Ellipsoids3d t;
  parallel_for(ctx, Extent3{nz, ny, nx}, [=] RECON_HD(index_t iz, index_t iy, index_t ix) {
    const double x = grid(ix, nx), y = -grid(iy, ny), z = grid(iz, nz);
    double v = 0;
    for (int k = 0; k < 10; ++k) {
      const double* e = t.e[k];
      const double cphi = cos(e[7] * kDeg), sphi = sin(e[7] * kDeg);
      const double cth = cos(e[8] * kDeg), sth = sin(e[8] * kDeg);
      const double cpsi = cos(e[9] * kDeg), spsi = sin(e[9] * kDeg);
      const double xr =
          (cpsi * cphi - cth * sphi * spsi) * x + (cpsi * sphi + cth * cphi * spsi) * y + spsi * sth * z;
      const double yr =
          (-spsi * cphi - cth * sphi * cpsi) * x + (-spsi * sphi + cth * cphi * cpsi) * y + cpsi * sth * z;
      const double zr = sth * sphi * x - sth * cphi * y + cth * z;
      const double u = (xr - e[4]) / e[1], w = (yr - e[5]) / e[2], q = (zr - e[6]) / e[3];
      if (u * u + w * w + q * q <= 1.0) v += e[0];
    }
    p[(iz * ny + iy) * nx + ix] = static_cast<T>(v);
  });
  return out;
}

template Array<float> shepp_logan_2d<float>(const Context&, index_t);
template Array<double> shepp_logan_2d<double>(const Context&, index_t);
template Array<float> shepp_logan_3d<float>(const Context&, index_t, index_t, index_t);
template Array<double> shepp_logan_3d<double>(const Context&, index_t, index_t, index_t);

}  // namespace recon::datasets

// Joseph's ray-driven projector (P. M. Joseph, "An improved algorithm for reprojecting rays
// through pixel images", IEEE TMI 1982), written once for every geometry family and both
// directions (DESIGN.md section 4). A ray is stepped one voxel slice at a time along the axis
// on which it advances fastest (in index units); in each slice the volume is interpolated
// (bi)linearly between the 4 surrounding voxels (2 in 2D, where the z weight is exactly 1), and
// the value is weighted by the world length of the ray between two slices, |dir| / |dir_main|.
// Voxels outside the volume count as 0. The visitor receives (voxel index, weight):
//   Gather  (forward):  acc += w * x[voxel]            -> y[ray] = acc
//   Scatter (adjoint):  x[voxel] += w * y[ray]         (atomic; PrivateScatter on the host)
// Both run the same arithmetic for the same ray, so A^T is the exact transpose of A on each
// backend. Indices are 64-bit throughout (2048^2 images, > 16384 views, 1024^3 volumes).
#pragma once

#include "device_math.hpp"
#include "recon/kernels/macros.hpp"

namespace recon::ct::detail {

// The volume in index space and the detector layout, as the kernels see them.
template <class T>
struct RayGrid {
  index_t n[3];       // nx, ny, nz
  index_t stride[3];  // 1, nx, nx*ny
  T scale[3];         // 1 / voxel size
  T shift[3];         // index coordinate of the world origin: (n-1)/2 - origin / voxel size
  index_t rows, cols;
  bool parallel;
};

// Per-view vectors: source (or ray direction), detector centre, u, v: 12 values per view.
constexpr int kViewStride = 12;

template <class T>
struct Gather {
  const T* x;
  T acc;
  RECON_HD void operator()(index_t voxel, T w) { acc += w * x[voxel]; }
};

template <class T>
struct Scatter {
  T* x;
  T value;
  RECON_HD void operator()(index_t voxel, T w) { atomic_add(x + voxel, w * value); }
};

// The scatter of one host thread into a volume of its own (no other thread writes it).
template <class T>
struct PrivateScatter {
  T* x;
  T value;
  RECON_HD void operator()(index_t voxel, T w) { x[voxel] += w * value; }
};

// Restricts [lo, hi] to the slices k where o + k s lies in (-1, n) (interpolation support).
template <class T>
RECON_HD inline void clip_support(T o, T s, index_t n, T& lo, T& hi) {
  const T nn = static_cast<T>(n);
  if (s == T(0)) {
    if (!(o > T(-1) && o < nn)) hi = lo - T(1);  // empty
    return;
  }
  const T ka = (T(-1) - o) / s, kb = (nn - o) / s;
  lo = dmax(lo, dmin(ka, kb));
  hi = dmin(hi, dmax(ka, kb));
}

// Walks the ray of detector pixel (row, col) of the view whose vectors start at `view`.
template <class T, class Visit>
RECON_HD inline void joseph_walk(const RayGrid<T>& g, const T* view, index_t row, index_t col, Visit& visit) {
  const T* src = view;
  const T* det = view + 3;
  const T* u = view + 6;
  const T* v = view + 9;
  const T cu = static_cast<T>(col) - T(0.5) * static_cast<T>(g.cols - 1);
  const T cv = static_cast<T>(row) - T(0.5) * static_cast<T>(g.rows - 1);
  T start[3], dir[3];
  for (int a = 0; a < 3; ++a) {
    const T pixel = det[a] + cu * u[a] + cv * v[a];
    start[a] = g.parallel ? pixel : src[a];
    dir[a] = g.parallel ? src[a] : pixel - src[a];
  }
  // Index space: p + t d.
  T p[3], d[3];
  for (int a = 0; a < 3; ++a) {
    p[a] = start[a] * g.scale[a] + g.shift[a];
    d[a] = dir[a] * g.scale[a];
  }
  int m = 0;
  if (dabs(d[1]) > dabs(d[m])) m = 1;
  if (dabs(d[2]) > dabs(d[m])) m = 2;
  if (d[m] == T(0)) return;
  const int a1 = m == 0 ? 1 : 0, a2 = m == 2 ? 1 : 2;
  const T s1 = d[a1] / d[m], s2 = d[a2] / d[m];
  const T o1 = p[a1] - p[m] * s1, o2 = p[a2] - p[m] * s2;
  const T len = dsqrt(dir[0] * dir[0] + dir[1] * dir[1] + dir[2] * dir[2]) / dabs(d[m]);

  T lo = 0, hi = static_cast<T>(g.n[m] - 1);
  clip_support(o1, s1, g.n[a1], lo, hi);
  clip_support(o2, s2, g.n[a2], lo, hi);
  if (!g.parallel) {  // only in front of the source: t = (k - p_m) / d_m >= 0
    if (d[m] > T(0))
      lo = dmax(lo, p[m]);
    else
      hi = dmin(hi, p[m]);
  }
  if (!(lo <= hi)) return;
  const index_t k0 = static_cast<index_t>(-dfloor(-lo));  // ceil; lo, hi are within [0, n-1] here
  const index_t k1 = static_cast<index_t>(dfloor(hi));
  const index_t n1 = g.n[a1], n2 = g.n[a2];
  for (index_t k = k0; k <= k1; ++k) {
    const T c1 = o1 + static_cast<T>(k) * s1, c2 = o2 + static_cast<T>(k) * s2;
    const T f1 = dfloor(c1), f2 = dfloor(c2);
    const index_t i1 = static_cast<index_t>(f1), i2 = static_cast<index_t>(f2);
    const T w1 = c1 - f1, w2 = c2 - f2;
    const index_t base = k * g.stride[m];
    const bool in1a = i1 >= 0 && i1 < n1, in1b = i1 + 1 >= 0 && i1 + 1 < n1;
    const bool in2a = i2 >= 0 && i2 < n2, in2b = i2 + 1 >= 0 && i2 + 1 < n2;
    const index_t at1 = i1 * g.stride[a1], at2 = i2 * g.stride[a2];
    if (in2a) {
      const T w = len * (T(1) - w2);
      if (in1a) visit(base + at1 + at2, w * (T(1) - w1));
      if (in1b) visit(base + at1 + g.stride[a1] + at2, w * w1);
    }
    if (in2b && w2 != T(0)) {
      const T w = len * w2;
      if (in1a) visit(base + at1 + at2 + g.stride[a2], w * (T(1) - w1));
      if (in1b) visit(base + at1 + g.stride[a1] + at2 + g.stride[a2], w * w1);
    }
  }
}

}  // namespace recon::ct::detail

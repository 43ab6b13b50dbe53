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
// backend (also for the host's branch-free forms at the end of this file). Indices are 64-bit throughout
// (2048^2 images, > 16384 views, 1024^3 volumes).
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
    if (!(o > T(-1) && o < nn)) {  // empty; not hi = lo - 1, which equals lo once lo > 2^53
      lo = T(1);
      hi = T(0);
    }
    return;
  }
  const T ka = (T(-1) - o) / s, kb = (nn - o) / s;
  lo = dmax(lo, dmin(ka, kb));
  hi = dmin(hi, dmax(ka, kb));
}

// A ray in index space, p(k) = (o1 + k s1, o2 + k s2) in slice k of the main axis m, restricted
// to the slices [k0, k1] where it can touch the volume (empty when k0 > k1).
template <class T>
struct RaySegment {
  int m, a1, a2;
  T o1, o2, s1, s2;
  T len;  // world length of the ray between two slices
  index_t k0, k1;
};

// The segment of the ray of detector pixel (row, col) of the view whose vectors start at `view`.
template <class T>
RECON_HD inline RaySegment<T> ray_segment(const RayGrid<T>& g, const T* view, index_t row, index_t col) {
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
  RaySegment<T> r{};
  r.k0 = 1;  // empty until proven otherwise
  r.k1 = 0;
  int m = 0;
  if (dabs(d[1]) > dabs(d[m])) m = 1;
  if (dabs(d[2]) > dabs(d[m])) m = 2;
  if (d[m] == T(0)) return r;
  r.m = m;
  r.a1 = m == 0 ? 1 : 0;
  r.a2 = m == 2 ? 1 : 2;
  r.s1 = d[r.a1] / d[m];
  r.s2 = d[r.a2] / d[m];
  r.o1 = p[r.a1] - p[m] * r.s1;
  r.o2 = p[r.a2] - p[m] * r.s2;
  r.len = dsqrt(dir[0] * dir[0] + dir[1] * dir[1] + dir[2] * dir[2]) / dabs(d[m]);

  T lo = 0, hi = static_cast<T>(g.n[m] - 1);
  clip_support(r.o1, r.s1, g.n[r.a1], lo, hi);
  clip_support(r.o2, r.s2, g.n[r.a2], lo, hi);
  if (!g.parallel) {  // only in front of the source: t = (k - p_m) / d_m >= 0
    if (d[m] > T(0))
      lo = dmax(lo, p[m]);
    else
      hi = dmin(hi, p[m]);
  }
  if (!(lo <= hi)) return r;
  r.k0 = static_cast<index_t>(-dfloor(-lo));  // ceil; lo, hi are within [0, n-1] here
  r.k1 = static_cast<index_t>(dfloor(hi));
  return r;
}

// Walks the segment r of a ray.
template <class T, class Visit>
RECON_HD inline void joseph_walk(const RayGrid<T>& g, const RaySegment<T>& r, Visit& visit) {
  const T o1 = r.o1, o2 = r.o2, s1 = r.s1, s2 = r.s2, len = r.len;
  const int m = r.m, a1 = r.a1, a2 = r.a2;
  const index_t n1 = g.n[a1], n2 = g.n[a2];
  for (index_t k = r.k0; k <= r.k1; ++k) {
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

// The weight joseph_walk gives voxel (j1, j2) (indices along a1, a2) in slice k of the segment
// r, 0 where it does not visit that voxel: the same arithmetic in the same order, so that the
// gather form of A^T (joseph_gather.hpp) sums exactly the weights A uses.
template <class T>
RECON_HD inline T slice_weight(const RaySegment<T>& r, index_t k, index_t j1, index_t j2) {
  const T c1 = r.o1 + static_cast<T>(k) * r.s1, c2 = r.o2 + static_cast<T>(k) * r.s2;
  const T f1 = dfloor(c1), f2 = dfloor(c2);
  const index_t i1 = static_cast<index_t>(f1), i2 = static_cast<index_t>(f2);
  const T w1 = c1 - f1, w2 = c2 - f2;
  T w;
  if (j2 == i2)
    w = r.len * (T(1) - w2);
  else if (j2 == i2 + 1 && w2 != T(0))
    w = r.len * w2;
  else
    return T(0);
  if (j1 == i1) return w * (T(1) - w1);
  if (j1 == i1 + 1) return w * w1;
  return T(0);
}

// Walks the ray of detector pixel (row, col) of the view whose vectors start at `view`.
template <class T, class Visit>
RECON_HD inline void joseph_walk(const RayGrid<T>& g, const T* view, index_t row, index_t col, Visit& visit) {
  joseph_walk(g, ray_segment(g, view, row, col), visit);
}

// joseph_walk rewritten for the host's vectoriser, for volumes int can index: the slices of a
// ray with branch-free taps (read or written at a clamped offset, then masked) and the same
// weights, computed the same way, so A and A^T stay an exact pair. Planar: a ray in the plane
// of a 2D volume, where joseph_walk's z weight is exactly 1 and two taps per slice remain.
// The gather (A) keeps kGatherLanes partial sums over the slices, a sum the compiler may not
// reorder itself: joseph_walk's terms, summed in another order.
constexpr int kGatherLanes = 8;

// Whether the volume's offsets fit in int.
template <class T>
RECON_HD inline bool int_offsets_suffice(const RayGrid<T>& g) {
  return g.n[0] * g.n[1] * g.n[2] <= 0x7fffffff;
}

template <class T>
RECON_HD inline bool is_planar(const RayGrid<T>& g, const RaySegment<T>& r) {
  return g.n[2] == 1 && r.a2 == 2 && r.s2 == T(0) && r.o2 == T(0);
}

// Strides and last indices of a ray's axes m, a1, a2.
struct SliceLayout {
  int stride_m, stride_1, stride_2, last1, last2;
};

template <class T>
RECON_HD inline SliceLayout slice_layout(const RayGrid<T>& g, const RaySegment<T>& r) {
  return {static_cast<int>(g.stride[r.m]), static_cast<int>(g.stride[r.a1]), static_cast<int>(g.stride[r.a2]),
          static_cast<int>(g.n[r.a1]) - 1, static_cast<int>(g.n[r.a2]) - 1};
}

// x[i] if voxel index i along an axis of last index `last` is inside (and keep), else 0; read
// at a clamped index and then masked: a select, not a branch.
template <class T>
RECON_HD inline T masked_tap(const T* x, int base, int i, int stride, int last, bool keep = true) {
  const T value = x[base + dmin(dmax(i, 0), last) * stride];
  return (i >= 0) & (i <= last) & keep ? value : T(0);
}

// A ray's slice k in a planar volume: the voxel row and the first of the two taps along a1,
// with their weights.
template <class T>
struct PlanarSlice {
  int row, i1;
  T wa, wb;
};

template <class T>
RECON_HD inline PlanarSlice<T> planar_slice(const RaySegment<T>& r, int k, const SliceLayout& s) {
  const T c1 = r.o1 + static_cast<T>(k) * r.s1;
  const T f1 = dfloor(c1);
  const T w1 = c1 - f1;
  return {k * s.stride_m, static_cast<int>(f1), r.len * (T(1) - w1), r.len * w1};
}

// joseph_walk's visits in slice k.
template <bool Planar, class T>
RECON_HD inline T slice_sum(const RaySegment<T>& r, const T* x, int k, const SliceLayout& s) {
  if constexpr (Planar) {
    const PlanarSlice<T> p = planar_slice(r, k, s);
    return p.wa * masked_tap(x, p.row, p.i1, s.stride_1, s.last1) +
           p.wb * masked_tap(x, p.row, p.i1 + 1, s.stride_1, s.last1);
  } else {
    const T c1 = r.o1 + static_cast<T>(k) * r.s1;
    const T f1 = dfloor(c1);
    const int i1 = static_cast<int>(f1);
    const T w1 = c1 - f1;
    const T c2 = r.o2 + static_cast<T>(k) * r.s2;
    const T f2 = dfloor(c2);
    const int i2 = static_cast<int>(f2);
    const T w2 = c2 - f2;
    const T wa = r.len * (T(1) - w2), wb = r.len * w2;
    const bool in2a = (i2 >= 0) & (i2 <= s.last2), in2b = (i2 + 1 >= 0) & (i2 + 1 <= s.last2) & (w2 != T(0));
    const int near = k * s.stride_m + dmin(dmax(i2, 0), s.last2) * s.stride_2;
    const int far = k * s.stride_m + dmin(dmax(i2 + 1, 0), s.last2) * s.stride_2;
    return (wa * (T(1) - w1)) * masked_tap(x, near, i1, s.stride_1, s.last1, in2a) +
           (wa * w1) * masked_tap(x, near, i1 + 1, s.stride_1, s.last1, in2a) +
           (wb * (T(1) - w1)) * masked_tap(x, far, i1, s.stride_1, s.last1, in2b) +
           (wb * w1) * masked_tap(x, far, i1 + 1, s.stride_1, s.last1, in2b);
  }
}

// The scatter (A^T) of a planar ray into a volume no other thread writes, branch-free: a tap
// joseph_walk does not visit adds 0. (The 3D walk's branches skip work: faster there.)
template <class T>
RECON_HD inline void planar_scatter(const RayGrid<T>& g, const RaySegment<T>& r, T value, T* x) {
  const SliceLayout s = slice_layout(g, r);
  for (int k = static_cast<int>(r.k0); k <= static_cast<int>(r.k1); ++k) {
    const PlanarSlice<T> p = planar_slice(r, k, s);
    const int ia = p.i1, ib = p.i1 + 1;
    x[p.row + dmin(dmax(ia, 0), s.last1) * s.stride_1] += (ia >= 0) & (ia <= s.last1) ? p.wa * value : T(0);
    x[p.row + dmin(dmax(ib, 0), s.last1) * s.stride_1] += (ib >= 0) & (ib <= s.last1) ? p.wb * value : T(0);
  }
}

template <bool Planar, class T>
RECON_HD inline T lane_gather(const RayGrid<T>& g, const RaySegment<T>& r, const T* x) {
  const SliceLayout s = slice_layout(g, r);
  const int k1 = static_cast<int>(r.k1);
  T lanes[kGatherLanes] = {};
  int k = static_cast<int>(r.k0);
  for (; k + kGatherLanes - 1 <= k1; k += kGatherLanes)
    for (int j = 0; j < kGatherLanes; ++j) lanes[j] += slice_sum<Planar>(r, x, k + j, s);
  for (; k <= k1; ++k) lanes[0] += slice_sum<Planar>(r, x, k, s);
  T acc = 0;
  for (int j = 0; j < kGatherLanes; ++j) acc += lanes[j];
  return acc;
}

}  // namespace recon::ct::detail

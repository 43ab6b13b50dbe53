// The gather form of Joseph's A^T: each voxel sums w * y over the rays that visit it, with the
// weights joseph_walk gives them (slice_weight), so it is the same transpose as the scatter form
// without atomics and in a fixed order (deterministic). The rays of a voxel are found through
// its detector footprint: the 2 x 2 x 2-voxel box around it (every point a visiting ray can
// interpolate from lies inside) mapped onto the detector (a bound of its image); for each view, the
// footprint's pixels are tested with the ray's own segment, read from a table filled once per chunk of views.
#pragma once

#include <vector>

#include "joseph_walk.hpp"
#include "recon/kernels/context.hpp"
#include "recon/kernels/host_clones.hpp"
#include "recon/operators/ct/geometry.hpp"

namespace recon::ct::detail {

// A view's map from index space p = (i, j, k) to detector pixel indices: col = (C.p + c) /
// (D.p + d), row = (R.p + r) / (D.p + d); the denominator is positive in front of a cone's
// source and 1 for parallel beams. 12 values per view: C, c, R, r, D, d.
constexpr int kFormStride = 12;

// The forms of every view, in double (computed from the geometry's vectors; see the .cu file).
std::vector<double> detector_forms(const Geometry& g);

// A ray's segment as the table stores it: 32 bytes for float.
template <class T>
struct PackedSegment {
  T o1, o2, s1, s2, len;
  int k0, k1;  // k0 > k1: the ray misses the volume
  int axes;    // m | a1 << 2 | a2 << 4
};

template <class T>
RECON_HD inline PackedSegment<T> pack(const RaySegment<T>& r) {
  return {r.o1,
          r.o2,
          r.s1,
          r.s2,
          r.len,
          static_cast<int>(r.k0),
          static_cast<int>(r.k1),
          r.m | (r.a1 << 2) | (r.a2 << 4)};
}

template <class T>
RECON_HD inline RaySegment<T> unpack(const PackedSegment<T>& p) {
  RaySegment<T> r{};
  r.m = p.axes & 3;
  r.a1 = (p.axes >> 2) & 3;
  r.a2 = (p.axes >> 4) & 3;
  r.o1 = p.o1;
  r.o2 = p.o2;
  r.s1 = p.s1;
  r.s2 = p.s2;
  r.len = p.len;
  r.k0 = p.k0;
  r.k1 = p.k1;
  return r;
}

// Inclusive index ranges of detector columns and rows.
struct PixelWindow {
  int col0, col1, row0, row1;
};

// Rounds a footprint [lo, hi] of pixel-index positions to the pixels whose centres it holds,
// widened by a margin that covers the rounding of both the footprint and the rays' segments
// (a ray at the edge of the box carries a weight near 0 but must still be found), within [0, n).
template <class T>
RECON_HD inline void pixel_range(T lo, T hi, index_t n, int& first, int& last) {
  const T margin = T(0.01) * (hi - lo) + T(4e-5) * (static_cast<T>(n) + dabs(lo) + dabs(hi));
  const T top = static_cast<T>(n);
  first = static_cast<int>(dfloor(dmin(dmax(lo - margin, T(-1)), top))) + 1;  // ceil, as floor + 1 is
  last = static_cast<int>(dfloor(dmin(dmax(hi + margin, T(-1)), top)));       //   only off on integers
  first = first < 0 ? 0 : first;
  last = last > static_cast<int>(n) - 1 ? static_cast<int>(n) - 1 : last;
}

// The pixels whose rays can visit voxel (i, j, k) in the view of `form`: the image of the box
// p + e, |e_a| <= 1. With q(e) = (c + C.e) / (d + D.e), q(e) - q(0) = (G.e) / (d (d + D.e)) for
// G = d C - c D, so |q(e) - q(0)| <= sum |G_a| / (d (d - sum |D_a|)) wherever d > sum |D_a|:
// a bound within a fraction sum |D_a| / d (a box's size over its distance to the source) of the
// exact extent, at a fifth of the cost of mapping its 8 corners. A box not wholly in front of a
// cone's source gets the whole detector.
template <class T>
RECON_HD inline PixelWindow footprint(const T* form, index_t rows, index_t cols, T i, T j, T k) {
  const T* C = form;
  const T* R = form + 4;
  const T* D = form + 8;
  const T c = C[0] * i + C[1] * j + C[2] * k + C[3];
  const T r = R[0] * i + R[1] * j + R[2] * k + R[3];
  const T d = D[0] * i + D[1] * j + D[2] * k + D[3];
  const T reach = dabs(D[0]) + dabs(D[1]) + dabs(D[2]);
  const T spread_c = dabs(d * C[0] - c * D[0]) + dabs(d * C[1] - c * D[1]) + dabs(d * C[2] - c * D[2]);
  const T spread_r = dabs(d * R[0] - r * D[0]) + dabs(d * R[1] - r * D[1]) + dabs(d * R[2] - r * D[2]);
  PixelWindow w{0, static_cast<int>(cols) - 1, 0, static_cast<int>(rows) - 1};
  const T near = d - reach;
  if (!(near > T(0))) return w;
  const T inv_d = T(1) / d, half = T(1) / (d * near);
  const T hc = spread_c * half, hr = spread_r * half;
  // A box next to the source's plane can send the extent to infinity: whole detector.
  if (!(hc < T(1e20)) || !(hr < T(1e20))) return w;
  const T col = c * inv_d, row = r * inv_d;
  pixel_range(col - hc, col + hc, cols, w.col0, w.col1);
  if (rows > 1) pixel_range(row - hr, row + hr, rows, w.row0, w.row1);
  return w;
}

// Picks coordinate a of p (no runtime-indexed array: it would live in device local memory).
RECON_HD inline index_t axis_of(index_t a, index_t i, index_t j, index_t k) {
  return a == 0 ? i : a == 1 ? j : k;
}

// One thread per voxel: x[voxel] += the sum over the views [view0, view0 + views) of the
// weights of its visiting rays times y. segments: the chunk's table, (views, rows, cols).
template <class T>
struct GatherAdjoint;

template <class T>
RECON_HD inline void gather_voxel(const GatherAdjoint<T>& a, index_t voxel);

// gather_voxel on the host, compiled per host instruction set (host_clones.hpp): the portable
// build's floor() is a library call, several per footprint pixel.
template <class T>
RECON_HOST_CLONED void gather_voxel_host(const GatherAdjoint<T>& a, index_t voxel) {
  gather_voxel(a, voxel);
}

template <class T>
struct GatherAdjoint {
  RayGrid<T> g;
  const T* forms;
  const PackedSegment<T>* segments;
  index_t view0, views;
  const T* y;
  T* x;
  RECON_HD void operator()(index_t voxel) const {
#if defined(__CUDA_ARCH__)
    gather_voxel(*this, voxel);
#else
    gather_voxel_host(*this, voxel);
#endif
  }
};

template <class T>
RECON_HD inline void gather_voxel(const GatherAdjoint<T>& a, index_t voxel) {
  const RayGrid<T>& g = a.g;
  const index_t i = voxel % g.n[0], j = voxel / g.n[0] % g.n[1], k = voxel / (g.n[0] * g.n[1]);
  const index_t per_view = g.rows * g.cols;
  T acc = a.x[voxel];  // one running sum over every view: the same bits however the views are chunked
  for (index_t v = 0; v < a.views; ++v) {
    const PixelWindow w = footprint(a.forms + kFormStride * (a.view0 + v), g.rows, g.cols, static_cast<T>(i),
                                    static_cast<T>(j), static_cast<T>(k));
    const PackedSegment<T>* table = a.segments + v * per_view;
    const T* yv = a.y + (a.view0 + v) * per_view;
    for (int row = w.row0; row <= w.row1; ++row)
      for (int col = w.col0; col <= w.col1; ++col) {
        const index_t ray = static_cast<index_t>(row) * g.cols + col;
        const RaySegment<T> s = unpack(table[ray]);
        const index_t slice = axis_of(s.m, i, j, k);
        if (slice < s.k0 || slice > s.k1) continue;
        const T weight = slice_weight(s, slice, axis_of(s.a1, i, j, k), axis_of(s.a2, i, j, k));
        if (weight != T(0)) acc += weight * yv[ray];
      }
  }
  a.x[voxel] = acc;
}

// x = A^T y by the gather form; vectors and forms: the views' 12 + 12 values on ctx's device.
// Returns false, with x untouched, when `required` is false and one view's table does not fit
// in the memory free on the device (the caller then scatters); `required` lets it fail with
// OutOfMemory instead.
template <class T>
bool gather_adjoint(const Context& ctx, const RayGrid<T>& g, const T* vectors, const T* forms, index_t views,
                    bool required, const T* y, T* x);

}  // namespace recon::ct::detail

// The gather form of Joseph's A^T (joseph_gather.hpp): the views' detector forms, the segment
// table per chunk of views, and the per-voxel launch.
#include "joseph_gather.hpp"

#include <algorithm>
#include <cmath>

#include "recon/kernels/memory_budget.hpp"
#if defined(__CUDACC__)
#include "recon/kernels/cuda_check.hpp"
#endif
#include "recon/kernels/parallel_for.hpp"
#include "recon/kernels/vector_ops.hpp"
#include "vec3_math.hpp"

namespace recon::ct::detail {

namespace {

using vec3::cross;
using vec3::dot;
using vec3::minus;
using vec3::scaled;

// A world-space affine form N.P + c rewritten for index coordinates p (P_a = p_a voxel_a + base_a).
void append_index_form(const VolumeGeometry& vol, const Vec3& n, double c, std::vector<double>& out) {
  double constant = c;
  const index_t extent[3] = {vol.nx(), vol.ny(), vol.nz()};
  for (int a = 0; a < 3; ++a) {
    const double base = vol.origin[a] - 0.5 * static_cast<double>(extent[a] - 1) * vol.voxel_size[a];
    out.push_back(n[a] * vol.voxel_size[a]);
    constant += n[a] * base;
  }
  out.push_back(constant);
}

}  // namespace

// By Cramer's rule on src + t (P - src) = det + a u + b v (cone) or P + t dir = det + a u + b v
// (parallel), with a, b in pixel units from the detector centre. A 2D detector has v = 0; its
// rays lie in the plane z = 0, so v is taken as the z axis there (the row is then always 0).
std::vector<double> detector_forms(const Geometry& g) {
  const ProjectionGeometry& p = g.projection;
  std::vector<double> out;
  out.reserve(static_cast<size_t>(kFormStride * p.views()));
  const double col_centre = 0.5 * static_cast<double>(p.cols - 1),
               row_centre = 0.5 * static_cast<double>(p.rows - 1);
  for (const ViewVectors& w : p.vectors) {
    const Vec3 v = p.ndim == 3 ? w.v : Vec3{0, 0, 1};
    Vec3 na, nb, nd;
    double ca, cb, cd;
    if (p.parallel()) {
      const Vec3& dir = w.source;
      const double scale = 1.0 / dot(dir, cross(w.u, v));
      na = scaled(scale, cross(v, dir));
      nb = scaled(scale, cross(dir, w.u));
      ca = -dot(na, w.detector);
      cb = -dot(nb, w.detector);
      nd = {0, 0, 0};
      cd = 1;
    } else {
      const Vec3 s = minus(w.source, w.detector);
      nd = cross(w.u, v);
      // Positive for points on the detector's side of the source.
      const double sign = dot(nd, minus(w.detector, w.source)) > 0 ? 1.0 : -1.0;
      nd = scaled(sign, nd);
      na = scaled(sign, cross(s, v));
      nb = scaled(sign, cross(w.u, s));
      ca = -dot(na, w.source);
      cb = -dot(nb, w.source);
      cd = -dot(nd, w.source);
    }
    // Pixel indices: a + col_centre = (na.P + ca + col_centre (nd.P + cd)) / (nd.P + cd).
    append_index_form(g.volume,
                      {na[0] + col_centre * nd[0], na[1] + col_centre * nd[1], na[2] + col_centre * nd[2]},
                      ca + col_centre * cd, out);
    append_index_form(g.volume,
                      {nb[0] + row_centre * nd[0], nb[1] + row_centre * nd[1], nb[2] + row_centre * nd[2]},
                      cb + row_centre * cd, out);
    append_index_form(g.volume, nd, cd, out);
  }
  return out;
}

// Fills the table of the rays of views [view0, view0 + views).
template <class T>
struct FillSegments {
  RayGrid<T> g;
  const T* vectors;
  index_t view0;
  PackedSegment<T>* table;
  RECON_HD void operator()(index_t i) const {
    const index_t per_view = g.rows * g.cols;
    const index_t view = view0 + i / per_view, ray = i % per_view;
    table[i] = pack(ray_segment(g, vectors + kViewStride * view, ray / g.cols, ray % g.cols));
  }
};

// A chunk's table is sized to half the device's last-level cache (at least one view): every
// voxel reads its footprint rays in each view of the chunk, and the table is read from the
// cache, not memory, when it fits (the 50 MiB L2 of an H100/H200 holds one view of 1024 x 768).
double table_budget_bytes(const Context& ctx) {
  double cache = 4.0 * 1024.0 * 1024.0;  // the host: a share of L3 (chunking barely matters there)
#if defined(__CUDACC__)
  if (ctx.is_cuda()) {
    int l2 = 0;
    RECON_CUDA_CHECK(cudaDeviceGetAttribute(&l2, cudaDevAttrL2CacheSize, ctx.ordinal()));
    cache = static_cast<double>(l2);
  }
#endif
  return 0.5 * cache;
}

template <class T>
bool gather_adjoint(const Context& ctx, const RayGrid<T>& g, const T* vectors, const T* forms, index_t views,
                    bool required, const T* y, T* x) {
  const index_t per_view = g.rows * g.cols, volume = g.n[0] * g.n[1] * g.n[2];
  const double view_bytes = static_cast<double>(per_view) * sizeof(PackedSegment<T>);
  const double free_bytes = 0.5 * static_cast<double>(available_bytes(ctx));
  if (!required && view_bytes > free_bytes) return false;
  const double budget = std::min(table_budget_bytes(ctx), free_bytes);
  const index_t chunk = std::clamp<index_t>(static_cast<index_t>(budget / view_bytes), 1, views);
  Array<PackedSegment<T>> table(ctx, Shape{chunk * per_view});
  fill<T>(ctx, View<T>(x, Shape{volume}, ctx.device()), T(0));
  for (index_t v0 = 0; v0 < views; v0 += chunk) {
    const index_t n = std::min(chunk, views - v0);
    parallel_for(ctx, n * per_view, FillSegments<T>{g, vectors, v0, table.data()}, 1);
    // Cost per voxel: about 9 footprint pixels per view in 3D.
    parallel_for(ctx, volume, GatherAdjoint<T>{g, forms, table.data(), v0, n, y, x}, n * 9);
  }
  return true;
}

template bool gather_adjoint<float>(const Context&, const RayGrid<float>&, const float*, const float*,
                                    index_t, bool, const float*, float*);
template bool gather_adjoint<double>(const Context&, const RayGrid<double>&, const double*, const double*,
                                     index_t, bool, const double*, double*);

}  // namespace recon::ct::detail

// FBP / FDK kernels (formulas in fbp.hpp): cosine pre-weighting and direct row convolution with
// the filter taps (one RECON_HD body each for both backends); the voxel-driven back-projection
// is voxel_backproject.cu.
#include <cmath>

#include "device_math.hpp"
#include "voxel_backproject.hpp"
#include "recon/kernels/parallel_for.hpp"
#include "recon/operators/linear_operator.hpp"
#include "recon/operators/ct/fbp.hpp"

namespace recon::ct {

namespace detail {

template <class T>
void cosine_weight(const Context& ctx, const VoxelGeometry<T>& p, const T* in, T* out) {
  const T scale = p.source_origin / (p.source_origin + p.origin_detector);
  parallel_for(ctx, Extent3{p.views, p.rows, p.cols}, [=] RECON_HD(index_t v, index_t r, index_t c) {
    const T s = (static_cast<T>(c) - T(0.5) * static_cast<T>(p.cols - 1)) * p.du + p.off_u;
    const T t = p.planar ? T(0) : (static_cast<T>(r) - T(0.5) * static_cast<T>(p.rows - 1)) * p.dv + p.off_v;
    const T sv = s * scale, tv = t * scale, R = p.source_origin;
    const index_t i = (v * p.rows + r) * p.cols + c;
    out[i] = in[i] * R / dsqrt(R * R + sv * sv + tv * tv);
  });
}

// out[line, n] = inv_spacing * sum_k taps[|n - k|] in[line, k]
template <class T>
void convolve_rows(const Context& ctx, index_t lines, index_t cols, const T* taps, T inv_spacing, const T* in,
                   T* out) {
  parallel_for(ctx, Extent2{lines, cols}, [=] RECON_HD(index_t line, index_t n) {
    const T* row = in + line * cols;
    T acc = 0;
    for (index_t k = 0; k < cols; ++k) acc += taps[n > k ? n - k : k - n] * row[k];
    out[line * cols + n] = inv_spacing * acc;
  });
}

}  // namespace detail

template <class T>
void filtered_backprojection(const Context& ctx, const Geometry& g, View<const T> projections, View<T> volume,
                             FbpFilter filter) {
  const ProjectionGeometry& pg = g.projection;
  const std::string where = pg.type_name() == "cone" ? "fdk" : "fbp";
  validate(g, where);
  const double angle_weight = detail::fbp_angle_weight(pg, where);
  recon::detail::check_view(ctx, where, "projections", projections.shape(), projections.device(),
                            projections.data(), pg.shape());
  recon::detail::check_view(ctx, where, "volume", volume.shape(), volume.device(), volume.data(), g.volume.shape);

  detail::VoxelGeometry<T> p{};
  p.nx = g.volume.nx();
  p.ny = g.volume.ny();
  p.nz = g.volume.nz();
  p.views = pg.views();
  p.rows = pg.rows;
  p.cols = pg.cols;
  p.vx = static_cast<T>(g.volume.voxel_size[0]);
  p.vy = static_cast<T>(g.volume.voxel_size[1]);
  p.vz = static_cast<T>(g.volume.voxel_size[2]);
  p.ox = static_cast<T>(g.volume.origin[0]);
  p.oy = static_cast<T>(g.volume.origin[1]);
  p.oz = static_cast<T>(g.volume.origin[2]);
  p.du = static_cast<T>(pg.pixel_u);
  p.dv = static_cast<T>(pg.pixel_v);
  p.off_u = static_cast<T>(pg.offset_u);
  p.off_v = static_cast<T>(pg.offset_v);
  p.divergent = !pg.parallel();
  p.planar = pg.ndim == 2;
  p.source_origin = static_cast<T>(pg.source_origin);
  p.origin_detector = static_cast<T>(pg.origin_detector);

  const std::vector<double> taps_d = detail::fbp_filter_taps(filter, pg.cols);
  const auto taps = Array<T>::from_host(ctx, Shape{pg.cols}, std::vector<T>(taps_d.begin(), taps_d.end()));
  std::vector<T> trig_h;
  for (double a : pg.angles) {
    trig_h.push_back(static_cast<T>(std::cos(a)));
    trig_h.push_back(static_cast<T>(std::sin(a)));
  }
  const auto trig = Array<T>::from_host(ctx, Shape{2 * pg.views()}, trig_h);
  // Sample spacing on the detector moved to the isocentre.
  const double spacing = p.divergent ? pg.pixel_u * pg.source_origin / (pg.source_origin + pg.origin_detector) : pg.pixel_u;

  Array<T> filtered(ctx, pg.shape());
  const T* source = projections.data();
  Array<T> weighted;
  if (p.divergent) {
    weighted = Array<T>(ctx, pg.shape());
    detail::cosine_weight(ctx, p, projections.data(), weighted.data());
    source = weighted.data();
  }
  detail::convolve_rows(ctx, pg.views() * pg.rows, pg.cols, taps.data(), static_cast<T>(1.0 / spacing), source,
                        filtered.data());
  detail::backproject_voxels(ctx, p, trig.data(), filtered.data(), static_cast<T>(angle_weight), volume.data());
}

template void filtered_backprojection<float>(const Context&, const Geometry&, View<const float>, View<float>, FbpFilter);
template void filtered_backprojection<double>(const Context&, const Geometry&, View<const double>, View<double>,
                                              FbpFilter);

}  // namespace recon::ct

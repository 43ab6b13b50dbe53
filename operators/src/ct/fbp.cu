// FBP / FDK kernels (formulas in fbp.hpp): the pre-weighting (cosine and Parker) fused into the
// zero-padding of the rows, the filter as a product of spectra between the batched real FFTs of
// fft.hpp (one RECON_HD body each for both backends); the voxel-driven back-projection is
// voxel_backproject.cu.
#include <algorithm>
#include <cmath>
#include <memory>
#include <string>

#include "../fft.hpp"
#include "recon/kernels/parallel_for.hpp"
#include "recon/operators/ct/fbp.hpp"
#include "recon/operators/linear_operator.hpp"
#include "voxel_backproject.hpp"

namespace recon::ct {

namespace detail {

template <class T>
PreWeight<T> pre_weight(const ProjectionGeometry& p, const FbpAngles& angles) {
  PreWeight<T> w;
  w.divergent = !p.parallel();
  w.planar = p.ndim == 2;
  w.short_scan = angles.short_scan;
  w.rows = p.rows;
  w.cols = p.cols;
  w.du = static_cast<T>(p.pixel_u);
  w.dv = static_cast<T>(p.pixel_v);
  w.off_u = static_cast<T>(p.offset_u);
  w.off_v = static_cast<T>(p.offset_v);
  if (w.divergent) w.scale = static_cast<T>(p.source_origin / (p.source_origin + p.origin_detector));
  w.source_origin = static_cast<T>(p.source_origin);
  w.step = static_cast<T>(std::fabs(p.angles.back() - p.angles.front()) /
                          static_cast<double>(p.angles.size() - 1));
  w.parker = {static_cast<T>(angles.parker.delta), static_cast<T>(angles.parker.turn),
              static_cast<T>(angles.parker.source_origin)};
  return w;
}

// The pre-weighted rows [first, first + lines) of `in`, zero-padded from cols to n samples.
template <class T>
void weight_and_pad(const Context& ctx, const PreWeight<T>& weight, index_t first, index_t lines,
                    index_t cols, index_t n, const T* in, T* padded) {
  parallel_for(ctx, Extent2{lines, n}, [=] RECON_HD(index_t l, index_t k) {
    const index_t line = first + l;
    padded[l * n + k] = k < cols ? weight(line, k) * in[line * cols + k] : T(0);
  });
}

// Spectrum (lines, bins, 2) times the real response: a convolution with an even kernel.
template <class T>
void multiply_spectrum(const Context& ctx, index_t lines, index_t bins, const T* response, T* spectrum) {
  parallel_for(ctx, Extent2{lines, bins}, [=] RECON_HD(index_t l, index_t k) {
    spectrum[2 * (l * bins + k)] *= response[k];
    spectrum[2 * (l * bins + k) + 1] *= response[k];
  });
}

template <class T>
void crop_rows(const Context& ctx, index_t lines, index_t cols, index_t n, const T* padded, T* out) {
  parallel_for(ctx, Extent2{lines, cols},
               [=] RECON_HD(index_t l, index_t k) { out[l * cols + k] = padded[l * n + k]; });
}

namespace {
// fbp_filter_response, computed once per context and filter (an O(n cols) cosine sum).
std::shared_ptr<const std::vector<double>> cached_response(const Context& ctx, FbpFilter filter,
                                                           index_t cols) {
  const std::string key =
      "ct.fbp_response/" + std::to_string(static_cast<int>(filter)) + "/" + std::to_string(cols);
  return std::static_pointer_cast<const std::vector<double>>(ctx.cached(key, [&]() -> std::shared_ptr<void> {
    return std::make_shared<std::vector<double>>(fbp_filter_response(filter, cols));
  }));
}
}  // namespace

template <class T>
void filter_rows(const Context& ctx, FbpFilter filter, const PreWeight<T>& weight, index_t lines,
                 index_t cols, double spacing, const T* in, T* out, index_t chunk_samples) {
  const index_t n = fbp_padded_length(cols), bins = n / 2 + 1;
  // The unnormalised r2c / c2r pair gives c2r(H r2c(x)) = n IDFT(H DFT(x)) for H the
  // unnormalised DFT of the kernel: the response carries 1 / n.
  std::vector<T> h;
  for (double v : *cached_response(ctx, filter, cols))
    h.push_back(static_cast<T>(v / (spacing * static_cast<double>(n))));
  const auto response = Array<T>::from_host(ctx, Shape{bins}, h);
  // Chunks of lines bound the work memory (padded rows and spectrum) on large cone-beam data; at
  // most two transform sizes, so two cached plans.
  const index_t chunk = std::min(lines, std::max<index_t>(1, chunk_samples / n));
  Array<T> padded(ctx, Shape{chunk, n}), spectrum(ctx, Shape{chunk, bins, 2});
  for (index_t first = 0; first < lines; first += chunk) {
    const index_t m = std::min(chunk, lines - first);
    const recon::detail::FftShape rows = recon::detail::fft_shape(Shape{m, n}, 1, "fbp filter");
    weight_and_pad(ctx, weight, first, m, cols, n, in, padded.data());
    recon::detail::fft_r2c<T>(ctx, rows, padded.data(), spectrum.data());
    multiply_spectrum(ctx, m, bins, response.data(), spectrum.data());
    recon::detail::fft_c2r<T>(ctx, rows, spectrum.data(), padded.data());
    crop_rows(ctx, m, cols, n, padded.data(), out + first * cols);
  }
}

template PreWeight<float> pre_weight<float>(const ProjectionGeometry&, const FbpAngles&);
template PreWeight<double> pre_weight<double>(const ProjectionGeometry&, const FbpAngles&);
template void filter_rows<float>(const Context&, FbpFilter, const PreWeight<float>&, index_t, index_t, double,
                                 const float*, float*, index_t);
template void filter_rows<double>(const Context&, FbpFilter, const PreWeight<double>&, index_t, index_t,
                                  double, const double*, double*, index_t);

}  // namespace detail

namespace {
// The name errors carry: "fdk" for a cone beam, "fbp" otherwise.
std::string fbp_where(const ProjectionGeometry& pg) { return pg.type_name() == "cone" ? "fdk" : "fbp"; }
}  // namespace

template <class T>
void fbp_filter(const Context& ctx, const Geometry& g, View<const T> projections, View<T> filtered,
                FbpFilter filter, index_t chunk_samples) {
  const ProjectionGeometry& pg = g.projection;
  const std::string where = fbp_where(pg);
  validate(g, where);
  const detail::FbpAngles angles = detail::fbp_angles(pg, where);
  recon::detail::check_view(ctx, where, "projections", projections.shape(), projections.device(),
                            projections.data(), pg.shape());
  recon::detail::check_view(ctx, where, "filtered projections", filtered.shape(), filtered.device(),
                            filtered.data(), pg.shape());
  detail::filter_rows(ctx, filter, detail::pre_weight<T>(pg, angles), pg.views() * pg.rows, pg.cols,
                      detail::fbp_spacing(pg), projections.data(), filtered.data(), chunk_samples);
}

template <class T>
void fbp_backproject(const Context& ctx, const Geometry& g, View<const T> filtered, View<T> volume,
                     VoxelInterpolation interpolation) {
  const ProjectionGeometry& pg = g.projection;
  const std::string where = fbp_where(pg);
  validate(g, where);
  const detail::FbpAngles angles = detail::fbp_angles(pg, where);
  recon::detail::check_view(ctx, where, "filtered projections", filtered.shape(), filtered.device(),
                            filtered.data(), pg.shape());
  recon::detail::check_view(ctx, where, "volume", volume.shape(), volume.device(), volume.data(),
                            g.volume.shape);
  const auto trig = Array<T>::from_host(ctx, Shape{2 * pg.views()}, detail::view_trig<T>(pg));
  detail::VoxelGeometry<T> p = detail::voxel_geometry<T>(g);
  p.interpolation = interpolation;
  detail::backproject_voxels(ctx, p, trig.data(), filtered.data(), static_cast<T>(angles.weight),
                             volume.data());
}

template <class T>
void filtered_backprojection(const Context& ctx, const Geometry& g, View<const T> projections, View<T> volume,
                             FbpFilter filter, VoxelInterpolation interpolation) {
  Array<T> filtered(ctx, g.projection.shape());
  fbp_filter<T>(ctx, g, projections, filtered.view(), filter);
  fbp_backproject<T>(ctx, g, filtered.view(), volume, interpolation);
}

template void fbp_filter<float>(const Context&, const Geometry&, View<const float>, View<float>, FbpFilter,
                                index_t);
template void fbp_filter<double>(const Context&, const Geometry&, View<const double>, View<double>, FbpFilter,
                                 index_t);
template void fbp_backproject<float>(const Context&, const Geometry&, View<const float>, View<float>,
                                     VoxelInterpolation);
template void fbp_backproject<double>(const Context&, const Geometry&, View<const double>, View<double>,
                                      VoxelInterpolation);
template void filtered_backprojection<float>(const Context&, const Geometry&, View<const float>, View<float>,
                                             FbpFilter, VoxelInterpolation);
template void filtered_backprojection<double>(const Context&, const Geometry&, View<const double>,
                                              View<double>, FbpFilter, VoxelInterpolation);

}  // namespace recon::ct

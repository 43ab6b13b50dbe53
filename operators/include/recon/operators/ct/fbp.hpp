// Analytic reconstruction: filtered back-projection for 2D parallel and fan beams (flat
// detector) and 3D parallel beams (slice by slice), and FDK for circular cone beams
// (Kak & Slaney, "Principles of Computerized Tomographic Imaging", ch. 3, eqs. for equally
// spaced collinear detectors; Feldkamp, Davis & Kress, JOSA A 1984).
//   1. divergent beams: detector coordinates scaled to the isocentre, s' = s R/(R + D), and
//      projections weighted by R / sqrt(R^2 + s'^2 + t'^2) (cosine weighting);
//   2. each detector row convolved with the band-limited ramp kernel of Kak & Slaney,
//      h[0] = 1/4, h[n odd] = -1/(pi n)^2, h[n even] = 0 (divided by the sample spacing),
//      optionally windowed in frequency on the zero-padded length (next power of two >= 2 cols,
//      as scikit-image does): Shepp-Logan sinc(f), cosine cos(pi f), Hann (1 + cos(2 pi f))/2,
//      f in cycles per sample; the convolution is direct and linear (no wrap-around);
//   3. voxel-driven back-projection with linear (2D) / bilinear (3D) interpolation and the
//      distance weight 1/U^2 = (R / (R + r.x))^2 for divergent beams, times the angular step
//      (halved for a full circle).
// Absolute scale: the result is the attenuation per world unit, so FBP of line integrals of
// a phantom returns the phantom's values (tests/ct/test_fbp.cu).
// Requirements (InvalidArgument otherwise): a circular geometry (not _vec) with equally
// spaced angles covering 180 or 360 degrees (parallel) or 360 degrees (fan/cone: short scans
// need Parker weights, not implemented).
#pragma once

#include <string>
#include <vector>

#include "recon/kernels/array.hpp"
#include "recon/operators/ct/geometry.hpp"

namespace recon::ct {

enum class FbpFilter { Ramp, SheppLogan, Cosine, Hann };
// "ramp", "shepp-logan", "cosine" or "hann"; InvalidArgument otherwise.
FbpFilter parse_fbp_filter(const std::string& name);

// FBP (parallel2d, fan2d, parallel3d) or FDK (cone): projections (views[, rows], cols) ->
// volume. Work arrays are allocated per call.
template <class T>
void filtered_backprojection(const Context& ctx, const Geometry& g, View<const T> projections, View<T> volume,
                             FbpFilter filter = FbpFilter::Ramp);

namespace detail {
// The dimensionless filter taps g[0..cols-1] (even: g[-n] = g[n]); divide by the spacing.
std::vector<double> fbp_filter_taps(FbpFilter filter, index_t cols);
// Angular quadrature weight per view; throws for the coverage requirements above.
double fbp_angle_weight(const ProjectionGeometry& p, const std::string& where);
}  // namespace detail

}  // namespace recon::ct

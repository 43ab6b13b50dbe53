// Analytic reconstruction: filtered back-projection for 2D parallel and fan beams (flat
// detector) and 3D parallel beams (slice by slice), and FDK for circular cone beams
// (Kak & Slaney, "Principles of Computerized Tomographic Imaging", ch. 3, eqs. for equally
// spaced collinear detectors; Feldkamp, Davis & Kress, JOSA A 1984).
//   1. divergent beams: detector coordinates scaled to the isocentre, s' = s R/(R + D), and
//      projections weighted by R / sqrt(R^2 + s'^2 + t'^2) (cosine weighting), times Parker's
//      weight (below) for a short scan;
//   2. each detector row convolved with the band-limited ramp kernel of Kak & Slaney,
//      h[0] = 1/4, h[n odd] = -1/(pi n)^2, h[n even] = 0 (divided by the sample spacing),
//      optionally windowed in frequency on the zero-padded length (next power of two >= 2 cols,
//      as scikit-image does): Shepp-Logan sinc(f), cosine cos(pi f), Hann (1 + cos(2 pi f))/2,
//      f in cycles per sample. The convolution is linear (no wrap-around) with the taps
//      |n| < cols, computed as a product of spectra on the rows zero-padded to that length
//      (FourierOperator: FFTW / cuFFT);
//   3. voxel-driven back-projection with linear (2D) / bilinear (3D) interpolation and the
//      distance weight 1/U^2 = (R / (R + r.x))^2 for divergent beams, times the angular step
//      (halved for a full circle: every line is measured twice).
// Absolute scale: the result is the attenuation per world unit, so FBP of line integrals of
// a phantom returns the phantom's values (tests/ct/test_fbp.cu).
// Requirements (InvalidArgument otherwise): a circular geometry (not _vec) with equally
// spaced angles covering 180 or 360 degrees (parallel), or 360 degrees or a short scan
// (fan/cone): from the first to the last view at least 180 degrees plus twice the largest fan
// angle atan(max|s'| / R) over the column centres, and less than 360.
// Short scans (Parker, Med. Phys. 9, 1982, generalised to longer scans as RTK's
// ParkerShortScanImageFilter does): with the scan angle beta = |theta - theta_first|,
// delta = (|theta_last - theta_first| - pi) / 2 >= max|gamma| and the ray's fan angle gamma,
//   w(beta, gamma) = S(beta, delta - gamma) S(pi + 2 delta - beta, delta + gamma),
//   S(x, b) = 0 for x <= 0, sin^2(pi/4 x / b) for 0 < x < 2 b, 1 beyond
// (Parker's three pieces: the rise below beta = 2 (delta - gamma), 1, the fall above
// pi - 2 gamma; as a product it needs no case for the ends of the scan), so that the two measurements (beta,
// gamma) and (beta + pi + 2 gamma, -gamma) of one line weigh 1 together; each view then gets the full angular
// step. Tests: tests/ct/test_fbp.cu (the scale for every family and filter, full and short scans; the FFT
// filtering against a direct convolution; Parker's weights on conjugate rays found from the geometry;
// Shepp-Logan PSNR, parallel and fan, full and short; the coverage errors).
#pragma once

#include <math.h>

#include <string>
#include <vector>

#include "recon/kernels/array.hpp"
#include "recon/kernels/macros.hpp"
#include "recon/operators/ct/geometry.hpp"

namespace recon::ct {

enum class FbpFilter { Ramp, SheppLogan, Cosine, Hann };

// How step 3 interpolates the filtered projections. Exact: in arithmetic, the same on every
// backend. Texture: on a GPU (float), by the texture units from a layered CUDA array, as ASTRA
// and TIGRE do: faster, but their interpolation weights carry 8 fractional bits, so a sample may
// differ from the exact one by up to |q1 - q0| / 512 per axis (q0, q1 the neighbouring detector
// values); the host, and double, interpolate exactly either way.
enum class VoxelInterpolation { Exact, Texture };
// "exact" or "texture"; InvalidArgument otherwise.
VoxelInterpolation parse_voxel_interpolation(const std::string& name);
// "ramp", "shepp-logan", "cosine" or "hann"; InvalidArgument otherwise.
FbpFilter parse_fbp_filter(const std::string& name);

// FBP (parallel2d, fan2d, parallel3d) or FDK (cone): projections (views[, rows], cols) ->
// volume. Work arrays are allocated per call.
template <class T>
void filtered_backprojection(const Context& ctx, const Geometry& g, View<const T> projections, View<T> volume,
                             FbpFilter filter = FbpFilter::Ramp,
                             VoxelInterpolation interpolation = VoxelInterpolation::Exact);

// Its two halves, for callers that stream the volume in slabs (streamed.hpp): the weighted,
// filtered projections (steps 1-2 above; the rows go through the FFT in chunks of at most
// chunk_samples padded samples), then their back-projection (step 3) into g's volume, which
// may be a slab of the scanned one (a volume geometry of its own).
template <class T>
void fbp_filter(const Context& ctx, const Geometry& g, View<const T> projections, View<T> filtered,
                FbpFilter filter = FbpFilter::Ramp, index_t chunk_samples = index_t(1) << 24);
template <class T>
void fbp_backproject(const Context& ctx, const Geometry& g, View<const T> filtered, View<T> volume,
                     VoxelInterpolation interpolation = VoxelInterpolation::Exact);

namespace detail {

// Parker's weight w(beta, gamma) above of the ray through the isocentre-scaled detector
// coordinate s. Sign of gamma: in this project's axes (docs/ct-geometry.md) that ray runs along
// cos(g) r + sin(g) u, g = atan(s / R), i.e. at direction angle theta + pi/2 - g, so the same
// line is seen again at theta + pi - 2 g from s -> -s: gamma = -g when the angles increase,
// +g when they decrease (turn = -1).
template <class T>
struct ParkerWeight {
  T delta, turn, source_origin;
  RECON_HD T operator()(T beta, T s) const {
    const T gamma = -turn * atan(s / source_origin);
    return ramp(beta, delta - gamma) * ramp(T(M_PI) + 2 * delta - beta, delta + gamma);
  }
  RECON_HD static T ramp(T x, T width) {
    if (x <= 0) return 0;
    if (x >= 2 * width) return 1;
    const T w = sin(T(M_PI / 4) * x / width);
    return w * w;
  }
};

// Angular quadrature of a circular geometry; throws for the coverage requirements above.
struct FbpAngles {
  double weight = 0;        // per view
  bool short_scan = false;  // fan/cone over less than 360 degrees: Parker-weighted
  ParkerWeight<double> parker{};
};
FbpAngles fbp_angles(const ProjectionGeometry& p, const std::string& where);

// Weight of detector sample (line = view * rows + row, col) before filtering: 1 for parallel
// beams; the cosine weight times, for a short scan, Parker's weight for divergent ones.
template <class T>
struct PreWeight {
  bool divergent = false, planar = true, short_scan = false;
  index_t rows = 1, cols = 1;
  index_t first_view = 0;  // the scan's index of line 0's view (a rank's share of the views)
  T du = 1, dv = 1, off_u = 0, off_v = 0;
  T scale = 1, source_origin = 1;  // scale = R / (R + D): detector to isocentre
  T step = 0;                      // |angular step|: beta = view * step
  ParkerWeight<T> parker{};
  RECON_HD T operator()(index_t line, index_t col) const {
    if (!divergent) return 1;
    const index_t view = first_view + line / rows, row = line % rows;
    const T s = ((static_cast<T>(col) - T(0.5) * static_cast<T>(cols - 1)) * du + off_u) * scale;
    const T t =
        planar ? T(0) : ((static_cast<T>(row) - T(0.5) * static_cast<T>(rows - 1)) * dv + off_v) * scale;
    const T R = source_origin, w = R / sqrt(R * R + s * s + t * t);
    return short_scan ? w * parker(static_cast<T>(view) * step, s) : w;
  }
};
template <class T>
PreWeight<T> pre_weight(const ProjectionGeometry& p, const FbpAngles& angles);

// out = (weight . in) convolved row by row with fbp_filter_taps(filter, cols) / spacing (the
// linear convolution, computed through the FFT); in, out: (lines, cols) on ctx's device. The
// rows go through the FFT in chunks of at most chunk_samples padded samples (at least a row).
template <class T>
void filter_rows(const Context& ctx, FbpFilter filter, const PreWeight<T>& weight, index_t lines,
                 index_t cols, double spacing, const T* in, T* out, index_t chunk_samples = index_t(1) << 24);

// The sample spacing the filter divides by: the detector's, moved to the isocentre for divergent beams.
double fbp_spacing(const ProjectionGeometry& p);
// The zero-padded length N of the filtering: the next power of two >= 2 cols, at least 64.
index_t fbp_padded_length(index_t cols);
// The dimensionless filter taps g[0..cols-1] (even: g[-n] = g[n]); divide by the spacing.
std::vector<double> fbp_filter_taps(FbpFilter filter, index_t cols);
// H_k, k = 0..N/2: the (real) unnormalised DFT of the taps laid out circularly on N samples.
std::vector<double> fbp_filter_response(FbpFilter filter, index_t cols);

}  // namespace detail

}  // namespace recon::ct

// FBP filter design and angular quadrature (fbp.hpp). The taps are computed once per call on
// the host in double: for the plain ramp they are Kak & Slaney's exact band-limited kernel;
// a window is applied to its DFT on the padded length N and transformed back, which gives
// exactly the circular FFT filtering of scikit-image's iradon restricted to |n| < cols. The
// response handed to the FFT filtering is the DFT of those truncated taps, so that filtering
// is the linear convolution with them.
#include <cmath>

#include "recon/kernels/error.hpp"
#include "recon/operators/ct/fbp.hpp"

namespace recon::ct {

FbpFilter parse_fbp_filter(const std::string& name) {
  if (name == "ramp") return FbpFilter::Ramp;
  if (name == "shepp-logan") return FbpFilter::SheppLogan;
  if (name == "cosine") return FbpFilter::Cosine;
  if (name == "hann") return FbpFilter::Hann;
  throw InvalidArgument("unknown FBP filter '" + name + "' (expected ramp, shepp-logan, cosine or hann)");
}

VoxelInterpolation parse_voxel_interpolation(const std::string& name) {
  if (name == "exact") return VoxelInterpolation::Exact;
  if (name == "texture") return VoxelInterpolation::Texture;
  throw InvalidArgument("unknown interpolation '" + name + "' (expected exact or texture)");
}

namespace detail {

double fbp_spacing(const ProjectionGeometry& p) {
  return p.parallel() ? p.pixel_u : p.pixel_u * p.source_origin / (p.source_origin + p.origin_detector);
}

namespace {
double ramp_tap(index_t n) {
  if (n == 0) return 0.25;
  if (n % 2 == 0) return 0.0;
  const double pn = M_PI * static_cast<double>(n);
  return -1.0 / (pn * pn);
}
double window(FbpFilter filter, double f) {  // f in cycles per sample, |f| <= 1/2
  switch (filter) {
    case FbpFilter::SheppLogan:
      return f == 0 ? 1.0 : std::sin(M_PI * f) / (M_PI * f);
    case FbpFilter::Cosine:
      return std::cos(M_PI * f);
    case FbpFilter::Hann:
      return 0.5 * (1.0 + std::cos(2 * M_PI * f));
    case FbpFilter::Ramp:
      break;
  }
  return 1.0;
}
// X_k, k = 0..size/2, of the even sequence of length size with x[n] = x[size - n] = x_n for the
// given n <= size/2 (zero beyond): a cosine sum. It is its own inverse up to a factor size.
std::vector<double> even_dft(const std::vector<double>& x, index_t size) {
  std::vector<double> cosines(static_cast<size_t>(size));
  for (index_t j = 0; j < size; ++j)
    cosines[static_cast<size_t>(j)] = std::cos(2 * M_PI * static_cast<double>(j) / static_cast<double>(size));
  std::vector<double> out(static_cast<size_t>(size / 2 + 1));
  for (index_t k = 0; k <= size / 2; ++k) {
    double acc = 0;
    for (index_t n = 0; n < static_cast<index_t>(x.size()); ++n)
      acc += (n == 0 || 2 * n == size ? 1.0 : 2.0) * x[static_cast<size_t>(n)] *
             cosines[static_cast<size_t>((k * n) % size)];
    out[static_cast<size_t>(k)] = acc;
  }
  return out;
}
}  // namespace

index_t fbp_padded_length(index_t cols) {
  index_t size = 64;
  while (size < 2 * cols) size *= 2;
  return size;
}

std::vector<double> fbp_filter_taps(FbpFilter filter, index_t cols) {
  std::vector<double> taps(static_cast<size_t>(cols));
  if (filter == FbpFilter::Ramp) {
    for (index_t n = 0; n < cols; ++n) taps[static_cast<size_t>(n)] = ramp_tap(n);
    return taps;
  }
  const index_t size = fbp_padded_length(cols);
  std::vector<double> ramp(static_cast<size_t>(size / 2 + 1));
  for (index_t n = 0; n <= size / 2; ++n) ramp[static_cast<size_t>(n)] = ramp_tap(n);
  std::vector<double> response = even_dft(ramp, size);
  for (index_t k = 0; k <= size / 2; ++k)
    response[static_cast<size_t>(k)] *= window(filter, static_cast<double>(k) / static_cast<double>(size));
  const std::vector<double> periodic = even_dft(response, size);
  for (index_t n = 0; n < cols; ++n)
    taps[static_cast<size_t>(n)] = periodic[static_cast<size_t>(n)] / static_cast<double>(size);
  return taps;
}

std::vector<double> fbp_filter_response(FbpFilter filter, index_t cols) {
  // size >= 2 cols keeps taps[n] at n and at size - n apart: no wrap-around.
  return even_dft(fbp_filter_taps(filter, cols), fbp_padded_length(cols));
}

FbpAngles fbp_angles(const ProjectionGeometry& p, const std::string& where) {
  require(p.circular, where, "needs a circular geometry (angles), not the vector geometry " + p.type_name());
  const size_t n = p.angles.size();
  require(n >= 2, where, "needs at least 2 views");
  const double step = (p.angles.back() - p.angles.front()) / static_cast<double>(n - 1);
  for (size_t i = 1; i < n; ++i)
    require(std::fabs(p.angles[i] - p.angles[i - 1] - step) <= 1e-3 * std::fabs(step) + 1e-12, where,
            "needs equally spaced angles (view " + std::to_string(i) + " breaks the spacing)");
  const double d = std::fabs(step), cover = d * static_cast<double>(n), scan = d * static_cast<double>(n - 1);
  const bool half = std::fabs(cover - M_PI) <= 1.01 * d, full = std::fabs(cover - 2 * M_PI) <= 1.01 * d;
  const auto deg = [](double a) { return std::to_string(a * 180 / M_PI); };
  const std::string got = "; got " + std::to_string(n) + " views covering " + deg(cover) + " degrees, " +
                          deg(scan) + " from the first to the last (use SIRT or CGLS for limited-angle data)";
  FbpAngles a{};
  if (p.parallel()) {
    require(half || full, where, "needs views covering 180 or 360 degrees" + got);
    a.weight = half ? d : 0.5 * d;
    return a;
  }
  if (full) {
    a.weight = 0.5 * d;
    return a;
  }
  // Every line must be measured once: from the first to the last view the source turns by at
  // least pi plus the fan's full width 2 max|gamma| (the outermost column centre).
  const double scale = p.source_origin / (p.source_origin + p.origin_detector);
  const double edge = (0.5 * static_cast<double>(p.cols - 1) * p.pixel_u + std::fabs(p.offset_u)) * scale;
  const double need = M_PI + 2 * std::atan(edge / p.source_origin);
  const std::string short_scan =
      "a short scan (Parker-weighted) turning between 180 + 2 x the largest fan angle = ";
  require(scan >= need - 1e-9 && scan < 2 * M_PI, where,
          "needs views covering 360 degrees, or " + short_scan + deg(need) +
              " and 360 degrees from the first to the last view" + got);
  // A short scan counts each line about once, so each view gets the full step.
  a.weight = d;
  a.short_scan = true;
  a.parker = {0.5 * (scan - M_PI), step > 0 ? 1.0 : -1.0, p.source_origin};
  return a;
}

}  // namespace detail
}  // namespace recon::ct

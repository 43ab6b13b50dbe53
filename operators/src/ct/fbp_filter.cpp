// FBP filter design and angular quadrature (fbp.hpp). The taps are computed once per call on
// the host in double: for the plain ramp they are Kak & Slaney's exact band-limited kernel;
// a window is applied to its DFT on the padded length N and transformed back, which gives
// exactly the circular FFT filtering of scikit-image's iradon restricted to |n| < cols.
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

namespace detail {

namespace {
double ramp_tap(index_t n) {
  if (n == 0) return 0.25;
  if (n % 2 == 0) return 0.0;
  const double pn = M_PI * static_cast<double>(n);
  return -1.0 / (pn * pn);
}
double window(FbpFilter filter, double f) {  // f in cycles per sample, |f| <= 1/2
  switch (filter) {
    case FbpFilter::SheppLogan: return f == 0 ? 1.0 : std::sin(M_PI * f) / (M_PI * f);
    case FbpFilter::Cosine: return std::cos(M_PI * f);
    case FbpFilter::Hann: return 0.5 * (1.0 + std::cos(2 * M_PI * f));
    case FbpFilter::Ramp: break;
  }
  return 1.0;
}
}  // namespace

std::vector<double> fbp_filter_taps(FbpFilter filter, index_t cols) {
  std::vector<double> taps(static_cast<size_t>(cols));
  if (filter == FbpFilter::Ramp) {
    for (index_t n = 0; n < cols; ++n) taps[static_cast<size_t>(n)] = ramp_tap(n);
    return taps;
  }
  index_t size = 64;
  while (size < 2 * cols) size *= 2;
  std::vector<double> cosines(static_cast<size_t>(size));
  for (index_t j = 0; j < size; ++j) cosines[static_cast<size_t>(j)] = std::cos(2 * M_PI * static_cast<double>(j) / static_cast<double>(size));
  // Both transforms are cosine sums: the periodic ramp and the windowed response are even.
  std::vector<double> response(static_cast<size_t>(size / 2 + 1));
  for (index_t k = 0; k <= size / 2; ++k) {
    double acc = ramp_tap(0);
    for (index_t n = 1; n < size / 2; ++n) acc += 2 * ramp_tap(n) * cosines[static_cast<size_t>((k * n) % size)];
    acc += ramp_tap(size / 2) * cosines[static_cast<size_t>((k * (size / 2)) % size)];
    response[static_cast<size_t>(k)] = acc * window(filter, static_cast<double>(k) / static_cast<double>(size));
  }
  for (index_t n = 0; n < cols; ++n) {
    double acc = response[0] + response[static_cast<size_t>(size / 2)] * cosines[static_cast<size_t>((n * (size / 2)) % size)];
    for (index_t k = 1; k < size / 2; ++k) acc += 2 * response[static_cast<size_t>(k)] * cosines[static_cast<size_t>((k * n) % size)];
    taps[static_cast<size_t>(n)] = acc / static_cast<double>(size);
  }
  return taps;
}

double fbp_angle_weight(const ProjectionGeometry& p, const std::string& where) {
  require(p.circular, where, "needs a circular geometry (angles), not the vector geometry " + p.type_name());
  const size_t n = p.angles.size();
  require(n >= 2, where, "needs at least 2 views");
  const double step = (p.angles.back() - p.angles.front()) / static_cast<double>(n - 1);
  for (size_t i = 1; i < n; ++i)
    require(std::fabs(p.angles[i] - p.angles[i - 1] - step) <= 1e-3 * std::fabs(step) + 1e-12, where,
            "needs equally spaced angles (view " + std::to_string(i) + " breaks the spacing)");
  const double d = std::fabs(step), cover = d * static_cast<double>(n);
  const bool half = std::fabs(cover - M_PI) <= 1.01 * d, full = std::fabs(cover - 2 * M_PI) <= 1.01 * d;
  const std::string got = "; got " + std::to_string(n) + " views covering " + std::to_string(cover * 180 / M_PI) +
                          " degrees (use SIRT or CGLS for limited-angle data)";
  if (p.parallel()) {
    require(half || full, where, "needs views covering 180 or 360 degrees" + got);
    return half ? d : 0.5 * d;
  }
  require(full, where, "needs views covering 360 degrees (short scans need Parker weights, not implemented)" + got);
  return 0.5 * d;
}

}  // namespace detail
}  // namespace recon::ct

// The arrays a command reads. Besides what io::read_image checks (format, shape, type), the
// values must be finite: a NaN or Inf in a sinogram or an image would surface much later as
// "conjugate_gradient: p^T A p = nan" or as a silent NaN output, naming no file.
#pragma once

#include <cmath>
#include <string>

#include "recon/io/image.hpp"
#include "recon/kernels/error.hpp"

namespace recon::cli {

// How many values of a are NaN or Inf.
inline index_t count_non_finite(const Array<float>& a) {
  index_t bad = 0;
  const auto count = [&bad](const float* v, index_t n) {
    for (index_t i = 0; i < n; ++i) bad += std::isfinite(v[i]) ? 0 : 1;
  };
  if (a.device() == Device::Host) {
    count(a.data(), a.size());
  } else {
    const std::vector<float> h = a.to_host_vector();
    count(h.data(), static_cast<index_t>(h.size()));
  }
  return bad;
}

// InvalidArgument "<path> holds N non-finite values (NaN or Inf); expected finite data", for
// `bad` such values (counted over every rank's part of a file read in parts).
inline void require_no_non_finite(index_t bad, const std::string& path) {
  if (bad > 0)
    throw InvalidArgument(path + " holds " + std::to_string(bad) + " non-finite value" +
                          (bad == 1 ? "" : "s") + " (NaN or Inf); expected finite data");
}
inline void require_finite(const Array<float>& a, const std::string& path) {
  require_no_non_finite(count_non_finite(a), path);
}

// A result computed from finite inputs that is not finite: float32 overflowed (data of huge
// magnitude, an extreme weight). Refused before it is written, rather than written as NaN with
// a success; `causes` names the inputs and options that set the scale.
inline void require_finite_result(const Array<float>& x, const std::string& command,
                                  const std::string& causes) {
  const index_t bad = count_non_finite(x);
  if (bad > 0)
    throw InvalidArgument(command + ": the result holds " + std::to_string(bad) +
                          " non-finite values (float32 overflow); expected " + causes +
                          " of smaller magnitude");
}

// io::read_image, then require_finite.
inline io::Image<float> read_input(const Context& ctx, const std::string& path,
                                   const io::ReadOptions& options) {
  io::Image<float> image = io::read_image<float>(ctx, path, options);
  require_finite(image.data, path);
  return image;
}

}  // namespace recon::cli

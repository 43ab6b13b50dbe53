// The format-by-extension front end of image.hpp: .npy and .raw directly, the rest via ITK.
#include "recon/io/image.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>

#include "image_format.hpp"
#include "recon/io/npy.hpp"
#include "recon/io/output_set.hpp"
#include "recon/io/raw.hpp"
#include "recon/kernels/error.hpp"

namespace recon::io {

namespace detail {

Format format_of(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_directory(path, ec)) return Format::DicomSeries;
  std::string name = fs::path(path).filename().string();
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  const auto ends = [&](const char* suffix) {
    const std::string s(suffix);
    return name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0;
  };
  if (ends(".npy")) return Format::Npy;
  if (ends(".raw")) return Format::Raw;
  if (ends(".png")) return Format::Png;
  if (ends(".tif") || ends(".tiff")) return Format::Tiff;
  if (ends(".nii") || ends(".nii.gz")) return Format::Nifti;
  if (ends(".mha") || ends(".mhd")) return Format::MetaImage;
  if (ends(".nrrd") || ends(".nhdr")) return Format::Nrrd;
  if (ends(".dcm")) return Format::Dicom;
  throw IoError("'" + path +
                "': unknown image format (expected .npy, .raw, .png, .tif, .tiff, .nii, .nii.gz, .mha, .mhd, "
                ".nrrd, .nhdr, .dcm or a DICOM directory)");
}

template <class T>
HostImage to_host_image(const std::string& path, const Array<T>& x, const ImageMetadata& meta) {
  const auto check = [&](const std::vector<double>& v, const char* what) {
    if (!v.empty() && static_cast<int>(v.size()) != x.shape().ndim())
      throw InvalidArgument("writing '" + path + "': " + what + " has " + std::to_string(v.size()) +
                            " entries, the array " + std::to_string(x.shape().ndim()) + " axes");
  };
  check(meta.spacing, "spacing");
  check(meta.origin, "origin");
  const std::vector<T> v = x.to_host_vector();
  // No per-axis positions: those only order DICOM slices when reading a series.
  return HostImage{x.shape(), std::vector<float>(v.begin(), v.end()), meta, {}};
}

template HostImage to_host_image<float>(const std::string&, const Array<float>&, const ImageMetadata&);
template HostImage to_host_image<double>(const std::string&, const Array<double>&, const ImageMetadata&);

}  // namespace detail

bool is_npy_path(const std::string& path) {
  try {
    return detail::format_of(path) == detail::Format::Npy;
  } catch (const IoError&) {
    return false;  // an unknown extension: its reader says so
  }
}

std::pair<double, double> resolve_window(const Window& w, const std::vector<float>& values) {
  if (w.kind == Window::Kind::Range) return {w.lo, w.hi};
  std::vector<float> finite;
  finite.reserve(values.size());
  for (float v : values)
    if (std::isfinite(v)) finite.push_back(v);
  if (finite.empty()) throw InvalidArgument("window: the image has no finite values");
  if (w.kind == Window::Kind::MinMax) {
    const auto [lo, hi] = std::minmax_element(finite.begin(), finite.end());
    return {*lo, *hi};
  }
  if (!(0 <= w.lo && w.lo < w.hi && w.hi <= 100))
    throw InvalidArgument("window: percentiles must satisfy 0 <= lo < hi <= 100, got " +
                          std::to_string(w.lo) + " and " + std::to_string(w.hi));
  std::sort(finite.begin(), finite.end());
  // Linear interpolation between closest ranks, as numpy.percentile does by default.
  const auto at = [&](double p) {
    const double pos = p / 100.0 * static_cast<double>(finite.size() - 1);
    const std::size_t i = static_cast<std::size_t>(pos);
    const std::size_t j = std::min(i + 1, finite.size() - 1);
    return finite[i] + (pos - static_cast<double>(i)) * (static_cast<double>(finite[j]) - finite[i]);
  };
  return {at(w.lo), at(w.hi)};
}

template <class T>
Image<T> read_image(const Context& ctx, const std::string& path, const ReadOptions& options) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    throw IoError("cannot read '" + path + "': no such file or directory");
  const detail::Format f = detail::format_of(path);
  note_input(path);  // no output of this command may replace it (output_set.hpp)
  if (f == detail::Format::Npy) return {read_npy<T>(ctx, path), {}};
  if (f == detail::Format::Raw) return read_raw<T>(ctx, path);
  detail::HostImage h = detail::itk_read(path, f, options);
  return {Array<T>::from_host(ctx, h.shape, std::vector<T>(h.values.begin(), h.values.end())), h.meta};
}

template <class T>
void write_image(const std::string& path, const Array<T>& x, const ImageMetadata& meta,
                 const WriteOptions& options) {
  const detail::Format f = detail::format_of(path);
  const bool integer = options.pixel == PixelType::UInt8 || options.pixel == PixelType::UInt16;
  if ((f == detail::Format::Npy || f == detail::Format::Raw) && integer)
    throw InvalidArgument("writing '" + path +
                          "': .npy and .raw files store float values, not 8/16-bit integers");
  if (f == detail::Format::Npy) {
    write_npy(path, x);
    return;
  }
  const detail::HostImage h = detail::to_host_image(path, x, meta);
  if (f == detail::Format::Raw) {
    detail::write_raw_host(path, h);
    return;
  }
  PixelType pixel = options.pixel;
  if (pixel == PixelType::Auto) pixel = f == detail::Format::Png ? PixelType::UInt8 : PixelType::Float32;
  const bool quantized = pixel == PixelType::UInt8 || pixel == PixelType::UInt16;
  detail::itk_write(path, f, h, pixel,
                    quantized ? resolve_window(options.window, h.values) : std::pair{0.0, 1.0});
}

template Image<float> read_image<float>(const Context&, const std::string&, const ReadOptions&);
template Image<double> read_image<double>(const Context&, const std::string&, const ReadOptions&);
template void write_image<float>(const std::string&, const Array<float>&, const ImageMetadata&,
                                 const WriteOptions&);
template void write_image<double>(const std::string&, const Array<double>&, const ImageMetadata&,
                                  const WriteOptions&);

}  // namespace recon::io

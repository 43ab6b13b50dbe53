// Raw float32 + JSON sidecar (raw.hpp).
#include "recon/io/raw.hpp"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "format_checks.hpp"
#include "image_format.hpp"
#include "output_set.hpp"
#include "recon/io/atomic_file.hpp"
#include "recon/kernels/error.hpp"

namespace recon::io {

std::string raw_sidecar_path(const std::string& raw_path) {
  return std::filesystem::path(raw_path).replace_extension(".json").string();
}

namespace detail {

namespace {

// A sidecar is a few hundred bytes; anything much larger is not one.
constexpr std::uint64_t kMaxSidecarBytes = 1 << 20;

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw IoError("cannot read '" + path + "': " + what);
}

}  // namespace

HostImage read_raw_host(const std::string& raw_path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status st = fs::status(raw_path, ec);
  if (ec || !fs::exists(st)) fail(raw_path, "no such file");
  if (!fs::is_regular_file(st))
    fail(raw_path, "it is a directory or a special file, expected a regular file");
  const std::string side = raw_sidecar_path(raw_path);
  RawSidecar sidecar;
  try {
    sidecar = parse_raw_sidecar(side, read_small_file(side, kMaxSidecarBytes, "its sidecar"));
  } catch (const IoError& e) {
    fail(raw_path, e.what());
  }
  HostImage img;
  img.shape = sidecar.shape;
  img.meta.spacing = sidecar.spacing;
  img.meta.origin = sidecar.origin;

  // Sizes are compared before anything is allocated: the sidecar's shape may be absurd.
  const std::uint64_t bytes = fs::file_size(raw_path, ec);
  if (ec) fail(raw_path, ec.message());
  index_t expected = -1;
  try {
    expected = img.shape.bytes(sizeof(float));
  } catch (const InvalidArgument&) {
  }
  if (expected < 0 || bytes != static_cast<std::uint64_t>(expected))
    fail(raw_path, "holds " + std::to_string(bytes) + " bytes, the sidecar's shape " + img.shape.str() +
                       " of float32 needs " +
                       (expected < 0 ? std::string("more than 2^63") : std::to_string(expected)));
  std::ifstream in(raw_path, std::ios::binary);
  if (!in) fail(raw_path, std::strerror(errno));
  img.values.resize(static_cast<std::size_t>(img.shape.size()));
  in.read(reinterpret_cast<char*>(img.values.data()), static_cast<std::streamsize>(expected));
  if (!in) fail(raw_path, "read error");
  return img;
}

void write_raw_host(const std::string& raw_path, const HostImage& image) {
  nlohmann::json j = {{"format", "recon-raw"}, {"dtype", "float32"}, {"byte_order", "little"}};
  for (int a = 0; a < image.shape.ndim(); ++a) j["shape"].push_back(image.shape[a]);
  if (!image.meta.spacing.empty()) j["spacing"] = image.meta.spacing;
  if (!image.meta.origin.empty()) j["origin"] = image.meta.origin;
  // Both names are checked before either is written: the sidecar must not replace an input.
  refuse_input_overwrite(raw_path, raw_path);
  refuse_input_overwrite(raw_path, raw_sidecar_path(raw_path));
  write_file_atomically(raw_path, [&](std::ostream& out) {
    out.write(reinterpret_cast<const char*>(image.values.data()),
              static_cast<std::streamsize>(image.values.size() * sizeof(float)));
  });
  write_file_atomically(raw_sidecar_path(raw_path), [&](std::ostream& out) { out << j.dump(2) << "\n"; });
}

}  // namespace detail

template <class T>
Image<T> read_raw(const Context& ctx, const std::string& raw_path) {
  detail::HostImage h = detail::read_raw_host(raw_path);
  return {Array<T>::from_host(ctx, h.shape, std::vector<T>(h.values.begin(), h.values.end())), h.meta};
}

template <class T>
void write_raw(const std::string& raw_path, const Array<T>& x, const ImageMetadata& meta) {
  detail::write_raw_host(raw_path, detail::to_host_image(raw_path, x, meta));
}

template Image<float> read_raw<float>(const Context&, const std::string&);
template Image<double> read_raw<double>(const Context&, const std::string&);
template void write_raw<float>(const std::string&, const Array<float>&, const ImageMetadata&);
template void write_raw<double>(const std::string&, const Array<double>&, const ImageMetadata&);

}  // namespace recon::io

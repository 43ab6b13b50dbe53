// Raw float32 + JSON sidecar (raw.hpp).
#include "recon/io/raw.hpp"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

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

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw IoError("cannot read '" + path + "': " + what);
}

std::vector<double> axis_values(const nlohmann::json& j, const char* key, int ndim, const std::string& path) {
  if (!j.contains(key)) return {};
  const auto& v = j.at(key);
  if (!v.is_array() || static_cast<int>(v.size()) != ndim)
    fail(path, std::string("'") + key + "' must be an array of " + std::to_string(ndim) + " numbers");
  std::vector<double> out;
  for (const auto& e : v) {
    if (!e.is_number()) fail(path, std::string("'") + key + "' holds a non-number");
    out.push_back(e.get<double>());
  }
  return out;
}

}  // namespace

HostImage read_raw_host(const std::string& raw_path) {
  const std::string side = raw_sidecar_path(raw_path);
  std::ifstream js(side);
  if (!js) fail(raw_path, "cannot open its sidecar '" + side + "': " + std::strerror(errno));
  nlohmann::json j;
  try {
    js >> j;
  } catch (const nlohmann::json::exception& e) {
    fail(raw_path, "sidecar '" + side + "' is not valid JSON (" + e.what() + ")");
  }
  if (!j.is_object() || j.value("dtype", "") != "float32" || j.value("byte_order", "") != "little")
    fail(raw_path, "sidecar '" + side + "' must say \"dtype\": \"float32\" and \"byte_order\": \"little\"");
  if (!j.contains("shape") || !j["shape"].is_array() || j["shape"].empty() || j["shape"].size() > 4)
    fail(raw_path, "sidecar '" + side + "' needs \"shape\": an array of 1 to 4 extents");
  HostImage img;
  for (const auto& e : j["shape"]) {
    if (!e.is_number_unsigned()) fail(raw_path, "sidecar '" + side + "' has a shape entry that is not a count");
    img.shape.push_back(e.get<index_t>());
  }
  img.meta.spacing = axis_values(j, "spacing", img.shape.ndim(), raw_path);
  img.meta.origin = axis_values(j, "origin", img.shape.ndim(), raw_path);

  std::ifstream in(raw_path, std::ios::binary | std::ios::ate);
  if (!in) fail(raw_path, std::strerror(errno));
  const std::uint64_t bytes = static_cast<std::uint64_t>(in.tellg());
  const std::uint64_t expected = static_cast<std::uint64_t>(img.shape.size()) * sizeof(float);
  if (bytes != expected)
    fail(raw_path, "holds " + std::to_string(bytes) + " bytes, the sidecar's shape " + img.shape.str() +
                       " of float32 needs " + std::to_string(expected));
  img.values.resize(static_cast<std::size_t>(img.shape.size()));
  in.seekg(0);
  in.read(reinterpret_cast<char*>(img.values.data()), static_cast<std::streamsize>(expected));
  if (!in) fail(raw_path, "read error");
  return img;
}

void write_raw_host(const std::string& raw_path, const HostImage& image) {
  nlohmann::json j = {{"format", "recon-raw"}, {"dtype", "float32"}, {"byte_order", "little"}};
  for (int a = 0; a < image.shape.ndim(); ++a) j["shape"].push_back(image.shape[a]);
  if (!image.meta.spacing.empty()) j["spacing"] = image.meta.spacing;
  // Both names are checked before either is written: the sidecar must not replace an input.
  refuse_input_overwrite(raw_path, raw_path);
  refuse_input_overwrite(raw_path, raw_sidecar_path(raw_path));
  if (!image.meta.origin.empty()) j["origin"] = image.meta.origin;
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

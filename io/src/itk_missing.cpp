// Built instead of itk_io.cpp when RECON_ITK=OFF: the ITK formats say clearly why they fail.
#include "image_format.hpp"
#include "recon/kernels/error.hpp"

namespace recon::io {

namespace {
[[noreturn]] void no_itk(const std::string& verb, const std::string& path) {
  throw IoError("cannot " + verb + " '" + path +
                "': this build of recon has no ITK (configure with -DRECON_ITK=ON); only .npy and .raw work");
}
}  // namespace

bool itk_available() { return false; }

namespace detail {
HostImage itk_read(const std::string& path, Format, const ReadOptions&) { no_itk("read", path); }
void itk_write(const std::string& path, Format, const HostImage&, PixelType, std::pair<double, double>) {
  no_itk("write", path);
}
}  // namespace detail

}  // namespace recon::io

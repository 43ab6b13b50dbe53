// Internal to io/: integrity checks run before an ITK reader (see itk_validate.cpp).
#pragma once

#include <string>

#include "image_format.hpp"

namespace recon::io::detail {

// Throws IoError naming `path` when the file is visibly damaged or truncated.
void check_before_itk(const std::string& path, Format format);

}  // namespace recon::io::detail

// Internal to io/: integrity checks run before an ITK reader (see itk_validate.cpp).
#pragma once

#include <string>

#include "image_format.hpp"

namespace recon::io::detail {

// Throws IoError naming `path` when the file is visibly damaged or truncated, or when its header
// asks for what ITK or its libraries would abort on or allocate blindly. Runs before any ITK
// call on the file, CanReadFile included.
void check_before_itk(const std::string& path, Format format);

}  // namespace recon::io::detail

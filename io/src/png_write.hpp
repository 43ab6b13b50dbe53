// Internal to io/: 8/16-bit gray PNG writing with libpng directly. ITK's PNGImageIO ignores
// write errors (a full disk gives a truncated file and exit 0) and, for 16-bit images, frees a
// buffer twice when libpng reports one; here every libpng error, short write and failed close
// becomes an IoError.
#pragma once

#include <cstdint>
#include <string>

namespace recon::io::detail {

// Writes rows x cols samples (row-major, top row first) of `bits` (8 or 16) each to `file`;
// IoError names `path` (the output the user asked for).
void write_gray_png(const std::string& file, const std::string& path, const void* samples, std::int64_t rows,
                    std::int64_t cols, int bits);

}  // namespace recon::io::detail

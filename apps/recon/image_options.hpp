// Options shared by the subcommands that read and write images (convert, metrics, phantom,
// noise): sample type and window for 8/16-bit outputs, read scaling for inputs.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "recon/io/image.hpp"

namespace recon::cli {

struct ImageWriteFlags {
  std::string bits = "auto";   // auto | 8 | 16 | 32
  std::string window = "0:1";  // LO:HI | minmax | pLO:pHI (percentiles)
};

struct ImageReadFlags {
  std::string scaling = "auto";  // auto | unit | stored
};

void add_write_flags(CLI::App& cmd, ImageWriteFlags& flags);
void add_read_flags(CLI::App& cmd, ImageReadFlags& flags);

// InvalidArgument naming the option when the text does not parse.
io::WriteOptions write_options(const ImageWriteFlags& flags);
io::ReadOptions read_options(const ImageReadFlags& flags);

// Whether SSIM is defined on images of shape s (2D or 3D, every extent at least its 11-tap
// window, metrics.hpp); the summaries of denoise and tune leave it out otherwise rather than
// fail after all the work.
bool ssim_defined(const Shape& s);

// A shape as a list of extents, for JSON output.
std::vector<index_t> shape_json(const Shape& s);

}  // namespace recon::cli

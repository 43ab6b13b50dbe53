// Array input and output of the `recon ct` subcommands: any format io::read_image knows (.npy,
// .raw, TIFF stacks, MetaImage, NIfTI...), values as stored (CT data are physical values, never
// rescaled), shape checked against the geometry; output format by extension.
#pragma once

#include <string>

#include "recon/io/image.hpp"
#include "recon/kernels/error.hpp"

namespace recon::cli {

inline Array<float> read_ct_array(const Context& ctx, const std::string& path, const Shape& expected,
                                  const char* what) {
  io::ReadOptions options;
  options.scaling = io::PixelScaling::Stored;
  Array<float> a = io::read_image<float>(Context::host(), path, options).data.to(ctx);
  if (a.shape() != expected)
    throw ShapeMismatch("ct: " + path + " has shape " + a.shape().str() + " but the geometry's " + what + " is " +
                        expected.str());
  return a;
}

}  // namespace recon::cli

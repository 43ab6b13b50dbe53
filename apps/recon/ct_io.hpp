// Array input and output of the `recon ct` subcommands: any format io::read_image knows (.npy,
// .raw, TIFF stacks, MetaImage, NIfTI...), values as stored (CT data are physical values, never
// rescaled), shape checked against the geometry; output format by extension.
#pragma once

#include <string>

#include "read_input.hpp"
#include "recon/io/image.hpp"
#include "recon/kernels/error.hpp"
#include "recon/kernels/memory_budget.hpp"
#include "recon/operators/ct/geometry.hpp"

namespace recon::cli {

inline Array<float> read_ct_array(const Context& ctx, const std::string& path, const Shape& expected,
                                  const char* what) {
  io::ReadOptions options;
  options.scaling = io::PixelScaling::Stored;
  Array<float> a = read_input(Context::host(), path, options).data.to(ctx);
  if (a.shape() != expected)
    throw ShapeMismatch("ct: " + path + " has shape " + a.shape().str() + " but the geometry's " + what +
                        " is " + expected.str());
  return a;
}

// The geometry of a command that holds `volumes` float32 arrays of the volume and `sinograms`
// of the projections at once (counted for each command from what its solver keeps): one that
// cannot fit is refused while the file is read, before any array or view vector is made; on a
// device, its free memory is checked as well.
inline ct::Geometry read_ct_geometry(const Context& ctx, const std::string& path, double volumes,
                                     double sinograms, const std::string& command) {
  const ct::Geometry g = ct::read_geometry(path, {4 * volumes, 4 * sinograms, command});
  if (ctx.is_cuda()) {
    double voxels = 1, samples = 1;
    for (int a = 0; a < g.volume.shape.ndim(); ++a) voxels *= static_cast<double>(g.volume.shape[a]);
    const Shape sino = g.projection.shape();
    for (int a = 0; a < sino.ndim(); ++a) samples *= static_cast<double>(sino[a]);
    require_memory(ctx, 4 * (volumes * voxels + sinograms * samples),
                   path + ": " + command + " with the volume " + g.volume.shape.str() + " and the sinogram " +
                       sino.str());
  }
  return g;
}

}  // namespace recon::cli

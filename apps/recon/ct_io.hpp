// Array input and output of the `recon ct` subcommands: any format io::read_image knows (.npy,
// .raw, TIFF stacks, MetaImage, NIfTI...), values as stored (CT data are physical values, never
// rescaled), shape checked against the geometry; output format by extension.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "commands.hpp"
#include "read_input.hpp"
#include "recon/io/image.hpp"
#include "recon/kernels/error.hpp"
#include "recon/kernels/memory_budget.hpp"
#include "recon/operators/ct/geometry.hpp"
#include "recon/operators/ct/projector.hpp"
#include "recon/operators/ct/streamed.hpp"

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

// Where a ct command runs: the geometry, the device (--device, capped by
// --device-memory-limit) and the context its arrays live on. They live on the device when
// `volumes` float32 volumes and `sinograms` sinograms (counted for each command from what its
// solver keeps) fit in its memory; otherwise, for a command that can stream, in host memory
// with the projector streamed through the device in pieces (ct/streamed.hpp). A geometry whose
// arrays cannot fit in host memory is refused while the file is read, before any array is made.
struct CtPlacement {
  ct::Geometry geometry;
  Context device, data;
  bool streamed = false;

  // Joseph's A with its exact adjoint: in memory, or streamed.
  Operator<float> projector() const {
    return streamed ? ct::streamed_projector<float>(geometry, device) : ct::joseph_projector<float>(geometry);
  }
};

// The streaming plan of op (a projector, or null) for the JSON summary; null when op is not
// streamed.
inline nlohmann::json streaming_summary(const LinearOperator<float>* op) {
  const auto* s = dynamic_cast<const ct::StreamedProjector<float>*>(op);
  if (!s) return nullptr;
  return {{"slab_depth", s->plan().slab_depth},
          {"views_per_chunk", s->plan().views_per_chunk},
          {"pieces", s->pieces().size()}};
}

inline CtPlacement place_ct(const GlobalOptions& global, const std::string& path, double volumes,
                            double sinograms, const std::string& command, bool can_stream) {
  const Context device = make_context(global);
  CtPlacement p{ct::read_geometry(path, {4 * volumes, 4 * sinograms, command}), device, device};
  if (!p.device.is_cuda() && p.device.memory_limit() == 0) return p;  // host memory, checked above
  const Shape sino = p.geometry.projection.shape();
  const double bytes = 4 * (volumes * static_cast<double>(p.geometry.volume.shape.size()) +
                            sinograms * static_cast<double>(sino.size()));
  if (bytes <= static_cast<double>(available_bytes(p.device))) return p;
  if (!can_stream)
    require_memory(p.device, bytes,
                   path + ": the volume " + p.geometry.volume.shape.str() + " and the sinogram " +
                       sino.str() + " (this command is not streamed)");
  p.data = Context::host(global.threads);
  p.streamed = true;
  return p;
}

}  // namespace recon::cli

// The ct commands' data, serial or split by views over MPI ranks (ct_data.hpp).
#include "ct_data.hpp"

#include <vector>

#include "read_input.hpp"
#include "recon/io/image.hpp"
#include "recon/operators/json_reader.hpp"

namespace recon::cli {

namespace {

// Bytes of each rank's projections (its views' rows), for scatter and gather.
std::vector<std::size_t> projection_bytes(const ct::Geometry& g, int ranks) {
  const auto per_view = static_cast<std::size_t>(g.projection.rows * g.projection.cols);
  std::vector<std::size_t> bytes(static_cast<std::size_t>(ranks));
  for (int r = 0; r < ranks; ++r)
    bytes[r] = sizeof(float) * per_view *
               static_cast<std::size_t>(ct::view_share(g.projection.views(), r, ranks).count());
  return bytes;
}

}  // namespace

bool distribute_views(const std::string& option, const std::string& command) {
  if (option.empty()) return dist::world()->size() > 1;
  if (option == "views") return true;
  if (option == "slabs")
    throw InvalidArgument(command +
                          ": --distribute slabs: the z-slab decomposition is not implemented yet; use "
                          "--distribute views (docs/distributed.md)");
  throw InvalidArgument(command + ": --distribute " + option + ": expected views or slabs");
}

void add_distribute_option(CLI::App& command, std::string& distribute) {
  command
      .add_option("--distribute", distribute,
                  "under mpiexec: views (each rank a range of views and the whole volume; the default with "
                  "several ranks) | slabs (not implemented yet)")
      ->check(CLI::IsMember({"views", "slabs"}));
}

CtData::CtData(CtPlacement place, Operator<float> op) : place_(std::move(place)), op_(std::move(op)) {}

CtData::CtData(CtPlacement place, Operator<float> op, std::shared_ptr<const dist::Communicator> comm)
    : place_(std::move(place)), op_(std::move(op)), comm_(std::move(comm)) {}

CtData CtData::distributed(const GlobalOptions& global, const std::string& geometry, double volumes,
                           double sinograms, const std::string& command) {
  const auto comm = dist::world();
  std::string text;
  dist::root_does(*comm, [&] { text = json_input::read_text(geometry, "geometry file"); });
  text = dist::broadcast_string(*comm, text);
  std::unique_ptr<CtData> out;
  dist::agree(*comm, [&] {
    const Context device = make_context(global);
    const ct::Geometry g = ct::geometry_from_json(text, geometry, {4 * volumes, 4 * sinograms, command});
    const ct::ViewRange views = ct::view_share(g.projection.views(), comm->rank(), comm->size());
    const double samples = static_cast<double>(views.count() * g.projection.rows * g.projection.cols);
    require_memory(device, 4 * (volumes * static_cast<double>(g.volume.shape.size()) + sinograms * samples),
                   geometry + ": rank " + std::to_string(comm->rank()) + "'s arrays (the volume " +
                       g.volume.shape.str() + " and " + std::to_string(views.count()) +
                       " views; distributed runs are not streamed)");
    out.reset(new CtData(CtPlacement{g, device, device}, ct::distributed_projector<float>(g, comm), comm));
  });
  return std::move(*out);
}

Array<float> CtData::read_volume(const std::string& path) const {
  const Shape& shape = geometry().volume.shape;
  if (!comm_) return read_ct_array(ctx(), path, shape, "volume shape");
  Array<float> x(Context::host(), shape);
  dist::root_does(*comm_, [&] { x = read_ct_array(Context::host(), path, shape, "volume shape"); });
  comm_->broadcast(x.data(), sizeof(float) * static_cast<std::size_t>(x.size()), 0);
  return x.to(ctx());
}

Array<float> CtData::read_projections(const std::string& path) const {
  if (!comm_) return read_ct_array(ctx(), path, op_.range(), "projection shape");
  Array<float> whole(Context::host(), Shape{0});
  dist::root_does(*comm_, [&] {
    whole = read_ct_array(Context::host(), path, geometry().projection.shape(), "projection shape");
  });
  Array<float> mine(Context::host(), op_.range());
  comm_->scatter(whole.data(), mine.data(), projection_bytes(geometry(), comm_->size()), 0);
  return mine.to(ctx());
}

void CtData::write_volume(const std::string& path, const Array<float>& x, const std::string& command,
                          const std::string& causes) const {
  on_writer([&] {
    require_finite_result(x, command, causes);
    io::write_image(path, x);
  });
}

void CtData::write_projections(const std::string& path, const Array<float>& y, const std::string& command,
                               const std::string& causes) const {
  if (!comm_) return write_volume(path, y, command, causes);
  dist::agree(*comm_, [&] { require_finite_result(y, command, causes); });
  const Array<float> mine = y.to(Context::host());
  Array<float> whole(Context::host(), comm_->is_root() ? geometry().projection.shape() : Shape{0});
  comm_->gather(mine.data(), whole.data(), projection_bytes(geometry(), comm_->size()), 0);
  on_writer([&] { io::write_image(path, whole); });
}

CtData ct_data_for(const GlobalOptions& global, const std::string& geometry, const std::string& distribute,
                   double volumes, double sinograms, const std::string& command, const std::string& refusal,
                   const std::function<Operator<float>(const CtPlacement&)>& serial_op) {
  bool split = false;
  dist::agree(*dist::world(), [&] {
    split = distribute_views(distribute, command);
    if (split && !refusal.empty()) throw InvalidArgument(command + ": " + refusal);
  });
  if (split) return CtData::distributed(global, geometry, volumes, sinograms, command);
  const CtPlacement place = place_ct(global, geometry, volumes, sinograms, command, true);
  return CtData(place, serial_op(place));
}

nlohmann::json CtData::summary(nlohmann::json summary) const {
  summary["streamed"] = streaming_summary(op_);
  if (comm_) {
    summary["ranks"] = comm_->size();
    summary["distribute"] = "views";
  }
  return summary;
}

}  // namespace recon::cli

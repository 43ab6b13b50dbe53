// The ct commands' data, serial or split by views or z-slabs over MPI ranks (ct_data.hpp).
#include "ct_data.hpp"

#include <optional>
#include <vector>

#include "read_input.hpp"
#include "recon/io/atomic_file.hpp"
#include "recon/io/image.hpp"
#include "recon/operators/ct/projection_rows.hpp"
#include "recon/operators/ct/slab_projector.hpp"
#include "recon/operators/json_reader.hpp"

namespace recon::cli {

namespace {

// Bytes of each rank's block of `count` items of `item` floats each.
std::vector<std::size_t> block_bytes(index_t count, index_t item, int ranks) {
  std::vector<std::size_t> bytes(static_cast<std::size_t>(ranks));
  for (int r = 0; r < ranks; ++r)
    bytes[r] = sizeof(float) * static_cast<std::size_t>(item * dist::block_share(count, r, ranks).count());
  return bytes;
}

index_t per_view(const ct::Geometry& g) { return g.projection.rows * g.projection.cols; }

// Between a whole projection stack (host memory) and the ranks' bands of detector rows (`owned`,
// one per rank) laid end to end in rank order, as scatter and gather move them.
template <class From, class To>
void move_bands(const ct::Geometry& g, const std::vector<dist::Block>& owned, From from, To to) {
  const index_t views = g.projection.views(), cols = g.projection.cols;
  index_t offset = 0;  // of the rank's band in the packed array
  for (const dist::Block& o : owned) {
    ct::move_rows<float>(Context::host(), views, cols, o.count(), from(o, offset), to(o, offset),
                         ct::RowMove::Copy);
    offset += views * o.count() * cols;
  }
}
Array<float> pack_bands(const ct::Geometry& g, const std::vector<dist::Block>& owned,
                        const Array<float>& whole) {
  Array<float> packed(Context::host(), Shape{whole.size()});
  const index_t rows = g.projection.rows;
  move_bands(
      g, owned,
      [&](const dist::Block& o, index_t) {
        return ct::RowBand<const float>{whole.data(), rows, o.begin};
      },
      [&](const dist::Block& o, index_t at) {
        return ct::RowBand<float>{packed.data() + at, o.count(), 0};
      });
  return packed;
}
Array<float> unpack_bands(const ct::Geometry& g, const std::vector<dist::Block>& owned,
                          const Array<float>& packed) {
  Array<float> whole(Context::host(), g.projection.shape());
  const index_t rows = g.projection.rows;
  move_bands(
      g, owned,
      [&](const dist::Block& o, index_t at) {
        return ct::RowBand<const float>{packed.data() + at, o.count(), 0};
      },
      [&](const dist::Block& o, index_t) {
        return ct::RowBand<float>{whole.data(), rows, o.begin};
      });
  return whole;
}
index_t per_slice(const ct::Geometry& g) { return g.volume.ny() * g.volume.nx(); }

// Whether every rank reads or writes its own part of a file: .npy files, whose values lie at
// offsets the header gives (the ranks must then see the same file system, as MPI programs' files
// do); other formats rank 0 reads whole and scatters, or gathers and writes.
bool in_parts(const std::string& path) { return io::is_npy_path(path); }

// This rank's block along axis 0, of `bytes` per rank, as a part of the whole array.
io::NpyPart block_part(const std::vector<std::size_t>& bytes, int rank) {
  std::size_t before = 0;  // bytes of the lower ranks' blocks
  for (int r = 0; r < rank; ++r) before += bytes[r];
  return {static_cast<index_t>(before / sizeof(float)), static_cast<index_t>(bytes[rank] / sizeof(float)), 1,
          0};
}

// Whether g splits into z-slabs over `ranks` ranks (3D, at least one slice each).
bool slabs_apply(const ct::Geometry& g, int ranks) {
  return g.volume.ndim() == 3 && g.projection.ndim == 3 && g.volume.nz() >= ranks;
}

// The bytes a rank holds under `split` (float32): `volumes` times its share of the volume,
// `sinograms` times its share of the projections, and what they are, for a memory error.
struct RankArrays {
  double bytes;
  std::string what;
};
RankArrays rank_arrays(const ct::Geometry& g, Split split, int rank, int ranks, double volumes,
                       double sinograms, index_t view_chunk = 0) {
  if (split == Split::Slabs) {
    // Its slab, its band of detector rows, and once more its window's rows (the projector's
    // partial projection or gathered band): of every view, or of a chunk of views, with one more
    // slab for the sum of the chunks' back-projections.
    const index_t slices = dist::block_share(g.volume.nz(), rank, ranks).count();
    const ct::SlabRows rows = ct::slab_rows(g, ranks, "ct");
    const index_t owned = rows.owned[rank].count(), window = rows.window[rank].count();
    const auto band = [&](index_t n, index_t views) {
      return static_cast<double>(views * n * g.projection.cols);
    };
    const double slab = static_cast<double>(slices * per_slice(g));
    const double held = view_chunk > 0 ? band(window, view_chunk) + slab : band(window, g.projection.views());
    return {4 * (volumes * slab + sinograms * band(owned, g.projection.views()) + held),
            "a slab of " + std::to_string(slices) + " slices of the volume " + g.volume.shape.str() +
                " and " + std::to_string(owned) + " of the " + std::to_string(g.projection.rows) +
                " detector rows of " + std::to_string(g.projection.views()) + " views"};
  }
  const index_t views = ct::view_share(g.projection.views(), rank, ranks).count();
  return {4 * (volumes * static_cast<double>(g.volume.shape.size()) +
               sinograms * static_cast<double>(views * per_view(g))),
          "the volume " + g.volume.shape.str() + " and " + std::to_string(views) + " views"};
}

// Views per chunk of the slab's window for this rank's arrays to fit in `room` bytes: every view
// when the whole window fits, else the most that fit, 0 when not even one view does.
index_t window_chunk(const ct::Geometry& g, int rank, int ranks, double volumes, double sinograms,
                     double room) {
  const index_t views = g.projection.views();
  if (rank_arrays(g, Split::Slabs, rank, ranks, volumes, sinograms).bytes <= room) return views;
  const double one = rank_arrays(g, Split::Slabs, rank, ranks, volumes, sinograms, 1).bytes;
  const double per_view = rank_arrays(g, Split::Slabs, rank, ranks, volumes, sinograms, 2).bytes - one;
  if (one > room) return 0;
  return per_view > 0 ? std::min(views, 1 + static_cast<index_t>((room - one) / per_view)) : views;
}

}  // namespace

Split requested_split(const std::string& option, const std::string& command, bool slabs) {
  if (option.empty()) return dist::world()->size() > 1 ? Split::Views : Split::Serial;
  if (option == "views") return Split::Views;
  if (option == "slabs") {
    if (!slabs)
      throw InvalidArgument(command + ": --distribute slabs is not implemented for " + command +
                            " yet; use --distribute views");
    return Split::Slabs;
  }
  throw InvalidArgument(command + ": --distribute " + option + ": expected views or slabs");
}

void add_distribute_option(CLI::App& command, std::string& distribute) {
  command
      .add_option(
          "--distribute", distribute,
          "under mpiexec: views (each rank a range of views and the whole volume; the default with "
          "several ranks) | slabs (each rank a z-slab of the volume and the detector rows it reaches; "
          "3D geometries; chosen when only it fits in memory)")
      ->check(CLI::IsMember({"views", "slabs"}));
}

CtData::CtData(CtPlacement place, Operator<float> op) : place_(std::move(place)), op_(std::move(op)) {}

CtData::CtData(CtPlacement place, Operator<float> op, std::shared_ptr<const dist::Communicator> comm,
               Split split)
    : place_(std::move(place)), op_(std::move(op)), comm_(std::move(comm)), split_(split) {}

CtData CtData::distributed(const GlobalOptions& global, const std::string& geometry, double volumes,
                           double sinograms, const std::string& command, Split split, bool may_choose_slabs) {
  const auto comm = dist::world();
  const int rank = comm->rank(), ranks = comm->size();
  std::string text;
  dist::root_does(*comm, [&] { text = json_input::read_text(geometry, "geometry file"); });
  text = dist::broadcast_string(*comm, text);
  std::optional<Context> device;
  ct::Geometry g;
  dist::agree(*comm, [&] {
    device = make_context(global);
    g = ct::geometry_from_json(text, geometry, {4 * volumes, 4 * sinograms, command});
  });
  // A device that can stream (a GPU, or any device under --device-memory-limit) takes arrays
  // beyond its memory: they stay in host memory and each rank's projector streams through it.
  const bool can_stream = device->is_cuda() || device->memory_limit() > 0;
  const double room = static_cast<double>(available_bytes(*device));
  // By slabs the window may be held a chunk of views at a time: the chunk every rank can hold.
  const index_t chunk = slabs_apply(g, ranks)
                            ? static_cast<index_t>(comm->all_reduce(
                                  static_cast<double>(window_chunk(g, rank, ranks, volumes, sinograms, room)),
                                  dist::ReduceOp::Min))
                            : 0;
  const index_t view_chunk = chunk > 0 && chunk < g.projection.views() ? chunk : 0;
  const auto fits = [&](Split s) {
    return s == Split::Slabs ? chunk > 0 : rank_arrays(g, s, rank, ranks, volumes, sinograms).bytes <= room;
  };
  if (split == Split::Views && may_choose_slabs && slabs_apply(g, ranks)) {
    // The slabs when the views exceed some rank's memory and the slabs fit on every rank, or
    // must be streamed anyway (each rank then holds a slab rather than the whole volume).
    const bool views_fit = !comm->any(!fits(Split::Views));
    if (!views_fit && (!comm->any(!fits(Split::Slabs)) || can_stream)) split = Split::Slabs;
  }
  std::unique_ptr<CtData> out;
  dist::agree(*comm, [&] {
    if (split == Split::Slabs) ct::slab_share(g, rank, ranks, command);
  });
  const bool stream = can_stream && comm->any(!fits(split));
  dist::agree(*comm, [&] {
    const index_t held_chunk = split == Split::Slabs && !stream ? view_chunk : 0;
    const RankArrays mine = rank_arrays(g, split, rank, ranks, volumes, sinograms, held_chunk);
    const Context data = stream ? Context::host(global.threads) : *device;
    require_memory(
        data, mine.bytes,
        geometry + ": rank " + std::to_string(rank) + "'s arrays (" + mine.what +
            (stream ? ", in host memory: they exceed the device and are streamed through it" : "") + ")");
    std::optional<Context> through;
    if (stream) through = *device;
    Operator<float> op = split == Split::Slabs ? ct::slab_projector<float>(g, comm, through, held_chunk)
                                               : ct::distributed_projector<float>(g, comm, through);
    out.reset(new CtData(CtPlacement{g, *device, data, stream}, std::move(op), comm, split));
  });
  return std::move(*out);
}

std::vector<std::size_t> CtData::volume_bytes() const {
  return block_bytes(geometry().volume.nz(), per_slice(geometry()), comm_->size());
}

std::vector<std::size_t> CtData::projection_bytes() const {
  const ct::Geometry& g = geometry();
  if (split_ == Split::Views) return block_bytes(g.projection.views(), per_view(g), comm_->size());
  std::vector<std::size_t> bytes;
  for (const dist::Block& o : owned_rows())
    bytes.push_back(sizeof(float) *
                    static_cast<std::size_t>(g.projection.views() * o.count() * g.projection.cols));
  return bytes;
}

const std::vector<dist::Block>& CtData::owned_rows() const {
  return dynamic_cast<const ct::SlabProjector<float>&>(op_.get()).rows().owned;
}

Array<float> CtData::broadcast_from_root(Array<float> all, const Shape& whole) const {
  if (!comm_->is_root()) all = Array<float>(Context::host(), whole);
  comm_->broadcast(all.data(), sizeof(float) * static_cast<std::size_t>(all.size()), 0);
  return all.to(ctx());
}

Array<float> CtData::scatter_from_root(const Array<float>& all, const Shape& mine,
                                       const std::vector<std::size_t>& bytes) const {
  Array<float> share(Context::host(), mine);
  comm_->scatter(all.data(), share.data(), bytes, 0);
  return share.to(ctx());
}

Array<float> CtData::gather_to_root(const Array<float>& mine, const Shape& whole,
                                    const std::vector<std::size_t>& bytes) const {
  const Array<float> host = mine.to(Context::host());
  Array<float> all(Context::host(), comm_->is_root() ? whole : Shape{0});
  comm_->gather(host.data(), all.data(), bytes, 0);
  return all;
}

Array<float> CtData::read_broadcast(const std::string& path, const Shape& whole, const char* what) const {
  Array<float> a(Context::host(), Shape{0});
  dist::root_does(*comm_, [&] { a = read_ct_array(Context::host(), path, whole, what); });
  return broadcast_from_root(std::move(a), whole);
}

Array<float> CtData::read_part(const std::string& path, const Shape& whole, const io::NpyPart& part,
                               const Shape& mine, const char* what) const {
  Array<float> share(Context::host(), Shape{0});
  dist::agree(*comm_, [&] {
    const Shape stored = io::read_npy_header(path).shape;
    if (stored != whole)
      throw ShapeMismatch("ct: " + path + " has shape " + stored.str() + " but the geometry's " + what +
                          " is " + whole.str());
    share = io::read_npy_part<float>(Context::host(), path, part, mine);
  });
  const double bad = comm_->all_reduce(static_cast<double>(count_non_finite(share)), dist::ReduceOp::Sum);
  dist::agree(*comm_, [&] { require_no_non_finite(static_cast<index_t>(bad), path); });
  return share.to(ctx());
}

io::NpyPart CtData::projection_part() const {
  if (split_ == Split::Views) return block_part(projection_bytes(), comm_->rank());
  const dist::Block& band = owned_rows()[static_cast<std::size_t>(comm_->rank())];
  const ct::ProjectionGeometry& pg = geometry().projection;
  return {band.begin * pg.cols, band.count() * pg.cols, pg.views(), pg.rows * pg.cols};
}

void CtData::write_parts(const std::string& path, const Array<float>& mine, const Shape& whole,
                         const io::NpyPart& part) const {
  const std::vector<float> values = mine.to_host_vector();
  if (comm_->is_root()) {
    // Rank 0 makes the temporary, sends its name, waits for the other parts and renames it; a
    // failure anywhere removes it, and every rank throws the first one.
    std::exception_ptr failure;
    bool announced = false;
    try {
      io::write_files_atomically(path, [&](const std::string& tmp) {
        io::create_npy<float>(tmp, whole);
        io::write_npy_part<float>(tmp, part, values);
        dist::broadcast_string(*comm_, tmp);
        announced = true;
        dist::agree(*comm_, [] {});  // the other ranks' parts
      });
    } catch (...) {
      failure = std::current_exception();
    }
    if (!announced) dist::broadcast_string(*comm_, "");
    dist::agree(*comm_, [&] {
      if (failure) std::rethrow_exception(failure);
    });
    return;
  }
  const std::string tmp = dist::broadcast_string(*comm_, "");
  if (!tmp.empty()) {
    try {
      dist::agree(*comm_, [&] { io::write_npy_part<float>(tmp, part, values); });
    } catch (const std::exception& e) {
      if (!dist::is_agreed(e)) throw;  // agreed: rank 0 reports it next
    }
  }
  dist::agree(*comm_, [] {});
}

Array<float> CtData::read_scattered(const std::string& path, const Shape& whole, const Shape& mine,
                                    const std::vector<std::size_t>& bytes, const char* what) const {
  if (in_parts(path)) return read_part(path, whole, block_part(bytes, comm_->rank()), mine, what);
  Array<float> all(Context::host(), Shape{0});
  dist::root_does(*comm_, [&] { all = read_ct_array(Context::host(), path, whole, what); });
  return scatter_from_root(all, mine, bytes);
}

Array<float> CtData::projections_on_root(const Array<float>& y) const {
  if (!comm_) return y.to(Context::host());
  const Shape whole = geometry().projection.shape();
  if (split_ == Split::Views) return gather_to_root(y, whole, projection_bytes());
  Array<float> packed = gather_to_root(y, Shape{whole.size()}, projection_bytes());
  if (!comm_->is_root()) return packed;  // empty
  return unpack_bands(geometry(), owned_rows(), packed);
}

Array<float> CtData::read_volume(const std::string& path) const {
  const Shape& shape = geometry().volume.shape;
  if (!comm_) return read_ct_array(ctx(), path, shape, "volume shape");
  if (split_ == Split::Slabs)
    return read_scattered(path, shape, op_.domain(), volume_bytes(), "volume shape");
  return read_broadcast(path, shape, "volume shape");
}

Array<float> CtData::read_projections(const std::string& path) const {
  const Shape shape = geometry().projection.shape();
  if (!comm_) return read_ct_array(ctx(), path, op_.range(), "projection shape");
  if (split_ == Split::Views)
    return read_scattered(path, shape, op_.range(), projection_bytes(), "projection shape");
  if (in_parts(path)) return read_part(path, shape, projection_part(), op_.range(), "projection shape");
  Array<float> packed(Context::host(), Shape{0});
  dist::root_does(*comm_, [&] {
    packed =
        pack_bands(geometry(), owned_rows(), read_ct_array(Context::host(), path, shape, "projection shape"));
  });
  return scatter_from_root(packed, op_.range(), projection_bytes());
}

void CtData::write_replicated(const std::string& path, const Array<float>& a, const std::string& command,
                              const std::string& causes) const {
  on_writer([&] {
    require_finite_result(a, command, causes);
    io::write_image(path, a);
  });
}

void CtData::write_gathered(const std::string& path, const Array<float>& mine, const Shape& whole,
                            const std::vector<std::size_t>& bytes, const std::string& command,
                            const std::string& causes) const {
  dist::agree(*comm_, [&] { require_finite_result(mine, command, causes); });
  if (in_parts(path)) return write_parts(path, mine, whole, block_part(bytes, comm_->rank()));
  const Array<float> all = gather_to_root(mine, whole, bytes);
  on_writer([&] { io::write_image(path, all); });
}

void CtData::write_volume(const std::string& path, const Array<float>& x, const std::string& command,
                          const std::string& causes) const {
  if (split_ == Split::Slabs)
    return write_gathered(path, x, geometry().volume.shape, volume_bytes(), command, causes);
  write_replicated(path, x, command, causes);
}

void CtData::write_projections(const std::string& path, const Array<float>& y, const std::string& command,
                               const std::string& causes) const {
  if (!comm_) return write_replicated(path, y, command, causes);
  dist::agree(*comm_, [&] { require_finite_result(y, command, causes); });
  if (in_parts(path)) return write_parts(path, y, geometry().projection.shape(), projection_part());
  const Array<float> all = projections_on_root(y);
  on_writer([&] { io::write_image(path, all); });
}

CtData ct_data_for(const GlobalOptions& global, const std::string& geometry, const std::string& distribute,
                   double volumes, double sinograms, const std::string& command, const std::string& refusal,
                   const std::function<Operator<float>(const CtPlacement&)>& serial_op, bool slabs) {
  Split split = Split::Serial;
  dist::agree(*dist::world(), [&] {
    split = requested_split(distribute, command, slabs);
    if (split != Split::Serial && !refusal.empty()) throw InvalidArgument(command + ": " + refusal);
  });
  if (split != Split::Serial)
    return CtData::distributed(global, geometry, volumes, sinograms, command, split,
                               distribute.empty() && slabs);
  const CtPlacement place = place_ct(global, geometry, volumes, sinograms, command, true);
  return CtData(place, serial_op(place));
}

nlohmann::json CtData::summary(nlohmann::json summary) const {
  // A split run's own projector (the slab's or the views') is the one that may stream.
  const LinearOperator<float>* local = &op_.get();
  if (const auto* slabs = dynamic_cast<const ct::SlabProjector<float>*>(local))
    local = slabs->local();
  else if (const auto* views = dynamic_cast<const ct::DistributedProjector<float>*>(local))
    local = views->local();
  summary["streamed"] = streaming_summary(local);
  if (comm_) {
    summary["ranks"] = comm_->size();
    summary["distribute"] = split_ == Split::Slabs ? "slabs" : "views";
    if (const auto* slabs = dynamic_cast<const ct::SlabProjector<float>*>(&op_.get()))
      if (slabs->view_chunk() < geometry().projection.views()) summary["view_chunk"] = slabs->view_chunk();
  }
  return summary;
}

}  // namespace recon::cli
